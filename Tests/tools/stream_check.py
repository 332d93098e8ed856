#!/usr/bin/env python3
"""Test oracle for a packaged ABR ladder (HLS + DASH over CMAF tracks): RFC 8216 rules, the MPD's
SegmentTimeline, and what ffprobe/ffmpeg see in the tracks. The product never runs this; tests do.

Usage:
  python3 Tests/tools/stream_check.py OUTDIR [--source SRC] [--json] [--tolerance 0.005]
                                      [--master master.m3u8] [--mpd manifest.mpd]

OUTDIR holds master.m3u8 and manifest.mpd (either may be missing only if the other is given
explicitly with --master/--mpd "" to skip it). Tracks are found from the playlists and the MPD; every
URI is resolved relative to the file that names it, so any layout works.

Output: one line per problem, `FAIL <rule>: <where>: <what>`, then notes (`NOTE ...`) and a
summary line `stream_check: N problem(s), M track(s) checked`. With --json, one JSON object:
{"ok": bool, "problems": [{"rule","where","message"}], "notes": [...], "tracks": {...},
 "variants": [{"uri","bandwidth","measuredPeak","averageBandwidth","measuredAverage"}]}.
Exit status: 0 when every rule holds, 1 otherwise, 2 on bad usage.

Rules (the <rule> names a test can grep for):
  playlist-parse      a playlist does not start with #EXTM3U or the `m3u8` package cannot parse it strictly
  version             EXT-X-VERSION missing, repeated, or lower than the features used need (RFC 8216 7)
  independent-segments  master lacks EXT-X-INDEPENDENT-SEGMENTS
  targetduration      EXT-X-TARGETDURATION missing
  extinf-target       an EXTINF rounded to the nearest integer exceeds EXT-X-TARGETDURATION (4.3.3.1)
  extinf-actual       an EXTINF differs from the segment's real duration by more than one frame
  audio-tail          an audio segment starts after the last video frame
  extinf-last         the last EXTINF differs from its samples' real duration (trun) by more than 1 ms
  map                 a CMAF media playlist lacks EXT-X-MAP
  endlist             a media playlist lacks EXT-X-ENDLIST (the package is VOD)
  missing-file        a URI names a file that is not there
  bandwidth           BANDWIDTH is not the largest sum of peak segment bit rates of a playable
                      combination of renditions (4.3.4.2 with the definitions of 4.1), within --tolerance
  average-bandwidth   AVERAGE-BANDWIDTH missing or not the sum of average segment bit rates
  resolution          RESOLUTION missing or not the track's size
  frame-rate          FRAME-RATE missing or not the track's frame rate (3 decimals)
  codecs              CODECS missing, not one entry per media type, or not what the track holds
  audio-group         AUDIO/SUBTITLES group not declared, or EXT-X-MEDIA attributes inconsistent
  subtitles           a WebVTT segment does not start with WEBVTT
  dash-parse, dash-template, dash-timeline, dash-duration, dash-attributes, dash-files
                      the MPD: SegmentTemplate+SegmentTimeline per Representation, one timeline
                      entry per file present, total duration = track duration within one frame,
                      bandwidth/width/height/codecs present and consistent with HLS
  keyframe            a media segment does not start with a key frame (IDR)
  idr-alignment       key frame times or segment boundaries differ between video renditions
  source-frames       (--source) a rung's frame count or frame times (ffprobe) differ from the source's, counted
                      from the source's start, by more than 1 ms
  cli-oracle          (--source) `ffmpeg -i master.m3u8|manifest.mpd -map 0:v:N -f framemd5 -` lists another frame
                      count than the same command on the source, or pts that are not the source's plus one
                      constant, or a constant over the time the package's audio starts before its video (to the
                      tick), or any constant where nothing starts before the video
  av-offset           (--source) read through master.m3u8 by the CLI, the first audio rendition is not where the
                      source puts its audio against its video (more than 0.5 ms apart, by cross-correlation at 8 kHz)
  ffmpeg-read         `ffmpeg -v error -i master.m3u8|manifest.mpd -map 0 -f null -` failed or printed errors
"""
import argparse
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

try:
    import m3u8
except ImportError:  # the caller sees one clear sentence, not a traceback
    print("stream_check: python3 cannot import m3u8 (pip install m3u8; deploy/install-deps.sh --test installs it)",
          file=sys.stderr)
    sys.exit(2)


class Report:
    def __init__(self):
        self.problems = []
        self.notes = []
        self.tracks = {}
        self.variants = []

    def fail(self, rule, where, message):
        self.problems.append({"rule": rule, "where": where, "message": message})

    def note(self, message):
        self.notes.append(message)


# ---------------------------------------------------------------------------------------------
# Pure helpers (no I/O)

def peak_segment_bitrate(sizes, durations, target):
    """RFC 8216 4.1: the largest bit rate of any contiguous set of segments whose total duration is
    between 0.5 and 1.5 times the target duration (sizes in bytes, without the init section)."""
    best = 0.0
    n = len(sizes)
    for i in range(n):
        total_bytes, total_time = 0, 0.0
        for j in range(i, n):
            total_bytes += sizes[j]
            total_time += durations[j]
            if total_time > 1.5 * target + 1e-9:
                break
            if total_time >= 0.5 * target - 1e-9 and total_time > 0:
                best = max(best, 8.0 * total_bytes / total_time)
    if best == 0.0:
        # No set qualifies (e.g. a playlist shorter than half the target): the playlist as one set.
        total_time = sum(durations)
        if total_time > 0:
            best = 8.0 * sum(sizes) / total_time
    return best


def average_segment_bitrate(sizes, durations):
    """RFC 8216 4.1: every segment's size in bits over the playlist's duration."""
    total = sum(durations)
    return 8.0 * sum(sizes) / total if total > 0 else 0.0


def required_version(media_playlist_text, is_master):
    """The lowest EXT-X-VERSION the tags in a playlist need (RFC 8216 section 7)."""
    need, why = 1, "no versioned feature"

    def bump(v, reason):
        nonlocal need, why
        if v > need:
            need, why = v, reason
    text = media_playlist_text
    if re.search(r"#EXT-X-KEY:[^\n]*\bIV=", text):
        bump(2, "EXT-X-KEY IV")
    if re.search(r"#EXTINF:\s*\d+\.\d", text):
        bump(3, "floating-point EXTINF")
    if "#EXT-X-BYTERANGE" in text or "#EXT-X-I-FRAMES-ONLY" in text:
        bump(4, "EXT-X-BYTERANGE or EXT-X-I-FRAMES-ONLY")
    if re.search(r"KEYFORMAT(VERSIONS)?=", text):
        bump(5, "KEYFORMAT")
    if "#EXT-X-MAP" in text:
        bump(5 if "#EXT-X-I-FRAMES-ONLY" in text else 6, "EXT-X-MAP")
    if is_master and re.search(r'INSTREAM-ID="SERVICE', text):
        bump(7, "INSTREAM-ID SERVICE")
    if "#EXT-X-DEFINE" in text:
        bump(8, "EXT-X-DEFINE")
    return need, why


PROFILE_IDC = {"Baseline": 66, "Constrained Baseline": 66, "Main": 77, "Extended": 88, "High": 100,
               "High 10": 110, "High 10 Intra": 110, "High 4:2:2": 122, "High 4:2:2 Intra": 122,
               "High 4:4:4 Predictive": 244, "High 4:4:4 Intra": 244, "Progressive High": 100,
               "Constrained High": 100}


def split_codecs(codecs):
    return [c.strip() for c in (codecs or "").split(",") if c.strip()]


def codec_kind(entry):
    head = entry.split(".")[0].lower()
    if head in ("avc1", "avc3", "hvc1", "hev1", "av01", "vp09", "vp08", "dvh1", "dvhe"):
        return "video"
    if head in ("mp4a", "opus", "ac-3", "ec-3", "flac", "alac", "fLaC".lower()):
        return "audio"
    if head in ("wvtt", "stpp"):
        return "subtitles"
    return "unknown"


