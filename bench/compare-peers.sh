#!/usr/bin/env bash
# compare-peers.sh [--truth CLIP.mp4] [--ours-dir DIR] [CLIP...]
#
# gopfarm's content analysis against its peers on real content: for every clip in ../shared/media
# (or the clips given), `gopfarm analyze --json`, PySceneDetect's content detector (defaults:
# threshold 27, min scene 15 frames) and ffmpeg's blackdetect (pix_th 0.10, pic_th 0.98, the
# same minimum duration as gopfarm). Prints one row per clip (cuts ours / theirs / matched within
# ±2 frames / agreement, black intervals) and a total line; details in bench/compare_peers.py.
#
#   --truth CLIP.mp4   also the generated truth clip (Tests/TestSupport/TruthClip.swift), scored
#                      against CLIP.mp4.truth.json. Make one (20 minutes here) with
#                      GOPFARM_TRUTH_BLOCKS=20 swift test --skip-build --filter TruthClipTests
#                      -> .build/test-fixtures/truth-20b-640x360-*.mp4
#   --ours-dir DIR     read gopfarm's JSON from DIR/<clip name>.json instead of running it.
#
# PySceneDetect is only a test oracle: it is installed from PyPI into $PEERS_VENV
# (default .build/peers-venv) on first use, never into the product.
# Env: GOPFARM (default .build/debug/gopfarm), BLACK_MIN (seconds, default 0.5 = gopfarm's default),
#      MEDIA_DIR (default ../shared/media), PEERS_VENV, BENCH_OUT (results in $BENCH_OUT/compare-peers).
# Exit status: non-zero when a tool fails to run (gopfarm analyze included), not on disagreement.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need ffmpeg; need ffprobe; need python3

GOPFARM=${GOPFARM:-$REPO/.build/debug/gopfarm}
BLACK_MIN=${BLACK_MIN:-0.5}
MEDIA_DIR=${MEDIA_DIR:-$REPO/../shared/media}
PEERS_VENV=${PEERS_VENV:-$REPO/.build/peers-venv}

extra=()
clips=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --truth|--ours-dir) [[ $# -ge 2 ]] || die "$1 needs a value"; extra+=("$1" "$2"); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) clips+=("$1"); shift ;;
    esac
done
if [[ ${#clips[@]} -eq 0 ]]; then
    [[ -d $MEDIA_DIR ]] || die "no clips given and $MEDIA_DIR is absent"
    for f in "$MEDIA_DIR"/*; do
        [[ -f $f && $f != *.md ]] && clips+=("$f")
    done
fi

if [[ ! -x $PEERS_VENV/bin/python ]] || ! "$PEERS_VENV/bin/python" -c 'import scenedetect, cv2' 2>/dev/null; then
    log "compare-peers: installing PySceneDetect into $PEERS_VENV (test oracle only)"
    python3 -m venv "$PEERS_VENV" || die "cannot create $PEERS_VENV"
    "$PEERS_VENV/bin/pip" install --quiet scenedetect opencv-python-headless >&2 || die "pip install scenedetect failed"
fi
[[ -x $GOPFARM ]] || log "compare-peers: $GOPFARM is missing; only the peers' columns will be filled"

keep=$OUT_DIR/compare-peers
mkdir -p "$keep"
log "compare-peers: PySceneDetect $("$PEERS_VENV/bin/python" -c 'import scenedetect; print(scenedetect.__version__)'), $(ffmpeg -version | head -n 1)"
exec "$PEERS_VENV/bin/python" "$REPO/bench/compare_peers.py" --gopfarm "$GOPFARM" --black-min "$BLACK_MIN" \
    --keep "$keep" ${extra[@]+"${extra[@]}"} ${clips[@]+"${clips[@]}"}
