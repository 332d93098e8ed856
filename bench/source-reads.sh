#!/usr/bin/env bash
# source-reads.sh — how many bytes the coordinator reads from the source over a whole job.
#
# The split cuts segments out of the source and the stitch reads the source again for its audio;
# the probe reads it once before both. This prints the coordinator's read bytes (`rchar` of
# /proc/PID/io, sampled every 20 ms until it exits: reads through the page cache count too) as a
# multiple of the source's size, beside `ffmpeg -i CLIP -map 0 -c copy` of the same file.
#   gopfarm transcode CLIP -o OUT --agents 2 --threads 1 --preset ultrafast --scale 320x180 --no-analysis
#
# Env: BENCH_SECONDS (default 30), BENCH_SIZE (default 1920x1080), GOPFARM_BIN_DIR (prebuilt
#      binaries; default: build release), BENCH_OUT. CLIP=PATH measures that file instead.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need ffmpeg; need python3
build_release
clip=${CLIP:-$(ensure_clip "${BENCH_SECONDS:-30}")}
work=$OUT_DIR/source-reads
mkdir -p "$work"

# reads CMD… -> prints the read bytes of the process CMD starts (its children not counted).
reads() {
    python3 - "$@" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
last = 0
while p.poll() is None:
    try:
        with open(f"/proc/{p.pid}/io") as f:
            last = int(dict(l.split(": ") for l in f.read().split("\n") if l)["rchar"])
    except (OSError, KeyError, ValueError):
        pass
    time.sleep(0.02)
if p.returncode != 0:
    sys.exit(f"bench: {sys.argv[1]} failed: {p.stderr.read().decode().strip()[-500:]}")
print(last)
PY
}

size=$(file_size "$clip")
rm -f "$work/out.mp4" "$work/remux.mkv"
farm=$(reads "$GOPFARM" transcode "$clip" -o "$work/out.mp4" --agents 2 --threads 1 --preset ultrafast --scale 320x180 --no-analysis)
remux=$(reads ffmpeg -nostdin -v error -y -i "$clip" -map 0 -c copy "$work/remux.mkv")
awk -v s="$size" -v f="$farm" -v r="$remux" -v c="$clip" 'BEGIN {
    printf "source %s: %.1f MB\n", c, s / 1e6
    printf "coordinator read %.1f MB (%.2fx the source: probe, split, stitch)\n", f / 1e6, f / s
    printf "ffmpeg -c copy read %.1f MB (%.2fx)\n", r / 1e6, r / s
}'
