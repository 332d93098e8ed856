#!/usr/bin/env bash
# Control-plane throughput of the coordinator: agents that answer instantly (gopfarm-bench-agent:
# the segment's source packets come back as the "encoded" result, no decode/encode),
# so what is measured is dispatch: extraction, leases, validation, spooling, the job store.
#
#   BENCH_AGENTS=100 BENCH_SEGMENTS=10000 BENCH_JOBS=3 bash bench/control-plane.sh
#
# The agents run as BENCH_AGENT_PROCESSES processes (default 1: `gopfarm-bench-agent --fleet N`,
# N connections answered by one thread). With BENCH_AGENT_PROCESSES=$BENCH_AGENTS each agent is
# its own `gopfarm-bench-agent` process, as in production, and the 2-core machine spends
# about as much CPU scheduling those processes as the coordinator spends dispatching.
#
# Prints, per job: segments, wall seconds from first lease to last result (from the job store),
# segments/s (each one assignment + one completion), and the coordinator's RSS after each job,
# which must not grow with the number of segments completed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need ffmpeg; need sqlite3; need curl
AGENTS=${BENCH_AGENTS:-100}
SEGMENTS=${BENCH_SEGMENTS:-10000}
JOBS=${BENCH_JOBS:-3}
PROCESSES=${BENCH_AGENT_PROCESSES:-1}
(( AGENTS % PROCESSES == 0 )) || die "BENCH_AGENTS ($AGENTS) must be a multiple of BENCH_AGENT_PROCESSES ($PROCESSES)"
build_release
[[ -x $GOPFARM_BENCH_AGENT_BIN ]] || die "$GOPFARM_BENCH_AGENT_BIN is missing"
WORK=$(mktemp -d /dev/shm/gopfarm-cp.XXXXXX 2>/dev/null || mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

# All-intra clip: one key frame per frame, so a 0.04 s segment is exactly one frame.
CLIP=$OUT_DIR/all-intra-${SEGMENTS}.mp4
if [[ ! -f $CLIP ]]; then
    log "bench: making $CLIP ($SEGMENTS frames, all key frames)"
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=160x90:rate=25" -frames:v "$SEGMENTS" -c:v libx264 -preset ultrafast -g 1 "$CLIP"
fi

"$GOPFARM" serve --insecure --http 127.0.0.1:0 --bind tcp://127.0.0.1:0 --data-dir "$WORK/data" --input-root "$OUT_DIR" \
    --lease-seconds 60 --agent-timeout 30 > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
for _ in $(seq 100); do grep -q "agents connect to" "$WORK/serve.log" && break; sleep 0.1; done
URL=$(sed -n 's/^HTTP API on //p' "$WORK/serve.log")
ENDPOINT=$(sed -n 's/^agents connect to \([^ ]*\).*/\1/p' "$WORK/serve.log")
TOKEN=$(cat "$WORK/data/admin-token")
log "bench: coordinator $URL, agents $ENDPOINT; starting $AGENTS instant agents in $PROCESSES process(es)"
AGENT_PIDS=()
for i in $(seq "$PROCESSES"); do
    if (( PROCESSES == AGENTS )); then
        "$GOPFARM_BENCH_AGENT_BIN" --coordinator "$ENDPOINT" --insecure --name "i$i" --slots 1 > /dev/null 2>&1 &
    else
        "$GOPFARM_BENCH_AGENT_BIN" --coordinator "$ENDPOINT" --insecure --fleet $((AGENTS / PROCESSES)) --name "i$i" --slots 1 \
            > "$WORK/fleet-$i.log" 2>&1 &
    fi
    AGENT_PIDS+=($!)
done
for _ in $(seq 300); do
    n=$( (curl -s -H "Authorization: Bearer $TOKEN" "$URL/v1/agents" || true) | grep -o "\"name\"" | wc -l || true)
    [[ $n -ge $AGENTS ]] && break; sleep 0.1
done
log "bench: $n agents connected"
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$SERVE_PID/status"; }
# CPU seconds (user + system) used so far by the given processes.
cpu() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
        awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'; }
DB=$WORK/data/gopfarm.sqlite
printf '%-4s %9s %9s %12s %10s %13s %14s\n' job segments seconds segments/s rss_MiB serve_cpu_s agents_cpu_s
for j in $(seq "$JOBS"); do
    serve0=$(cpu "$SERVE_PID"); agents0=$(cpu "${AGENT_PIDS[@]}")
    id=$(curl -s -H "Authorization: Bearer $TOKEN" -X POST "$URL/v1/jobs" \
        -d "{\"input\":\"$CLIP\",\"settings\":{\"codec\":\"libx264\"},\"segmentSeconds\":0.04,\"analysis\":false}" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
    [[ -n $id ]] || die "submit failed"
    while :; do
        state=$(sqlite3 "$DB" "SELECT state FROM jobs WHERE id='$id'")
        [[ $state == done || $state == failed ]] && break; sleep 0.2
    done
    [[ $state == done ]] || die "job $id $state: $(sqlite3 "$DB" "SELECT error FROM jobs WHERE id='$id'")"
    read -r segs secs < <(sqlite3 -separator ' ' "$DB" "SELECT COUNT(*), (julianday(MAX(completedAt)) - (SELECT julianday(MIN(assignedAt)) FROM attempts WHERE jobId='$id')) * 86400 FROM segments WHERE jobId='$id'")
    printf '%-4s %9s %9.2f %12.0f %10s %13.2f %14.2f\n' "$j" "$segs" "$secs" "$(awk -v s="$segs" -v t="$secs" 'BEGIN { print s / t }')" "$(rss)" \
        "$(awk -v a="$(cpu "$SERVE_PID")" -v b="$serve0" 'BEGIN { print a - b }')" "$(awk -v a="$(cpu "${AGENT_PIDS[@]}")" -v b="$agents0" 'BEGIN { print a - b }')"
done
