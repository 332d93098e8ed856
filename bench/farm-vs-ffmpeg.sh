#!/usr/bin/env bash
# farm-vs-ffmpeg.sh — the farm (2 local agents x 1 encoder thread) against `ffmpeg -threads 2`,
# same settings (libx264 preset medium CRF 23, audio copied), same input, same machine.
#
# Input: a generated 30 fps clip with motion and noise (bench/make-clip.sh), BENCH_SECONDS long,
# 1080p or BENCH_SIZE (e.g. 1280x720).
# Runs BENCH_ROUNDS rounds of A/B (farm, then ffmpeg) back to back so load drift on a shared
# machine hits both alike, and compares the medians of the wall times.
#
# Reading the output:
#   - one row per run: wall seconds, CPU seconds (user+sys, children included: for the farm that
#     is the coordinator plus its agents), and for the farm its own reported seconds, requeued
#     segments and agent restarts (both should be 0; a requeue means a segment was encoded again,
#     which shows up as CPU seconds well above what ffmpeg needed for the same frames);
#   - medians and "ratio farm/ffmpeg" = median farm wall / median ffmpeg wall. Target: <= 0.97
#     (printed as MET / MISSED; missing it is not an error, the exit status stays 0);
#   - quality check on the last round's outputs: decoded frame count (should equal the source's),
#     PSNR against the source (dB, higher is better; the two should be close), file size.
#   Everything is also written to bench-out/results.json; outputs and logs stay in bench-out/.
#
# Env: BENCH_SECONDS (clip length, default 60), BENCH_ROUNDS (default 2),
#      GOPFARM_BIN_DIR (use prebuilt gopfarm + gopfarm-agent from there; default: build release),
#      BENCH_OUT (output directory, default <repo>/bench-out), BENCH_TARGET (default 0.97),
#      BENCH_FARM_ARGS (more `gopfarm transcode` flags, e.g. `--no-analysis` to compare the
#      transcode alone: by default the farm also analyzes every frame, work ffmpeg does not do).
# Exit status: non-zero only when something fails to run (build, clip, farm, ffmpeg, probes).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${BENCH_SECONDS:-60}
rounds=${BENCH_ROUNDS:-2}
target=${BENCH_TARGET:-0.97}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
need ffmpeg; need ffprobe

build_release
clip=$(ensure_clip "$seconds")
work=$OUT_DIR/farm-vs-ffmpeg
mkdir -p "$work"

encode_args=(-c:v libx264 -preset medium -crf 23)
read -r -a farm_args <<<"${BENCH_FARM_ARGS:-}"

run_farm() {
    "$GOPFARM" transcode "$clip" -o "$1" --agents 2 --threads 1 --codec libx264 --crf 23 --preset medium \
        --segment-seconds 10 --quiet --json "${farm_args[@]}"
}
run_ffmpeg() {
    ffmpeg -nostdin -y -v error -threads 2 -i "$clip" -map 0:v -map '0:a?' "${encode_args[@]}" -c:a copy "$1"
}

# timed NAME ROUND OUTFILE: runs run_NAME OUTFILE, stdout to NAME-ROUND.stdout, stderr to .log;
# sets T_WALL and T_CPU. Dies (with the log) when the command fails.
timed() {
    local name=$1 round=$2 out=$3 times rc=0
    local base=$work/$name-$round
    rm -f "$out"
    local TIMEFORMAT='%3R %3U %3S'
    { time "run_$name" "$out" >"$base.stdout" 2>"$base.log"; } 2>"$base.time" || rc=$?
    if [[ $rc -ne 0 ]]; then
        log "bench: $name (round $round) failed with status $rc; its stderr:"
        tail -n 30 "$base.log" >&2
        exit 1
    fi
    [[ -s $out ]] || die "$name (round $round) wrote no output $out"
    read -r T_WALL user sys <"$base.time"
    T_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
}

cores=$(nproc)
log "bench: $rounds round(s) of farm/ffmpeg on $clip (${seconds}s ${BENCH_SIZE:-1920x1080}), $cores cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"