def frame_rate_value(text):
    try:
        num, den = (text or "0/0").split("/")
        return float(num) / float(den) if float(den) else 0.0
    except ValueError:
        return 0.0


# ---------------------------------------------------------------------------------------------
# ISO BMFF: the codec string a track's sample entry implies (what CODECS must say)

def boxes(data, start, end):
    i = start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
            header = 16
        elif size == 0:
            size = end - i
        if size < header:
            return
        yield kind.decode("latin-1"), i + header, i + size
        i += size


def find_box(data, path, start=0, end=None):
    end = len(data) if end is None else end
    for kind, s, e in boxes(data, start, end):
        if kind == path[0]:
            return (s, e) if len(path) == 1 else find_box(data, path[1:], s, e)
    return None


def media_timescale(init_bytes):
    """The track's timescale (mdhd), or None."""
    mdhd = find_box(init_bytes, ["moov", "trak", "mdia", "mdhd"])
    if mdhd is None:
        return None
    version = init_bytes[mdhd[0]]
    return struct.unpack(">I", init_bytes[mdhd[0] + (20 if version == 1 else 12):][:4])[0]


def sample_durations(init_bytes, segment_bytes):
    """Every sample's duration (timescale units) in a media segment, in decode order, from its
    tfhd/trun (trex for the default): what the file says, where ffprobe shows N/A."""
    default = 0
    trex = find_box(init_bytes, ["moov", "mvex", "trex"])
    if trex is not None:
        default = struct.unpack(">I", init_bytes[trex[0] + 12:trex[0] + 16])[0]
    out = []
    for kind, s, e in boxes(segment_bytes, 0, len(segment_bytes)):
        if kind != "moof":
            continue
        for tkind, ts, te in boxes(segment_bytes, s, e):
            if tkind != "traf":
                continue
            track_default = default
            for bkind, bs, be in boxes(segment_bytes, ts, te):
                flags = struct.unpack(">I", segment_bytes[bs:bs + 4])[0] & 0xFFFFFF
                if bkind == "tfhd":
                    at = bs + 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
                    if flags & 0x08:
                        track_default = struct.unpack(">I", segment_bytes[at:at + 4])[0]
                elif bkind == "trun":
                    count = struct.unpack(">I", segment_bytes[bs + 4:bs + 8])[0]
                    at = bs + 8 + (4 if flags & 0x01 else 0) + (4 if flags & 0x04 else 0)
                    step = 4 * bin(flags & 0xF00).count("1")
                    for i in range(count):
                        if flags & 0x100:
                            out.append(struct.unpack(">I", segment_bytes[at + i * step:at + i * step + 4])[0])
                        else:
                            out.append(track_default)
    return out


def nal_length_size(init_bytes):
    """Bytes of each NAL unit's length prefix in an AVC/HEVC sample (from avcC/hvcC), or None."""
    stsd = find_box(init_bytes, ["moov", "trak", "mdia", "minf", "stbl", "stsd"])
    if not stsd:
        return None
    entries = list(boxes(init_bytes, stsd[0] + 8, stsd[1]))
    if not entries or entries[0][0] not in ("avc1", "avc3", "hvc1", "hev1"):
        return None
    fourcc, es, ee = entries[0]
    for kind, cs, _ in boxes(init_bytes, es + 78, ee):
        if kind == "avcC":
            return (init_bytes[cs + 4] & 3) + 1
        if kind == "hvcC":
            return (init_bytes[cs + 21] & 3) + 1
    return None


def is_idr_sample(sample, length_size, hevc):
    """Whether a length-prefixed AVC/HEVC sample holds an IDR picture (H.264 NAL type 5, HEVC
    IDR_W_RADL/IDR_N_LP 19/20): a CRA or recovery-point I-frame is a key frame but not an IDR."""
    i = 0
    while i + length_size <= len(sample):
        size = int.from_bytes(sample[i:i + length_size], "big")
        i += length_size
        if size <= 0 or i >= len(sample):
            break
        if hevc:
            nal = (sample[i] >> 1) & 0x3F
            if nal in (19, 20):
                return True
            if nal < 32:  # another VCL NAL: this picture is not an IDR
                return False
        else:
            nal = sample[i] & 0x1F
            if nal == 5:
                return True
            if nal == 1:
                return False
        i += size
    return False


def sample_entry_codec(init_bytes):
    """(fourcc, codec string) from the first track's stsd in an init segment, or (None, None)."""
    stsd = find_box(init_bytes, ["moov", "trak", "mdia", "minf", "stbl", "stsd"])
    if not stsd:
        return None, None
    s, e = stsd
    entries = list(boxes(init_bytes, s + 8, e))  # full box header + entry_count
    if not entries:
        return None, None
    fourcc, es, ee = entries[0]
    if fourcc in ("avc1", "avc3", "hvc1", "hev1", "av01", "vp09"):
        children = es + 78  # VisualSampleEntry fields
    elif fourcc in ("mp4a", "Opus", "fLaC", "ac-3", "ec-3"):
        children = es + 28  # AudioSampleEntry fields
    else:
        return fourcc, None
    sub = {k: (cs, ce) for k, cs, ce in boxes(init_bytes, children, ee)}
    d = init_bytes
    if fourcc in ("avc1", "avc3") and "avcC" in sub:
        cs, _ = sub["avcC"]
        return fourcc, "%s.%02x%02x%02x" % (fourcc, d[cs + 1], d[cs + 2], d[cs + 3])
    if fourcc in ("hvc1", "hev1") and "hvcC" in sub:
        cs, _ = sub["hvcC"]
        b = d[cs + 1]
        space = ["", "A", "B", "C"][b >> 6]
        tier = "H" if b & 0x20 else "L"
        idc = b & 0x1F
        compat = struct.unpack(">I", d[cs + 2:cs + 6])[0]
        rev = int("{:032b}".format(compat)[::-1], 2)
        constraints = list(d[cs + 6:cs + 12])
        while constraints and constraints[-1] == 0:
            constraints.pop()
        level = d[cs + 12]
        parts = ["%s%d" % (space, idc), "%X" % rev, "%s%d" % (tier, level)] + ["%X" % c for c in constraints]
        return fourcc, fourcc + "." + ".".join(parts)
    if fourcc == "av01" and "av1C" in sub:
        cs, _ = sub["av1C"]
        profile = d[cs + 1] >> 5
        level = d[cs + 1] & 0x1F
        tier = "H" if d[cs + 2] & 0x80 else "M"
        high, twelve = bool(d[cs + 2] & 0x40), bool(d[cs + 2] & 0x20)
        depth = 12 if (profile == 2 and high and twelve) else (10 if high else 8)
        return fourcc, "av01.%d.%02d%s.%02d" % (profile, level, tier, depth)
    if fourcc == "mp4a" and "esds" in sub:
        cs, ce = sub["esds"]
        blob = d[cs + 4:ce]
        # DecoderConfigDescriptor (tag 4): objectTypeIndication; DecoderSpecificInfo (tag 5): AOT
        oti, aot = None, None
        i = 0
        while i < len(blob):
            tag = blob[i]
            i += 1
            length = 0
            for _ in range(4):
                byte = blob[i]
                i += 1
                length = (length << 7) | (byte & 0x7F)
                if not byte & 0x80:
                    break
            if tag == 3:
                flags = blob[i + 2]
                i += 3 + (2 if flags & 0x80 else 0) + (2 if flags & 0x20 else 0)
                continue
            if tag == 4:
                oti = blob[i]
                i += 13
                continue
            if tag == 5:
                aot = blob[i] >> 3
                if aot == 31:
                    aot = 32 + (((blob[i] & 7) << 3) | (blob[i + 1] >> 5))
                break
            i += length
        if oti is None:
            return fourcc, None
        return fourcc, "mp4a.%x" % oti + (".%d" % aot if aot is not None and oti == 0x40 else "")
    if fourcc == "Opus":
        return fourcc, "opus"
    if fourcc == "fLaC":
        return fourcc, "flac"
    return fourcc, None


