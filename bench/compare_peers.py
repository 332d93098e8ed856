#!/usr/bin/env python3
"""compare_peers.py: gopfarm's content analysis against its peers, clip by clip.

For each clip it runs
  - `gopfarm analyze CLIP --json --black-min S` (ours; or reads DIR/CLIP.json with --ours-dir),
  - PySceneDetect's ContentDetector with its defaults (threshold 27, min_scene_len 15), driven
    through SceneManager exactly as `scenedetect detect-content` does (auto downscale),
  - `ffmpeg -vf blackdetect=d=S:pix_th=0.10:pic_th=0.98` with the same minimum duration,
and prints cuts ours / theirs / matched within ±TOL frames / agreement, and black intervals ours
against blackdetect (start and end differences in frames).

Frame numbers: every tool's output is turned into indices of decoded frames in presentation
order, counted from 0. PySceneDetect 0.7 reports cuts as PTS-based timecodes whose frame_num is
seconds x average rate (wrong on VFR clips and streams that do not start at 0), so the detector is
wrapped to record the index of each frame it is given; blackdetect's times are mapped onto the
decoded frames' own timestamps (ffprobe). Frame counts of the three decoders are printed side by
side: a clip where they differ cannot be compared frame for frame.

Agreement (symmetric): matched / max(ours, theirs); 100 % when both find no cut. Cuts are matched
one to one, each to the nearest unclaimed cut within ±TOL frames. The total line adds matched and
max over all clips, and also gives matched / union (ours + theirs - matched), the stricter figure.

With --truth CLIP (a TruthClip, whose truth is CLIP.truth.json) it also scores every tool
against the truth: hard cuts found within ±1 frame, false cuts, black and frozen stretches, and
PySceneDetect's scores at the cuts and elsewhere (the margins the clip was designed with).

Exit status: 0 when everything ran (disagreement is a result, not an error); 1 when a tool failed
(gopfarm analyze included: until it exists the peers' columns are still printed).
--self-test checks the JSON parsing and the matching on hand-written data, without any tool.
"""
import argparse
import bisect
import json
import os
import re
import subprocess
import sys

TOOL_FAILED = False


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --- matching ------------------------------------------------------------------------------

def match_cuts(ours, theirs, tol):
    """One-to-one matching: each of `theirs`, in order, claims the nearest unclaimed cut of
    `ours` within `tol` frames. Returns (pairs, ours unmatched, theirs unmatched)."""
    left = sorted(ours)
    pairs, unmatched_theirs = [], []
    for t in sorted(theirs):
        near = [o for o in left if abs(o - t) <= tol]
        if near:
            o = min(near, key=lambda o: (abs(o - t), o))
            left.remove(o)
            pairs.append((o, t))
        else:
            unmatched_theirs.append(t)
    return pairs, left, unmatched_theirs


def agreement(ours, theirs, matched):
    m = max(ours, theirs)
    return 1.0 if m == 0 else matched / m


def match_intervals(ours, theirs):
    """Pairs intervals (start, end) that overlap, greedily by start; returns pairs and leftovers."""
    left = list(theirs)
    pairs, alone = [], []
    for o in ours:
        hit = next((t for t in left if o[0] < t[1] and t[0] < o[1]), None)
        if hit is None:
            alone.append(o)
        else:
            left.remove(hit)
            pairs.append((o, hit))
    return pairs, alone, left


# --- ours ------------------------------------------------------------------------------------

def parse_job_analysis(text):
    """The fields we compare from `gopfarm analyze --json` (a JobAnalysis): frames, hard cuts
    (scenes of kind "cut"), every scene start, transitions, black and frozen intervals."""
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON object in gopfarm's output")
    a = json.loads(text[start:])
    iv = lambda xs: [(int(x["startFrame"]), int(x["endFrame"])) for x in xs]
    return {
        "frames": int(a["frames"]),
        "cuts": sorted(int(s["startFrame"]) for s in a["scenes"] if s["kind"] == "cut"),
        "scene_starts": [(int(s["startFrame"]), s["kind"]) for s in a["scenes"]],
        "transitions": [(t["kind"], int(t["startFrame"]), int(t["endFrame"])) for t in a.get("transitions", [])],
        "black": iv(a.get("black", [])),
        "frozen": iv(a.get("frozen", [])),
    }


