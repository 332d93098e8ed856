import Foundation
import GopfarmCommon

extension JobSubmission {
    /// The rules every job request passes, the same for `gopfarm submit` (before it sends
    /// anything) and `POST /v1/jobs` (the coordinator fills in its default segment length
    /// first): encoder settings, segment length, max agents, output name, in that order, so both
    /// refuse a request with the same sentence. The rules themselves are `JobRules`, which
    /// `gopfarm transcode` and `analyze` use too. Where the input is comes later (only the
    /// coordinator can tell).
    public func validate(defaultSegmentSeconds: Double? = nil) throws(MediaError) {
        try settings.validate()
        if let seconds = segmentSeconds ?? defaultSegmentSeconds { try JobRules.checkSegmentSeconds(seconds) }
        if let maxAgents { try JobRules.checkMaxAgents(maxAgents) }
        if let outputName {
            if settings.ladder != nil { try Self.checkLadderOutputName(outputName) } else { try JobRules.checkOutputName(outputName, codec: settings.codec) }
        }
        if let webhooks { try WebhookRules.check(webhooks) }
    }

    /// A ladder's output is a directory named after `outputName` less a container extension;
    /// `film/` names it as `gopfarm transcode -o film/` does.
    public static func checkLadderOutputName(_ given: String) throws(MediaError) {
        let name = given.hasSuffix("/") ? String(given.dropLast()) : given
        guard !name.isEmpty, name.count <= 255, !name.contains("/"), !JobRules.hasControlCharacters(name), !name.hasPrefix(".") else {
            throw MediaError(.invalidOption, "a ladder's output name must be a plain directory name such as film, not '\(JobRules.quote(given))'")
        }
        // As transcode and fetch refuse it: the directory gets master.m3u8 and manifest.mpd.
        if ["m3u8", "mpd"].contains((name as NSString).pathExtension.lowercased()) {
            throw MediaError(.invalidOption, "a ladder's output is a directory such as film (it gets master.m3u8 and manifest.mpd), not a .\((name as NSString).pathExtension) file")
        }
    }

    /// The directory a ladder job writes: the name less a container extension (`film.mp4` →
    /// `film`), `stream` when nothing is left.
    public static func ladderDirectoryName(_ given: String) -> String {
        let name = given.hasSuffix("/") ? String(given.dropLast()) : given
        let ext = (name as NSString).pathExtension.lowercased()
        let base = JobRules.containers.contains(ext) ? (name as NSString).deletingPathExtension : name
        return base.isEmpty || base.hasPrefix(".") ? "stream" : base
    }
}
