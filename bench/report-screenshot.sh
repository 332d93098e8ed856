#!/usr/bin/env bash
# report-screenshot.sh — a PNG of an HTML analysis report, rendered by headless Chromium, to look
# at a report without a desktop (CI artefacts, review of the report's layout).
#
#   bench/report-screenshot.sh REPORT.html OUT.png
#
# Makes a sample report first with:
#   GOPFARM_REPORT_SAMPLE=/tmp/report.html swift test --skip-build --filter AnalysisReportTests/showsEveryPart
#
# Needs Chromium (Debian: `apt-get install chromium`, or `deploy/install-deps.sh --report`);
# CHROMIUM=path picks another binary (chromium-browser, google-chrome).
# Env: REPORT_WINDOW=WIDTH,HEIGHT (default 1400,2400): the screenshot is the top of the page
# at that window size; make it taller to see more of a long report.
# --no-sandbox because this often runs as root in containers, where Chromium's sandbox cannot
# start; the page is our own file and needs no network (the report has no external resources).
set -euo pipefail

die() { printf 'report-screenshot: error: %s\n' "$*" >&2; exit 1; }
[[ $# -eq 2 ]] || die "usage: $0 REPORT.html OUT.png"
report=$1 out=$2
[[ -f $report ]] || die "no such report: $report"
browser=${CHROMIUM:-}
if [[ -z $browser ]]; then
    for candidate in chromium chromium-browser google-chrome; do
        if command -v "$candidate" >/dev/null 2>&1; then browser=$candidate; break; fi
    done
fi
[[ -n $browser ]] || die "Chromium is not installed (apt-get install chromium)"

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs_report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
rm -f "$abs_out"
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$abs_out" --window-size="${REPORT_WINDOW:-1400,2400}" "file://$abs_report" >/dev/null 2>"$profile/stderr" || {
    cat "$profile/stderr" >&2
    die "$browser failed"
}
[[ -s $abs_out ]] || { cat "$profile/stderr" >&2; die "$browser wrote no screenshot"; }
echo "$abs_out"