def codec_matches(declared, actual):
    """HEVC strings are compared case-insensitively with trailing zero constraint bytes ignored."""
    def norm(c):
        parts = c.lower().split(".")
        if parts[0] in ("hvc1", "hev1"):
            while len(parts) > 4 and parts[-1] in ("0", "00"):
                parts.pop()
        if parts[0] == "av01":
            parts = parts[:4]
        return ".".join(parts)
    return norm(declared) == norm(actual)


# ---------------------------------------------------------------------------------------------
# I/O helpers

def run(args, timeout=600):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)


def local_path(base_file, uri):
    if re.match(r"^[a-z]+://", uri or ""):
        return None
    return os.path.normpath(os.path.join(os.path.dirname(base_file), uri))


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def parse_playlist(path, report, where):
    text = read_text(path)
    if not text.startswith("#EXTM3U"):
        report.fail("playlist-parse", where, "does not start with #EXTM3U")
    try:
        m3u8.parser.parse(text, strict=True)
    except Exception as error:  # m3u8 raises its own ParseError and plain exceptions
        report.fail("playlist-parse", where, "the m3u8 package cannot parse it strictly: %s" % error)
    try:
        pl = m3u8.loads(text, uri=path)
    except Exception as error:  # the lenient parse failing too: nothing more can be checked here
        report.fail("playlist-parse", where, "the m3u8 package cannot parse it at all: %s" % error)
        return None, text
    versions = re.findall(r"^#EXT-X-VERSION:(\d+)\s*$", text, re.M)
    is_master = "#EXT-X-STREAM-INF" in text or "#EXT-X-MEDIA:" in text
    need, why = required_version(text, is_master)
    if not versions:
        report.fail("version", where, "EXT-X-VERSION is missing (%s needs >= %d)" % (why, need))
    elif len(versions) > 1:
        report.fail("version", where, "EXT-X-VERSION appears %d times" % len(versions))
    elif int(versions[0]) < need:
        report.fail("version", where, "EXT-X-VERSION:%s but %s needs >= %d" % (versions[0], why, need))
    return pl, text


def track_file(tmpdir, name):
    """Where a track's init + segments are concatenated for ffprobe."""
    return os.path.join(tmpdir, re.sub(r"[^A-Za-z0-9_.-]", "_", name) + ".mp4")


def display_size(stream):
    """The track's size as a player shows it: stored width x height, turned when its display
    matrix holds a quarter turn (a portrait phone clip stored landscape). RFC 8216's RESOLUTION
    and DASH's @width/@height are this size."""
    width, height = int(stream.get("width", 0)), int(stream.get("height", 0))
    for side in stream.get("side_data_list", []) or []:
        rotation = side.get("rotation")
        if rotation is not None and abs(int(round(float(rotation)))) % 180 == 90:
            return height, width
    return width, height


def probe_track(init, segments, tmpdir, name, want_frames):
    """Concatenates init + segments and asks ffprobe for the stream, every packet and (video) every
    decoded frame. Returns (stream dict, packets, frames, segment byte ranges)."""
    path = track_file(tmpdir, name)
    ranges = []
    with open(path, "wb") as out:
        with open(init, "rb") as f:
            shutil.copyfileobj(f, out)
        for seg in segments:
            start = out.tell()
            with open(seg, "rb") as f:
                shutil.copyfileobj(f, out)
            ranges.append((start, out.tell()))
    args = ["ffprobe", "-v", "error", "-select_streams", "0", "-show_streams", "-show_packets",
            "-show_entries", "packet=pts_time,dts_time,duration_time,flags,pos,size:stream"]
    if want_frames:
        args += ["-show_frames", "-show_entries", "frame=pts_time,best_effort_timestamp_time,key_frame,pict_type"]
    args += ["-of", "json", path]
    out = run(args)
    if out.returncode != 0 or out.stderr.strip():
        return None, [], [], ranges, out.stderr.strip()[-400:] or "exit status %d" % out.returncode
    data = json.loads(out.stdout or "{}")
    streams = data.get("streams", [])
    mixed = data.get("packets_and_frames")
    if mixed is not None:  # ffprobe interleaves them when asked for both
        packets = [x for x in mixed if x.get("type") == "packet"]
        frames = [x for x in mixed if x.get("type") == "frame"]
    else:
        packets, frames = data.get("packets", []), data.get("frames", [])
    return (streams[0] if streams else None), packets, frames, ranges, None


def fnum(value, default=None):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------------------------------------
# The checks

