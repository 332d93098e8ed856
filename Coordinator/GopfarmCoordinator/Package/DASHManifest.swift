import Foundation
import GopfarmCommon

/// The DASH side of a package: a static MPD (ISO/IEC 23009-1, live profile) over the same CMAF
/// files as the HLS playlists, each Representation a SegmentTemplate with a SegmentTimeline of
/// the real segment times. Pure text formatting.
public enum DASHManifest {
    public static let profile = "urn:mpeg:dash:profile:isoff-live:2011"

    /// `minBufferTime`: seconds a player buffers before it starts; every Representation's
    /// @bandwidth is the smallest rate that keeps that promise for its real segments.
    /// WebVTT subtitles stay out: FFmpeg 5.1's DASH reader refuses a sidecar `.vtt` (and
    /// fragmented `wvtt` tracks are not written yet), so the package offers them in HLS.
    public static func mpd(video: [PackagedTrack], audio: [PackagedTrack], minBufferTime: Double) -> String {
        let duration = (video + audio).map(\.endSeconds).max() ?? 0
        var x: [String] = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"\(profile)\" type=\"static\" "
                + "mediaPresentationDuration=\"\(isoDuration(duration))\" minBufferTime=\"\(isoDuration(minBufferTime))\">",
            "  <Period id=\"0\" start=\"PT0S\">",
        ]
        var setID = 0
        // One video AdaptationSet per codec and dynamic range: a player switches seamlessly only
        // within one; an H.264 and an HEVC ladder side by side are two, and so are HDR rungs and
        // SDR ones of one codec (a player that shows HDR must not drop to SDR pictures mid-play).
        func kind(_ track: PackagedTrack) -> String { String(track.codecs.prefix { $0 != "." }) + "/" + (track.colour?.videoRange ?? "SDR") }
        var kinds: [String] = []
        for track in video where !kinds.contains(kind(track)) { kinds.append(kind(track)) }
        for k in kinds {
            let members = video.filter { kind($0) == k }
            let maxW = members.compactMap(\.width).max(), maxH = members.compactMap(\.height).max()
            var set = "    <AdaptationSet id=\"\(setID)\" contentType=\"video\" mimeType=\"video/mp4\" segmentAlignment=\"true\" startWithSAP=\"1\""
            if let maxW, let maxH { set += " maxWidth=\"\(maxW)\" maxHeight=\"\(maxH)\"" }
            if let rate = members.first?.frameRate, rate.isValid { set += " frameRate=\"\(rate.num)/\(rate.den)\"" }
            x.append(set + ">")
            // HDR as DASH-IF IOP signals it (H.273 code points); supplemental, so a player that
            // does not know the scheme still plays the set.
            if let colour = members.first?.colour, colour.videoRange != nil {
                for (name, value) in [("ColourPrimaries", colour.primaries), ("TransferCharacteristics", colour.transfer),
                                      ("MatrixCoefficients", colour.matrix)] {
                    x.append("      <SupplementalProperty schemeIdUri=\"urn:mpeg:mpegB:cicp:\(name)\" value=\"\(value)\"/>")
                }
            }
            for track in members {
                var rep = "      <Representation id=\"\(escaped(track.name))\" bandwidth=\"\(bandwidth(track, minBufferTime))\" codecs=\"\(escaped(track.codecs))\""
                if let w = track.width, let h = track.height { rep += " width=\"\(w)\" height=\"\(h)\"" }
                if let sar = track.sampleAspectRatio, sar.isValid { rep += " sar=\"\(sar.num):\(sar.den)\"" }
                x.append(rep + ">")
                x += template(track, indent: "        ")
                x.append("      </Representation>")
            }
            x.append("    </AdaptationSet>")
            setID += 1
        }
        let mainAudio = audio.firstIndex(where: \.isDefault) ?? 0
        for (i, track) in audio.enumerated() {
            var set = "    <AdaptationSet id=\"\(setID)\" contentType=\"audio\" mimeType=\"audio/mp4\" segmentAlignment=\"true\" startWithSAP=\"1\""
            if let language = track.language { set += " lang=\"\(escaped(language))\"" }
            x.append(set + ">")
            if let title = track.title { x.append("      <Label>\(escaped(title))</Label>") }
            x.append("      <Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"\(i == mainAudio ? "main" : "alternate")\"/>")
            var rep = "      <Representation id=\"\(escaped(track.name))\" bandwidth=\"\(bandwidth(track, minBufferTime))\" codecs=\"\(escaped(track.codecs))\""
            if let rate = track.sampleRate { rep += " audioSamplingRate=\"\(rate)\"" }
            x.append(rep + ">")
            if let channels = track.channels {
                x.append("        <AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"\(channels)\"/>")
            }
            x += template(track, indent: "        ")
            x.append("      </Representation>")
            x.append("    </AdaptationSet>")
            setID += 1
        }
        x += ["  </Period>", "</MPD>"]
        return x.joined(separator: "\n") + "\n"
    }

    /// Segment runs: `t` where a segment does not follow the previous one, `r` for repeats.
    static func timeline(_ segments: [PackagedSegment]) -> [(t: Int64?, d: Int64, r: Int)] {
        var runs: [(t: Int64?, d: Int64, r: Int)] = []
        var next: Int64?
        for s in segments {
            if let last = runs.last, s.start == next, s.duration == last.d {
                runs[runs.count - 1].r += 1
            } else {
                runs.append((s.start == next ? nil : s.start, s.duration, 0))
            }
            next = s.start + s.duration
        }
        return runs
    }

    private static func template(_ track: PackagedTrack, indent: String) -> [String] {
        var x = ["\(indent)<SegmentTemplate timescale=\"\(track.timescale)\" initialization=\"\(escaped(track.directory))/\(PackagedTrack.initName)\" "
            + "media=\"\(escaped(track.directory))/seg-$Number%05d$.m4s\" startNumber=\"1\">", "\(indent)  <SegmentTimeline>"]
        for run in timeline(track.segments) {
            var s = "\(indent)    <S"
            if let t = run.t { s += " t=\"\(t)\"" }
            s += " d=\"\(run.d)\""
            if run.r > 0 { s += " r=\"\(run.r)\"" }
            x.append(s + "/>")
        }
        x += ["\(indent)  </SegmentTimeline>", "\(indent)</SegmentTemplate>"]
        return x
    }

    private static func bandwidth(_ track: PackagedTrack, _ minBufferTime: Double) -> Int {
        let seconds = track.segments.map { Double($0.duration) / Double(track.timescale) }
        let rate = SegmentBitrates.dashAdvertised(sizes: track.segments.map(\.bytes), durations: seconds, minBufferTime: minBufferTime)
        return max(1, Int(rate.rounded(.up)))
    }

    /// `PT12.345S` (xs:duration), milliseconds rounded up so the last frame is never cut off.
    static func isoDuration(_ seconds: Double) -> String {
        let ms = (max(0, seconds) * 1000 - 1e-6).rounded(.up) / 1000
        return "PT" + String(format: "%.3f", locale: Locale(identifier: "en_US_POSIX"), max(0, ms)) + "S"
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