def run_ours(clip, args):
    if args.ours_dir:
        path = os.path.join(args.ours_dir, os.path.basename(clip) + ".json")
        if not os.path.exists(path):
            return None, f"no {path}"
        with open(path) as f:
            return parse_job_analysis(f.read()), None
    cmd = [args.gopfarm, "analyze", clip, "--json", "--black-min", str(args.black_min)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"{' '.join(cmd)}: {e}"
    if r.returncode != 0:
        return None, f"gopfarm analyze exited {r.returncode}: {' '.join(r.stderr.split())[-300:]}"
    if args.keep:
        with open(os.path.join(args.keep, os.path.basename(clip) + ".gopfarm.json"), "w") as f:
            f.write(r.stdout)
    try:
        return parse_job_analysis(r.stdout), None
    except (ValueError, KeyError, TypeError) as e:
        return None, f"cannot read gopfarm's JSON: {e}"


# --- PySceneDetect -----------------------------------------------------------------------------

def run_pyscenedetect(clip):
    """Cuts as decoded-frame indices, the score of every frame, and the number of frames seen."""
    from scenedetect import SceneManager, open_video
    from scenedetect.detectors import ContentDetector

    class Indexed(ContentDetector):
        """ContentDetector that remembers which decoded frame each timecode it saw belongs to."""

        def __init__(self):
            super().__init__()  # defaults: threshold 27, min_scene_len 15
            self.n = 0
            self.index = {}
            self.seen = []  # keeps the timecodes alive so id() stays unique
            self.scores = []
            self.cuts = []

        def process_frame(self, timecode, frame_img):
            self.index[id(timecode)] = self.n
            self.seen.append(timecode)
            cuts = super().process_frame(timecode, frame_img)
            self.scores.append(float(self._frame_score or 0.0))
            for c in cuts:
                i = self.index.get(id(c))
                if i is None:  # not one of ours: fall back to the nearest time
                    i = min(range(len(self.seen)), key=lambda k: abs(self.seen[k].seconds - c.seconds))
                self.cuts.append(i)
            self.n += 1
            return cuts

    video = open_video(clip)
    det = Indexed()
    sm = SceneManager()
    sm.add_detector(det)
    sm.detect_scenes(video)
    listed = [start for start, _ in sm.get_scene_list()[1:]]
    near = sorted(((v, i) for i, v in enumerate(det.scores) if i not in det.cuts), reverse=True)[:3]
    return {
        "cuts": sorted(set(det.cuts)),
        "cut_scores": [round(det.scores[c], 1) for c in sorted(set(det.cuts))],
        # Frames close to the threshold that are not cuts: where another detector may differ.
        "highest_other": [(round(v, 1), i) for v, i in near],
        "frame_num_of_cuts": [c.frame_num for c in listed],  # what PySceneDetect itself prints
        "scores": det.scores,
        "frames": det.n,
    }


# --- ffmpeg ------------------------------------------------------------------------------------

def frame_times(clip):
    """Presentation times of the decoded video frames (ffprobe), in decode output order."""
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "frame=best_effort_timestamp_time", "-of", "csv=p=0", clip],
                       capture_output=True, text=True, timeout=600)
    times = []
    for line in r.stdout.split():
        line = line.strip(",")
        try:
            times.append(float(line))
        except ValueError:
            pass
    return times


def time_to_frame(times, t):
    """Index of the first frame at or after time t (within half a millisecond); len(times) past the end."""
    return bisect.bisect_left(times, t - 0.0005)


def run_blackdetect(clip, black_min, times):
    vf = f"blackdetect=d={black_min}:pix_th=0.10:pic_th=0.98"
    # -copyts: times as stored, like ffprobe's (by default ffmpeg shifts them by the file's start).
    r = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-copyts", "-i", clip, "-map", "0:v:0", "-vf", vf,
                        "-f", "null", "-"], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        global TOOL_FAILED
        TOOL_FAILED = True
        log(f"  blackdetect: ffmpeg exited {r.returncode} on {clip}: {r.stderr.strip()[-300:]}")
    found = re.findall(r"black_start:\s*(\S+)\s+black_end:\s*(\S+)", r.stderr)
    return [(time_to_frame(times, float(a)), time_to_frame(times, float(b))) for a, b in found]


