# Shared helpers for the bench/ scripts (sourced, not run).
# Sets REPO, OUT_DIR, and provides: log, die, need, build_release (sets BIN_DIR), ensure_clip,
# frame_count, psnr_avg, file_size, median, json_num, json_str, report_field.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT_DIR=${BENCH_OUT:-$REPO/bench-out}
mkdir -p "$OUT_DIR"

log() { printf '%s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed${2:+ ($2)}"; }

# Release binaries. GOPFARM_BIN_DIR=DIR uses prebuilt gopfarm + gopfarm-agent (+ gopfarm-bench-agent
# for the control-plane bench) from DIR and skips the build; otherwise `swift build -c release`
# runs in the repo and .build/release is used.
build_release() {
    if [[ -n ${GOPFARM_BIN_DIR:-} ]]; then
        BIN_DIR=$(cd "$GOPFARM_BIN_DIR" && pwd)
        log "bench: using prebuilt binaries in $BIN_DIR (GOPFARM_BIN_DIR)"
    else
        need swift
        log "bench: swift build -c release"
        (cd "$REPO" && swift build -c release >&2) || die "release build failed"
        BIN_DIR=$REPO/.build/release
    fi
    [[ -x $BIN_DIR/gopfarm ]] || die "$BIN_DIR/gopfarm is missing"
    [[ -x $BIN_DIR/gopfarm-agent ]] || die "$BIN_DIR/gopfarm-agent is missing"
    GOPFARM=$BIN_DIR/gopfarm
    export GOPFARM_AGENT_BIN=$BIN_DIR/gopfarm-agent
    # Benchmarks only: agents that answer without encoding (bench/control-plane.sh).
    export GOPFARM_BENCH_AGENT_BIN=$BIN_DIR/gopfarm-bench-agent
}

# ensure_clip SECONDS -> prints the path of the cached 30 fps clip of that length, 1080p or
# BENCH_SIZE (WxH, e.g. 1280x720).
ensure_clip() {
    local path=$OUT_DIR/clip-${1}s.mp4
    [[ -n ${BENCH_SIZE:-} && $BENCH_SIZE != 1920x1080 ]] && path=$OUT_DIR/clip-${1}s-${BENCH_SIZE}.mp4
    CLIP_SIZE=${BENCH_SIZE:-1920x1080} "$REPO/bench/make-clip.sh" "$1" "$path" || die "could not generate $path"
    printf '%s\n' "$path"
}

# Decoded video frames (ffprobe decodes the whole stream).
frame_count() {
    ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1" \
        | tr -d '[:space:],'
}

# Average PSNR (dB, over Y/U/V weighted) of $1 against reference $2.
psnr_avg() {
    ffmpeg -hide_banner -nostdin -nostats -i "$1" -i "$2" -lavfi '[0:v][1:v]psnr' -f null - 2>&1 \
        | sed -n 's/.*PSNR .* average:\([0-9.]*\|inf\).*/\1/p' | tail -n 1
}

file_size() { stat -c %s "$1"; }

# median of the arguments (mean of the middle two for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# JSON value helpers: a number, or null when it is empty / not a number.
json_num() { if [[ ${1:-} =~ ^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then printf '%s' "$1"; else printf 'null'; fi; }
json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

# report_field FILE KEY: a top-level number from gopfarm's --json report (jq when present, else the
# pretty-printed layout: top-level keys are indented by two spaces).
report_field() {
    if command -v jq >/dev/null 2>&1; then
        jq -r --arg k "$2" 'if .[$k] | type == "array" then .[$k] | length else .[$k] end // empty' "$1" 2>/dev/null
    else
        sed -n "s/^  \"$2\" : \([-0-9.eE+]*\),\{0,1\}\$/\1/p" "$1" | head -n 1
    fi
}