def check_hls(outdir, master_path, report, tmpdir):
    """Returns {playlist path: track} for every media playlist the master names."""
    tracks = {}
    if not os.path.isfile(master_path):
        report.fail("missing-file", master_path, "the master playlist is not there")
        return tracks, None, {}
    master, master_text = parse_playlist(master_path, report, "master")
    if master is None:
        return tracks, None, {}
    if "#EXT-X-INDEPENDENT-SEGMENTS" not in master_text:
        report.fail("independent-segments", "master", "EXT-X-INDEPENDENT-SEGMENTS is missing")
    if not master.playlists:
        report.fail("playlist-parse", "master", "no EXT-X-STREAM-INF variant")

    def add_track(uri, kind, group=None, language=None):
        path = local_path(master_path, uri)
        if path is None:
            report.fail("missing-file", uri, "a remote URI cannot be checked")
            return None
        if path in tracks:
            return tracks[path]
        where = os.path.relpath(path, outdir)
        track = {"playlist": path, "where": where, "kind": kind, "group": group, "language": language}
        tracks[path] = track
        if not os.path.isfile(path):
            report.fail("missing-file", where, "the media playlist is not there")
            track["broken"] = True
            return track
        pl, text = parse_playlist(path, report, where)
        if pl is None:
            track["broken"] = True
            return track
        track["target"] = pl.target_duration
        segments = [(local_path(path, s.uri), s.duration) for s in pl.segments]
        track["segments"] = [p for p, _ in segments]
        track["extinf"] = [d for _, d in segments]
        if pl.target_duration is None:
            report.fail("targetduration", where, "EXT-X-TARGETDURATION is missing")
        if not pl.is_endlist:
            report.fail("endlist", where, "EXT-X-ENDLIST is missing")
        is_vtt = kind == "subtitles" and all(p.lower().endswith((".vtt", ".webvtt")) for p, _ in segments)
        track["vtt"] = is_vtt
        maps = [s for s in (pl.segment_map or []) if s.uri]
        if not is_vtt:
            if not maps:
                report.fail("map", where, "EXT-X-MAP is missing")
                track["broken"] = True
            else:
                track["init"] = local_path(path, maps[0].uri)
                if not os.path.isfile(track["init"]):
                    report.fail("missing-file", where, "EXT-X-MAP names %s, which is not there" % maps[0].uri)
                    track["broken"] = True
        for index, (seg, duration) in enumerate(segments, 1):
            if not os.path.isfile(seg):
                report.fail("missing-file", where, "segment %d (%s) is not there" % (index, os.path.basename(seg)))
                track["broken"] = True
            if pl.target_duration is not None and math.floor(duration + 0.5) > pl.target_duration:
                report.fail("extinf-target", where, "segment %d: EXTINF %.6f rounds to %d > EXT-X-TARGETDURATION %d"
                            % (index, duration, math.floor(duration + 0.5), pl.target_duration))
            if is_vtt and os.path.isfile(seg) and not read_text(seg).lstrip("\ufeff").startswith("WEBVTT"):
                report.fail("subtitles", where, "segment %d does not start with WEBVTT" % index)
        if not track.get("broken"):
            sizes = [os.path.getsize(p) for p in track["segments"]]
            track["sizes"] = sizes
            track["peak"] = peak_segment_bitrate(sizes, track["extinf"], pl.target_duration or 1)
            track["average"] = average_segment_bitrate(sizes, track["extinf"])
        return track

    groups = {}
    for media in master.media:
        kind = {"AUDIO": "audio", "SUBTITLES": "subtitles", "VIDEO": "video"}.get(media.type, (media.type or "").lower())
        group = groups.setdefault((media.type, media.group_id), [])
        group.append(media)
        if not media.name:
            report.fail("audio-group", "EXT-X-MEDIA %s" % media.group_id, "NAME is missing")
        if media.default == "YES" and media.autoselect not in (None, "YES"):
            report.fail("audio-group", "EXT-X-MEDIA %s" % media.name, "DEFAULT=YES needs AUTOSELECT=YES")
        if media.type == "SUBTITLES" and not media.uri:
            report.fail("audio-group", "EXT-X-MEDIA %s" % media.name, "a SUBTITLES rendition needs a URI")
        if media.uri:
            add_track(media.uri, kind, media.group_id, media.language)
    for (mtype, gid), members in groups.items():
        names = [m.name for m in members]
        if len(set(names)) != len(names):
            report.fail("audio-group", "GROUP-ID %s" % gid, "NAME values repeat: %s" % names)
        if sum(1 for m in members if m.default == "YES") > 1:
            report.fail("audio-group", "GROUP-ID %s" % gid, "more than one DEFAULT=YES")
        attribute = {"AUDIO": "audio", "SUBTITLES": "subtitles", "VIDEO": "video"}.get(mtype)
        if attribute and not any(getattr(v.stream_info, attribute, None) == gid for v in master.playlists):
            report.fail("audio-group", "GROUP-ID %s" % gid, "no EXT-X-STREAM-INF names this %s group" % mtype)
    if any(m.type == "AUDIO" for m in master.media):
        for variant in master.playlists:
            info = variant.stream_info
            if (info.resolution or any(codec_kind(c) == "video" for c in split_codecs(info.codecs))) and not info.audio:
                report.fail("audio-group", "variant %s" % variant.uri, "has no AUDIO group though audio renditions exist")

    for variant in master.playlists:
        info = variant.stream_info
        where = "variant %s" % variant.uri
        audio_group = getattr(info, "audio", None)
        sub_group = getattr(info, "subtitles", None)
        has_video = bool(info.resolution) or any(codec_kind(c) == "video" for c in split_codecs(info.codecs))
        track = add_track(variant.uri, "video" if has_video else "audio")
        if track is None:
            continue
        track.setdefault("variants", []).append(variant)
        if audio_group and ("AUDIO", audio_group) not in groups:
            report.fail("audio-group", where, 'AUDIO="%s" names no EXT-X-MEDIA TYPE=AUDIO group' % audio_group)
        if sub_group and ("SUBTITLES", sub_group) not in groups:
            report.fail("audio-group", where, 'SUBTITLES="%s" names no EXT-X-MEDIA TYPE=SUBTITLES group' % sub_group)
        # BANDWIDTH: the largest sum of peak segment bit rates of a playable combination (4.3.4.2).
        # Subtitle renditions are renditions too: their (small) WebVTT segments count.
        peak, average = track.get("peak"), track.get("average")
        for gtype, gname in (("AUDIO", audio_group), ("SUBTITLES", sub_group)):
            if peak is None or not gname or (gtype, gname) not in groups:
                continue
            renditions = [tracks.get(local_path(master_path, m.uri)) for m in groups[(gtype, gname)] if m.uri]
            renditions = [r for r in renditions if r is not None and r is not track and "peak" in r]
            if renditions:
                peak += max(r["peak"] for r in renditions)
                average += max(r["average"] for r in renditions)
        entry = {"uri": variant.uri, "bandwidth": info.bandwidth, "averageBandwidth": info.average_bandwidth,
                 "measuredPeak": round(peak) if peak is not None else None,
                 "measuredAverage": round(average) if average is not None else None}
        report.variants.append(entry)
        if peak is not None:
            if not info.bandwidth:
                report.fail("bandwidth", where, "BANDWIDTH is missing")
            elif abs(info.bandwidth - peak) > report.tolerance * peak + 1:
                report.fail("bandwidth", where, "BANDWIDTH=%d but the measured peak segment bit rate (media segments, "
                            "init excluded, audio rendition included) is %d" % (info.bandwidth, round(peak)))
            if not info.average_bandwidth:
                report.fail("average-bandwidth", where, "AVERAGE-BANDWIDTH is missing (measured %d)" % round(average))
            elif abs(info.average_bandwidth - average) > report.tolerance * average + 1:
                report.fail("average-bandwidth", where, "AVERAGE-BANDWIDTH=%d but the measured average segment bit "
                            "rate is %d" % (info.average_bandwidth, round(average)))
    return tracks, master, groups


def check_track_media(track, report, tmpdir):
    """ffprobe facts of one CMAF track: codec string, size, rate, key frames, real segment durations."""
    if track.get("broken") or track.get("vtt") or "init" not in track:
        return
    where = track["where"]
    video = track["kind"] == "video"
    stream, packets, frames, ranges, error = probe_track(track["init"], track["segments"], tmpdir, where, video)
    if stream is None:
        report.fail("ffmpeg-read", where, "ffprobe reports errors reading init + segments: %s" % error)
        track["broken"] = True
        return
    track["stream"] = stream
    with open(track["init"], "rb") as f:
        init_bytes = f.read()
    fourcc, codec = sample_entry_codec(init_bytes)
    length_size = nal_length_size(init_bytes)
    concatenated = track_file(tmpdir, where)
    track["codec"] = codec
    track["fourcc"] = fourcc
    if video:
        rate = frame_rate_value(stream.get("r_frame_rate"))
        track["frame_duration"] = 1.0 / rate if rate else 0.04
    else:
        sr = fnum(stream.get("sample_rate"), 48000) or 48000
        track["frame_duration"] = (fnum(stream.get("frame_size")) or 1024) / sr
    # Segment boundaries from the packets whose byte position falls in each segment's range.
    firsts = []
    for index, (start, end) in enumerate(ranges, 1):
        inside = [p for p in packets if start <= int(p.get("pos", -1)) < end]
        if not inside:
            report.fail("keyframe", where, "segment %d holds no sample" % index)
            firsts.append(None)
            continue
        first = inside[0]  # decode order
        if "K" not in first.get("flags", ""):
            report.fail("keyframe", where, "segment %d starts with a sample that is not a sync sample" % index)
        elif length_size:
            with open(concatenated, "rb") as f:
                f.seek(int(first["pos"]))
                sample = f.read(int(first.get("size", 0)))
            if not is_idr_sample(sample, length_size, fourcc in ("hvc1", "hev1")):
                report.fail("keyframe", where, "segment %d starts with a sync sample that is not an IDR picture "
                            "(open GOP or recovery point)" % index)
        # Samples before 0 are encoder priming the edit list drops (AAC): playback starts at 0.
        firsts.append(max(0.0, min(fnum(p.get("pts_time"), 0.0) for p in inside)) if index == 1 else
                      min(fnum(p.get("pts_time"), 0.0) for p in inside))
    # ffprobe shows no sample durations for these fragments (N/A): they are read from the trun
    # boxes, so the last segment's real length counts its last sample (QA: a packager ended the
    # playlists a frame before the samples did, which a one-frame tolerance let pass).
    timescale = media_timescale(init_bytes)
    durations = []
    for seg in track.get("segments", []):
        with open(seg, "rb") as f:
            durations += sample_durations(init_bytes, f.read())
    exact = bool(timescale) and len(durations) == len(packets)
    if exact:
        ends = [fnum(p.get("pts_time"), 0.0) + d / timescale for p, d in zip(packets, durations)]
    else:
        ends = [fnum(p.get("pts_time"), 0.0) + (fnum(p.get("duration_time"), 0.0) or track["frame_duration"]) for p in packets]
    track["start"] = max(0.0, min((fnum(p.get("pts_time"), 0.0) for p in packets), default=0.0))
    track["end"] = max(ends, default=0.0)
    track["duration"] = track["end"] - track["start"]
    track["segment_starts"] = firsts
    tol = track["frame_duration"] + 0.001
    for index, first in enumerate(firsts):
        if first is None:
            continue
        following = next((f for f in firsts[index + 1:] if f is not None), track["end"])
        actual = following - first
        if index < len(track["extinf"]) and abs(actual - track["extinf"][index]) > tol:
            report.fail("extinf-actual", where, "segment %d: EXTINF %.6f but the segment lasts %.6f s"
                        % (index + 1, track["extinf"][index], actual))
        if exact and index == len(firsts) - 1 and index < len(track["extinf"]) and abs(actual - track["extinf"][index]) > 0.001:
            report.fail("extinf-last", where, "the last segment's EXTINF is %.6f but its samples last %.6f s"
                        % (track["extinf"][index], actual))
        if track.get("target") is not None and math.floor(actual + 0.5) > track["target"]:
            report.fail("extinf-target", where, "segment %d really lasts %.3f s, over EXT-X-TARGETDURATION %d"
                        % (index + 1, actual, track["target"]))
    if video:
        shown = sorted(frames, key=lambda fr: fnum(fr.get("best_effort_timestamp_time", fr.get("pts_time")), 0.0))
        track["frame_times"] = [fnum(fr.get("best_effort_timestamp_time", fr.get("pts_time")), 0.0) for fr in shown]
        track["key_times"] = [fnum(fr.get("best_effort_timestamp_time", fr.get("pts_time")), 0.0)
                              for fr in shown if int(fr.get("key_frame", 0)) == 1 and fr.get("pict_type") == "I"]
        keys = track["key_times"]
        for index, first in enumerate(firsts, 1):
            if first is not None and not any(abs(k - first) < 0.001 for k in keys):
                report.fail("keyframe", where, "segment %d starts at %.6f s, where the decoder sees no key frame (IDR)"
                            % (index, first))