# --- report ------------------------------------------------------------------------------------

def fmt_iv(xs):
    return "[" + ", ".join(f"{a}..<{b}" for a, b in xs) + "]" if xs else "[]"


def compare_clip(clip, args, truth=None):
    name = os.path.basename(clip)
    log(f"compare-peers: {name}")
    global TOOL_FAILED
    ours, why = run_ours(clip, args)
    if ours is None and not args.ours_dir:
        TOOL_FAILED = True
    try:
        psd = run_pyscenedetect(clip)
    except Exception as e:  # a clip OpenCV cannot open is a result to report
        psd, TOOL_FAILED = None, True
        log(f"  PySceneDetect failed on {name}: {e}")
    times = frame_times(clip)
    black = run_blackdetect(clip, args.black_min, times)
    row = {"clip": name, "ffprobe_frames": len(times), "ours_error": why,
           "ours": ours, "pyscenedetect": psd and {k: v for k, v in psd.items() if k != "scores"},
           "blackdetect": black}
    if ours and psd:
        pairs, ours_only, theirs_only = match_cuts(ours["cuts"], psd["cuts"], args.tolerance)
        row["matched"] = len(pairs)
        row["ours_only"], row["theirs_only"] = ours_only, theirs_only
    if truth is not None and psd is not None:
        row["truth"] = score_truth(truth, ours, psd, black)
    return row, psd


def score_truth(truth, ours, psd, black):
    """Every tool against the TruthClip's declared truth."""
    out = {}
    cuts = truth["hardCuts"]
    for tool, found in (("gopfarm", ours and ours["cuts"]), ("pyscenedetect", psd["cuts"])):
        if found is None:
            continue
        pairs, extra, missed = match_cuts(found, cuts, 1)
        out[tool] = {"found": len(pairs), "of": len(cuts), "missed": missed, "false": extra}
    b = [tuple(x) for x in truth["black"]]
    out["blackdetect_equal"] = black == b
    if ours:
        out["gopfarm_black"] = ours["black"]
        out["gopfarm_frozen"] = ours["frozen"]
    s = psd["scores"]
    at_cuts = [float(s[c]) for c in cuts if c < len(s)]
    ramps = set()
    for t in truth["transitions"]:
        lo, hi = t["frames"]
        ramps.update(range(lo - 1, hi + 2))
    elsewhere = [(float(v), i) for i, v in enumerate(s) if i not in cuts and i not in ramps]
    out["score_min_at_cuts"] = round(min(at_cuts), 1) if at_cuts else None
    out["score_max_elsewhere"] = max(elsewhere) if elsewhere else None
    out["score_max_elsewhere"] = out["score_max_elsewhere"] and (round(out["score_max_elsewhere"][0], 1), out["score_max_elsewhere"][1])
    return out


