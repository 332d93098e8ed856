import CFFmpeg
import Foundation

/// Every rule a job's settings must pass, in one place, so that `gopfarm transcode`, `analyze`,
/// `submit` and `POST /v1/jobs` accept and refuse exactly the same things with the same sentence.
///
/// The sentences name a setting in words ("crf", "pixel format", "segment length") rather than
/// as a flag or a JSON field, because the same sentence answers both. Text the user typed is
/// quoted at most `quoteLimit` characters long: a megabyte of garbage gets a short answer.
public enum JobRules {
    /// A segment is at least one frame at 25 fps and at most an hour.
    public static let segmentSeconds: ClosedRange<Double> = 0.04...3600
    public static let maxAgents: ClosedRange<Int> = 1...10_000
    public static let threads: ClosedRange<Int> = 0...256
    public static let gop: ClosedRange<Int> = 1...100_000
    /// Bits per second: 2 Gbit/s is far above any delivery codec and still fits every encoder's int.
    public static let bitrate: ClosedRange<Int> = 1...2_000_000_000
    /// `audioBitrate`, a track: from a voice track's 8k to past what AAC and Opus use for 7.1.
    public static let audioBitrate: ClosedRange<Int> = 8_000...1_000_000
    public static let containers = ["mp4", "m4v", "mov", "mkv", "webm"]
    public static let quoteLimit = 40

    public static func checkSegmentSeconds(_ seconds: Double) throws(MediaError) {
        guard segmentSeconds.contains(seconds) else {
            throw MediaError(.invalidOption, "segment length must be between 0.04 and 3600 seconds, not \(show(seconds))")
        }
    }

    public static func checkMaxAgents(_ n: Int) throws(MediaError) {
        guard maxAgents.contains(n) else { throw MediaError(.invalidOption, "max agents must be between 1 and 10000, not \(n)") }
    }

    /// The output's file name (its extension picks the container, which must hold the codec).
    public static func checkOutputName(_ name: String, codec: String) throws(MediaError) {
        guard !name.isEmpty, name.count <= 255, !name.contains("/"), !hasControlCharacters(name), !name.hasPrefix(".") else {
            throw MediaError(.invalidOption, "the output name must be a plain file name such as movie.mp4, not '\(quote(name))'")
        }
        let ext = name.split(separator: ".", omittingEmptySubsequences: false).dropFirst().last.map { String($0).lowercased() } ?? ""
        guard !ext.isEmpty else {
            throw MediaError(.invalidOption, "the output '\(quote(name))' has no extension to pick its container; use .mp4, .mov, .mkv or .webm")
        }
        guard containers.contains(ext) else {
            throw MediaError(.invalidOption, "cannot write '.\(quote(ext))' files; use .mp4, .mov, .mkv or .webm")
        }
        if ext == "webm", !["libvpx-vp9", "libsvtav1"].contains(codec) {
            throw MediaError(.invalidOption, "WebM holds VP9 or AV1 video; use the codec libvpx-vp9 or libsvtav1 with a .webm output")
        }
    }

    /// A ladder's output: a new or empty directory (`OutputDirectory`), not named like a video file.
    public static func checkOutputDirectory(_ path: String) throws(MediaError) {
        let ext = (path as NSString).pathExtension.lowercased()
        if OutputPlace.kind(of: path) == .missing, !path.hasSuffix("/"), containers.contains(ext) || ["m3u8", "mpd"].contains(ext) {
            throw MediaError(.invalidOption, "a ladder's output is a directory such as film/ (it gets master.m3u8 and manifest.mpd), not a .\(ext) file", path: path)
        }
        if let why = OutputDirectory.refusal(path) { throw MediaError(.invalidOption, why) }
    }

    /// The CRF range each encoder takes (nil: the codec has no CRF).
    public static func crfRange(codec: String) -> ClosedRange<Double>? {
        switch codec {
        case "libx264", "libx265": 0...51
        case "libvpx-vp9": 0...63
        case "libsvtav1": 1...63
        default: nil
        }
    }