def check_variant_attributes(track, report, source_rate=None):
    for variant in track.get("variants", []):
        info = variant.stream_info
        where = "variant %s" % variant.uri
        stream = track.get("stream")
        declared = split_codecs(info.codecs)
        if not declared:
            report.fail("codecs", where, "CODECS is missing")
        kinds = [codec_kind(c) for c in declared]
        for kind in ("video", "audio"):
            if kinds.count(kind) > 1:
                report.fail("codecs", where, "CODECS %s lists %d %s codecs; one per media type" % (info.codecs, kinds.count(kind), kind))
        if getattr(info, "audio", None) and "audio" not in kinds:
            report.fail("codecs", where, "CODECS %s has no audio codec though the variant has an AUDIO group" % info.codecs)
        if track.get("codec"):
            mine = [c for c in declared if codec_kind(c) == track["kind"]]
            if mine and not codec_matches(mine[0], track["codec"]):
                report.fail("codecs", where, "CODECS says %s but the track's %s sample entry is %s"
                            % (mine[0], track.get("fourcc"), track["codec"]))
            elif not mine:
                report.fail("codecs", where, "CODECS %s has no %s codec for the track (%s)" % (info.codecs, track["kind"], track["codec"]))
        for audio in track.get("group_audio", []):
            if audio.get("codec") and not any(codec_matches(c, audio["codec"]) for c in declared):
                report.fail("codecs", where, "CODECS %s lacks the audio rendition's %s" % (info.codecs, audio["codec"]))
        if stream is None or track["kind"] != "video":
            continue
        width, height = display_size(stream)
        sizes = {(width, height)}
        sar = stream.get("sample_aspect_ratio", "1:1")
        if sar and sar not in ("1:1", "0:1"):
            num, den = (int(x) for x in sar.split(":"))
            sizes.add((int(round(width * num / den)), height))
        if not info.resolution:
            report.fail("resolution", where, "RESOLUTION is missing (track is %dx%d)" % (width, height))
        elif tuple(info.resolution) not in sizes:
            report.fail("resolution", where, "RESOLUTION=%dx%d but the track is %dx%d (SAR %s)"
                        % (info.resolution[0], info.resolution[1], width, height, sar))
        # With --source, the rate the source declares counts too: ffprobe guesses a VFR fMP4
        # track's r_frame_rate from its timestamps (30/1 for a 30000/1001 VFR source), while the
        # packager announces what the source declares, as the single-file output does.
        rates = [frame_rate_value(stream.get("r_frame_rate")), frame_rate_value(stream.get("avg_frame_rate")), source_rate]
        if info.frame_rate is None:
            report.fail("frame-rate", where, "FRAME-RATE is missing (track is %.3f)" % rates[0])
        elif not any(abs(info.frame_rate - r) <= 0.0015 for r in rates if r):
            report.fail("frame-rate", where, "FRAME-RATE=%.3f but ffprobe sees %s (r) / %s (avg)"
                        % (info.frame_rate, stream.get("r_frame_rate"), stream.get("avg_frame_rate")))
        profile, level = stream.get("profile"), stream.get("level")
        codec = track.get("codec") or ""
        if codec.startswith(("avc1.", "avc3.")) and profile in PROFILE_IDC:
            idc, lvl = int(codec[5:7], 16), int(codec[9:11], 16)
            if idc != PROFILE_IDC[profile] or (level is not None and int(level) != lvl):
                report.fail("codecs", where, "the avcC says %s but the stream is %s level %s" % (codec, profile, level))


def check_audio_renditions(media_list, tracks, report):
    """CHANNELS (a SHOULD in RFC 8216bis) agrees with the track's channel count when present."""
    for media in media_list:
        if media.type != "AUDIO" or not media.uri:
            continue
        track = next((t for t in tracks.values() if t.get("group") == media.group_id and
                      t["playlist"].endswith(os.path.normpath(media.uri))), None)
        stream = (track or {}).get("stream") or {}
        channels = stream.get("channels")
        if media.channels is None:
            report.note("EXT-X-MEDIA %s has no CHANNELS (track has %s)" % (media.name, channels))
        elif channels is not None and media.channels.split("/")[0] != str(channels):
            report.fail("audio-group", "EXT-X-MEDIA %s" % media.name, "CHANNELS=\"%s\" but the track has %s channels"
                        % (media.channels, channels))


def check_alignment(video_tracks, report):
    if len(video_tracks) < 2:
        return
    ref = video_tracks[0]
    for other in video_tracks[1:]:
        for name, key in (("key frame times", "key_times"), ("segment start times", "segment_starts")):
            a, b = ref.get(key) or [], other.get(key) or []
            same = len(a) == len(b) and all(x is not None and y is not None and abs(x - y) < 0.001 for x, y in zip(a, b))
            if not same:
                report.fail("idr-alignment", other["where"], "%s differ from %s: %s vs %s"
                            % (name, ref["where"], short(b), short(a)))


def check_audio_tail(video_tracks, audio_tracks, report):
    """No audio segment starts after the last video frame: the audio after it belongs to the last
    segment, not one of its own (a packager made a segment of one AAC frame, 0.023 s)."""
    last_frame = max((max(t["frame_times"]) for t in video_tracks if t.get("frame_times")), default=None)
    if last_frame is None:
        return
    for track in audio_tracks:
        starts = [s for s in track.get("segment_starts") or [] if s is not None]
        if len(starts) > 1 and starts[-1] > last_frame + 0.001:
            report.fail("audio-tail", track["where"], "its last segment starts at %.6f s, after the last video frame (%.6f s)"
                        % (starts[-1], last_frame))


def short(values):
    shown = ["%.3f" % v if v is not None else "-" for v in values[:8]]
    return "[" + ", ".join(shown) + (", ... (%d)" % len(values) if len(values) > 8 else "") + "]"


def source_frames(source):
    """Every frame time (s) of the source's first video stream as ffprobe decodes it, counted from
    the source's start (the earliest stream, which is the CLI's zero too, without its rounding to
    a guessed frame rate)."""
    out = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time",
               "-of", "csv=p=0", source])
    start = run(["ffprobe", "-v", "error", "-show_entries", "format=start_time", "-of", "csv=p=0", source])
    if out.returncode != 0 or start.returncode != 0:
        return None, (out.stderr + start.stderr).strip()[-400:]
    zero = fnum(start.stdout.strip().strip(","), 0.0) or 0.0
    # A frame ffprobe gives no time (N/A: AVI and MPEG-PS B-frames) still counts: None, after the timed ones.
    times = [fnum(line.strip().strip(",")) for line in out.stdout.splitlines() if line.strip()]
    known = sorted(t - zero for t in times if t is not None)
    return known + [None] * (len(times) - len(known)), None


