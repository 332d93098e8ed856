#!/usr/bin/env bash
# chunking-cost.sh — what cutting into segments costs in bitrate: each segment starts with an
# IDR frame and its encoder starts cold, so more segments mean more bits at the same CRF.
#
# The same farm (one local agent, 2 encoder threads, libx264 medium CRF 23, no analysis) encodes
# each input as one single segment (the reference, `--segment-seconds 3600`) and cut every
# 10, 5 and 2 s (one agent, so the planner cuts at the target, not for a number of slots).
# Same encoder, settings and threads everywhere: the difference is the chunking alone.
#
# Reading the output: one row per input and segment length: segments, video bytes, the size
# against the single-segment encode (+x % is the chunking cost), and PSNR against the source
# (dB; chunking should not change it much at constant CRF). Also bench-out/chunking-cost.json.
#
# Env: BENCH_SECONDS (generated 1080p clip length, default 30), BENCH_INPUTS (space-separated
# paths; default: the generated clip and ../shared/media/tsduck__test-072.ts), GOPFARM_BIN_DIR.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${BENCH_SECONDS:-30}
need ffmpeg; need ffprobe
build_release
if [[ -n ${BENCH_INPUTS:-} ]]; then
    read -r -a inputs <<<"$BENCH_INPUTS"
else
    inputs=("$(ensure_clip "$seconds")" "$REPO/../shared/media/tsduck__test-072.ts")
fi
work=$OUT_DIR/chunking-cost
mkdir -p "$work"

video_bytes() {
    ffprobe -v error -select_streams v:0 -show_entries packet=size -of csv=p=0 "$1" | awk '{ s += $1 } END { print s }'
}

rows=(); json=()
for input in "${inputs[@]}"; do
    [[ -r $input ]] || die "cannot read $input"
    name=$(basename "$input")
    single_bytes=""
    for length in 3600 10 5 2; do
        out=$work/${name%.*}-$length.mkv
        log "bench: $name, segments of $length s"
        "$GOPFARM" transcode "$input" -o "$out" --agents 1 --threads 2 --codec libx264 --preset medium --crf 23 \
            --segment-seconds "$length" --no-analysis --quiet --json >"$out.json" 2>"$out.log" \
            || { tail -n 20 "$out.log" >&2; die "transcode of $name at $length s failed"; }
        bytes=$(video_bytes "$out")
        segments=$(report_field "$out.json" segments)
        psnr=$(psnr_avg "$out" "$input")
        [[ $length == 3600 ]] && single_bytes=$bytes
        cost=$(awk -v b="$bytes" -v s="$single_bytes" 'BEGIN { printf "%+.1f", (b / s - 1) * 100 }')
        label=$([[ $length == 3600 ]] && echo single || echo "${length} s")
        rows+=("$(printf '%-28s %-8s %8s %12s %9s %8s' "$name" "$label" "$segments" "$bytes" "$cost %" "$psnr")")
        json+=("{\"input\":$(json_str "$name"),\"segment_seconds\":$([[ $length == 3600 ]] && echo null || echo "$length"),\"segments\":$(json_num "$segments"),\"video_bytes\":$(json_num "$bytes"),\"cost_percent\":$(json_num "${cost#+}"),\"psnr_db\":$(json_num "$psnr")}")
    done
done

echo
echo "bitrate cost of chunking: libx264 medium CRF 23, one agent x 2 threads, against one single-segment encode"
printf '%-28s %-8s %8s %12s %9s %8s\n' input length segments video_bytes vs_single psnr_dB
for row in "${rows[@]}"; do echo "$row"; done
printf '[%s]\n' "$(IFS=,; echo "${json[*]}")" >"$OUT_DIR/chunking-cost.json"
log "bench: written $OUT_DIR/chunking-cost.json"