    /// User text as a sentence shows it: at most `quoteLimit` characters, with `…` when cut, and
    /// control characters written as `\u{1B}` so that nothing echoed rewrites a terminal.
    public static func quote(_ text: String) -> String {
        let cut = text.count <= quoteLimit ? text : String(text.prefix(quoteLimit)) + "…"
        guard hasControlCharacters(cut) else { return cut }
        return cut.unicodeScalars.map { isControl($0) ? "\\u{\(String($0.value, radix: 16, uppercase: true))}" : String($0) }.joined()
    }

    /// Whether text holds a control character (C0, DEL or C1: escape sequences, newlines, tabs)
    /// or a bidirectional control (U+202E and kin). Names, paths and URLs that others see in
    /// tables and logs may not: one user's ESC [2J would clear another's terminal, and a right-to-
    /// left override makes "film\u{202E}4pm.exe" show as "filmexe.mp4".
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || bidiControls.contains(scalar.value)
    }

    /// LRM, RLM, ALM and the embedding, override and isolate controls.
    static let bidiControls: Set<UInt32> = [0x200E, 0x200F, 0x061C, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]

    /// A number as the user would write it: 60, not 60.0.
    public static func show(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }
}

extension EncodeSettings {
    /// Checks everything a user can get wrong before any frame is read, with one sentence each;
    /// what depends on the encoder (pixel formats, presets, CRF range) is asked of it.
    public func validate() throws(MediaError) {
        guard Self.supportedCodecs.contains(codec) else {
            throw MediaError(.invalidOption, "unsupported codec '\(JobRules.quote(codec))'; use one of \(Self.supportedCodecs.joined(separator: ", "))")
        }
        if crf != nil && bitrate != nil { throw MediaError(.invalidOption, "give crf or bitrate, not both") }
        // What a ladder sets per rung first: "maxrate needs bufsize" is no help when neither is taken.
        if let ladder { try ladder.checkJobOptions(self) }
        if let crf {
            guard let range = JobRules.crfRange(codec: codec) else {
                throw MediaError(.invalidOption, "\(codec) is lossless and takes no crf")
            }
            guard range.contains(crf) else {
                throw MediaError(.invalidOption, "crf for \(codec) must be between \(JobRules.show(range.lowerBound)) and \(JobRules.show(range.upperBound)), not \(JobRules.show(crf))")
            }
        }
        if let bitrate {
            if codec == "ffv1" { throw MediaError(.invalidOption, "ffv1 is lossless and takes no bitrate") }
            guard JobRules.bitrate.contains(bitrate) else {
                throw MediaError(.invalidOption, "bitrate must be between 1 and 2000000000 bits per second, not \(bitrate)")
            }
        }
        if let preset { try Self.checkPreset(preset, codec: codec) }
        if let gop, !JobRules.gop.contains(gop) {
            throw MediaError(.invalidOption, "gop must be between 1 and 100000 frames, not \(gop)")
        }
        let format = try pixelFormat.map { (name) throws(MediaError) in try Self.checkPixelFormat(name, codec: codec) }
        if let scale { try scale.validate(codec: codec, pixelFormat: format) }
        if !JobRules.threads.contains(threads) { throw MediaError(.invalidOption, "threads must be between 0 and 256, not \(threads)") }
        for (name, value) in [("maxrate", maxRate), ("bufsize", bufferSize)] {
            if let value, !JobRules.bitrate.contains(value) {
                throw MediaError(.invalidOption, "\(name) must be between 1 and 2000000000 bits, not \(value)")
            }
        }
        if maxRate != nil || bufferSize != nil {
            if codec == "ffv1" { throw MediaError(.invalidOption, "ffv1 is lossless and takes no maxrate or bufsize") }
            // x264 and x265 ignore a maxrate without its buffer (VBV needs both): say so, not encode uncapped.
            if maxRate != nil, bufferSize == nil, ["libx264", "libx265"].contains(codec) {
                throw MediaError(.invalidOption, "maxrate with \(codec) needs bufsize too (the rate is capped over that buffer; twice the maxrate is usual)")
            }
        }
        if let audioBitrate, !JobRules.audioBitrate.contains(audioBitrate) {
            throw MediaError(.invalidOption, "the audio bit rate must be between 8k and 1M bits per second a track, not \(audioBitrate)")
        }
        if let ladder { try ladder.validate(base: self) }
    }

