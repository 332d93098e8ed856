#!/usr/bin/env bash
# What a Prometheus scrape of /metrics costs on a busy store: BENCH_JOBS jobs (default 1,000, 5
# segments each, run by BENCH_AGENTS instant agents: gopfarm-bench-agent --fleet, default 200)
# done, then the response time of /metrics (median and worst of BENCH_N scrapes after one
# warm-up) and its size, and the same for /healthz as the floor.
#
#   GOPFARM_BIN_DIR=.build/debug bash bench/metrics.sh     prebuilt binaries (say which in the figures)
#   bash bench/metrics.sh                                  release build in .build-release
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need ffmpeg; need curl
JOBS=${BENCH_JOBS:-1000}
AGENTS=${BENCH_AGENTS:-200}
N=${BENCH_N:-51}
if [[ -n ${GOPFARM_BIN_DIR:-} ]]; then
    BIN_DIR=$(cd "$GOPFARM_BIN_DIR" && pwd)
    log "bench: prebuilt binaries in $BIN_DIR"
else
    for p in gopfarm gopfarm-bench-agent; do
        (cd "$REPO" && swift build -c release --scratch-path .build-release --product $p >&2) || die "release build of $p failed"
    done
    BIN_DIR=$REPO/.build-release/release
fi
GOPFARM=$BIN_DIR/gopfarm
WORK=$(mktemp -d /dev/shm/gopfarm-metrics.XXXXXX 2>/dev/null || mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

CLIP=$OUT_DIR/all-intra-10.mp4
[[ -f $CLIP ]] || ffmpeg -v error -y -f lavfi -i "testsrc2=size=160x90:rate=25" -frames:v 10 -c:v libx264 -preset ultrafast -g 1 "$CLIP"

"$GOPFARM" serve --insecure --http 127.0.0.1:0 --bind tcp://127.0.0.1:0 --data-dir "$WORK/data" --input-root "$OUT_DIR" \
    --lease-seconds 60 --agent-timeout 30 > "$WORK/serve.log" 2>&1 &
for _ in $(seq 100); do grep -q "agents connect to" "$WORK/serve.log" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^HTTP API on //p' "$WORK/serve.log")
ENDPOINT=$(sed -n 's/^agents connect to \([^ ]*\).*/\1/p' "$WORK/serve.log")
ADMIN=$(cat "$WORK/data/admin-token")
api() { curl -sf -H "Authorization: Bearer $1" "${@:2}"; }
PRODUCER=$(api "$ADMIN" -X POST "$URL/v1/tokens" -d '{"name":"p","role":"producer"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')

"$BIN_DIR/gopfarm-bench-agent" --coordinator "$ENDPOINT" --insecure --fleet "$AGENTS" --name render --slots 2 > "$WORK/fleet.log" 2>&1 &
for _ in $(seq 300); do
    n=$(curl -s "$URL/metrics" | sed -n 's/^gopfarm_agents \([0-9]*\).*/\1/p')
    [[ ${n:-0} -ge $AGENTS ]] && break; sleep 0.1
done
log "bench: ${n:-0} agents connected; submitting $JOBS jobs"
for j in $(seq "$JOBS"); do
    api "$PRODUCER" -X POST "$URL/v1/jobs" -o /dev/null \
        -d "{\"input\":\"$CLIP\",\"outputName\":\"clip-$j.mp4\",\"settings\":{\"codec\":\"libx264\"},\"segmentSeconds\":0.08,\"analysis\":false}" \
        || die "submit $j failed"
done
# Until no job is queued, planning, running or stitching.
while :; do
    active=$(curl -s "$URL/metrics" | sed -n 's/^gopfarm_jobs{state="\(queued\|planning\|running\|stitching\)"} \([0-9]*\).*/\2/p' | awk '{ n += $1 } END { print n + 0 }')
    [[ $active -eq 0 ]] && break; sleep 1
done
done_jobs=$(curl -s "$URL/metrics" | sed -n 's/^gopfarm_jobs{state="done"} \([0-9]*\).*/\1/p')
failed_jobs=$(curl -s "$URL/metrics" | sed -n 's/^gopfarm_jobs{state="failed"} \([0-9]*\).*/\1/p')

time_route() {  # PATH -> "median_ms worst_ms bytes"
    curl -s -o /dev/null "$URL$1"
    local times=() t s
    for _ in $(seq "$N"); do
        read -r t s < <(curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "$URL$1")
        times+=("$(awk -v t="$t" 'BEGIN { print t * 1000 }')")
    done
    printf '%s %s %s\n' "$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')" \
        "$(printf '%s\n' "${times[@]}" | sort -n | tail -n 1)" "$s"
}
printf 'store: %s jobs done, %s failed, %s segments completed, %s agents connected\n' "$done_jobs" "$failed_jobs" \
    "$(curl -s "$URL/metrics" | sed -n 's/^gopfarm_segments_completed_total \([0-9]*\).*/\1/p')" \
    "$(curl -s "$URL/metrics" | sed -n 's/^gopfarm_agents \([0-9]*\).*/\1/p')"
printf '%-10s %10s %10s %8s\n' route "median ms" "worst ms" bytes
for route in /metrics /healthz; do
    read -r ms worst bytes < <(time_route "$route")
    printf '%-10s %10.1f %10.1f %8s\n' "$route" "$ms" "$worst" "$bytes"
done
curl -s "$URL/metrics" | grep -E '^gopfarm_segment_seconds_(count|sum)|^gopfarm_disk_used_bytes'
