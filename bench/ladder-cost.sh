#!/usr/bin/env bash
# ladder-cost.sh — what one decode buys: a 4-rung ladder as ONE farm job (each segment decoded
# once, scaled and encoded four times, packaged as HLS+DASH) against the same four renditions as
# FOUR farm jobs (each decodes the whole source again), same rung settings (libx264, CRF 23
# capped by maxrate/bufsize, preset BENCH_PRESET), same agents, same machine.
#
# Input: the generated 1080p30 noise clip of bench/make-clip.sh, BENCH_SECONDS long.
# Runs BENCH_ROUNDS rounds of A/B (ladder job, then the four jobs back to back) so load drift hits
# both alike, and prints per run the wall seconds and CPU seconds (user+sys, children included:
# the coordinator and its agents), then the medians, the CPU and wall saved, and the ratios.
# Analysis is off in both (--no-analysis), so only splitting, decoding, scaling, encoding and
# stitching/packaging are compared.
#
# Env: BENCH_SECONDS (default 20), BENCH_ROUNDS (default 2), BENCH_AGENTS (default 2),
#      BENCH_PRESET (default veryfast), GOPFARM_BIN_DIR (prebuilt release binaries), BENCH_OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${BENCH_SECONDS:-20}
rounds=${BENCH_ROUNDS:-2}
agents=${BENCH_AGENTS:-2}
preset=${BENCH_PRESET:-veryfast}
need ffmpeg; need ffprobe
build_release
clip=$(ensure_clip "$seconds")
work=$OUT_DIR/ladder-cost
rm -rf "$work"; mkdir -p "$work"

rungs=(1080:6M 720:3M 480:1.2M 360:700k)
ladder=$(for r in "${rungs[@]}"; do printf '%sp:%s,' "${r%%:*}" "${r#*:}"; done | sed 's/,$//')
common=(--agents "$agents" --preset "$preset" --crf 23 --no-analysis --quiet --json)

# run LABEL CMD... : appends "wall cpu" of the command (children included) to $work/LABEL.times
run() {
    local label=$1; shift
    local t0 t1 cpu
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$work/time.$$" "$@" >"$work/$label.last.json" 2>"$work/$label.last.log" || die "$label failed: $(tail -n 3 "$work/$label.last.log")"
    t1=$(date +%s.%N)
    cpu=$(awk '{ print $1 + $2 }' "$work/time.$$")
    echo "$(echo "$t1 - $t0" | bc) $cpu"
}

for ((r = 1; r <= rounds; r++)); do
    rm -rf "$work/ladder"
    read -r wall cpu < <(run ladder "$GOPFARM" transcode "$clip" -o "$work/ladder/" --ladder "$ladder" --package hls,dash "${common[@]}")
    log "round $r  one ladder job     wall ${wall}s  cpu ${cpu}s"
    echo "$wall $cpu" >>"$work/ladder.times"
    sep_wall=0; sep_cpu=0
    for rung in "${rungs[@]}"; do
        h=${rung%%:*}; rate=${rung#*:}
        bufsize=$(awk -v r="$rate" 'BEGIN { u = substr(r, length(r)); n = substr(r, 1, length(r) - 1); if (u == "M") print n * 2 "M"; else if (u == "k") print n * 2 "k"; else print r * 2 }')
        read -r wall cpu < <(run "separate-$h" "$GOPFARM" transcode "$clip" -o "$work/separate-$h.mp4" --scale "-2:$h" \
            --maxrate "$rate" --bufsize "$bufsize" "${common[@]}")
        sep_wall=$(echo "$sep_wall + $wall" | bc); sep_cpu=$(echo "$sep_cpu + $cpu" | bc)
        rm -f "$work/separate-$h.mp4"
    done
    log "round $r  four separate jobs wall ${sep_wall}s  cpu ${sep_cpu}s"
    echo "$sep_wall $sep_cpu" >>"$work/separate.times"
done

lw=$(median $(awk '{print $1}' "$work/ladder.times")); lc=$(median $(awk '{print $2}' "$work/ladder.times"))
sw=$(median $(awk '{print $1}' "$work/separate.times")); sc=$(median $(awk '{print $2}' "$work/separate.times"))
printf '\nladder %s on %ss of 1080p30, %s agents, x264 %s, %s rounds (medians):\n' "$ladder" "$seconds" "$agents" "$preset" "$rounds"
printf '| | wall s | CPU s |\n|---|---|---|\n'
printf '| one ladder job (one decode) | %.1f | %.1f |\n' "$lw" "$lc"
printf '| four separate jobs | %.1f | %.1f |\n' "$sw" "$sc"
printf '| saved | %.1f (%.0f%%) | %.1f (%.0f%%) |\n' "$(echo "$sw - $lw" | bc)" "$(echo "100 * ($sw - $lw) / $sw" | bc -l)" \
    "$(echo "$sc - $lc" | bc)" "$(echo "100 * ($sc - $lc) / $sc" | bc -l)"