def print_report(rows, args):
    tol = args.tolerance
    print(f"\nScene cuts (PySceneDetect ContentDetector, threshold 27, min scene 15 frames) and black "
          f"(blackdetect d={args.black_min} pix_th=0.10 pic_th=0.98); cuts matched within ±{tol} frames.")
    print(f"agreement = matched / max(ours, theirs); frames = decoded frames ours / PySceneDetect / ffprobe\n")
    h = f"{'clip':38} {'frames':>17} {'ours':>5} {'theirs':>6} {'matched':>7} {'agree':>6}  black ours/ffmpeg"
    print(h)
    print("-" * len(h))
    tm = tmax = tunion = 0
    for r in rows:
        ours, psd = r["ours"], r["pyscenedetect"]
        frames = f"{ours['frames'] if ours else '-'}/{psd['frames'] if psd else '-'}/{r['ffprobe_frames']}"
        if ours and psd:
            no, nt, m = len(ours["cuts"]), len(psd["cuts"]), r["matched"]
            tm, tmax, tunion = tm + m, tmax + max(no, nt), tunion + no + nt - m
            cuts = f"{no:>5} {nt:>6} {m:>7} {agreement(no, nt, m) * 100:>5.0f}%"
        elif psd:
            cuts = f"{'n/a':>5} {len(psd['cuts']):>6} {'-':>7} {'-':>6}"
        else:
            cuts = f"{'-':>5} {'-':>6} {'-':>7} {'-':>6}"
        nb = f"{len(ours['black']) if ours else '-'}/{len(r['blackdetect'])}"
        print(f"{r['clip'][:38]:38} {frames:>17} {cuts}  {nb}")
    print("-" * len(h))
    if tmax:
        print(f"scene cuts agree on {tm / tmax * 100:.1f} % of cuts within ±{tol} frames "
              f"({tm} matched / {tmax} = sum of max(ours, theirs)); {tm / tunion * 100:.1f} % of all distinct cuts "
              f"({tm} / {tunion} = matched / union)")
    else:
        have = any(r["ours"] for r in rows)
        print("scene cuts: no clip has cuts on either side" if have else "scene cuts: gopfarm analyze gave no result; peers only")

    print("\nPer clip:")
    for r in rows:
        ours, psd = r["ours"], r["pyscenedetect"]
        print(f"\n{r['clip']}")
        if psd:
            print(f"  PySceneDetect cuts (decoded frame index): {psd['cuts']}, scores {psd['cut_scores']}; "
                  f"highest other frames (score, frame) {psd['highest_other']}")
            if [c for c in psd["frame_num_of_cuts"]] != psd["cuts"]:
                print(f"    (its own frame_num, seconds x average rate: {psd['frame_num_of_cuts']})")
        if ours:
            print(f"  gopfarm cuts: {ours['cuts']}")
            if ours["transitions"]:
                print(f"  gopfarm transitions: {[f'{k}@{a}..<{b}' for k, a, b in ours['transitions']]}")
            if "ours_only" in r and (r["ours_only"] or r["theirs_only"]):
                print(f"  only gopfarm: {r['ours_only']}  only PySceneDetect: {r['theirs_only']}")
        else:
            print(f"  gopfarm: {r['ours_error']}")
        if ours or r["blackdetect"]:
            print(f"  black gopfarm {fmt_iv(ours['black']) if ours else '-'}  blackdetect {fmt_iv(r['blackdetect'])}")
            if ours:
                pairs, alone, left = match_intervals(ours["black"], r["blackdetect"])
                for (oa, ob), (ta, tb) in pairs:
                    print(f"    {oa}..<{ob} vs {ta}..<{tb}: start {oa - ta:+d}, end {ob - tb:+d} frames")
                if alone or left:
                    print(f"    only gopfarm {fmt_iv(alone)}, only blackdetect {fmt_iv(left)}")
        if "truth" in r:
            t = r["truth"]
            print("  against the truth:")
            for tool in ("gopfarm", "pyscenedetect"):
                if tool in t:
                    x = t[tool]
                    print(f"    {tool:14} {x['found']}/{x['of']} hard cuts within ±1, missed {x['missed']}, false {x['false']}")
            print(f"    blackdetect equals the truth's black: {t['blackdetect_equal']}")
            if "gopfarm_black" in t:
                print(f"    gopfarm black {fmt_iv(t['gopfarm_black'])}, frozen {fmt_iv(t['gopfarm_frozen'])}")
            print(f"    PySceneDetect score: lowest at a true cut {t['score_min_at_cuts']}, highest elsewhere "
                  f"(outside fades/dissolves) {t['score_max_elsewhere']}")


# --- self-test -----------------------------------------------------------------------------------

