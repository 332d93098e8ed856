#!/usr/bin/env bash
# The web dashboard under load: a store with BENCH_JOBS jobs (default 1,000) from ten producers,
# BENCH_AGENTS agents connected (default 200, instant agents: gopfarm-bench-agent --fleet), then
# each page's response time (median of BENCH_N requests with curl, after one warm-up) and its
# weight (HTML plus the style sheet and script every page loads; nothing else is fetched).
#
#   bash bench/dashboard.sh                      release build in .build-release (the figures)
#   GOPFARM_BIN_DIR=.build/debug bash bench/dashboard.sh   prebuilt binaries (say which in the figures)
#
# The jobs go through the HTTP API like any others (a 10-frame all-intra clip, 5 segments, no
# analysis), so the store holds what a real farm's does: segments, attempts, timings, events.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need ffmpeg; need curl
JOBS=${BENCH_JOBS:-1000}
AGENTS=${BENCH_AGENTS:-200}
N=${BENCH_N:-21}
if [[ -n ${GOPFARM_BIN_DIR:-} ]]; then
    BIN_DIR=$(cd "$GOPFARM_BIN_DIR" && pwd)
    log "bench: prebuilt binaries in $BIN_DIR"
else
    log "bench: swift build -c release --scratch-path .build-release"
    for p in gopfarm gopfarm-bench-agent; do
        (cd "$REPO" && swift build -c release --scratch-path .build-release --product $p >&2) || die "release build of $p failed"
    done
    BIN_DIR=$REPO/.build-release/release
fi
GOPFARM=$BIN_DIR/gopfarm
[[ -x $GOPFARM && -x $BIN_DIR/gopfarm-bench-agent ]] || die "gopfarm or gopfarm-bench-agent is missing in $BIN_DIR"
WORK=$(mktemp -d /dev/shm/gopfarm-dash.XXXXXX 2>/dev/null || mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

CLIP=$OUT_DIR/all-intra-10.mp4
[[ -f $CLIP ]] || ffmpeg -v error -y -f lavfi -i "testsrc2=size=160x90:rate=25" -frames:v 10 -c:v libx264 -preset ultrafast -g 1 "$CLIP"

"$GOPFARM" serve --insecure --http 127.0.0.1:0 --bind tcp://127.0.0.1:0 --data-dir "$WORK/data" --input-root "$OUT_DIR" \
    --lease-seconds 60 --agent-timeout 30 > "$WORK/serve.log" 2>&1 &
for _ in $(seq 100); do grep -q "agents connect to" "$WORK/serve.log" && break; sleep 0.1; done
URL=$(sed -n 's/^HTTP API on //p' "$WORK/serve.log")
ENDPOINT=$(sed -n 's/^agents connect to \([^ ]*\).*/\1/p' "$WORK/serve.log")
ADMIN=$(cat "$WORK/data/admin-token")
api() { curl -sf -H "Authorization: Bearer $1" "${@:2}"; }
token() { api "$ADMIN" -X POST "$URL/v1/tokens" -d "{\"name\":\"$1\",\"role\":\"$2\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'; }
OPS=$(token olga ops)
PRODUCERS=()
for i in $(seq 10); do PRODUCERS+=("$(token "producer-$i" producer)"); done

"$BIN_DIR/gopfarm-bench-agent" --coordinator "$ENDPOINT" --insecure --fleet "$AGENTS" --name render --slots 2 > "$WORK/fleet.log" 2>&1 &
for _ in $(seq 300); do
    n=$(api "$OPS" "$URL/v1/agents" | grep -o '"connectedSeconds"' | wc -l || true)
    [[ $n -ge $AGENTS ]] && break; sleep 0.1
done
log "bench: $n agents connected; submitting $JOBS jobs"
start=$(date +%s)
for j in $(seq "$JOBS"); do
    api "${PRODUCERS[$((j % 10))]}" -X POST "$URL/v1/jobs" -o /dev/null \
        -d "{\"input\":\"$CLIP\",\"outputName\":\"clip-$j.mp4\",\"settings\":{\"codec\":\"libx264\"},\"segmentSeconds\":0.08,\"analysis\":false}" \
        || die "submit $j failed"
done
while :; do
    left=$(api "$OPS" "$URL/v1/jobs" | grep -o '"state":"\(queued\|planning\|running\|stitching\)"' | wc -l || true)
    [[ $left -eq 0 ]] && break; sleep 0.5
done
log "bench: $JOBS jobs submitted and finished in $(( $(date +%s) - start )) s"
api "$OPS" "$URL/v1/jobs" > "$WORK/jobs.json"
JOB=$(grep -o -m 1 '"id":"[^"]*"' "$WORK/jobs.json" | sed -n '1s/"id":"\([^"]*\)"/\1/p')
[[ -n $JOB ]] || die "no job id in GET /v1/jobs"

# Log in as ops (every job and agent on the pages) the way a browser does.
JAR=$WORK/cookies
curl -s -c "$JAR" "$URL/login" -o "$WORK/login.html"
CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$WORK/login.html" | head -n 1)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf=$CSRF" --data-urlencode "token=$OPS" "$URL/login"
grep -q gopfarm_session "$JAR" || die "log-in failed"

measure() {  # PATH -> "median_ms bytes"
    curl -s -b "$JAR" -o /dev/null "$URL$1"
    local times=() size=0 t s
    for _ in $(seq "$N"); do
        read -r t s < <(curl -s -b "$JAR" -o /dev/null -w '%{time_total} %{size_download}\n' "$URL$1")
        times+=("$(awk -v t="$t" 'BEGIN { print t * 1000 }')"); size=$s
    done
    printf '%s %s\n' "$(median "${times[@]}")" "$size"
}
read -r _ css < <(measure /static/dashboard.css)
read -r _ js < <(measure /static/dashboard.js)
printf 'dashboard with %s jobs and %s agents (%s), median of %s requests\n' "$JOBS" "$n" "$(basename "$(dirname "$GOPFARM")")" "$N"
printf '%-26s %10s %10s %12s\n' page median_ms html_kB page_kB
for page in "/" "/?page=10" "/jobs/$JOB" "/agents" "/submit"; do
    read -r ms bytes < <(measure "$page")
    label=$page; [[ $page == /jobs/* ]] && label="/jobs/{id}"
    printf '%-26s %10.1f %10.1f %12.1f\n' "$label" "$ms" "$(awk -v b="$bytes" 'BEGIN { print b / 1000 }')" \
        "$(awk -v b="$bytes" -v c="$css" -v j="$js" 'BEGIN { print (b + c + j) / 1000 }')"
done
read -r ms bytes < <(JAR=/dev/null measure /login)
printf '%-26s %10.1f %10.1f %12.1f\n' /login "$ms" "$(awk -v b="$bytes" 'BEGIN { print b / 1000 }')" \
    "$(awk -v b="$bytes" -v c="$css" -v j="$js" 'BEGIN { print (b + c + j) / 1000 }')"
printf 'style sheet %.1f kB, script %.1f kB (each page loads both, cached for 5 min)\n' "$(awk -v b="$css" 'BEGIN { print b / 1000 }')" \
    "$(awk -v b="$js" 'BEGIN { print b / 1000 }')"
