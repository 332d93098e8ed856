#!/usr/bin/env bash
# memory.sh — the coordinator's peak memory must not grow with the input's length.
#
# Transcodes a short clip (BENCH_SECONDS, default 60 s, 1080p30 from bench/make-clip.sh) and a
# clip 10x as long (the short one looped 10 times with stream copy, so it is cheap to make) with
#   gopfarm transcode CLIP -o OUT --agents 2 --threads 1 --codec libx264 --preset ultrafast
#           --crf 30 --scale 320x180 --quiet
# (ultrafast and a small output size keep the long run cheap; the coordinator still demuxes,
# cuts and ships every 1080p packet and stitches every output frame).
#
# What is measured: the peak resident set (VmHWM) of the coordinator process itself, sampled from
# /proc/PID/status every 0.1 s while it runs (VmHWM is a high-water mark, so sampling only misses
# growth within the last 0.1 s). GNU `time -v`'s "Maximum resident set size" is NOT used as the
# result: on Linux it is the largest of the process and every descendant it reaped, i.e. here
# max(coordinator, agents) — it is printed alongside for reference, with the agents' own peaks.
#
# Reading the output: a table with, per clip, its length, frames, wall time, coordinator peak RSS,
# agents' peak RSS and GNU time's figure, then "coordinator peak ratio long/short: R" — close to
# 1.0 means memory does not grow with input length (10x the input). Also bench-out/memory.json.
#
# Env: BENCH_SECONDS (short clip length, default 60), BENCH_LOOPS (length multiple, default 10),
#      BENCH_SIZE (the clip's size, default 1920x1080; 320x180 makes hours of input cheap: e.g.
#      BENCH_SIZE=320x180 BENCH_SECONDS=600 BENCH_LOOPS=18 is 10 minutes against 3 hours),
#      GOPFARM_BIN_DIR (prebuilt binaries; default: build release), BENCH_OUT.
# Beside each clip, `ffmpeg -i CLIP -map 0 -c copy -movflags +faststart` is measured the same way:
# an MP4's demuxer and muxer keep an index of every sample, which no remux of the file avoids.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${BENCH_SECONDS:-60}
loops=${BENCH_LOOPS:-10}
[[ $loops =~ ^[1-9][0-9]*$ ]] || die "BENCH_LOOPS must be a positive integer"
need ffmpeg; need ffprobe
if [[ ! -x /usr/bin/time ]]; then
    log "bench: installing GNU time"
    sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null || die "could not install GNU time"
fi

build_release
short=$(ensure_clip "$seconds")
long_seconds=$(awk -v s="$seconds" -v n="$loops" 'BEGIN { print s * n }')
long=${short%.mp4}-x${loops}.mp4
if [[ ! -s $long ]]; then
    log "bench: looping $short $loops times -> $long"
    ffmpeg -hide_banner -nostdin -y -v error -stream_loop $((loops - 1)) -i "$short" -map 0 -c copy \
        -movflags +faststart "$long.partial.mp4" || die "could not loop the clip"
    mv -f "$long.partial.mp4" "$long"
fi
work=$OUT_DIR/memory
mkdir -p "$work"

kib_of() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

