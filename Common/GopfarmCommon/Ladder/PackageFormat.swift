import Foundation

/// How a ladder's renditions are published: both share the same CMAF (fragmented MP4) files.
public enum PackageFormat: String, Codable, Sendable, CaseIterable {
    /// `master.m3u8` and one media playlist per track (RFC 8216).
    case hls
    /// `manifest.mpd` (ISO/IEC 23009-1, SegmentTemplate with SegmentTimeline).
    case dash

    /// Parses `--package`: `hls`, `dash` or `hls,dash`.
    public static func parseList(_ text: String) throws(MediaError) -> [PackageFormat] {
        var formats: [PackageFormat] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let f = PackageFormat(rawValue: part.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw MediaError(.invalidOption, "package takes hls, dash or hls,dash, not '\(JobRules.quote(text))'")
            }
            if !formats.contains(f) { formats.append(f) }
        }
        return formats
    }
}
