import ArgumentParser
import GopfarmCommon

/// Encoding flags shared by `transcode`, `submit` and `bench`; `EncodeSettings.validate()` checks them.
struct EncodeOptions: ParsableArguments {
    @Option(help: "Video encoder: libx264 (the default), libx265, libvpx-vp9, libsvtav1 or ffv1 (lossless).")
    var codec: String?

    @Option(parsing: .unconditional, help: "Constant rate factor (quality; lower is better). Default: the encoder's.")
    var crf: Double?

    @Option(parsing: .unconditional, help: "Target bit rate instead of --crf, e.g. 5M or 2500k.")
    var bitrate: String?

    @Option(parsing: .unconditional, help: "Cap the rate of a --crf encode, bits per second (e.g. 3M); x264/x265 need --bufsize with it.")
    var maxrate: String?

    @Option(parsing: .unconditional, help: "Rate control buffer for --maxrate, in bits (e.g. 6M).")
    var bufsize: String?

    @Option(parsing: .unconditional, help: "Encoder preset, e.g. medium (x264/x265), 8 (svtav1), good (vp9).")
    var preset: String?

    @Option(parsing: .unconditional, help: "Maximum key frame distance in frames.")
    var gop: Int?

    @Option(help: "Output pixel format, e.g. yuv420p. Default: the source's when the encoder takes it.")
    var pixFmt: String?

    @Option(parsing: .unconditional, help: "Output size: WIDTHxHEIGHT, or -2:720 to keep the aspect ratio.")
    var scale: String?

    @Flag(help: "Deinterlace (bwdif) and encode progressive frames. Default: interlaced sources stay interlaced.")
    var deinterlace = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Encode every audio track at this rate, e.g. 128k (AAC; Opus into .mkv and .webm), not copy it. Default: copied where the output takes the codec (a ladder copies AAC), else 96k a channel (Opus 64k).",
                                                        valueName: "rate"))
    var audioBitrate: String?

    @Flag(help: "Tone-map an HDR source (PQ or HLG) to SDR: BT.709, 8-bit unless --pix-fmt says otherwise (zscale + tonemap hable); with --ladder, every rung (a rung's own :sdr tone-maps that rung only).")
    var sdr = false

    @Option(help: ArgumentHelp("Encode an ABR ladder from one decode and package it for streaming; the output is a directory. \(Ladder.syntax). A rung without a CODEC uses --codec (and --crf, --preset as its defaults).",
                               valueName: "rungs"))
    var ladder: String?

    @Option(help: ArgumentHelp("With --ladder: hls, dash or hls,dash (the default).", valueName: "formats"))
    var package: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --ladder: the packaging segment length in seconds (default \(JobRules.show(Ladder.defaultSegmentSeconds))).",
                               valueName: "seconds"))
    var packageSeconds: Double?

    func settings(threads: Int) throws -> EncodeSettings {
        func rate(_ text: String?, _ flag: String, _ example: String) throws -> Int? {
            try text.map { try Self.parseBitrate($0, flag: flag, example: example) }
        }
        var settings = EncodeSettings(codec: codec ?? "libx264", crf: crf, bitrate: try rate(bitrate, "--bitrate", "5M or 2500k"), preset: preset,
                                      gop: gop, pixelFormat: pixFmt, scale: try scale.map { try ScaleSpec(parsing: $0) }, threads: threads,
                                      deinterlace: deinterlace, maxRate: try rate(maxrate, "--maxrate", "3M"),
                                      bufferSize: try rate(bufsize, "--bufsize", "6M"), ladder: try ladderSettings())
        settings.sdr = sdr
        settings.audioBitrate = try rate(audioBitrate, "--audio-bitrate", "128k")
        return settings
    }

    func ladderSettings() throws -> Ladder? {
        guard let ladder else {
            if package != nil || packageSeconds != nil {
                throw MediaError(.invalidOption, "--package and --package-seconds go with --ladder")
            }
            return nil
        }
        return try Ladder(parsing: ladder, packages: try package.map(PackageFormat.parseList) ?? PackageFormat.allCases,
                          segmentSeconds: packageSeconds ?? Ladder.defaultSegmentSeconds)
    }

    /// `5M`, `2500k`, `128000`: decimal digits with at most one point (not `0x10k` or `1e5`,
    /// which `Double` would take), then k or M. `flag` and `example` name the option in the error.
    static func parseBitrate(_ text: String, flag: String, example: String) throws -> Int {
        let lower = text.lowercased()
        let (digits, factor): (Substring, Double) =
            lower.hasSuffix("m") ? (lower.dropLast(), 1_000_000) : lower.hasSuffix("k") ? (lower.dropLast(), 1_000) : (Substring(lower), 1)
        let plain = digits.drop { $0 == "-" }
        guard !plain.isEmpty, plain.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), plain.filter({ $0 == "." }).count <= 1,
              let value = Double(digits), value.isFinite else {
            throw MediaError(.invalidOption, "\(flag) takes a number of bits per second such as \(example), not '\(JobRules.quote(text))'")
        }
        // Whether the number is a bit rate is `JobRules`' business (the API's answer is the same);
        // here it only has to fit an Int.
        return Int(max(-1e18, min(1e18, value * factor)))
    }
}
