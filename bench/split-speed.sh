#!/usr/bin/env bash
# split-speed.sh — how fast the coordinator's probe runs compared with real time.
#
# `gopfarm probe CLIP --json` reads every packet of the file (key frames, GOP structure, frame
# count), which is the pass the coordinator makes before it plans and cuts segments. It is timed
# on the generated 1080p30 clip (bench/make-clip.sh) with the file already in the page cache, so
# it measures demuxing/parsing rather than the disk. Segment extraction is timed elsewhere.
#
# Reading the output: one line per run, then
#   "probe: X s for Y s of video = Z× realtime"  (median run; Z = Y / X, higher is better)
# and the same in bench-out/split-speed.json.
#
# Env: BENCH_SECONDS (clip length, default 60), BENCH_ROUNDS (probe runs, default 3),
#      GOPFARM_BIN_DIR (prebuilt binaries; default: build release), BENCH_OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${BENCH_SECONDS:-60}
rounds=${BENCH_ROUNDS:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
need ffprobe

build_release
clip=$(ensure_clip "$seconds")
duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$clip")
size=$(file_size "$clip")
cat "$clip" >/dev/null   # warm the page cache
work=$OUT_DIR/split-speed
mkdir -p "$work"

walls=()
for ((r = 1; r <= rounds; r++)); do
    TIMEFORMAT='%3R'
    { time "$GOPFARM" probe "$clip" --json >"$work/probe.json" 2>"$work/probe.log"; } 2>"$work/probe.time" \
        || { tail -n 20 "$work/probe.log" >&2; die "gopfarm probe failed"; }
    w=$(<"$work/probe.time")
    walls+=("$w")
    printf 'run %d: %.3f s\n' "$r" "$w"
done
med=$(median "${walls[@]}")
frames=$(report_field "$work/probe.json" frameCount)
speed=$(awk -v d="$duration" -v w="$med" 'BEGIN { printf "%.1f", d / w }')
mibps=$(awk -v b="$size" -v w="$med" 'BEGIN { printf "%.1f", b / 1048576 / w }')
printf 'probe: %.3f s for %.1f s of video = %s× realtime (%s frames, %.1f MiB, %s MiB/s; median of %d)\n' \
    "$med" "$duration" "$speed" "${frames:-?}" "$(awk -v b="$size" 'BEGIN { print b / 1048576 }')" "$mibps" "$rounds"

printf '{"benchmark": "split-speed", "clip": %s, "video_seconds": %s, "bytes": %s, "frames": %s, "probe_wall_s": [%s], "median_s": %s, "realtime_factor": %s}\n' \
    "$(json_str "$clip")" "$(json_num "$duration")" "$size" "$(json_num "$frames")" "$(IFS=,; echo "${walls[*]}")" "$med" "$speed" \
    >"$OUT_DIR/split-speed.json"
echo "wrote $OUT_DIR/split-speed.json"