# measure NAME CLIP: sets M_WALL, M_COORD_KB, M_AGENTS_KB, M_GNU_KB.
measure() {
    local name=$1 clip=$2 out=$work/$1.mp4 tpid pid=""
    rm -f "$out"
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$work/$name.time" \
        "$GOPFARM" transcode "$clip" -o "$out" --agents 2 --threads 1 --codec libx264 --preset ultrafast \
        --crf 30 --scale 320x180 --quiet >"$work/$name.stdout" 2>"$work/$name.log" &
    tpid=$!
    local coord=0 agents=0 v c
    declare -A agent_peak=()
    while kill -0 "$tpid" 2>/dev/null; do
        if [[ -z $pid ]]; then
            pid=$(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null | awk '{ print $1 }') || true
        fi
        if [[ -n $pid ]]; then
            v=$(kib_of "$pid"); [[ -n $v ]] && ((v > coord)) && coord=$v
            for c in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do
                v=$(kib_of "$c")
                [[ -n $v ]] && ((v > ${agent_peak[$c]:-0})) && agent_peak[$c]=$v
            done
        fi
        sleep 0.1
    done
    local rc=0
    wait "$tpid" || rc=$?
    end=$(date +%s.%N)
    if [[ $rc -ne 0 ]]; then
        tail -n 30 "$work/$name.log" >&2
        die "gopfarm transcode of $clip failed (status $rc)"
    fi
    [[ $coord -gt 0 ]] || die "could not sample the coordinator's memory (run too short?)"
    for c in "${!agent_peak[@]}"; do ((agent_peak[$c] > agents)) && agents=${agent_peak[$c]}; done
    M_WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    M_COORD_KB=$coord
    M_AGENTS_KB=$agents
    M_GNU_KB=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/$name.time")
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# ffmpeg_copy_kib CLIP: the peak RSS of ffmpeg's own remux of CLIP (no children, so GNU time's
# figure is ffmpeg's).
ffmpeg_copy_kib() {
    /usr/bin/time -f '%M' -o "$work/ffmpeg-copy.time" ffmpeg -hide_banner -nostdin -y -v error -i "$1" -map 0 -c copy \
        -movflags +faststart "$work/ffmpeg-copy.mp4" || die "ffmpeg could not remux $1"
    rm -f "$work/ffmpeg-copy.mp4"
    tail -n 1 "$work/ffmpeg-copy.time"
}

log "bench: transcoding the ${seconds}s clip"
measure short "$short"
s_wall=$M_WALL s_coord=$M_COORD_KB s_agents=$M_AGENTS_KB s_gnu=$M_GNU_KB
log "bench: transcoding the ${long_seconds}s clip"
measure long "$long"
l_wall=$M_WALL l_coord=$M_COORD_KB l_agents=$M_AGENTS_KB l_gnu=$M_GNU_KB
s_ffmpeg=$(ffmpeg_copy_kib "$short"); l_ffmpeg=$(ffmpeg_copy_kib "$long")

s_frames=$(frame_count "$work/short.mp4"); l_frames=$(frame_count "$work/long.mp4")
s_src=$(frame_count "$short"); l_src=$(frame_count "$long")
ratio=$(awk -v a="$l_coord" -v b="$s_coord" 'BEGIN { printf "%.2f", a / b }')
hours=$(awk -v s="$seconds" -v l="$long_seconds" 'BEGIN { print (l - s) / 3600 }')
per_hour=$(awk -v a="$l_coord" -v b="$s_coord" -v h="$hours" 'BEGIN { printf "%.1f", (a - b) / 1024 / h }')
ffmpeg_per_hour=$(awk -v a="$l_ffmpeg" -v b="$s_ffmpeg" -v h="$hours" 'BEGIN { printf "%.1f", (a - b) / 1024 / h }')

echo
echo "coordinator peak memory vs input length (libx264 ultrafast CRF 30, scaled to 320x180, 2 agents x 1 thread)"
printf '%-7s %8s %14s %8s %16s %15s %14s %16s\n' clip seconds frames_out/src wall_s coordinator_MiB agents_max_MiB gnu_time_MiB ffmpeg_copy_MiB
printf '%-7s %8s %14s %8s %16s %15s %14s %16s\n' short "$seconds" "$s_frames/$s_src" "$s_wall" "$(mib "$s_coord")" "$(mib "$s_agents")" "$(mib "$s_gnu")" "$(mib "$s_ffmpeg")"
printf '%-7s %8s %14s %8s %16s %15s %14s %16s\n' long "$long_seconds" "$l_frames/$l_src" "$l_wall" "$(mib "$l_coord")" "$(mib "$l_agents")" "$(mib "$l_gnu")" "$(mib "$l_ffmpeg")"
echo "coordinator peak ratio long/short: $ratio (input ${loops}x longer; ~1.0 = flat)"
echo "growth per hour of input: coordinator $per_hour MiB, ffmpeg's remux $ffmpeg_per_hour MiB (the MP4 indexes every remux keeps)"
echo "(gnu_time = GNU time -v 'Maximum resident set size' = max over the coordinator and the agents it reaped)"
if [[ $s_frames != "$s_src" || $l_frames != "$l_src" ]]; then echo "WARNING: output frame count differs from the source's"; fi

printf '{"benchmark": "memory", "loops": %s, "short": {"clip": %s, "seconds": %s, "frames_out": %s, "frames_src": %s, "wall_s": %s, "coordinator_peak_kib": %s, "agents_peak_kib": %s, "gnu_time_max_rss_kib": %s}, "long": {"clip": %s, "seconds": %s, "frames_out": %s, "frames_src": %s, "wall_s": %s, "coordinator_peak_kib": %s, "agents_peak_kib": %s, "gnu_time_max_rss_kib": %s}, "coordinator_ratio_long_over_short": %s, "ffmpeg_copy_peak_kib": {"short": %s, "long": %s}, "coordinator_mib_per_hour": %s, "ffmpeg_copy_mib_per_hour": %s}\n' \
    "$loops" "$(json_str "$short")" "$seconds" "$(json_num "$s_frames")" "$(json_num "$s_src")" "$s_wall" "$s_coord" "$s_agents" "$(json_num "$s_gnu")" \
    "$(json_str "$long")" "$long_seconds" "$(json_num "$l_frames")" "$(json_num "$l_src")" "$l_wall" "$l_coord" "$l_agents" "$(json_num "$l_gnu")" \
    "$ratio" "$s_ffmpeg" "$l_ffmpeg" "$per_hour" "$ffmpeg_per_hour" >"$OUT_DIR/memory.json"
echo "wrote $OUT_DIR/memory.json"
