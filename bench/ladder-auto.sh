#!/usr/bin/env bash
# ladder-auto.sh — `--ladder auto` against the fixed ladder 1080p:6M,720p:3M,480p:1.2M,360p:700k on
# three kinds of content, each a generated 1080p30 clip BENCH_SECONDS long:
#   talking-head  a smooth, slowly changing background, one slowly moving shape, light sensor noise
#                 (simple, nearly static)
#   noise         testsrc2 with strong temporal noise (bench/make-clip.sh, CLIP_NOISE=20: hard)
#   animation     testsrc2 without noise (flat colours, sharp edges, steady motion)
# For each title both ladders are encoded in full by the farm (x264 BENCH_PRESET, analysis on so
# every rung's PSNR is measured against the source on its upscale to 1080p), then `gopfarm bd-rate
# fixed.json auto.json` compares them: negative BD-rate = auto needs fewer bits at equal PSNR.
# Prints per title the rungs auto chose, both ladders' measured rungs and the BD-rate; JSON reports
# and ladder.html (the probe's hull, the chosen rungs and the fixed ladder) stay in bench-out/ladder-auto/.
#
# Env: BENCH_SECONDS (default 6), BENCH_AGENTS (default 2), BENCH_PRESET (default veryfast),
#      GOPFARM_BIN_DIR (prebuilt release binaries), BENCH_OUT.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${BENCH_SECONDS:-6}
agents=${BENCH_AGENTS:-2}
preset=${BENCH_PRESET:-veryfast}
fixed=1080p:6M,720p:3M,480p:1.2M,360p:700k
need ffmpeg
build_release
work=$OUT_DIR/ladder-auto
mkdir -p "$work"

make_title() {
    local name=$1 out=$work/$1.mp4
    [[ -s $out ]] && { printf '%s\n' "$out"; return; }
    case $name in
        talking-head)
            ffmpeg -v error -nostdin -y -f lavfi -i "gradients=s=1920x1080:r=30:speed=0.003,drawbox=x='840+90*sin(t)':y=360:w=240:h=330:color=0xd0a080@1:t=fill,noise=alls=4:allf=t" \
                -t "$seconds" -c:v libx264 -preset veryfast -crf 14 -g 60 -pix_fmt yuv420p "$out" ;;
        noise)
            CLIP_NOISE=20 CLIP_SIZE=1920x1080 "$REPO/bench/make-clip.sh" "$seconds" "$out" >&2 ;;
        animation)
            ffmpeg -v error -nostdin -y -f lavfi -i "testsrc2=s=1920x1080:r=30" \
                -t "$seconds" -c:v libx264 -preset veryfast -crf 14 -g 60 -pix_fmt yuv420p "$out" ;;
    esac
    printf '%s\n' "$out"
}

summary=""
for title in talking-head noise animation; do
    clip=$(make_title "$title")
    for ladder in fixed auto; do
        rm -rf "$work/$title-$ladder"
        spec=$fixed; [[ $ladder == auto ]] && spec=auto
        log "bench: $title, ladder $spec"
        "$GOPFARM" transcode "$clip" -o "$work/$title-$ladder/" --ladder "$spec" --package hls,dash --agents "$agents" \
            --preset "$preset" --segment-seconds 2 --json --quiet >"$work/$title-$ladder.json" 2>"$work/$title-$ladder.log" \
            || die "$title $ladder failed: $(tail -n 3 "$work/$title-$ladder.log")"
    done
    printf '\n== %s ==\n' "$title"
    "$GOPFARM" bd-rate "$work/$title-fixed.json" "$work/$title-auto.json" | tee "$work/$title.bd-rate.txt"
    rungs=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["renditions"]))' "$work/$title-auto.json")
    bd=$(sed -n 's/^BD-rate \(.*\)$/\1/p' "$work/$title.bd-rate.txt")
    summary+=$(printf '| %s | %s | %s |' "$title" "$rungs" "${bd:-no overlap}")$'\n'
done
printf '\nfixed ladder %s vs --ladder auto, %ss of 1080p30 each, x264 %s:\n' "$fixed" "$seconds" "$preset"
printf '| title | rungs auto chose | BD-rate auto vs fixed |\n|---|---|---|\n%s' "$summary"