SAMPLE = """gopfarm: analyzing (progress lines may precede the JSON)
{
  "settings" : {"planeWidth" : 256, "sceneThreshold" : 27, "minSceneFrames" : 15, "fadeFrameThreshold" : 2,
                "fadeTotalThreshold" : 40, "fadeMinFrames" : 5, "blackPixelThreshold" : 0.1, "blackPictureRatio" : 0.98,
                "blackMinSeconds" : 0.5, "freezeNoise" : 0.001, "freezeMinSeconds" : 1, "thumbnailWidth" : 320,
                "thumbnailSeconds" : 2, "quality" : false, "ssimEvery" : 4},
  "frames" : 300, "duration" : 12,
  "scenes" : [
    {"index" : 0, "startFrame" : 0, "endFrame" : 100, "start" : 0, "end" : 4, "kind" : "start"},
    {"index" : 1, "startFrame" : 100, "endFrame" : 180, "start" : 4, "end" : 7.2, "kind" : "cut", "score" : 83.2, "thumbnail" : "scene-1.jpg"},
    {"index" : 2, "startFrame" : 206, "endFrame" : 250, "start" : 8.24, "end" : 10, "kind" : "transition"},
    {"index" : 3, "startFrame" : 250, "endFrame" : 300, "start" : 10, "end" : 12, "kind" : "cut", "score" : 64}
  ],
  "transitions" : [{"kind" : "fade-out", "startFrame" : 169, "endFrame" : 180, "start" : 6.76, "end" : 7.2},
                   {"kind" : "fade-in", "startFrame" : 195, "endFrame" : 206, "start" : 7.8, "end" : 8.24}],
  "black" : [{"startFrame" : 179, "endFrame" : 196, "start" : 7.16, "end" : 7.84, "duration" : 0.68}],
  "frozen" : [{"startFrame" : 30, "endFrame" : 80, "start" : 1.2, "end" : 3.2, "duration" : 2}],
  "statistics" : {"lumaMean" : 90.5, "lumaMin" : 16, "lumaMax" : 235, "colourfulness" : 40.1, "motion" : 3.2, "sharpness" : 12},
  "segments" : [{"index" : 0, "startFrame" : 0, "frames" : 300, "start" : 0, "agent" : "local-1", "bytes" : 0,
                 "decodeSeconds" : 0.4, "encodeSeconds" : 0, "analysisSeconds" : 0.3, "lossless" : false}]
}
"""


def self_test():
    a = parse_job_analysis(SAMPLE)
    assert a["frames"] == 300, a
    assert a["cuts"] == [100, 250], a["cuts"]
    assert a["transitions"] == [("fade-out", 169, 180), ("fade-in", 195, 206)], a["transitions"]
    assert a["black"] == [(179, 196)] and a["frozen"] == [(30, 80)], a
    pairs, ours_only, theirs_only = match_cuts([100, 250, 400], [101, 180, 252, 253], 2)
    assert pairs == [(100, 101), (250, 252)] and ours_only == [400] and theirs_only == [180, 253], (pairs, ours_only, theirs_only)
    assert agreement(3, 4, 2) == 0.5 and agreement(0, 0, 0) == 1.0
    pairs, alone, left = match_intervals([(179, 196), (500, 520)], [(178, 196), (600, 620)])
    assert pairs == [((179, 196), (178, 196))] and alone == [(500, 520)] and left == [(600, 620)]
    times = [0.0, 0.04, 0.08, 0.12]
    assert time_to_frame(times, 0.04) == 1 and time_to_frame(times, 0.0399999) == 1 and time_to_frame(times, 0.16) == 4
    print("compare_peers self-test: ok")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("clips", nargs="*")
    p.add_argument("--gopfarm", default=os.environ.get("GOPFARM", ".build/debug/gopfarm"))
    p.add_argument("--black-min", type=float, default=0.5, help="seconds; gopfarm's default (AnalysisSettings)")
    p.add_argument("--tolerance", type=int, default=2, help="frames within which two cuts match")
    p.add_argument("--ours-dir", help="read gopfarm's JSON from DIR/<clip>.json instead of running it")
    p.add_argument("--truth", help="a TruthClip (with CLIP.truth.json beside it) to add and score against its truth")
    p.add_argument("--keep", help="directory to keep gopfarm's JSON and the results in")
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--self-test", action="store_true")
    args = p.parse_args()
    if args.self_test:
        self_test()
        return 0
    rows = []
    for clip in args.clips:
        row, _ = compare_clip(clip, args)
        rows.append(row)
    if args.truth:
        with open(args.truth + ".truth.json") as f:
            truth = json.load(f)
        row, _ = compare_clip(args.truth, args, truth)
        rows.append(row)
    if not rows:
        p.error("no clips")
    print_report(rows, args)
    if args.keep:
        with open(os.path.join(args.keep, "results.json"), "w") as f:
            json.dump(rows, f, indent=1)
    failed = [r["clip"] for r in rows if r["ours"] is None and not args.ours_dir]
    if failed:
        print(f"\ngopfarm analyze gave no result on {len(failed)} of {len(rows)} clips; first: {rows[0]['ours_error'] if rows[0]['ours'] is None else next(r['ours_error'] for r in rows if r['ours'] is None)}")
    return 1 if TOOL_FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
