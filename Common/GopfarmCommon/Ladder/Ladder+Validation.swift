extension Ladder {
    /// The rules of a ladder, one sentence each, the same for the CLI and the API.
    public func validate(base: EncodeSettings) throws(MediaError) {
        guard Self.segmentSecondsRange.contains(segmentSeconds) else {
            throw MediaError(.invalidOption, "the packaging segment length must be between 1 and 20 seconds, not \(JobRules.show(segmentSeconds))")
        }
        guard !packages.isEmpty else { throw MediaError(.invalidOption, "a ladder needs a package format: hls, dash or both") }
        try checkJobOptions(base)
        if auto {
            guard rungs.isEmpty else { throw MediaError(.invalidOption, "ladder auto chooses the rungs itself; give auto or rungs, not both") }
            guard Self.autoCodecs.contains(base.codec) else {
                throw MediaError(.invalidOption, "ladder auto encodes \(Self.autoCodecs.joined(separator: " or ")), not \(base.codec)")
            }
            return
        }
        guard !rungs.isEmpty else { throw MediaError(.invalidOption, "a ladder needs at least one rung, e.g. 720p:3M") }
        guard rungs.count <= Self.maxRungs else {
            throw MediaError(.invalidOption, "a ladder has at most \(Self.maxRungs) rungs, not \(rungs.count)")
        }
        var names = Set<String>()
        var seen: [String: String] = [:]
        for rung in rungs {
            // The same rendition twice (360p:800k,360p:800k) would be encoded twice.
            var effective = rung
            effective.codec = rung.codec ?? base.codec
            let same = effective.text(rate: String(rung.bitrate))
            // Named as given (the second's name, 360p-2, is one the user never wrote).
            let given = rung.text(rate: LadderRung.rateText(rung.bitrate))
            if let other = seen[same] {
                throw MediaError(.invalidOption, other == given ? "rung \(given) is given twice; give each once"
                                 : "rungs \(other) and \(given) are the same rendition; give each once")
            }
            seen[same] = given
            // Case apart too: video-A and video-a are one directory on some file systems.
            guard names.insert(rung.name.lowercased()).inserted else {
                throw MediaError(.invalidOption, "the ladder has two rungs named \(JobRules.quote(rung.name)); give each its own name")
            }
            if rung.averageBitrate, rung.crf != nil {
                throw MediaError(.invalidOption, "rung \(rung.name): abr encodes to the rate on average and takes no crf")
            }
            if !rung.averageBitrate, (rung.crf ?? base.crf) == 0 {
                throw MediaError(.invalidOption, "rung \(rung.name): crf 0 is lossless, which no rate can cap; give a crf above 0, or abr")
            }
            guard (1...32).contains(rung.name.count),
                  rung.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw MediaError(.invalidOption, "rung name '\(JobRules.quote(rung.name))' must be 1 to 32 letters, digits, - or _")
            }
            // The source's tracks are named audio-1-eng, subs-1: a rung so named would share
            // their DASH Representation id.
            if let taken = Self.trackNamePrefixes.first(where: { rung.name.lowercased().hasPrefix($0) }) {
                throw MediaError(.invalidOption, "rung name '\(rung.name)' is taken: names starting with \(taken) are the audio and subtitle tracks'")
            }
            guard (16...4320).contains(rung.height), rung.height % 2 == 0 else {
                throw MediaError(.invalidOption, "rung \(rung.name): the height must be even and between 16 and 4320, not \(rung.height)")
            }
            // Its bufsize is twice the rate, and has the encoders' bound.
            guard (1000...JobRules.bitrate.upperBound / 2).contains(rung.bitrate) else {
                throw MediaError(.invalidOption, "rung \(rung.name): the rate must be between 1k and 1G bits per second, not \(rung.bitrate)")
            }
            let settings = rung.settings(base: base)
            guard Self.codecs.contains(settings.codec) else {
                throw MediaError(.invalidOption, "rung \(rung.name): a ladder encodes \(Self.codecList) (CMAF tracks), not \(settings.codec)")
            }
            do { try settings.validate() } catch {
                throw MediaError(error.code, "rung \(rung.name): \(error.message)")
            }
        }
    }

    /// The job's options a ladder sets per rung itself: refused, not ignored.
    func checkJobOptions(_ base: EncodeSettings) throws(MediaError) {
        if base.scale != nil { throw MediaError(.invalidOption, "a ladder sets each rung's size; give no scale with it") }
        if base.bitrate != nil { throw MediaError(.invalidOption, "a ladder sets each rung's rate; give no bitrate with it") }
        if base.maxRate != nil || base.bufferSize != nil {
            throw MediaError(.invalidOption, "a ladder caps each rung at its own rate (maxrate = RATE, bufsize = 2 × RATE); give no maxrate or bufsize with it")
        }
        if base.gop != nil {
            throw MediaError(.invalidOption, "a ladder places its key frames on the packaging grid (--package-seconds); give no gop with it")
        }
    }

    /// How the packager names the source's audio and subtitle tracks (`audio-1-eng`, `subs-1`).
    public static let audioTrackPrefix = "audio-", subtitleTrackPrefix = "subs-"
    static let trackNamePrefixes = [audioTrackPrefix, subtitleTrackPrefix]

    /// "libx264, libx265 or libsvtav1".
    static var codecList: String {
        codecs.dropLast().joined(separator: ", ") + " or " + codecs.last!
    }
}
