#!/usr/bin/env python3
"""Bounded mutation fuzzing of `gopfarm transcode` (and, with --serve, of `gopfarm serve`).

Seeds: four small clips made with the ffmpeg CLI at run time (2 s of 160x120 test pattern with
a tone): H.264 + AAC in MP4, H.264 + MP2 in MPEG-TS, HEVC + Opus in Matroska, VP9 + Opus in
WebM. Case I of seed S takes the seed clip of container I mod 4 and applies 1 to 3 mutations
(byte flips, a run of bytes overwritten, truncation, a chunk duplicated or removed) drawn from
random.Random("S:I"): a case is the same bytes on every run, and `--only I` replays it.

Every case runs `gopfarm transcode CASE -o OUTDIR/out.mkv --codec ffv1 --agents N
--segment-seconds 0.5` for each N of --agents, in its own session under --timeout, and counts:

  ok          status 0, the output is there, nothing half-written beside it
  failed      status 1 and stderr is exactly one line `gopfarm: error: …`
  crash       killed by a signal, "Fatal error"/backtrace on stderr, or a local agent died
  hang        still running at --timeout (then the whole session is killed)
  multi-line  a failure whose stderr is not exactly one `gopfarm: error:` line
  leftover    anything left in OUTDIR after a failure (or a .partial/spool after success)
  stray       a process of the run's session still alive 2 s after gopfarm exited
  odd-status  an exit status other than 0 and 1

With --serve the same cases also go through `gopfarm serve` with one agent (submitted over HTTP
one at a time): each job must end `done`, or `failed` with a one-line sentence that
`gopfarm status ID` shows, within --timeout; a refused submission (4xx with a sentence) counts
as failed.

Prints a summary table (per outcome, per container, per agent count), writes
WORK/results.json and WORK/failures.txt (with replay commands; the failing cases stay in
WORK/cases), and exits 1 on any crash, hang, multi-line error, leftover, stray process or odd
status. Python 3 standard library only.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTAINERS = ["mp4", "ts", "mkv", "webm"]
BAD = ["crash", "hang", "multi-line", "leftover", "stray", "odd-status"]
OUTCOMES = ["ok", "failed"] + BAD

FORMATS = {"mp4": "mp4", "ts": "mpegts", "mkv": "matroska", "webm": "webm"}
# ffmpeg arguments after the inputs (a 2 s 160x120 pattern and a 2 s tone), per container.
SEED_ENCODE = {
    "mp4": ["-c:v", "libx264", "-threads", "1", "-g", "12", "-bf", "2", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "32k"],
    "ts": ["-c:v", "libx264", "-threads", "1", "-g", "12", "-bf", "2", "-x264-params", "open-gop=1",
           "-pix_fmt", "yuv420p", "-c:a", "mp2", "-b:a", "64k"],
    "mkv": ["-c:v", "libx265", "-x265-params", "log-level=error:keyint=12:min-keyint=12:bframes=2:pools=1",
            "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "32k"],
    "webm": ["-c:v", "libvpx-vp9", "-threads", "1", "-deadline", "realtime", "-cpu-used", "8", "-g", "12",
             "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "32k"],
}


def log(text):
    print(text, file=sys.stderr, flush=True)


def die(text):
    print(f"fuzz: error: {text}", file=sys.stderr)
    sys.exit(2)


# MARK: - Seeds and mutations

def make_seeds(directory):
    os.makedirs(directory, exist_ok=True)
    seeds = {}
    for container in CONTAINERS:
        path = os.path.join(directory, f"seed.{container}")
        if not os.path.exists(path):
            partial = path + ".partial"
            cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
                   "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=2",
                   "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                   *SEED_ENCODE[container], "-t", "2",
                   # bitexact: no random Matroska UIDs or dates, so a seed is the same file on every run
                   "-fflags", "+bitexact", "-flags", "+bitexact", "-f", FORMATS[container], partial]
            done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if done.returncode != 0:
                die(f"ffmpeg could not make the {container} seed: {done.stderr.strip()}")
            os.replace(partial, path)
        with open(path, "rb") as f:
            seeds[container] = f.read()
    return seeds


def mutate(data, rng):
    """Applies 1-3 mutations; returns the bytes and a description of what was done."""
    data = bytearray(data)
    steps = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        kind = rng.choice(["flip", "flip", "run", "truncate", "duplicate", "remove"])
        n = len(data)
        if n < 16:
            break
        if kind == "flip":
            flips = []
            for _ in range(rng.randint(1, 8)):
                at = rng.randrange(n)
                bit = 1 << rng.randrange(8)
                data[at] ^= bit
                flips.append(f"{at}^{bit:#x}")
            steps.append("flip " + ",".join(flips))
        elif kind == "run":
            length = rng.randint(1, 256)
            at = rng.randrange(n)
            fill = rng.choice(["zero", "ff", "random"])
            end = min(n, at + length)
            if fill == "zero":
                data[at:end] = bytes(end - at)
            elif fill == "ff":
                data[at:end] = b"\xff" * (end - at)
            else:
                data[at:end] = bytes(rng.randrange(256) for _ in range(end - at))
            steps.append(f"overwrite [{at}:{end}] {fill}")
        elif kind == "truncate":
            at = rng.randrange(n // 8, n)
            del data[at:]
            steps.append(f"truncate at {at} of {n}")
        elif kind == "duplicate":
            length = rng.randint(16, max(16, min(8192, n // 4)))
            start = rng.randrange(0, max(1, n - length))
            to = rng.randrange(n)
            data[to:to] = data[start:start + length]
            steps.append(f"duplicate [{start}:{start + length}] at {to}")
        else:
            length = rng.randint(16, max(16, min(8192, n // 4)))
            start = rng.randrange(0, max(1, n - length))
            del data[start:start + length]
            steps.append(f"remove [{start}:{start + length}]")
    return bytes(data), "; ".join(steps)


def make_case(seeds, seed, index, directory):
    container = CONTAINERS[index % len(CONTAINERS)]
    rng = random.Random(f"{seed}:{index}")
    data, how = mutate(seeds[container], rng)
    path = os.path.join(directory, f"case-{seed}-{index:04d}.{container}")
    with open(path, "wb") as f:
        f.write(data)
    return {"index": index, "container": container, "path": path, "mutation": how, "bytes": len(data)}


# MARK: - Processes

def session_members(sid):
    """Live processes of session `sid` (the run's gopfarm and anything it started)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # Fields after the parenthesised command: state ppid pgrp session ...
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 3 and int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(entry))
    return members


