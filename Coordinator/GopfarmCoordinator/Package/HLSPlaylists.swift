import Foundation
import GopfarmCommon

/// The HLS side of a package (RFC 8216): a master playlist naming one variant per video
/// rendition, the audio and subtitle renditions as EXT-X-MEDIA groups, and one VOD media
/// playlist per track over the same CMAF files the DASH manifest uses. Pure text formatting.
public enum HLSPlaylists {
    /// Version 7 covers everything used here (EXT-X-MAP without I-frames-only needs 6).
    public static let version = 7
    public static let audioGroup = "audio"
    public static let subtitleGroup = "subs"

    /// A CMAF track's media playlist, in the track's directory (URIs relative to it).
    public static func media(_ track: PackagedTrack) -> String {
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:\(version)",
            "#EXT-X-TARGETDURATION:\(track.targetDuration)",
            "#EXT-X-MEDIA-SEQUENCE:1",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            "#EXT-X-INDEPENDENT-SEGMENTS",
            "#EXT-X-MAP:URI=\"\(PackagedTrack.initName)\"",
        ]
        for (i, seconds) in track.segmentSeconds.enumerated() {
            lines.append("#EXTINF:\(decimals(seconds, 6)),")
            lines.append(PackagedTrack.segmentName(i + 1))
        }
        lines.append("#EXT-X-ENDLIST")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A WebVTT track's media playlist: one segment per packaging segment of the video.
    public static func media(_ subtitles: PackagedSubtitles) -> String {
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:\(version)",
            "#EXT-X-TARGETDURATION:\(subtitles.targetDuration)",
            "#EXT-X-MEDIA-SEQUENCE:1",
            "#EXT-X-PLAYLIST-TYPE:VOD",
        ]
        for (i, seconds) in subtitles.segmentSeconds.enumerated() {
            lines.append("#EXTINF:\(decimals(seconds, 6)),")
            lines.append(PackagedSubtitles.segmentName(i + 1))
        }
        lines.append("#EXT-X-ENDLIST")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The master playlist. BANDWIDTH is the variant's measured peak segment bit rate plus the
    /// largest of its audio group's (RFC 8216 4.3.4.2: any rendition may play with it);
    /// AVERAGE-BANDWIDTH likewise from the average segment bit rates.
    public static func master(video: [PackagedTrack], audio: [PackagedTrack], subtitles: [PackagedSubtitles]) -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:\(version)", "#EXT-X-INDEPENDENT-SEGMENTS"]
        // The source's choices: its default audio track (else the first) plays unless the viewer
        // picks another; a subtitle track is on only where the source marks it default, and a
        // forced one is shown with subtitles off. NAME is the track's title where it has one.
        let mainAudio = audio.firstIndex(where: \.isDefault) ?? 0
        let audioNames = uniqueNames(audio.map { $0.title ?? $0.name })
        let subtitleNames = uniqueNames(subtitles.map { $0.title ?? $0.name })
        for (i, track) in audio.enumerated() {
            var attributes = ["TYPE=AUDIO", "GROUP-ID=\"\(audioGroup)\"", "NAME=\"\(quoted(audioNames[i]))\""]
            if let language = track.language { attributes.append("LANGUAGE=\"\(quoted(language))\"") }
            attributes += ["DEFAULT=\(i == mainAudio ? "YES" : "NO")", "AUTOSELECT=YES"]
            if let channels = track.channels { attributes.append("CHANNELS=\"\(channels)\"") }
            attributes.append("URI=\"\(track.directory)/\(PackagedTrack.playlistName)\"")
            lines.append("#EXT-X-MEDIA:" + attributes.joined(separator: ","))
        }
        let defaultSubtitles = subtitles.firstIndex(where: \.isDefault)
        for (i, subs) in subtitles.enumerated() {
            var attributes = ["TYPE=SUBTITLES", "GROUP-ID=\"\(subtitleGroup)\"", "NAME=\"\(quoted(subtitleNames[i]))\""]
            if let language = subs.language { attributes.append("LANGUAGE=\"\(quoted(language))\"") }
            // RFC 8216 4.3.4.1: FORCED=YES needs AUTOSELECT=YES.
            attributes += ["DEFAULT=\(i == defaultSubtitles ? "YES" : "NO")", "AUTOSELECT=YES"]
            if subs.isForced { attributes.append("FORCED=YES") }
            attributes.append("URI=\"\(subs.directory)/\(PackagedTrack.playlistName)\"")
            lines.append("#EXT-X-MEDIA:" + attributes.joined(separator: ","))
        }
        let audioPeak = audio.map(\.peakBitrate).max() ?? 0
        let audioAverage = audio.map(\.averageBitrate).max() ?? 0
        let audioCodecs = audio.first.map { [$0.codecs] } ?? []
        for track in video {
            var attributes = ["BANDWIDTH=\(track.peakBitrate + audioPeak)", "AVERAGE-BANDWIDTH=\(track.averageBitrate + audioAverage)"]
            if let w = track.width, let h = track.height { attributes.append("RESOLUTION=\(w)x\(h)") }
            if let rate = track.frameRate, rate.isValid {
                attributes.append("FRAME-RATE=\(decimals(Double(rate.num) / Double(rate.den), 3))")
            }
            attributes.append("CODECS=\"\(([track.codecs] + audioCodecs).joined(separator: ","))\"")
            // RFC 8216bis 4.4.6.2: a player that cannot show HDR skips a PQ or HLG variant.
            if let range = track.colour?.videoRange { attributes.append("VIDEO-RANGE=\(range)") }
            if !audio.isEmpty { attributes.append("AUDIO=\"\(audioGroup)\"") }
            if !subtitles.isEmpty { attributes.append("SUBTITLES=\"\(subtitleGroup)\"") }
            lines.append("#EXT-X-STREAM-INF:" + attributes.joined(separator: ","))
            lines.append("\(track.directory)/\(PackagedTrack.playlistName)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// NAME is unique within a group (RFC 8216 4.3.4.1.1): a repeated one gets " (2)", " (3)".
    static func uniqueNames(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.map { name in
            var candidate = name, n = 2
            while !seen.insert(quoted(candidate)).inserted { candidate = "\(name) (\(n))"; n += 1 }
            return candidate
        }
    }

    /// Fixed decimals, independent of the locale.
    static func decimals(_ value: Double, _ places: Int) -> String {
        String(format: "%.\(places)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }

    /// A quoted-string attribute may not hold a double quote, CR or LF (RFC 8216 4.2).
    static func quoted(_ text: String) -> String {
        String(text.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" })
    }
}
