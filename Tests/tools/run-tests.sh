#!/usr/bin/env bash
# Runs one `swift test` phase (the arguments are its command line) and, when it fails, prints
# every failing test's issue again at the end: CI keeps only the tail of the output, and a
# failure recorded ten minutes before the summary line is otherwise lost there.
set -uo pipefail
log=$(mktemp "${TMPDIR:-/tmp}/gopfarm-tests.XXXXXX")
trap 'rm -f "$log"' EXIT
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
    echo
    echo "=== what failed (rc $rc), gathered from the output above ==="
    grep -a -A 6 "recorded an issue\|Fatal error\|Test crashed\|error: Exited with" "$log" | head -200
fi
exit "$rc"
