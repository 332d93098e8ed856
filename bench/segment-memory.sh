#!/usr/bin/env bash
# segment-memory.sh — what large segments cost the coordinator's own memory.
#
# memory.sh asks whether the coordinator grows with the input's *length*; this asks what one
# *large segment* costs it. A short 1080p clip of heavy noise (BENCH_SECONDS, default 12 s,
# ~370 MB of H.264) is transcoded losslessly:
#   gopfarm transcode CLIP -o OUT.mkv --agents 2 --codec ffv1 --no-analysis --quiet
# so each agent's input is ~185 MB and its result a few hundred MB. With more agents
# (BENCH_AGENTS=4 BENCH_SEGMENT_SECONDS=4: three segments at once) the coordinator used to hold
# every input in flight and every result being received; it now holds about one segment. The coordinator's RssAnon (its own memory) and
# VmRSS (also counting mapped file pages, which the kernel can take back) are sampled from
# /proc every 0.2 s: the peaks over the whole run and over the stitch (once no agent is left).
# Each run is checked: the output must decode to the source's frames (framemd5, every frame).
#
# Reading the output: one line per run, "run N: anon peak A MiB, rss peak R MiB; stitching:
# anon S MiB, rss T MiB", then the medians; also bench-out/segment-memory.json.
#
# Env: BENCH_SECONDS (clip length, default 12), BENCH_RUNS (default 2), BENCH_AGENTS (default 2),
#      BENCH_SEGMENT_SECONDS (default: the planner's), GOPFARM_BIN_DIR
#      (prebuilt binaries; default: build release), BENCH_OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${BENCH_SECONDS:-12}
runs=${BENCH_RUNS:-2}
agents=${BENCH_AGENTS:-2}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $agents =~ ^[1-9][0-9]*$ ]] || die "BENCH_AGENTS must be a positive integer"
segmenting=()
[[ -n ${BENCH_SEGMENT_SECONDS:-} ]] && segmenting=(--segment-seconds "$BENCH_SEGMENT_SECONDS")
need ffmpeg
build_release
work=$OUT_DIR/segment-memory
mkdir -p "$work"
clip=$work/noise-${seconds}s.mp4
if [[ ! -s $clip ]]; then
    log "bench: making $clip (1080p25 noise, ${seconds} s)"
    ffmpeg -hide_banner -nostdin -y -v error -f lavfi -i "testsrc2=size=1920x1080:rate=25,noise=alls=40:allf=t" \
        -t "$seconds" -c:v libx264 -preset ultrafast -g 100 -crf 20 "$clip.partial.mp4" || die "could not make the clip"
    mv -f "$clip.partial.mp4" "$clip"
fi
ffmpeg -hide_banner -nostdin -v error -i "$clip" -map 0:v:0 -f framemd5 - | grep -v '^#' | awk -F, '{ print $6 }' >"$work/source.md5"

# sample PID: prints "anon rss" in KiB.
sample() { awk '/^RssAnon:/ { a = $2 } /^VmRSS:/ { r = $2 } END { print a + 0, r + 0 }' "/proc/$1/status" 2>/dev/null || echo "0 0"; }

anons=() stitch_anons=()
for run in $(seq 1 "$runs"); do
    out=$work/out.mkv
    rm -f "$out"
    "$GOPFARM" transcode "$clip" -o "$out" --agents "$agents" "${segmenting[@]}" --codec ffv1 --no-analysis --quiet >"$work/run.log" 2>&1 &
    pid=$!
    peak_a=0 peak_r=0 st_a=0 st_r=0 seen_agents=0
    while kill -0 "$pid" 2>/dev/null; do
        read -r a r < <(sample "$pid")
        ((a > peak_a)) && peak_a=$a
        ((r > peak_r)) && peak_r=$r
        if [[ -n $(cat "/proc/$pid/task/"*/children 2>/dev/null) ]]; then
            seen_agents=1
        elif ((seen_agents)); then
            ((a > st_a)) && st_a=$a
            ((r > st_r)) && st_r=$r
        fi
        sleep 0.2
    done
    wait "$pid" || { tail -n 20 "$work/run.log" >&2; die "the transcode failed"; }
    ffmpeg -hide_banner -nostdin -v error -i "$out" -map 0:v:0 -f framemd5 - | grep -v '^#' | awk -F, '{ print $6 }' >"$work/out.md5"
    cmp -s "$work/source.md5" "$work/out.md5" || die "run $run: the output's frames differ from the source's"
    printf 'run %d: anon peak %d MiB, rss peak %d MiB; stitching: anon %d MiB, rss %d MiB\n' \
        "$run" $((peak_a / 1024)) $((peak_r / 1024)) $((st_a / 1024)) $((st_r / 1024))
    anons+=($((peak_a / 1024))) stitch_anons+=($((st_a / 1024)))
done
m_anon=$(median "${anons[@]}")
m_stitch=$(median "${stitch_anons[@]}")
printf 'median: anon peak %s MiB, anon while stitching %s MiB (%d runs, %s frames equal to the source)\n' \
    "$m_anon" "$m_stitch" "$runs" "$(wc -l <"$work/source.md5")"
printf '{"seconds": %s, "agents": %s, "runs": %s, "anonPeakMiB": %s, "stitchAnonMiB": %s}\n' "$seconds" "$agents" "$runs" \
    "$(json_num "$m_anon")" "$(json_num "$m_stitch")" >"$OUT_DIR/segment-memory.json"
