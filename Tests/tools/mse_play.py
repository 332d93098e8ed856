#!/usr/bin/env python3
"""Plays every CMAF track of a packaged ladder in headless Chromium through Media Source
Extensions (Tests/tools/mse_player.html): each video rendition and each audio rendition named by
OUTDIR/master.m3u8. The product never runs this; tests do.

Usage:
  python3 Tests/tools/mse_play.py OUTDIR [--json] [--master master.m3u8] [--rate 16]
                                  [--allow-unsupported] [--support]

For each track: MediaSource.isTypeSupported('video/mp4; codecs="<the variant's CODECS entry>"'),
append init.mp4 and every segment to one SourceBuffer, endOfStream(), play muted at --rate to the
'ended' event; any media element or SourceBuffer error, or not reaching 'ended', fails the track.
Output: one line per track, `ok <track> <codec> ...` or `FAIL <track> <codec>: <error>`
(`UNSUPPORTED` when Chromium cannot decode the codec), and a summary; --json prints
{"ok": bool, "support": {mime: bool}, "tracks": [{"track","kind","mime","ok","error",...}]}.
--support only prints which codecs this Chromium supports (avc1, hvc1, mp4a, opus, vp09, av01).
Exit status: 0 when every track plays (unsupported codecs count as failures unless
--allow-unsupported), 1 otherwise, 2 when the browser cannot run.
Environment: CHROMIUM (default /usr/bin/chromium), CHROMEDRIVER (default /usr/bin/chromedriver).
"""
import argparse
import functools
import http.server
import json
import os
import sys
import threading
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.path.join(HERE, "mse_player.html")
SUPPORT_TYPES = ['video/mp4; codecs="avc1.42E01E"', 'video/mp4; codecs="avc1.64001F"',
                 'video/mp4; codecs="hvc1.1.6.L93.B0"', 'video/mp4; codecs="hev1.1.6.L93.B0"',
                 'audio/mp4; codecs="mp4a.40.2"', 'audio/mp4; codecs="opus"',
                 'video/mp4; codecs="vp09.00.10.08"', 'video/mp4; codecs="av01.0.04M.08"']

VIDEO_CODECS = ("avc1", "avc3", "hvc1", "hev1", "av01", "vp09", "vp08", "dvh1", "dvhe")


def codec_entries(codecs):
    return [c.strip() for c in (codecs or "").split(",") if c.strip()]


def is_video_codec(entry):
    return entry.split(".")[0].lower() in VIDEO_CODECS


