#!/usr/bin/env bash
# fuzz.sh — bounded mutation fuzzing of `gopfarm transcode` (and `serve` with --serve).
#
# Makes small MP4, TS, MKV and WebM clips with the ffmpeg CLI, damages copies of them
# reproducibly (byte flips, overwritten runs, truncation, duplicated or removed chunks; the same
# --seed gives the same files), runs each through `gopfarm transcode … --codec ffv1 --agents N`
# under a timeout and checks that it either works or fails fast with exactly one
# `gopfarm: error:` line, leaving nothing behind. Details: bench/fuzz.py's docstring.
#
#   bash bench/fuzz.sh --files 100 --seed 1 --agents 1,2 --timeout 60 [--serve]
#   bash bench/fuzz.sh --files 1000 --seed 1 --agents 1,2 --serve        # the full run (README)
#   bash bench/fuzz.sh --seed 1 --only 17 --agents 1 --verbose           # replay one case
#
# Uses the binaries in $GOPFARM_BIN_DIR, else --bin DIR, else .build/debug (debug builds keep
# Swift's checks on). Output: a summary table on stdout, bench-out/fuzz/{results.json,
# failures.txt}, failing cases kept in bench-out/fuzz/cases. Exit status 1 on any crash, hang,
# multi-line error, leftover file, stray process or odd exit status.
set -euo pipefail
exec python3 "$(dirname "$0")/fuzz.py" "$@"
