/// How a segment is encoded: the same for every segment of a job, sent with each assignment.
public struct EncodeSettings: Codable, Sendable, Equatable {
    public static let supportedCodecs = ["libx264", "libx265", "libvpx-vp9", "libsvtav1", "ffv1"]
    public static let x26xPresets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]

    public var codec: String
    public var crf: Double?
    /// Target bit rate in bits per second (instead of `crf`).
    public var bitrate: Int?
    public var preset: String?
    /// Maximum distance between key frames, in frames (within a segment).
    public var gop: Int?
    public var pixelFormat: String?
    public var scale: ScaleSpec?
    /// Encoder threads (0: let the encoder choose).
    public var threads: Int
    /// Deinterlace (libavfilter's bwdif, one frame per frame, timestamps kept) and encode
    /// progressive. Off by default: interlaced sources stay interlaced, field order kept.
    public var deinterlace: Bool
    /// Rate control caps (bits per second and bits), as x264's vbv-maxrate/vbv-bufsize: a CRF
    /// encode never exceeds `maxRate` over a buffer of `bufferSize`.
    public var maxRate: Int?
    public var bufferSize: Int?
    /// Key frames only where the pipeline forces them (no scene-cut ones), so every rendition of
    /// a ladder has its IDR frames at the same source frames.
    public var onlyForcedKeyFrames: Bool
    /// Scale to square pixels at the display aspect (a ladder rendition: an anamorphic 720x576
    /// PAL source's 360p rung is 640x360, not 450x360 that only players honouring its sample
    /// aspect ratio show right). Off: the source's sample aspect ratio is kept.
    public var squarePixels = false
    /// Encode every rung of this ladder from one decode (nil: one output, these settings).
    public var ladder: Ladder?
    /// Tone-map an HDR source (PQ or HLG) to SDR: BT.709 primaries, transfer and matrix, limited
    /// range, 8-bit 4:2:0 unless `pixelFormat` says otherwise, no HDR metadata (`ToneMapper`).
    /// A job on an SDR source has it cleared with a warning (`PreparedJob`).
    public var sdr = false
    /// Encode every audio track at this rate (bits per second a track) rather than copy it: AAC,
    /// Opus into Matroska and WebM (`AudioTranscoder`). nil: copied where the output takes the
    /// source's codec (a ladder copies AAC), otherwise encoded at 96 kbit/s a channel (Opus 64).
    public var audioBitrate: Int?

    /// The encoders an agent needs for this job's segments: the codec, and each rung's own.
    public var encodersNeeded: Set<String> {
        Set([codec] + (ladder?.rungs.compactMap(\.codec) ?? []))
    }
    /// Quarter turns clockwise given to every picture before scaling (0: none). gopfarm sets it,
    /// whatever a submission says: where the output's container cannot store the source's
    /// rotation, the pictures are turned upright, as the ffmpeg CLI does (`PreparedJob`).
    public var quarterTurns: Int

    public init(codec: String = "libx264", crf: Double? = nil, bitrate: Int? = nil, preset: String? = nil,
                gop: Int? = nil, pixelFormat: String? = nil, scale: ScaleSpec? = nil, threads: Int = 0, deinterlace: Bool = false,
                maxRate: Int? = nil, bufferSize: Int? = nil, onlyForcedKeyFrames: Bool = false, ladder: Ladder? = nil, quarterTurns: Int = 0) {
        self.codec = codec
        self.crf = crf
        self.bitrate = bitrate
        self.preset = preset
        self.gop = gop
        self.pixelFormat = pixelFormat
        self.scale = scale
        self.threads = threads
        self.deinterlace = deinterlace
        self.maxRate = maxRate
        self.bufferSize = bufferSize
        self.onlyForcedKeyFrames = onlyForcedKeyFrames
        self.ladder = ladder
        self.quarterTurns = quarterTurns
    }
}

