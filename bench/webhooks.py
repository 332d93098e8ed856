#!/usr/bin/env python3
"""How long a webhook takes to arrive: a real `gopfarm serve` (no agents), a local receiver
(http.server in this process), N jobs submitted one after another through the API; for each, the
time from the submit's answer to the receiver getting its signed job.queued. Then a burst: N
submissions as fast as the API takes them, and how long until the last job.queued arrived.

    GOPFARM_BIN_DIR=.build/debug python3 bench/webhooks.py [N] [CLIP]

The service polls the event log every 50 ms (a read, no write lock), so the wait is 25 to 50 ms plus the
POST; the numbers are for the machine they ran on (see the README's Notifications section).
"""
import hashlib, hmac, json, os, statistics, subprocess, sys, tempfile, threading, time, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bindir = os.environ.get("GOPFARM_BIN_DIR", os.path.join(repo, ".build/release"))
clip = sys.argv[2] if len(sys.argv) > 2 else os.path.join(repo, ".build/test-fixtures/h264-bframes.mp4")
secret = b"whsec_bench-0123456789abcdef"
arrived, bad = {}, []

class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        now = time.monotonic()
        sig = dict(p.split("=", 1) for p in self.headers.get("X-Gopfarm-Signature", "").split(",") if "=" in p)
        want = hmac.new(secret, sig.get("t", "").encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, sig.get("v1", "")): bad.append(body)
        d = json.loads(body)
        if d["event"] == "job.queued": arrived[d["job"]["id"]] = now
        self.send_response(204); self.end_headers()
    def log_message(self, *a): pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
work = tempfile.mkdtemp(prefix="gf-webhook-bench-")
log = open(os.path.join(work, "serve.log"), "w")
serve = subprocess.Popen([os.path.join(bindir, "gopfarm"), "serve", "--data-dir", os.path.join(work, "data"), "--http", "127.0.0.1:0",
                          "--bind", "tcp://127.0.0.1:0", "--insecure", "--input-root", os.path.dirname(clip)], stdout=log, stderr=log)
try:
    url = None
    for _ in range(600):
        text = open(os.path.join(work, "serve.log")).read()
        if "HTTP API on " in text:
            url = text.split("HTTP API on ")[1].split()[0]; break
        time.sleep(0.05)
    token = open(os.path.join(work, "data/admin-token")).read().strip()
    def api(method, path, body):
        req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        return json.load(urllib.request.urlopen(req))
    api("POST", "/v1/webhooks", {"url": "http://127.0.0.1:%d/" % server.server_address[1], "secret": secret.decode(), "events": ["job.queued"]})
    job = {"input": clip, "settings": {"codec": "libx264", "preset": "ultrafast"}}
    latencies = []
    for _ in range(N):
        sent = time.monotonic()
        jid = api("POST", "/v1/jobs", job)["id"]
        answered = time.monotonic()
        while jid not in arrived and time.monotonic() - answered < 10: time.sleep(0.001)
        latencies.append((arrived[jid] - answered) * 1000)
    start = time.monotonic()
    ids = [api("POST", "/v1/jobs", job)["id"] for _ in range(N)]
    submitted = time.monotonic()
    while not all(i in arrived for i in ids) and time.monotonic() - submitted < 30: time.sleep(0.001)
    last = max(arrived[i] for i in ids)
    q = statistics.quantiles(latencies, n=100)
    print("job.queued after the submit's answer, %d jobs one at a time: median %.0f ms, p90 %.0f ms, max %.0f ms"
          % (N, statistics.median(latencies), q[89], max(latencies)))
    print("burst of %d submissions: submitted in %.2f s, last job.queued %.0f ms after the last submit; bad signatures: %d"
          % (N, submitted - start, (last - submitted) * 1000, len(bad)))
finally:
    serve.terminate(); serve.wait(timeout=30)
    subprocess.run(["rm", "-rf", work])
