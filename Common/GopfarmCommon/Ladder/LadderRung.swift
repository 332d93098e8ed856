import Foundation

/// One rendition of a ladder: a height (the width keeps the source's aspect, even), a bit rate,
/// and optionally its own codec, rate control and preset.
///
/// Rate control: by default CRF capped by the rate (`maxrate` = rate, `bufsize` = 2 × rate), so
/// easy scenes take fewer bits and hard ones never exceed what the rung promises a player;
/// `abr` encodes to the rate on average instead.
public struct LadderRung: Codable, Sendable, Equatable {
    public var name: String
    public var height: Int
    /// Bits per second: the cap (capped CRF) or the average (`abr`); 0: uncapped CRF.
    public var bitrate: Int
    /// nil: the job's codec.
    public var codec: String?
    /// nil: the job's CRF, else the codec's default (`defaultCRF`).
    public var crf: Double?
    public var averageBitrate: Bool
    /// nil: the job's preset where the rung's codec takes it (x264 and x265 share theirs),
    /// else the codec's default.
    public var preset: String?
    /// Tone-map an HDR source to SDR for this rung (`EncodeSettings.sdr`), so one ladder has HDR
    /// renditions for the screens that show them and SDR ones for every other.
    public var sdr: Bool

    public init(name: String? = nil, height: Int, bitrate: Int, codec: String? = nil, crf: Double? = nil, averageBitrate: Bool = false,
                preset: String? = nil, sdr: Bool = false) {
        self.height = height
        self.bitrate = bitrate
        self.codec = codec
        self.crf = crf
        self.preset = preset
        self.averageBitrate = averageBitrate
        self.sdr = sdr
        self.name = name ?? Self.defaultName(height: height, codec: codec, sdr: sdr)
    }

    static func defaultName(height: Int, codec: String?, sdr: Bool = false) -> String {
        let base = switch codec {
        case nil: "\(height)p"
        case "libx264": "\(height)p-h264"
        case "libx265": "\(height)p-hevc"
        case "libsvtav1": "\(height)p-av1"
        case let c?: "\(height)p-\(c)"
        }
        return sdr ? base + "-sdr" : base
    }

    /// `720p:3M`, `1080p:6M:libx265`, `480p:1.2M:abr`, `360p:700k:crf=26`, `720p:2M:libsvtav1:preset=8`, `720p:3M:sdr`.
    public init(parsing text: String) throws(MediaError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let example = "a rung is HEIGHTp:RATE such as 720p:3M"
        guard parts.count >= 2, parts[0].hasSuffix("p"), let height = Int(parts[0].dropLast()) else {
            throw MediaError(.invalidOption, "\(example), not '\(JobRules.quote(text))'")
        }
        guard let rate = Self.parseRate(parts[1]) else {
            throw MediaError(.invalidOption, "the rate of rung '\(JobRules.quote(text))' is not a bit rate such as 3M, 1.2M or 700k")
        }
        var codec: String?, crf: Double?, preset: String?, average = false, sdr = false
        var given = Set<String>()
        for option in parts.dropFirst(2) {
            // Each option once: `crf=20:crf=22` was the last one silently.
            let key = option.split(separator: "=").first.map(String.init) ?? option
            let kind = EncodeSettings.supportedCodecs.contains(key) ? "codec" : key
            guard given.insert(kind).inserted || kind == "codec" else {
                throw MediaError(.invalidOption, "rung '\(JobRules.quote(text))' gives \(kind) twice; give it once")
            }
            if option == "abr" { average = true }
            else if option == "sdr" { sdr = true }
            else if option.hasPrefix("crf="), let value = Double(option.dropFirst(4)) { crf = value }
            else if option.hasPrefix("preset="), option.count > 7 { preset = String(option.dropFirst(7)) }
            else if EncodeSettings.supportedCodecs.contains(option) {
                if let codec, codec != option {
                    throw MediaError(.invalidOption, "rung '\(JobRules.quote(text))' names two codecs, \(codec) and \(option); give one")
                }
                codec = option
            }
            else {
                throw MediaError(.invalidOption, "rung '\(JobRules.quote(text))': '\(JobRules.quote(option))' is not a codec, abr, crf=N, preset=P or sdr")
            }
        }
        self.init(height: height, bitrate: rate, codec: codec, crf: crf, averageBitrate: average, preset: preset, sdr: sdr)
    }

    /// The rung as `--ladder` takes it (`240p:400k:libx265:crf=26`), with `rate` written as the
    /// caller likes; a name of its own is not part of that syntax.
    public func text(rate: String) -> String {
        var parts = ["\(height)p", rate]
        if let codec { parts.append(codec) }
        if averageBitrate { parts.append("abr") }
        if let crf { parts.append("crf=\(JobRules.show(crf))") }
        if let preset { parts.append("preset=\(preset)") }
        if sdr { parts.append("sdr") }
        return parts.joined(separator: ":")
    }

