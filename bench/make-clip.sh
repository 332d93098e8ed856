#!/usr/bin/env bash
# make-clip.sh SECONDS OUT.mp4
#
# Generates a synthetic benchmark source with the ffmpeg CLI: 1920x1080, 30 fps, H.264 (libx264
# veryfast CRF 18, key frame every 60 frames, yuv420p) with a 48 kHz stereo sine AAC track, in MP4.
# The picture is testsrc2 (moving pattern, scrolling colours, counters) with temporal + uniform
# luma/chroma noise on top, so every frame differs and the encoder has real work to do (no
# trivially static frames). Cached: if OUT.mp4 already exists it is left alone.
#
# Env: CLIP_NOISE (noise strength, default 20), CLIP_THREADS (ffmpeg threads, default 0 = auto),
#      CLIP_SIZE (WxH, default 1920x1080), CLIP_GOP (key frame interval in frames, default 60).
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 SECONDS OUT.mp4" >&2
    exit 2
fi
seconds=$1
out=$2
if ! [[ $seconds =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "make-clip: SECONDS must be a number, got '$seconds'" >&2
    exit 2
fi
if [[ -s $out ]]; then
    echo "make-clip: $out exists, keeping it" >&2
    exit 0
fi
mkdir -p "$(dirname "$out")"
noise=${CLIP_NOISE:-8}
tmp="$out.partial.$$.mp4"
trap 'rm -f "$tmp"' EXIT

size=${CLIP_SIZE:-1920x1080}
[[ $size =~ ^[0-9]+x[0-9]+$ ]] || { echo "make-clip: CLIP_SIZE must be WxH, got '$size'" >&2; exit 2; }
echo "make-clip: generating ${seconds}s ${size} 30 fps clip -> $out" >&2
ffmpeg -hide_banner -nostdin -y -v error \
    -f lavfi -i "testsrc2=size=${size}:rate=30,noise=alls=${noise}:allf=t+u,format=yuv420p" \
    -f lavfi -i "sine=frequency=440:beep_factor=4:sample_rate=48000" \
    -t "$seconds" \
    -map 0:v -map 1:a \
    -c:v libx264 -preset veryfast -crf 18 -g "${CLIP_GOP:-60}" -keyint_min "${CLIP_GOP:-60}" -sc_threshold 0 -pix_fmt yuv420p \
    -threads "${CLIP_THREADS:-0}" \
    -c:a aac -b:a 128k -ac 2 \
    -movflags +faststart \
    "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
echo "make-clip: done ($(stat -c %s "$out") bytes)" >&2