def check_source(video_tracks, source, report):
    """Each rung shows the source's frames at the source's times from its start (1 ms for timescale rounding)."""
    times, error = source_frames(source)
    if times is None:
        report.fail("source-frames", source, "ffprobe cannot read the source: %s" % error)
        return
    for track in video_tracks:
        mine = track.get("frame_times") or []
        if len(mine) != len(times):
            report.fail("source-frames", track["where"], "%d frames, the source has %d" % (len(mine), len(times)))
            continue
        if None in times:
            # Untimed source frames: every timed one must be one of the rung's frames.
            missing = [t for t in times if t is not None and not any(abs(t - x) <= 0.001 for x in mine)]
            if missing:
                report.fail("source-frames", track["where"], "%d source frame time(s) missing from the rung, first %.6f s"
                            % (len(missing), missing[0]))
            continue
        bad = [i for i, (x, y) in enumerate(zip(mine, times)) if abs(x - y) > 0.001]
        if bad:
            i = bad[0]
            offsets = {round(mine[j] - times[j], 4) for j in range(len(mine))}
            hint = " (a constant offset of %.4f s)" % offsets.pop() if len(offsets) == 1 else ""
            report.fail("source-frames", track["where"], "%d of %d frame times differ from the source's; first at frame %d: "
                        "%.6f s, the source's %.6f s%s" % (len(bad), len(mine), i, mine[i], times[i], hint))


def framemd5(path, stream="v:0"):
    """(time base "N/D", [pts in its ticks]) of every frame `ffmpeg -i PATH -map 0:STREAM -f framemd5 -` writes."""
    out = run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:" + stream, "-f", "framemd5", "-"])
    if out.returncode != 0:
        return None, None, out.stderr.strip()[-400:]
    tb, ticks = "1/1", []
    for line in out.stdout.splitlines():
        if line.startswith("#tb 0:"):
            tb = line[6:].strip()
        elif line and not line.startswith("#"):
            fields = [x.strip() for x in line.split(",")]
            if len(fields) >= 6:
                ticks.append(int(fields[2]))
    return tb, ticks, None


def start_times(path):
    """(the CLI's zero: the earliest start of any stream, the first video stream's start), in seconds
    as ffprobe reads them before any shift; None where ffprobe cannot say."""
    out = run(["ffprobe", "-v", "error", "-show_entries", "format=start_time:stream=codec_type,start_time", "-of", "json", path])
    try:
        probed = json.loads(out.stdout)
        video = next(fnum(s.get("start_time")) for s in probed.get("streams", []) if s.get("codec_type") == "video")
        zero = fnum(probed.get("format", {}).get("start_time"))
    except (ValueError, StopIteration):
        return None
    return (zero, video) if out.returncode == 0 and None not in (zero, video) else None


def check_cli_oracle(manifest_path, name, variants, source, source_read, report):
    """The project's oracle as a user runs it on the package: `ffmpeg -i master.m3u8 -map 0:v:N
    -f framemd5 -` (and the same on manifest.mpd) lists every source frame at the source's pts.
    The CLI counts its pts from the earliest packet of any stream: where the package's audio starts
    before its video (AAC priming, which FFmpeg 5.1's HLS and DASH readers count as time before 0
    though the edit list cuts it; audio that leads the video in an MPEG-TS source, whose own CLI
    read the CLI corrects for TS only), every pts may read that lead later, to the tick, and never
    more (check_av_offset shows the audio still sits where the source's does). Where no stream
    starts before the video, any shift is a failure, and a shift that is not constant always is."""
    tb, ticks, error = source_read  # framemd5(source), read once for both manifests
    if ticks is None:
        report.fail("cli-oracle", source, "ffmpeg cannot read the source: %s" % error)
        return
    starts = start_times(manifest_path)
    if starts is None:
        report.fail("cli-oracle", name, "ffprobe cannot give its start times")
        return
    lead = max(0.0, starts[1] - starts[0])
    for n in range(variants):
        where = "%s v:%d" % (name, n)
        mine_tb, mine, error = framemd5(manifest_path, "v:%d" % n)
        if mine is None:
            report.fail("cli-oracle", where, "ffmpeg cannot read it: %s" % error)
            continue
        if len(mine) != len(ticks):
            report.fail("cli-oracle", where, "%d frames, the source has %d" % (len(mine), len(ticks)))
            continue
        a, b = (float(x.split("/")[0]) / float(x.split("/")[1]) for x in (mine_tb, tb))
        shifts = [x * a - y * b for x, y in zip(mine, ticks)]
        # VFR: the CLI may guess another rate (30/1 against 30000/1001) from the same packet times.
        tick = max(a, b)
        shift = sum(shifts) / len(shifts)
        if max(shifts) - min(shifts) > tick:
            report.fail("cli-oracle", where, "frame pts move against the source's by %.4f..%.4f s (tb %s, the source's %s)"
                        % (min(shifts), max(shifts), mine_tb, tb))
        elif lead < 0.0005 and any(abs(x) >= tick / 2 for x in shifts):
            report.fail("cli-oracle", where, "every pts reads %.4f s %s than the source's, though no stream of the "
                        "package starts before its video (tb %s, the source's %s)"
                        % (abs(shift), "later" if shift > 0 else "earlier", mine_tb, tb))
        elif abs(shift) > lead + tick:
            report.fail("cli-oracle", where, "every pts reads %.4f s later than the source's, more than the %.4f s "
                        "its audio starts before its video (tb %s, the source's %s)" % (shift, lead, mine_tb, tb))
        elif any(abs(x) >= tick / 2 for x in shifts):
            report.note("%s: every pts reads %.4f s later than the source's through the CLI, which starts its clock "
                        "%.4f s before the video, where the package's audio starts (tb %s, the source's %s)"
                        % (where, shift, lead, mine_tb, tb))


AV_RATE = 8000  # Hz: cross-correlation resolution 125 us


def first_frame_time(path, selector):
    """The earliest decoded frame time (s) of the first stream `selector` picks, as ffprobe reads it (no shift)."""
    out = run(["ffprobe", "-v", "error", "-select_streams", selector, "-read_intervals", "%+3",
               "-show_entries", "frame=best_effort_timestamp_time", "-of", "csv=p=0", path])
    times = [fnum(line.strip().strip(",")) for line in out.stdout.splitlines()]
    times = [t for t in times if t is not None]
    return min(times) if out.returncode == 0 and times else None


def mono_samples(path, seconds=6):
    """The first audio stream, decoded by the CLI from its first sample, mono at AV_RATE, as floats."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-t", str(seconds), "-ac", "1",
                          "-ar", str(AV_RATE), "-f", "s16le", "-"], capture_output=True, timeout=600)
    if out.returncode != 0:
        return None
    return list(struct.unpack("<%dh" % (len(out.stdout) // 2), out.stdout[:len(out.stdout) // 2 * 2]))


def best_lag(ref, other, lags, step=1):
    """(lag, normalized correlation) for the lags given: other[i + lag] against ref[i] over ref's window."""
    scores = []
    for lag in lags:
        num = e1 = e2 = 0.0
        for i in range(0, len(ref), step):
            j = i + lag
            if 0 <= j < len(other):
                a, b = ref[i], other[j]
                num += a * b
                e1 += a * a
                e2 += b * b
        scores.append((num / math.sqrt(e1 * e2) if e1 > 0 and e2 > 0 else 0.0, lag))
    return scores