farm_walls=(); ffmpeg_walls=(); farm_utils=(); rows=(); json_runs=()
for ((r = 1; r <= rounds; r++)); do
    timed farm "$r" "$work/farm.mp4"
    fw=$T_WALL; fc=$T_CPU
    freport=$(report_field "$work/farm-$r.stdout" seconds)
    frequeues=$(report_field "$work/farm-$r.stdout" requeues)
    frestarts=$(report_field "$work/farm-$r.stdout" agentRestarts)
    # Utilization: the agents' working seconds (decode + encode + analysis) over 2 agents × the
    # farm's own seconds; 1.0 is every agent busy from the first second to the last.
    futil=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.3f" % (sum(s["agentSeconds"] for s in r["segments"]) / (2 * r["seconds"])))' "$work/farm-$r.stdout" 2>/dev/null || true)
    farm_utils+=("${futil:-nan}")
    farm_walls+=("$fw")
    rows+=("$(printf '%5d  %-7s %9.2f %9.2f %12s %9s %9s' "$r" farm "$fw" "$fc" "${freport:+$(printf '%.2f' "$freport")}" "${frequeues:-?}" "${frestarts:-?}")")
    json_runs+=("{\"round\":$r,\"tool\":\"farm\",\"wall_s\":$(json_num "$fw"),\"cpu_s\":$(json_num "$fc"),\"reported_s\":$(json_num "$freport"),\"requeues\":$(json_num "$frequeues"),\"agent_restarts\":$(json_num "$frestarts")}")
    log "bench: round $r farm   ${fw}s wall, ${fc}s cpu, utilization ${futil:-?}"

    timed ffmpeg "$r" "$work/ffmpeg.mp4"
    mw=$T_WALL; mc=$T_CPU
    ffmpeg_walls+=("$mw")
    rows+=("$(printf '%5d  %-7s %9.2f %9.2f %12s' "$r" ffmpeg "$mw" "$mc" "")")
    json_runs+=("{\"round\":$r,\"tool\":\"ffmpeg\",\"wall_s\":$(json_num "$mw"),\"cpu_s\":$(json_num "$mc"),\"reported_s\":null}")
    log "bench: round $r ffmpeg ${mw}s wall, ${mc}s cpu"
done

farm_med=$(median "${farm_walls[@]}")
ffmpeg_med=$(median "${ffmpeg_walls[@]}")
ratio=$(awk -v a="$farm_med" -v b="$ffmpeg_med" 'BEGIN { printf "%.3f", a / b }')
met=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r <= t) ? "true" : "false" }')

log "bench: checking outputs (frame counts, PSNR) — not timed"
src_frames=$(frame_count "$clip")
farm_frames=$(frame_count "$work/farm.mp4")
ffmpeg_frames=$(frame_count "$work/ffmpeg.mp4")
[[ -n $src_frames && -n $farm_frames && -n $ffmpeg_frames ]] || die "ffprobe could not count frames"
farm_psnr=$(psnr_avg "$work/farm.mp4" "$clip")
ffmpeg_psnr=$(psnr_avg "$work/ffmpeg.mp4" "$clip")
[[ -n $farm_psnr && -n $ffmpeg_psnr ]] || die "ffmpeg psnr produced no average"
src_size=$(file_size "$clip"); farm_size=$(file_size "$work/farm.mp4"); ffmpeg_size=$(file_size "$work/ffmpeg.mp4")
farm_audio=$(ffprobe -v error -select_streams a -show_entries stream=codec_name -of csv=p=0 "$work/farm.mp4" | head -n 1)
ffmpeg_audio=$(ffprobe -v error -select_streams a -show_entries stream=codec_name -of csv=p=0 "$work/ffmpeg.mp4" | head -n 1)
farm_segments=$(report_field "$work/farm-$rounds.stdout" segments)
farm_reported_frames=$(report_field "$work/farm-$rounds.stdout" frames)

