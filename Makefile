# The two set-up commands of the README:
#   make demo   installs what is missing, builds, and runs `gopfarm demo`
#   make test   installs what is missing (plus the ffmpeg CLI oracle), builds once, runs every test
SWIFT ?= swift

.PHONY: deps test-deps build demo test bench clean

deps:
	bash deploy/install-deps.sh

test-deps:
	bash deploy/install-deps.sh --test

build: deps
	$(SWIFT) build

demo: build
	.build/debug/gopfarm demo

# Tests that serve HTTP in process run first, on their own: their server's tasks need Swift's
# cooperative pool, which the integration tests' blocking waits fill on a 2-core machine (in one
# run the router and client suites waited 17 minutes for a thread). The whole service module:
# every router suite in it (tokens, retention, webhooks, presets, dashboard) serves in process.
IN_PROCESS_SERVERS = GopfarmClientTests|GopfarmServiceTests

test: test-deps
	$(SWIFT) build --build-tests
	bash Tests/tools/run-tests.sh $(SWIFT) test --skip-build --filter "$(IN_PROCESS_SERVERS)"
	bash Tests/tools/run-tests.sh $(SWIFT) test --skip-build --parallel --num-workers 2 --skip "$(IN_PROCESS_SERVERS)"

bench: test-deps
	bash bench/farm-vs-ffmpeg.sh

clean:
	rm -rf .build gopfarm-demo bench-out