    /// A bit rate as `--ladder` writes it: `6M`, `1.2M`, `700k`, `950` (bits per second).
    public static func rateText(_ bitsPerSecond: Int) -> String {
        if bitsPerSecond >= 1_000_000 { return trimmed(Double(bitsPerSecond) / 1e6, decimals: 2) + "M" }
        if bitsPerSecond >= 100_000 { return "\(Int((Double(bitsPerSecond) / 1e3).rounded()))k" }
        if bitsPerSecond >= 1_000 { return trimmed(Double(bitsPerSecond) / 1e3, decimals: 2) + "k" }
        return "\(bitsPerSecond)"
    }

    /// `value` with at most `decimals` decimals and no trailing zeros (`1.2`, `95.34`, `6`).
    public static func trimmed(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return text.contains(".") ? String(text.reversed().drop { $0 == "0" }.drop { $0 == "." }.reversed()) : text
    }

    /// `6M`, `1.2M`, `700k`, `2500000` in bits per second.
    public static func parseRate(_ text: String) -> Int? {
        var number = Substring(text), factor = 1.0
        switch text.last {
        case "k", "K": factor = 1e3; number = number.dropLast()
        case "M", "m": factor = 1e6; number = number.dropLast()
        case "G", "g": factor = 1e9; number = number.dropLast()
        default: break
        }
        guard let value = Double(number), value.isFinite, value > 0 else { return nil }
        let bits = value * factor
        return bits < Double(Int32.max) ? Int(bits.rounded()) : nil
    }

    /// A rung's CRF when neither it nor the job gives one: x264's and x265's own defaults, and
    /// SVT-AV1's 35 (its scale runs to 63).
    public static func defaultCRF(_ codec: String) -> Double {
        switch codec {
        case "libx265": 28
        case "libsvtav1": 35
        default: 23
        }
    }

    /// This rung's encode settings from the job's.
    public func settings(base: EncodeSettings) -> EncodeSettings {
        var s = base
        s.codec = codec ?? base.codec
        s.preset = preset ?? base.preset.flatMap { EncodeSettings.isEncoderPreset($0, codec: s.codec) ? $0 : nil }
        s.scale = ScaleSpec(width: -2, height: height)
        s.bitrate = nil
        s.maxRate = nil
        s.bufferSize = nil
        if averageBitrate {
            s.crf = nil
            s.bitrate = bitrate
        } else {
            s.crf = crf ?? base.crf ?? Self.defaultCRF(s.codec)
            // A rate of 0 is plain CRF: the probe of an automatic ladder measures uncapped encodes.
            s.maxRate = bitrate > 0 ? bitrate : nil
            s.bufferSize = bitrate > 0 ? 2 * bitrate : nil
        }
        s.gop = nil
        // Browsers and most devices decode 8-bit 4:2:0 H.264 only (no High 10 or 4:2:2 in MSE):
        // an H.264 rung is 8-bit unless the job asks otherwise. HEVC keeps the source's depth.
        if s.codec == "libx264", base.pixelFormat == nil { s.pixelFormat = "yuv420p" }
        s.onlyForcedKeyFrames = true
        s.squarePixels = true
        s.sdr = sdr || base.sdr
        s.ladder = nil
        return s
    }
}

extension LadderRung {
    enum CodingKeys: String, CodingKey { case name, height, bitrate, codec, crf, averageBitrate, preset, sdr }

    /// `sdr` is optional in JSON: ladders stored before it decode as they were.
    public init(from decoder: any Swift.Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), height: try c.decode(Int.self, forKey: .height),
                  bitrate: try c.decode(Int.self, forKey: .bitrate), codec: try c.decodeIfPresent(String.self, forKey: .codec),
                  crf: try c.decodeIfPresent(Double.self, forKey: .crf), averageBitrate: try c.decode(Bool.self, forKey: .averageBitrate),
                  preset: try c.decodeIfPresent(String.self, forKey: .preset), sdr: try c.decodeIfPresent(Bool.self, forKey: .sdr) ?? false)
    }

    public func encode(to encoder: any Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(height, forKey: .height)
        try c.encode(bitrate, forKey: .bitrate)
        try c.encodeIfPresent(codec, forKey: .codec)
        try c.encodeIfPresent(crf, forKey: .crf)
        try c.encode(averageBitrate, forKey: .averageBitrate)
        try c.encodeIfPresent(preset, forKey: .preset)
        if sdr { try c.encode(sdr, forKey: .sdr) }
    }
}