def discover_tracks(master_path):
    """(track list, problems): every variant's video track and every audio rendition, with the MSE
    mime type from the CODECS of the variants that use them, and their init/segment paths."""
    import m3u8
    master = m3u8.load(master_path)
    tracks, problems, seen = [], [], set()

    def media_files(uri):
        path = os.path.normpath(os.path.join(os.path.dirname(master_path), uri))
        playlist = m3u8.load(path)
        maps = [m for m in (playlist.segment_map or []) if m.uri]
        if not maps:
            raise ValueError("%s has no EXT-X-MAP" % uri)
        base = os.path.dirname(path)
        return (os.path.normpath(os.path.join(base, maps[0].uri)),
                [os.path.normpath(os.path.join(base, s.uri)) for s in playlist.segments],
                sum(s.duration or 0 for s in playlist.segments))

    audio_codec_of_group = {}
    for variant in master.playlists:
        info = variant.stream_info
        entries = codec_entries(info.codecs)
        video = [c for c in entries if is_video_codec(c)]
        audio = [c for c in entries if not is_video_codec(c)]
        if info.audio and audio:
            audio_codec_of_group.setdefault(info.audio, audio[0])
        if variant.uri in seen:
            continue
        seen.add(variant.uri)
        kind = "video" if video or info.resolution else "audio"
        codec = (video or audio or [None])[0]
        tracks.append({"uri": variant.uri, "kind": kind, "codec": codec})
    for media in master.media:
        if media.type == "AUDIO" and media.uri and media.uri not in seen:
            seen.add(media.uri)
            tracks.append({"uri": media.uri, "kind": "audio", "codec": audio_codec_of_group.get(media.group_id),
                           "language": media.language})
    for track in tracks:
        if track["codec"] is None:
            problems.append("%s: no CODECS entry names its codec" % track["uri"])
        track["mime"] = '%s/mp4; codecs="%s"' % (track["kind"], track["codec"])
        try:
            track["init"], track["segments"], track["duration"] = media_files(track["uri"])
        except (ValueError, OSError) as error:
            track["error"] = str(error)
    return tracks, problems


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves OUTDIR under /media/ and the page at /mse_player.html; logs nothing."""

    def __init__(self, *args, outdir=None, **kwargs):
        self.outdir = outdir
        super().__init__(*args, directory=outdir, **kwargs)

    def translate_path(self, path):
        clean = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        if clean == "/mse_player.html":
            return PAGE
        if clean.startswith("/media/"):
            return os.path.join(self.outdir, *[p for p in clean[len("/media/"):].split("/") if p not in ("", ".", "..")])
        return os.path.join(self.outdir, "__nothing__")

    def log_message(self, *args):
        pass


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--mute-audio",
                "--autoplay-policy=no-user-gesture-required", "--disable-extensions", "--no-first-run"]:
        options.add_argument(arg)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def main(argv):
    parser = argparse.ArgumentParser(description="Plays each CMAF track of a package through MSE in headless Chromium.")
    parser.add_argument("outdir", nargs="?")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--master", default="master.m3u8")
    parser.add_argument("--rate", type=float, default=16.0, help="playbackRate (Chromium allows up to 16)")
    parser.add_argument("--allow-unsupported", action="store_true", help="a codec Chromium lacks is not a failure")
    parser.add_argument("--support", action="store_true", help="only print this Chromium's codec support")
    args = parser.parse_args(argv)
    if not args.support and not args.outdir:
        parser.error("OUTDIR is required")
    outdir = os.path.abspath(args.outdir or HERE)
    try:
        tracks, problems = ([], []) if args.support else discover_tracks(os.path.join(outdir, args.master))
    except Exception as error:  # a missing or unparsable master: one sentence, not a traceback
        print("mse_play: cannot read %s: %s" % (os.path.join(outdir, args.master), error), file=sys.stderr)
        return 1

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, outdir=outdir))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    try:
        driver = browser()
    except Exception as error:  # selenium raises many kinds; the caller needs one sentence
        print("mse_play: cannot start headless Chromium: %s" % str(error).splitlines()[0], file=sys.stderr)
        server.shutdown()
        return 2
    results = []
    try:
        driver.get(base + "/mse_player.html")
        support = driver.execute_script("return window.supportTable(arguments[0])", SUPPORT_TYPES)
        for track in tracks:
            entry = {"track": track["uri"], "kind": track["kind"], "mime": track["mime"],
                     "language": track.get("language"), "ok": False, "error": track.get("error")}
            if entry["error"] is None:
                def url(path):
                    return base + "/media/" + urllib.parse.quote(os.path.relpath(path, outdir))
                timeout_ms = int((track["duration"] / args.rate + 60) * 1000)
                driver.set_script_timeout(timeout_ms / 1000 + 60 + len(track["segments"]))
                played = driver.execute_async_script(
                    "const done = arguments[arguments.length - 1]; window.playTrack(arguments[0]).then(done, "
                    "e => done({ok: false, error: String(e)}));",
                    {"mime": track["mime"], "init": url(track["init"]), "segments": [url(s) for s in track["segments"]],
                     "rate": args.rate, "timeoutMs": timeout_ms})
                entry.update(played)
                entry["unsupported"] = played.get("supported") is False
            results.append(entry)
    finally:
        driver.quit()
        server.shutdown()

    failed = [r for r in results if not r["ok"] and not (r.get("unsupported") and args.allow_unsupported)]
    ok = not failed and not problems and (bool(results) or args.support)
    if args.json:
        print(json.dumps({"ok": ok, "support": support, "problems": problems, "tracks": results}, indent=1))
    else:
        for mime, yes in support.items():
            print("support %-40s %s" % (mime, "yes" if yes else "no"))
        for p in problems:
            print("FAIL %s" % p)
        for r in results:
            if r["ok"]:
                print("ok %s %s ended at %.3f s%s%s" % (r["track"], r["mime"], r.get("currentTime", 0),
                      ", %s frames decoded" % r["decodedFrames"] if r.get("decodedFrames") is not None and r["kind"] == "video" else "",
                      ", start gap %.3f s skipped" % r["startGap"] if r.get("startGap") else ""))
            else:
                print("%s %s %s: %s" % ("UNSUPPORTED" if r.get("unsupported") else "FAIL", r["track"], r["mime"], r["error"]))
        print("mse_play: %d of %d track(s) played to the end" % (sum(1 for r in results if r["ok"]), len(results)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