    /// Whether `preset` is one of `codec`'s own presets (`submit --preset` otherwise takes it for
    /// a named preset of the farm's).
    public static func isEncoderPreset(_ preset: String, codec: String) -> Bool {
        (try? checkPreset(preset, codec: codec)) != nil
    }

    /// The presets a form offers for `codec`, fastest first (empty: the codec takes none).
    public static func presetChoices(codec: String) -> [String] {
        switch codec {
        case "libx264", "libx265": x26xPresets
        case "libsvtav1": (0...13).reversed().map(String.init)
        case "libvpx-vp9": ["realtime", "good", "best"]
        default: []
        }
    }

    static func checkPreset(_ preset: String, codec: String) throws(MediaError) {
        let q = JobRules.quote(preset)
        switch codec {
        case "libx264", "libx265":
            guard x26xPresets.contains(preset) else {
                throw MediaError(.invalidOption, "preset '\(q)' is not a \(codec) preset; use one of \(x26xPresets.joined(separator: ", "))")
            }
        case "libsvtav1":
            // FFmpeg 5.1's libsvtav1 wrapper takes 0…13 (and -1, its own default); -2 is refused there.
            guard let n = Int(preset), (0...13).contains(n) else {
                throw MediaError(.invalidOption, "preset for libsvtav1 is a number from 0 (slowest) to 13 (fastest), not '\(q)'")
            }
        case "libvpx-vp9":
            // libvpx takes a deadline by name or a speed (cpu-used) by number.
            guard ["good", "best", "realtime"].contains(preset) || Int(preset).map({ (-8...8).contains($0) }) == true else {
                throw MediaError(.invalidOption, "preset for libvpx-vp9 is good, best, realtime or a speed from -8 to 8, not '\(q)'")
            }
        default:
            throw MediaError(.invalidOption, "\(codec) takes no preset")
        }
    }

    /// The named pixel format, if the encoder takes it (libavcodec's list for that encoder).
    public static func checkPixelFormat(_ name: String, codec: String) throws(MediaError) -> AVPixelFormat {
        let format = name.count <= 32 ? av_get_pix_fmt(name) : AV_PIX_FMT_NONE
        guard format != AV_PIX_FMT_NONE else {
            throw MediaError(.invalidOption, "unknown pixel format '\(JobRules.quote(name))'")
        }
        if let supported = Encoder.supportedPixelFormats(codec: codec), !supported.contains(format) {
            throw MediaError(.invalidOption, "the encoder \(codec) does not take pixel format '\(name)'; it takes \(supported.map(PixelFormatChoice.name).joined(separator: ", "))")
        }
        return format
    }
}

extension ScaleSpec {
    /// A size is both sides from 1 to 16384, or one side and -1 (keep aspect) or -2 (keep
    /// aspect, even) for the other. Chroma-subsampled video needs even sides (the codec's
    /// default pixel format is assumed subsampled when none is given, except for ffv1).
    public func validate(codec: String, pixelFormat: AVPixelFormat?) throws(MediaError) {
        let limit = Int(MediaProbe.maxDimension)
        func ok(_ side: Int) -> Bool { (1...limit).contains(side) || side == -1 || side == -2 }
        guard ok(width), ok(height), width > 0 || height > 0 else {
            throw MediaError(.invalidOption, "scale \(self) is not a size: give both sides from 1 to 16384, or one side and -1 or -2 for the other")
        }
        var subsampled = (w: codec != "ffv1", h: codec != "ffv1")
        if let pixelFormat, let desc = av_pix_fmt_desc_get(pixelFormat) {
            subsampled = (desc.pointee.log2_chroma_w > 0, desc.pointee.log2_chroma_h > 0)
        }
        if (subsampled.w && width > 0 && width % 2 == 1) || (subsampled.h && height > 0 && height % 2 == 1) {
            throw MediaError(.invalidOption, "scale \(self) has an odd side, which subsampled chroma cannot hold; use even sides, -2, or a 4:4:4 pixel format")
        }
    }
}
