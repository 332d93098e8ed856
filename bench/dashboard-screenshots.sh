#!/usr/bin/env bash
# The README's dashboard screenshots (docs/dashboard-*.png) from a small live farm: a coordinator,
# three agents, two producers and a handful of jobs, some finished, some running, some waiting.
# Needs chromium, chromium-driver and selenium (deploy/install-deps.sh --test) and a debug build.
#   bash bench/dashboard-screenshots.sh [OUT_DIR]     (default docs/)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need ffmpeg; need curl; need python3
SHOTS=$(cd "${1:-$REPO/docs}" && pwd)
BIN=${GOPFARM_BIN_DIR:-$REPO/.build/debug}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
CLIP=$OUT_DIR/dashboard-clip-6s.mp4
[[ -f $CLIP ]] || ffmpeg -v error -y -f lavfi -i "testsrc2=size=640x360:rate=25:duration=6" -f lavfi -i "sine=frequency=300:duration=6" \
    -vf "noise=alls=10:allf=t" -c:v libx264 -preset veryfast -crf 20 -g 25 -c:a aac "$CLIP"

"$BIN/gopfarm" serve --insecure --http 127.0.0.1:0 --bind tcp://127.0.0.1:0 --data-dir "$WORK/data" --input-root "$OUT_DIR" \
    > "$WORK/serve.log" 2>&1 &
for _ in $(seq 100); do grep -q "agents connect to" "$WORK/serve.log" && break; sleep 0.1; done
URL=$(sed -n 's/^HTTP API on //p' "$WORK/serve.log")
ENDPOINT=$(sed -n 's/^agents connect to \([^ ]*\).*/\1/p' "$WORK/serve.log")
ADMIN=$(cat "$WORK/data/admin-token")
token() { curl -sf -H "Authorization: Bearer $ADMIN" -X POST "$URL/v1/tokens" -d "{\"name\":\"$1\",\"role\":\"$2\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'; }
ALICE=$(token alice producer); BOB=$(token bob producer); OPS=$(token olga ops)
for i in 1 2 3; do "$BIN/gopfarm-agent" --coordinator "$ENDPOINT" --insecure --name "render-0$i" --slots 1 --threads 1 > /dev/null 2>&1 & done
submit() {  # TOKEN NAME PRIORITY
    curl -sf -H "Authorization: Bearer $1" -X POST "$URL/v1/jobs" \
        -d "{\"input\":\"$CLIP\",\"outputName\":\"$2\",\"priority\":\"$3\",\"segmentSeconds\":1,\"settings\":{\"codec\":\"libx264\",\"preset\":\"veryfast\",\"crf\":23}}" \
        | sed -n 's/.*"id":"\([^"]*\)".*/\1/p'
}
FIRST=$(submit "$ALICE" "trailer-v3.mp4" high)
# A streaming ladder (issue 15): its job page lists the renditions and links the manifests.
LADDER=$(curl -sf -H "Authorization: Bearer $ALICE" -X POST "$URL/v1/jobs" \
    -d "{\"input\":\"$CLIP\",\"outputName\":\"trailer-stream\",\"segmentSeconds\":2,\"settings\":{\"codec\":\"libx264\",\"preset\":\"veryfast\",\"ladder\":\"360p:800k,240p:400k,144p:200k\"}}" \
    | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
submit "$BOB" "interview-cam-a.mp4" normal > /dev/null
for job in "$FIRST" "$LADDER"; do
    while [[ $(curl -sf -H "Authorization: Bearer $ADMIN" "$URL/v1/jobs/$job" | grep -o '"state":"[a-z]*"' | head -n 1) != '"state":"done"' ]]; do sleep 0.3; done
done
for name in "episode-104-final.mp4:alice:normal" "b-roll-harbour.mp4:bob:low" "promo-15s.mp4:alice:normal" "episode-105-rough.mp4:alice:low" \
        "archive-reel-01.mp4:bob:low" "archive-reel-02.mp4:bob:low" "archive-reel-03.mp4:bob:low"; do
    IFS=: read -r n who prio <<< "$name"
    submit "$([[ $who == alice ]] && echo "$ALICE" || echo "$BOB")" "$n" "$prio" > /dev/null
done
sleep 4
GOPFARM_URL=$URL ALICE=$ALICE OPS=$OPS JOB=$FIRST LADDER=$LADDER SHOTS=$SHOTS python3 - <<'PY'
import os, time
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
base, shots = os.environ["GOPFARM_URL"], os.environ["SHOTS"]
o = webdriver.ChromeOptions()
o.binary_location = "/usr/bin/chromium"
for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", "--force-device-scale-factor=1", "--hide-scrollbars"]:
    o.add_argument(a)
d = webdriver.Chrome(options=o, service=Service("/usr/bin/chromedriver"))
def shot(name, full=True):
    if full:
        h = d.execute_script("return Math.max(document.documentElement.scrollHeight, 700) + window.outerHeight - window.innerHeight")
        d.set_window_size(1280, min(h, 2400))
    d.save_screenshot(os.path.join(shots, f"dashboard-{name}.png"))
    d.set_window_size(1280, 900)
    print("wrote", os.path.join(shots, f"dashboard-{name}.png"))
def login(token):
    d.get(base + "/login")
    d.find_element(By.ID, "token").send_keys(token + "\n")
    time.sleep(0.5)
d.get(base + "/login"); shot("login", full=False)
login(os.environ["ALICE"])
d.get(base + "/submit"); shot("submit", full=False)
d.get(base + "/jobs/" + os.environ["JOB"]); time.sleep(0.3); shot("job")
d.get(base + "/jobs/" + os.environ["LADDER"]); time.sleep(0.3); shot("ladder")
d.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click(); time.sleep(0.3)
login(os.environ["OPS"])
d.get(base + "/"); time.sleep(2.5); shot("jobs", full=False)
d.get(base + "/agents"); shot("agents")
d.quit()
PY