echo
echo "farm (2 agents x 1 thread${farm_args[*]:+, ${farm_args[*]}}) vs ffmpeg -threads 2 — libx264 medium CRF 23, audio copy"
echo "input: $clip (${seconds}s, $src_frames frames, $(awk -v b="$src_size" 'BEGIN { printf "%.1f MiB", b / 1048576 }'))"
echo "machine: $cores cores, $(uname -m), load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%5s  %-7s %9s %9s %12s %9s %9s\n' round tool wall_s cpu_s farm_report requeues restarts
for row in "${rows[@]}"; do echo "$row"; done
echo
printf 'median wall: farm %.2f s, ffmpeg %.2f s\n' "$farm_med" "$ffmpeg_med"
printf 'farm utilization per round: %s\n' "${farm_utils[*]}"
printf 'ratio farm/ffmpeg: %.3f (target <= %s): %s\n' "$ratio" "$target" "$([[ $met == true ]] && echo MET || echo MISSED)"
echo
printf '%-8s %8s %10s %12s %7s\n' output frames psnr_dB size_MiB audio
printf '%-8s %8s %10s %12s %7s\n' source "$src_frames" "-" "$(awk -v b="$src_size" 'BEGIN { printf "%.2f", b / 1048576 }')" "-"
printf '%-8s %8s %10s %12s %7s\n' farm "$farm_frames" "$farm_psnr" "$(awk -v b="$farm_size" 'BEGIN { printf "%.2f", b / 1048576 }')" "${farm_audio:-none}"
printf '%-8s %8s %10s %12s %7s\n' ffmpeg "$ffmpeg_frames" "$ffmpeg_psnr" "$(awk -v b="$ffmpeg_size" 'BEGIN { printf "%.2f", b / 1048576 }')" "${ffmpeg_audio:-none}"
echo "farm report: ${farm_segments:-?} segments, ${farm_reported_frames:-?} frames"
if [[ ${farm_segments:-0} =~ ^[0-9]+$ && ${farm_segments:-0} -lt 2 ]]; then
    echo "NOTE: the farm cut only ${farm_segments:-?} segment(s), so at most one agent had work (clip shorter than 2 x 10 s)"
fi
if [[ $farm_frames != "$src_frames" ]]; then echo "WARNING: farm output has $farm_frames frames, source has $src_frames"; fi
if [[ $ffmpeg_frames != "$src_frames" ]]; then echo "WARNING: ffmpeg output has $ffmpeg_frames frames, source has $src_frames"; fi

results=$OUT_DIR/results.json
{
    printf '{\n'
    printf '  "benchmark": "farm-vs-ffmpeg",\n'
    printf '  "date": %s,\n' "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
    printf '  "git_commit": %s,\n' "$(json_str "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)")"
    printf '  "cores": %s,\n' "$cores"
    printf '  "settings": {"codec": "libx264", "preset": "medium", "crf": 23, "farm": "2 agents x 1 thread, 10 s segments", "farm_args": %s, "ffmpeg_threads": 2},\n' "$(json_str "${farm_args[*]}")"
    printf '  "clip": {"path": %s, "seconds": %s, "frames": %s, "bytes": %s},\n' "$(json_str "$clip")" "$(json_num "$seconds")" "$(json_num "$src_frames")" "$src_size"
    printf '  "rounds": %s,\n' "$rounds"
    printf '  "runs": [\n'
    last=$((${#json_runs[@]} - 1))
    for i in "${!json_runs[@]}"; do printf '    %s%s\n' "${json_runs[$i]}" "$([[ $i -lt $last ]] && echo ,)"; done
    printf '  ],\n'
    printf '  "median_wall_s": {"farm": %s, "ffmpeg": %s},\n' "$farm_med" "$ffmpeg_med"
    printf '  "ratio_farm_over_ffmpeg": %s,\n' "$ratio"
    printf '  "target": %s,\n' "$target"
    printf '  "target_met": %s,\n' "$met"
    printf '  "outputs": {\n'
    printf '    "farm": {"frames": %s, "psnr_db": %s, "bytes": %s, "audio": %s, "segments": %s},\n' \
        "$farm_frames" "$(json_num "$farm_psnr")" "$farm_size" "$(json_str "${farm_audio:-}")" "$(json_num "$farm_segments")"
    printf '    "ffmpeg": {"frames": %s, "psnr_db": %s, "bytes": %s, "audio": %s}\n' \
        "$ffmpeg_frames" "$(json_num "$ffmpeg_psnr")" "$ffmpeg_size" "$(json_str "${ffmpeg_audio:-}")"
    printf '  }\n}\n'
} >"$results"
echo
echo "wrote $results"