def check_av_offset(master_path, source, report, required=False):
    """Through master.m3u8 the CLI may start its clock at another stream than the source (FFmpeg
    5.1's HLS reader counts AAC priming, which the edit list cuts, as time before 0), but the
    package's audio must sit against its video exactly where the source's does."""
    src_audio, pkg_audio = mono_samples(source), mono_samples(master_path)
    if not src_audio or not pkg_audio:
        if required:
            report.fail("av-offset", "master.m3u8", "no audio to align on one side")
        return  # no audio on one side: nothing to align
    src_v, pkg_v = first_frame_time(source, "v:0"), first_frame_time(master_path, "v:0")
    src_a, pkg_a = first_frame_time(source, "a:0"), first_frame_time(master_path, "a:0")
    if None in (src_v, pkg_v, src_a, pkg_a):
        report.fail("av-offset", "master.m3u8", "ffprobe cannot read the first video or audio frame")
        return
    # The loudest second in the source's first seconds is the window to align on.
    win = AV_RATE
    starts = range(0, max(1, len(src_audio) - win), win // 4)
    start = max(starts, key=lambda k: sum(x * x for x in src_audio[k:k + win:16]))
    ref = src_audio[start:start + win]
    # Coarse on 1 ms block means (lags of 1 ms within +-150 ms), then every lag around the best.
    def blocks(x):
        return [sum(x[k:k + 8]) / 8.0 for k in range(0, len(x) - 7, 8)]
    ref_b, pkg_b = blocks(ref), blocks(pkg_audio)
    coarse = sorted(best_lag(ref_b, pkg_b, range(start // 8 - 150, start // 8 + 151)), reverse=True)
    fine = sorted(best_lag(ref, pkg_audio, range(coarse[0][1] * 8 - 16, coarse[0][1] * 8 + 17)), reverse=True)
    score, lag = fine[0]
    rival = next((c for c in coarse if abs(c[1] * 8 - lag) > 24), None)
    if score < 0.5 or (rival and rival[0] > 0.97 * coarse[0][0]):
        if required:
            report.fail("av-offset", "master.m3u8", "the audio is too quiet or too periodic to align (correlation %.2f)" % score)
            return
        report.note("av-offset: the audio is too quiet or too periodic to align (%.2f); not measured" % score)
        return
    audio_move = (lag - start) / AV_RATE + (pkg_a - src_a)  # package audio time minus source audio time
    video_move = pkg_v - src_v
    report.note("av-offset: audio moved %.4f s, video %.4f s (correlation %.3f)" % (audio_move, video_move, score))
    if abs(audio_move - video_move) > 0.0005:
        report.fail("av-offset", "master.m3u8", "audio sits %.1f ms %s against the video than in the source"
                    % (abs(audio_move - video_move) * 1000, "later" if audio_move > video_move else "earlier"))


def mpd_duration(text):
    match = re.match(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$", text or "")
    if not match:
        return None
    d, h, m, s = match.groups()
    return int(d or 0) * 86400 + int(h or 0) * 3600 + int(m or 0) * 60 + float(s or 0)


def expand_template(template, rep_id, number=None, time=None, bandwidth=None):
    def sub(match):
        name, fmt = match.group(1), match.group(2)
        value = {"RepresentationID": rep_id, "Number": number, "Time": time, "Bandwidth": bandwidth}.get(name)
        if name == "" or value is None:
            return "$" if name == "" else match.group(0)
        return (fmt % int(value)) if fmt else str(value)
    return re.sub(r"\$(RepresentationID|Number|Time|Bandwidth|)(%0\d+d)?\$", sub, template)


def check_dash(outdir, mpd_path, report, hls_tracks):
    if not os.path.isfile(mpd_path):
        report.fail("missing-file", mpd_path, "the MPD is not there")
        return
    try:
        root = ET.parse(mpd_path).getroot()
    except ET.ParseError as error:
        report.fail("dash-parse", "manifest", "not well-formed XML: %s" % error)
        return
    ns = {"d": "urn:mpeg:dash:schema:mpd:2011"}
    if not root.tag.endswith("MPD"):
        report.fail("dash-parse", "manifest", "the root element is %s, not MPD" % root.tag)
        return
    min_buffer = mpd_duration(root.get("minBufferTime"))
    by_init = {t.get("init"): t for t in hls_tracks.values() if t.get("init")}

    def base(elem, current):
        b = elem.find("d:BaseURL", ns)
        return os.path.join(current, b.text.strip()) if b is not None and b.text else current

    root_base = base(root, os.path.dirname(mpd_path))
    reps = 0
    for period in root.findall("d:Period", ns):
        period_base = base(period, root_base)
        for aset in period.findall("d:AdaptationSet", ns):
            aset_base = base(aset, period_base)
            aset_tpl = aset.find("d:SegmentTemplate", ns)
            for rep in aset.findall("d:Representation", ns):
                reps += 1
                rep_id = rep.get("id") or ""
                where = "Representation %s" % rep_id
                rep_base = base(rep, aset_base)
                tpl = rep.find("d:SegmentTemplate", ns)
                tpl = tpl if tpl is not None else aset_tpl
                if tpl is None:
                    report.fail("dash-template", where, "no SegmentTemplate")
                    continue
                attrs = dict(aset_tpl.attrib) if aset_tpl is not None else {}
                attrs.update(tpl.attrib)
                timeline = tpl.find("d:SegmentTimeline", ns)
                if timeline is None and aset_tpl is not None:
                    timeline = aset_tpl.find("d:SegmentTimeline", ns)
                if timeline is None:
                    report.fail("dash-template", where, "SegmentTemplate has no SegmentTimeline")
                    continue
                timescale = int(attrs.get("timescale", "1"))
                number = int(attrs.get("startNumber", "1"))
                bandwidth = rep.get("bandwidth") or aset.get("bandwidth")
                entries, t = [], 0
                period_end = mpd_duration(period.get("duration") or root.get("mediaPresentationDuration"))
                s_list = timeline.findall("d:S", ns)
                for k, s in enumerate(s_list):
                    t = int(s.get("t", t))
                    d, r = int(s.get("d", "0")), int(s.get("r", "0"))
                    if r < 0:
                        nxt = int(s_list[k + 1].get("t")) if k + 1 < len(s_list) and s_list[k + 1].get("t") else \
                            (period_end * timescale if period_end else t + d)
                        r = max(0, int(math.ceil((nxt - t) / d)) - 1)
                    for _ in range(r + 1):
                        entries.append((t, d))
                        t += d
                init_uri = expand_template(attrs.get("initialization", ""), rep_id, bandwidth=bandwidth)
                init = os.path.normpath(os.path.join(rep_base, init_uri))
                files = [os.path.normpath(os.path.join(rep_base, expand_template(attrs.get("media", ""), rep_id, number + i,
                                                                               start, bandwidth)))
                         for i, (start, _) in enumerate(entries)]
                missing = [f for f in files if not os.path.isfile(f)]
                if not os.path.isfile(init):
                    report.fail("dash-files", where, "initialization %s is not there" % init_uri)
                if missing:
                    report.fail("dash-timeline", where, "the timeline describes %d segments but %d of their files are "
                                "missing (first %s)" % (len(files), len(missing), os.path.relpath(missing[0], outdir)))
                nxt = expand_template(attrs.get("media", ""), rep_id, number + len(entries), t, bandwidth)
                if os.path.isfile(os.path.join(rep_base, nxt)):
                    report.fail("dash-timeline", where, "the timeline describes %d segments but segment file %s is "
                                "there too" % (len(files), nxt))
                for attr in ("bandwidth", "codecs") + (("width", "height") if (aset.get("contentType") == "video" or
                                                                             (rep.get("mimeType") or aset.get("mimeType") or "").startswith("video")) else ()):
                    if not (rep.get(attr) or aset.get(attr)):
                        report.fail("dash-attributes", where, "@%s is missing" % attr)
                track = by_init.get(init)
                if track is None:
                    report.fail("dash-files", where, "its initialization %s is no HLS playlist's EXT-X-MAP" % init_uri)
                    continue
                track["dash"] = True
                if [os.path.normpath(p) for p in track.get("segments", [])] != files:
                    report.fail("dash-files", where, "its segment files differ from %s's" % track["where"])
                total = sum(d for _, d in entries) / timescale
                if "duration" in track and abs(total - track["duration"]) > track["frame_duration"] + 1e-6:
                    report.fail("dash-duration", where, "the timeline lasts %.6f s, the track %.6f s"
                                % (total, track["duration"]))
                for i, ((_, d), extinf) in enumerate(zip(entries, track.get("extinf", [])), 1):
                    if abs(d / timescale - extinf) > track.get("frame_duration", 0.04) + 1e-6:
                        report.fail("dash-timeline", where, "segment %d lasts %.6f s in the MPD, EXTINF %.6f in HLS"
                                    % (i, d / timescale, extinf))
                        break
                stream = track.get("stream") or {}
                lang = rep.get("lang") or aset.get("lang")
                if lang and track.get("language") and lang.lower() != track["language"].lower():
                    report.fail("dash-attributes", where, "@lang %s but HLS says LANGUAGE=%s" % (lang, track["language"]))
                codecs = rep.get("codecs") or aset.get("codecs")
                if codecs and track.get("codec") and not codec_matches(codecs, track["codec"]):
                    report.fail("dash-attributes", where, "@codecs %s but the track is %s" % (codecs, track["codec"]))
                if track["kind"] == "video":
                    w, h = rep.get("width") or aset.get("width"), rep.get("height") or aset.get("height")
                    if w and h and (int(w), int(h)) != display_size(stream):
                        report.fail("dash-attributes", where, "@width x @height %sx%s but the track shows as %dx%d"
                                    % ((w, h) + display_size(stream)))
                if bandwidth and "sizes" in track:
                    check_dash_bandwidth(int(bandwidth), min_buffer, track, entries, timescale, report, where)
    if reps == 0:
        report.fail("dash-parse", "manifest", "no Representation")
    for track in hls_tracks.values():
        if not track.get("vtt") and not track.get("broken") and not track.get("dash"):
            report.fail("dash-files", track["where"], "no DASH Representation uses this track")


def check_dash_bandwidth(bandwidth, min_buffer, track, entries, timescale, report, where):
    """A necessary condition of the MPD's @bandwidth/@minBufferTime promise (ISO 23009-1 5.3.5.2):
    from any segment start, the segments before any later segment boundary must have arrived at
    @bandwidth by the time playback reaches it, after @minBufferTime of buffering."""
    sizes = track["sizes"]
    if min_buffer is None:
        report.fail("dash-attributes", where, "the MPD has no @minBufferTime, so @bandwidth %d promises nothing" % bandwidth)
        return
    starts = [t / timescale for t, _ in entries] + [(entries[-1][0] + entries[-1][1]) / timescale] if entries else []
    for k in range(len(sizes)):
        bits = 0
        for j in range(k + 1, min(len(sizes), len(starts) - 1) + 1):
            bits += 8 * sizes[j - 1]
            allowed = bandwidth * (min_buffer + starts[j] - starts[k]) * (1 + report.tolerance)
            if bits > allowed:
                report.fail("dash-attributes", where, "@bandwidth %d with minBufferTime %.3f s cannot deliver segments "
                            "%d..%d in time (%d bits by %.3f s)" % (bandwidth, min_buffer, k + 1, j, bits, starts[j] - starts[k]))
                return


def check_ffmpeg_reads(path, report, name):
    if not os.path.isfile(path):
        return
    out = run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0", "-f", "null", "-"], timeout=1200)
    lines = [l for l in out.stderr.splitlines() if l.strip()]
    if out.returncode != 0 or lines:
        report.fail("ffmpeg-read", name, "ffmpeg exited %d: %s" % (out.returncode, " | ".join(lines[:5])[:600]))


def main(argv):
    parser = argparse.ArgumentParser(description="Checks a packaged HLS/DASH CMAF ladder (test oracle).")
    parser.add_argument("outdir")
    parser.add_argument("--source", help="the source file: frame count and pts of every rendition must equal its")
    parser.add_argument("--require-av-offset", action="store_true",
                        help="fail, rather than note, when the audio cannot be aligned (silence, a pure tone)")
    parser.add_argument("--json", action="store_true", help="print a JSON report instead of lines")
    parser.add_argument("--tolerance", type=float, default=0.005, help="relative tolerance for bit rates (0.005)")
    parser.add_argument("--master", default="master.m3u8", help="master playlist, relative to OUTDIR ('' skips HLS)")
    parser.add_argument("--mpd", default="manifest.mpd", help="MPD, relative to OUTDIR ('' skips DASH)")
    args = parser.parse_args(argv)
    outdir = os.path.abspath(args.outdir)
    report = Report()
    report.tolerance = args.tolerance
    if not os.path.isdir(outdir):
        print("stream_check: %s is not a directory" % outdir, file=sys.stderr)
        return 2
    source_rate = None
    if args.source:
        probed = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=r_frame_rate", "-of", "csv=p=0", args.source])
        source_rate = frame_rate_value(probed.stdout.strip().strip(",")) if probed.returncode == 0 else None
    with tempfile.TemporaryDirectory(prefix="stream-check-") as tmpdir:
        tracks, master_media = {}, []
        if args.master:
            tracks, master, _ = check_hls(outdir, os.path.join(outdir, args.master), report, tmpdir)
            master_media = list(master.media) if master is not None else []
        for track in tracks.values():
            check_track_media(track, report, tmpdir)
        for track in tracks.values():
            group = [t for t in tracks.values() if t["kind"] == "audio" and t.get("group") and
                     any(getattr(v.stream_info, "audio", None) == t["group"] for v in track.get("variants", []))]
            track["group_audio"] = group
            check_variant_attributes(track, report, source_rate)
        check_audio_renditions(master_media, tracks, report)
        videos = [t for t in tracks.values() if t["kind"] == "video" and "frame_times" in t]
        check_alignment(videos, report)
        check_audio_tail(videos, [t for t in tracks.values() if t["kind"] == "audio"], report)
        source_read = framemd5(args.source) if args.source else None
        if args.source:
            check_source(videos, args.source, report)
            if args.master and os.path.isfile(os.path.join(outdir, args.master)):
                check_cli_oracle(os.path.join(outdir, args.master), "master.m3u8", len(videos), args.source, source_read, report)
                check_av_offset(os.path.join(outdir, args.master), args.source, report, args.require_av_offset)
        if args.mpd:
            check_dash(outdir, os.path.join(outdir, args.mpd), report, tracks)
            if args.source and os.path.isfile(os.path.join(outdir, args.mpd)):
                # FFmpeg 5.1's DASH reader opens segments in subdirectories only from an absolute path.
                check_cli_oracle(os.path.join(outdir, args.mpd), "manifest.mpd", len(videos), args.source, source_read, report)
        if args.master:
            check_ffmpeg_reads(os.path.join(outdir, args.master), report, "master.m3u8")
        if args.mpd:
            check_ffmpeg_reads(os.path.join(outdir, args.mpd), report, "manifest.mpd")
    for track in tracks.values():
        stream = track.get("stream") or {}
        report.tracks[track["where"]] = {
            "kind": track["kind"], "codec": track.get("codec"), "segments": len(track.get("segments", [])),
            "peak": round(track["peak"]) if "peak" in track else None,
            "average": round(track["average"]) if "average" in track else None,
            "duration": track.get("duration"), "width": stream.get("width"), "height": stream.get("height"),
            "frameRate": stream.get("r_frame_rate"), "channels": stream.get("channels"),
            "keyFrames": len(track.get("key_times", [])), "frames": len(track.get("frame_times", [])),
            "language": track.get("language")}
    if args.json:
        print(json.dumps({"ok": not report.problems, "problems": report.problems, "notes": report.notes,
                          "tracks": report.tracks, "variants": report.variants}, indent=1))
    else:
        for p in report.problems:
            print("FAIL %s: %s: %s" % (p["rule"], p["where"], p["message"]))
        for n in report.notes:
            print("NOTE %s" % n)
        print("stream_check: %d problem(s), %d track(s) checked" % (len(report.problems), len(report.tracks)))
    return 0 if not report.problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