/// A target size: `1280x720`, or one side given and the other `-2` (keep aspect, even).
public struct ScaleSpec: Codable, Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Parses `WxH`, `W:H`, `-2:720`, `1280x-2`; which sizes are allowed is `validate(codec:pixelFormat:)`'s
    /// business, so that the CLI and the API refuse the same ones.
    public init(parsing text: String) throws(MediaError) {
        let parts = text.split(separator: "x", omittingEmptySubsequences: false).count == 2
            ? text.split(separator: "x", omittingEmptySubsequences: false) : text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
            throw MediaError(.invalidOption, "scale takes WIDTHxHEIGHT, e.g. 1280x720 or -2:720, not '\(JobRules.quote(text))'")
        }
        width = w
        height = h
    }

    /// The output size for a source of `sourceWidth`×`sourceHeight`.
    public func resolve(sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int) {
        func derived(_ other: Int, _ num: Int, _ den: Int, even: Bool) -> Int {
            let exact = Double(other) * Double(num) / Double(den)
            if even { return max(2, Int((exact / 2).rounded()) * 2) }
            return max(1, Int(exact.rounded()))
        }
        var w = width, h = height
        if w < 0 { w = derived(h, sourceWidth, sourceHeight, even: w == -2) }
        if h < 0 { h = derived(w, sourceHeight, sourceWidth, even: h == -2) }
        return (w, h)
    }

    public var description: String { "\(width)x\(height)" }
}

extension EncodeSettings {
    enum CodingKeys: String, CodingKey { case codec, crf, bitrate, preset, gop, pixelFormat, scale, threads, deinterlace, maxRate, bufferSize, onlyForcedKeyFrames, ladder, quarterTurns
        case squarePixels, sdr, audioBitrate
    }

    /// Everything but the codec is optional in JSON (API submissions give only what they change).
    public init(from decoder: any Swift.Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(codec: try c.decode(String.self, forKey: .codec), crf: try c.decodeIfPresent(Double.self, forKey: .crf),
                  bitrate: try c.decodeIfPresent(Int.self, forKey: .bitrate), preset: try c.decodeIfPresent(String.self, forKey: .preset),
                  gop: try c.decodeIfPresent(Int.self, forKey: .gop), pixelFormat: try c.decodeIfPresent(String.self, forKey: .pixelFormat),
                  scale: try c.decodeIfPresent(ScaleSpec.self, forKey: .scale), threads: try c.decodeIfPresent(Int.self, forKey: .threads) ?? 0,
                  deinterlace: try c.decodeIfPresent(Bool.self, forKey: .deinterlace) ?? false,
                  maxRate: try c.decodeIfPresent(Int.self, forKey: .maxRate), bufferSize: try c.decodeIfPresent(Int.self, forKey: .bufferSize),
                  onlyForcedKeyFrames: try c.decodeIfPresent(Bool.self, forKey: .onlyForcedKeyFrames) ?? false,
                  ladder: try c.decodeIfPresent(Ladder.self, forKey: .ladder),
                  quarterTurns: try c.decodeIfPresent(Int.self, forKey: .quarterTurns) ?? 0)
        squarePixels = try c.decodeIfPresent(Bool.self, forKey: .squarePixels) ?? false
        sdr = try c.decodeIfPresent(Bool.self, forKey: .sdr) ?? false
        audioBitrate = try c.decodeIfPresent(Int.self, forKey: .audioBitrate)
    }

    /// Optional fields only when set; `quarterTurns` only when not 0, so that submissions (which
    /// cannot set it: the API refuses it as an unknown field) never carry it.
    public func encode(to encoder: any Swift.Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(codec, forKey: .codec)
        try c.encodeIfPresent(crf, forKey: .crf)
        try c.encodeIfPresent(bitrate, forKey: .bitrate)
        try c.encodeIfPresent(preset, forKey: .preset)
        try c.encodeIfPresent(gop, forKey: .gop)
        try c.encodeIfPresent(pixelFormat, forKey: .pixelFormat)
        try c.encodeIfPresent(scale, forKey: .scale)
        try c.encode(threads, forKey: .threads)
        try c.encode(deinterlace, forKey: .deinterlace)
        try c.encodeIfPresent(maxRate, forKey: .maxRate)
        try c.encodeIfPresent(bufferSize, forKey: .bufferSize)
        try c.encode(onlyForcedKeyFrames, forKey: .onlyForcedKeyFrames)
        try c.encodeIfPresent(ladder, forKey: .ladder)
        if quarterTurns != 0 { try c.encode(quarterTurns, forKey: .quarterTurns) }
        if squarePixels { try c.encode(squarePixels, forKey: .squarePixels) }
        if sdr { try c.encode(sdr, forKey: .sdr) }
        try c.encodeIfPresent(audioBitrate, forKey: .audioBitrate)
    }
}
