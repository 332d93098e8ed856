#!/usr/bin/env bash
# What content analysis adds to an agent's time per segment: the same 1080p libx264-medium
# transcode with and without analysis (--no-analysis), alternated A/B/A/B on one agent so a noisy
# machine hits both alike. The agent's time per segment is decode + encode + analysis as the
# agent reports it (TranscodeReport.segments[].agentSeconds); the analysis includes the per-frame
# measures, thumbnails and PSNR/SSIM (which decode the agent's own output once more).
#
#   BENCH_SECONDS=10 BENCH_ROUNDS=3 bash bench/analysis-cost.sh
#   BENCH_ANALYSIS_FLAGS=--no-quality bash bench/analysis-cost.sh   # measures and thumbnails only
#   BENCH_CLIP=other-1080p.mp4 bash bench/analysis-cost.sh           # another source
#
# Prints each run's summed agent seconds and CPU seconds (user + system of the coordinator and
# its agent), the medians and the overhead in percent. On a shared machine the wall-clock times
# swing by ±15 % between identical runs; CPU seconds are the steadier measure of the cost.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need ffmpeg; need python3
SECONDS_LEN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-3}
THREADS=${BENCH_THREADS:-$(nproc)}
build_release
CLIP=${BENCH_CLIP:-$(ensure_clip "$SECONDS_LEN")}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

agent_seconds() {  # sum of segments[].agentSeconds and analysisSeconds of a --json report
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); s=r["segments"]; print("%.3f %.3f" % (sum(x["agentSeconds"] for x in s), sum(x["analysisSeconds"] for x in s)))' "$1"
}

with=(); without=(); analysis=(); cpu_with=(); cpu_without=()
TIMEFORMAT='%U %S'
for round in $(seq 1 "$ROUNDS"); do
    for mode in off on; do
        read -r -a flags <<< "${BENCH_ANALYSIS_FLAGS:-}"; [[ $mode == off ]] && flags=(--no-analysis)
        { time "$GOPFARM" transcode "$CLIP" -o "$WORK/out-$mode.mp4" --agents 1 --threads "$THREADS" --segment-seconds 2 \
            --codec libx264 --preset medium --crf 23 --quiet --json "${flags[@]}" > "$WORK/report.json" ; } 2> "$WORK/time"
        read -r user sys < "$WORK/time"
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
        read -r total part < <(agent_seconds "$WORK/report.json")
        if [[ $mode == on ]]; then with+=("$total"); analysis+=("$part"); cpu_with+=("$cpu")
        else without+=("$total"); cpu_without+=("$cpu"); fi
        printf 'round %d analysis %-3s agent seconds %8.3f  (analysis %.3f)  cpu seconds %8.3f\n' "$round" "$mode" "$total" "$part" "$cpu"
    done
done
m_off=$(median "${without[@]}"); m_on=$(median "${with[@]}"); m_part=$(median "${analysis[@]}")
printf 'median agent seconds: without analysis %s, with %s (analysis itself %s)\n' "$m_off" "$m_on" "$m_part"
c_off=$(median "${cpu_without[@]}"); c_on=$(median "${cpu_with[@]}")
printf 'median cpu seconds: without analysis %s, with %s\n' "$c_off" "$c_on"
awk -v a="$m_on" -v b="$m_off" -v p="$m_part" -v ca="$c_on" -v cb="$c_off" 'BEGIN {
    printf "analysis adds %.1f %% to the agent time per segment (wall; its own code ran %.1f %% of it) and %.1f %% CPU\n", (a / b - 1) * 100, p / b * 100, (ca / cb - 1) * 100 }'