def kill_session(sid):
    try:
        os.killpg(sid, signal.SIGKILL)
    except OSError:
        pass
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def run_session(cmd, timeout, env=None):
    """Runs `cmd` in a new session; returns (status, stdout, stderr, timed_out, seconds, stray pids).
    Output goes to files, not pipes: a stray child holding them must not make the run look hung."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file,
                             start_new_session=True, env=env)
        timed_out = False
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_session(p.pid)
            p.wait()
        except BaseException:  # Ctrl-C: leave no run behind
            kill_session(p.pid)
            p.wait()
            raise
        seconds = time.monotonic() - start
        stray = session_members(p.pid)
        deadline = time.monotonic() + 2
        while stray and time.monotonic() < deadline:
            time.sleep(0.05)
            stray = session_members(p.pid)
        if stray:
            kill_session(p.pid)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    return (p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), timed_out, seconds, stray)


def backtrace_summaries(directory):
    """One line per crash the Swift runtime wrote to `directory` (SWIFT_BACKTRACE output-to):
    the gopfarm or agent process that died, its signal or fatal error, and the crashing frame."""
    found = []
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        with open(os.path.join(directory, name), "rb") as f:
            text = f.read().decode("utf-8", "replace")
        lines = text.splitlines()
        why = next((l.strip() for l in lines if "Fatal error" in l or "Program crashed" in l), "crashed")
        frame = ""
        for i, l in enumerate(lines):
            if l.startswith("Thread") and "crashed" in l:
                frame = next((f.strip() for f in lines[i + 1:i + 8] if " in " in f and "assertionFailure" not in f
                              and "swift_unexpectedError" not in f and "fatalError" not in f), "")
                break
        found.append(f"backtrace {directory}/{name}: {why} {frame}".strip())
    return found


def crash_signs(text):
    signs = ["Fatal error", "Program crashed", "Backtracing", "Segmentation fault", "local agent died"]
    return [s for s in signs if s in text]


# MARK: - transcode

def transcode_case(args, case, agents, runs_dir):
    out_dir = os.path.join(runs_dir, f"{os.path.basename(case['path'])}-a{agents}")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    output = os.path.join(out_dir, "out.mkv")
    cmd = [args.gopfarm, "transcode", case["path"], "-o", output, "--codec", "ffv1",
           "--agents", str(agents), "--segment-seconds", str(args.segment_seconds)]
    backtraces = os.path.join(runs_dir, "backtraces", f"{os.path.basename(case['path'])}-a{agents}")
    shutil.rmtree(backtraces, ignore_errors=True)
    os.makedirs(backtraces)
    env = dict(os.environ, GOPFARM_AGENT_BIN=args.agent, SWIFT_BACKTRACE=f"enable=yes,output-to={backtraces}")
    status, out, err, timed_out, seconds, stray = run_session(cmd, args.timeout, env)
    left = sorted(os.listdir(out_dir))
    crashed = backtrace_summaries(backtraces)
    problems = []
    # `progress …` lines are the documented progress output in a pipe, not part of an error.
    lines = [line for line in err.splitlines() if not line.startswith("progress ")]
    if timed_out:
        outcome = "hang"
        if crashed:
            problems.append("crash")
    elif status < 0 or crash_signs(err) or crashed:
        outcome = "crash"
    elif status == 0:
        outcome = "ok"
        if "out.mkv" not in left:
            problems.append("odd-status")
        if any(name.endswith(".partial") or name.startswith(".gopfarm-spool") for name in left):
            problems.append("leftover")
    else:
        outcome = "failed"
        if status != 1:
            problems.append("odd-status")
        if len(lines) != 1 or not lines[0].startswith("gopfarm: error: "):
            problems.append("multi-line")
        if left:
            problems.append("leftover")
    if stray:
        problems.append("stray")
    if outcome not in ("hang", "crash") and problems:
        outcome = problems[0]
    shutil.rmtree(out_dir, ignore_errors=True)
    if crashed:
        err = "\n".join(crashed) + "\n" + err
    else:
        shutil.rmtree(backtraces, ignore_errors=True)
    return {"mode": f"transcode --agents {agents}", "agents": agents, "outcome": outcome, "problems": problems,
            "status": status, "seconds": round(seconds, 2), "stderr": err[-4000:], "left": left,
            "stray": len(stray), "command": f"mkdir -p {out_dir} && " + " ".join(cmd)}


# MARK: - serve

class Serve:
    """`gopfarm serve` with one agent, on free loopback ports, with its own data directory."""

    def __init__(self, args, work, input_root):
        self.args = args
        self.dir = os.path.join(work, "serve")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "serve.log")
        self.serve_log = open(self.log_path, "wb")
        self.backtraces = os.path.join(self.dir, "backtraces")
        os.makedirs(self.backtraces)
        self.env = dict(os.environ, SWIFT_BACKTRACE=f"enable=yes,output-to={self.backtraces}")
        self.process = subprocess.Popen(
            [args.gopfarm, "serve", "--http", "127.0.0.1:0", "--bind", "tcp://127.0.0.1:0", "--data-dir", self.data,
             "--insecure", "--input-root", input_root, "--heartbeat-ms", "250", "--agent-timeout", "2",
             "--lease-seconds", "10"],
            stdin=subprocess.DEVNULL, stdout=self.serve_log, stderr=subprocess.STDOUT, start_new_session=True,
            env=self.env)
        self.url = self.endpoint = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (self.url and self.endpoint):
            if self.process.poll() is not None:
                die(f"gopfarm serve exited: {self.log()}")
            for line in self.log().splitlines():
                if line.startswith("HTTP API on "):
                    self.url = line.split()[3]
                if line.startswith("agents connect to "):
                    self.endpoint = line.split()[3]
            time.sleep(0.05)
        if not (self.url and self.endpoint):
            die("gopfarm serve did not start listening")
        with open(os.path.join(self.data, "admin-token")) as f:
            self.token = f.read().strip()
        self.agent = None
        self.agent_starts = 0
        self.start_agent()

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def agent_log(self):
        path = os.path.join(self.dir, f"agent-{self.agent_starts}.log")
        try:
            with open(path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def start_agent(self):
        self.agent_starts += 1
        handle = open(os.path.join(self.dir, f"agent-{self.agent_starts}.log"), "wb")
        self.agent = subprocess.Popen(
            [self.args.agent, "--coordinator", self.endpoint, "--name", "fuzz-agent", "--slots", "1", "--threads", "1",
             "--heartbeat-ms", "250", "--insecure"],
            stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, env=self.env)

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            try:
                return e.code, json.loads(e.read() or b"null")
            except ValueError:
                return e.code, None

    def stop(self):
        for p in (self.agent, self.process):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    kill_session(p.pid)
                    p.wait()
        self.serve_log.close()


def serve_case(args, serve, case):
    result = {"mode": "serve, 1 agent", "agents": "serve", "problems": [], "status": None, "left": [], "stray": 0,
              "command": f"POST {serve.url}/v1/jobs input={case['path']}"}
    start = time.monotonic()
    log_before = len(serve.log())
    status, body = serve.request("POST", "/v1/jobs", {
        "input": case["path"], "settings": {"codec": "ffv1"}, "segmentSeconds": args.segment_seconds,
        "outputName": os.path.basename(case["path"]) + ".mkv", "analysis": False})
    if status != 201:
        error = (body or {}).get("error") if isinstance(body, dict) else None
        result.update(outcome="failed" if 400 <= status < 500 and error and "\n" not in error else "multi-line",
                      status=status, stderr=f"refused: {error}", seconds=round(time.monotonic() - start, 2))
        return result
    job_id = body["id"]
    result["job"] = job_id
    deadline = time.monotonic() + args.timeout
    job = body
    while time.monotonic() < deadline:
        if serve.process.poll() is not None or serve.agent.poll() is not None:
            break
        code, view = serve.request("GET", f"/v1/jobs/{job_id}")
        if code == 200 and view:
            job = view
            if job.get("state") in ("done", "failed", "cancelled"):
                break
        time.sleep(0.1)
    result["seconds"] = round(time.monotonic() - start, 2)
    state = job.get("state")
    error = job.get("error") or ""
    result["status"] = state
    result["stderr"] = error
    logs = serve.log()[log_before:] + serve.agent_log()
    crashed = backtrace_summaries(serve.backtraces)
    if serve.process.poll() is not None or serve.agent.poll() is not None or crash_signs(logs) or crashed:
        result["outcome"] = "crash"
        result["stderr"] = (error + "\n" + "\n".join(crash_signs(logs) + crashed) + f"\nserve status {serve.process.poll()},"
                            f" agent status {serve.agent.poll()}").strip()
        for name in os.listdir(serve.backtraces):
            os.replace(os.path.join(serve.backtraces, name), os.path.join(serve.dir, f"case-{case['index']}-{name}"))
        if serve.agent.poll() is None:
            kill_session(serve.agent.pid)
            serve.agent.wait()
        if serve.process.poll() is not None:
            die(f"gopfarm serve died during case {case['index']}: {serve.log()[-2000:]}")
        serve.start_agent()
        return result
    if state not in ("done", "failed", "cancelled"):
        result["outcome"] = "hang"
        result["stderr"] = (f"still {state} after {args.timeout:g} s: "
                            f"{json.dumps(job.get('progress'))}, agents {job.get('agents')}")
        serve.request("DELETE", f"/v1/jobs/{job_id}")
        return result
    if state == "done":
        result["outcome"] = "ok"
        return result
    result["outcome"] = "failed"
    if not error or "\n" in error or state != "failed":
        result["outcome"] = "multi-line"
        result["problems"].append("multi-line")
        return result
    env = dict(os.environ, GOPFARM_URL=serve.url, GOPFARM_TOKEN=serve.token)
    shown = subprocess.run([args.gopfarm, "status", job_id], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, env=env, timeout=60)
    if shown.returncode != 0 or error not in shown.stdout:
        result["outcome"] = "multi-line"
        result["problems"].append("multi-line")
        result["stderr"] = f"{error}\n`gopfarm status {job_id}` did not show it: {shown.stdout}{shown.stderr}"
    return result


# MARK: - Report

def summary(results, cases):
    by_mode = {}
    for r in results:
        by_mode.setdefault(r["mode"], []).append(r)
    width = max(12, *(len(m) for m in by_mode)) if by_mode else 12
    header = f"{'':<{width}}" + "".join(f"{o:>11}" for o in OUTCOMES) + f"{'runs':>7}{'median s':>10}"
    lines = [header]

    def row(label, rs):
        counts = {o: 0 for o in OUTCOMES}
        for r in rs:
            counts[r["outcome"]] += 1
        secs = sorted(r["seconds"] for r in rs)
        median = secs[len(secs) // 2] if secs else 0
        return f"{label:<{width}}" + "".join(f"{counts[o]:>11}" for o in OUTCOMES) + f"{len(rs):>7}{median:>10.1f}"

    for mode, rs in by_mode.items():
        lines.append(row(mode, rs))
    for container in CONTAINERS:
        rs = [r for r in results if cases[r["index"]]["container"] == container]
        if rs:
            lines.append(row(f"  {container}", rs))
    lines.append(row("all", results))
    return "\n".join(lines)


def replay_command(args, r):
    return (f"bash bench/fuzz.sh --seed {args.seed} --only {r['index']}"
            + (" --serve --agents none" if r["agents"] == "serve" else f" --agents {r['agents']}")
            + f" --timeout {args.timeout:g}")


# MARK: - Main

def main():
    parser = argparse.ArgumentParser(description="Bounded mutation fuzzing of gopfarm transcode and serve.")
    parser.add_argument("--files", type=int, default=100, help="damaged files to make (cases 0..N-1)")
    parser.add_argument("--seed", type=int, default=1, help="mutation seed: the same seed gives the same files")
    parser.add_argument("--agents", default="1,2",
                        help="comma-separated local agent counts for transcode, or 'none' (only --serve)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a run counts as a hang")
    parser.add_argument("--segment-seconds", type=float, default=0.5, help="target segment length (several segments per file)")
    parser.add_argument("--serve", action="store_true", help="also submit every file to gopfarm serve with one agent")
    parser.add_argument("--only", default="", help="comma-separated case numbers to run instead of 0..N-1 (replay)")
    parser.add_argument("--bin", default=os.environ.get("GOPFARM_BIN_DIR", os.path.join(REPO, ".build", "debug")),
                        help="directory with gopfarm and gopfarm-agent (default: $GOPFARM_BIN_DIR or .build/debug)")
    parser.add_argument("--work", default=os.path.join(os.environ.get("BENCH_OUT", os.path.join(REPO, "bench-out")), "fuzz"),
                        help="working directory (seeds, cases, results)")
    parser.add_argument("--keep", action="store_true", help="keep every case file, not only the failing ones")
    parser.add_argument("--verbose", action="store_true", help="a line per run")
    args = parser.parse_args()

    args.gopfarm = os.path.join(os.path.abspath(args.bin), "gopfarm")
    args.agent = os.path.join(os.path.abspath(args.bin), "gopfarm-agent")
    for exe in (args.gopfarm, args.agent):
        if not os.access(exe, os.X_OK):
            die(f"{exe} is missing: build first (swift build) or give --bin DIR")
    if shutil.which("ffmpeg") is None:
        die("the ffmpeg CLI is needed to make the seed clips (deploy/install-deps.sh --test)")
    agent_counts = [] if args.agents == "none" else [int(a) for a in args.agents.split(",") if a]
    only = {int(i) for i in args.only.split(",") if i}

    work = os.path.abspath(args.work)
    cases_dir = os.path.join(work, "cases")
    runs_dir = os.path.join(work, "runs")
    for d in (cases_dir, runs_dir):
        os.makedirs(d, exist_ok=True)
    seeds = make_seeds(os.path.join(work, "seeds"))
    cases = {i: make_case(seeds, args.seed, i, cases_dir) for i in (sorted(only) if only else range(args.files))}
    log(f"fuzz: {len(cases)} damaged files (seed {args.seed}), transcode with --agents "
        f"{','.join(map(str, agent_counts)) or 'none'}{', serve with 1 agent' if args.serve else ''}, timeout {args.timeout:g} s")

    results = []
    started = time.monotonic()

    def record(case, r):
        r["index"] = case["index"]
        results.append(r)
        if args.verbose or r["outcome"] in BAD or r["problems"]:
            first = (r.get("stderr") or "").strip().splitlines()
            log(f"  case {case['index']:4d} {case['container']:<4} {r['mode']:<22} {r['outcome']:<10} "
                f"{r['seconds']:5.1f} s  {first[0][:150] if first else ''}")

    serve = Serve(args, work, cases_dir) if args.serve else None
    # SIGTERM and Ctrl-C stop the run and still write the summary of the runs done so far.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    interrupted = False
    try:
        for n, case in enumerate(cases.values()):
            for agents in agent_counts:
                record(case, transcode_case(args, case, agents, runs_dir))
            if serve:
                record(case, serve_case(args, serve, case))
            if (n + 1) % 25 == 0:
                log(f"fuzz: {n + 1}/{len(cases)} files, {time.monotonic() - started:.0f} s")
    except KeyboardInterrupt:
        interrupted = True
        log("fuzz: interrupted; the summary counts the runs done so far")
    finally:
        if serve:
            serve.stop()

    failing = [r for r in results if r["outcome"] in BAD or r["problems"]]
    failing_cases = {r["index"] for r in failing}
    for case in cases.values():
        if case["index"] not in failing_cases and not args.keep and os.path.exists(case["path"]):
            os.remove(case["path"])
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump({"seed": args.seed, "files": args.files, "timeout": args.timeout, "cases": list(cases.values()),
                   "runs": results}, f, indent=1)
    with open(os.path.join(work, "failures.txt"), "w") as f:
        for r in failing:
            case = cases[r["index"]]
            also = [p for p in r["problems"] if p != r["outcome"]]
            f.write(f"case {r['index']} ({case['container']}, {case['mutation']}): {r['outcome']}"
                    f"{' + ' + ', '.join(also) if also else ''} in {r['mode']} after {r['seconds']} s\n"
                    f"  replay: {replay_command(args, r)}\n  run:    {r['command']}\n")
            for line in (r.get("stderr") or "").strip().splitlines()[:12]:
                f.write(f"  | {line}\n")
            if r["left"]:
                f.write(f"  left in the output folder: {', '.join(r['left'])}\n")
            f.write("\n")

    print(summary(results, cases))
    done_files = len({r["index"] for r in results})
    print(f"{len(results)} runs of {done_files} files{' (interrupted)' if interrupted else ''} in {time.monotonic() - started:.0f} s; "
          f"{len(failing)} bad runs ({len(failing_cases)} files)"
          + (f"; see {os.path.join(work, 'failures.txt')}" if failing else ""))
    return 1 if failing or interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
