#!/usr/bin/env bash
# split-speed.sh — how fast the coordinator splits: probe + plan + extraction of every segment.
#
# `gopfarm probe CLIP --plan --extract --json` does the coordinator's whole split as a dry run:
# it reads every packet (frame count, key frames checked in the bitstream), plans segments of
# about 10 s and stream-copies every segment out exactly as agents would receive it. Timed on
# the generated 1080p30 clip (bench/make-clip.sh) with the file in the page cache, so it
# measures demuxing and copying, not the disk.
#
# Reading the output: one line per run, then
#   "split: X s (probe + plan P s, extraction E s) for Y s of video … = Z× realtime"
# (median run; Z = Y / X, higher is better; the issue's target is 200×), also in
# bench-out/split-speed.json.
#
# Env: BENCH_SECONDS (clip length, default 60), BENCH_ROUNDS (default 3), GOPFARM_BIN_DIR.
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

# Each run: probe (every packet read, key frames checked in the bitstream), plan, and extraction
# of every segment exactly as agents receive them; the report says how long each part took.
walls=(); speeds=(); probes=(); extracts=()
for ((r = 1; r <= rounds; r++)); do
    "$GOPFARM" probe "$clip" --plan --extract --segment-seconds 10 --json >"$work/split.json" 2>"$work/split.log" \
        || { tail -n 20 "$work/split.log" >&2; die "gopfarm probe --plan --extract failed"; }
    read -r p e sp < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["split"]; print(s["probeSeconds"], s["extractSeconds"], s["speed"])' "$work/split.json")
    probes+=("$p"); extracts+=("$e"); speeds+=("$sp"); walls+=("$(awk -v a="$p" -v b="$e" 'BEGIN { printf "%.4f", a + b }')")
    printf 'run %d: probe+plan %.3f s, extraction %.3f s, %.0f× realtime\n' "$r" "$p" "$e" "$sp"
done
med=$(median "${walls[@]}")
segments=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["split"]["segments"]))' "$work/split.json")
speed=$(awk -v d="$duration" -v w="$med" 'BEGIN { printf "%.0f", d / w }')
mibps=$(awk -v b="$size" -v w="$med" 'BEGIN { printf "%.0f", b / 1048576 / w }')
printf 'split: %.3f s (probe + plan %.3f s, extraction %.3f s) for %.1f s of 1080p video in %d segments = %s× realtime, %s MiB/s (median of %d; target >= 200×)\n' \
    "$med" "$(median "${probes[@]}")" "$(median "${extracts[@]}")" "$duration" "$segments" "$speed" "$mibps" "$rounds"
printf '{"seconds": %s, "probe_seconds": %s, "extract_seconds": %s, "media_seconds": %s, "speed": %s, "segments": %s}\n' \
    "$med" "$(median "${probes[@]}")" "$(median "${extracts[@]}")" "$duration" "$speed" "$segments" >"$OUT_DIR/split-speed.json"
echo "wrote $OUT_DIR/split-speed.json"
