import CFFmpeg

/// HDR10's static metadata: the mastering display's colour volume (SMPTE ST 2086) and the
/// content's light levels (CTA-861.3 MaxCLL/MaxFALL). A PQ or HLG source carries it in its
/// container (MP4 `mdcv`/`clli`, Matroska `MasteringMetadata`) or in its bitstream (HEVC/H.264
/// SEI, AV1 metadata OBUs); a display tone-maps by it. Values are as FFmpeg gives them:
/// chromaticities as fractions, luminances in cd/m².
public struct HDRMetadata: Codable, Sendable, Equatable, CustomStringConvertible {
    public struct Chromaticity: Codable, Sendable, Equatable {
        public var x: Rational
        public var y: Rational

        public init(x: Rational, y: Rational) {
            self.x = x
            self.y = y
        }
    }

    public struct MasteringDisplay: Codable, Sendable, Equatable {
        public var red: Chromaticity
        public var green: Chromaticity
        public var blue: Chromaticity
        public var whitePoint: Chromaticity
        public var minLuminance: Rational
        public var maxLuminance: Rational

        public init(red: Chromaticity, green: Chromaticity, blue: Chromaticity, whitePoint: Chromaticity,
                    minLuminance: Rational, maxLuminance: Rational) {
            self.red = red
            self.green = green
            self.blue = blue
            self.whitePoint = whitePoint
            self.minLuminance = minLuminance
            self.maxLuminance = maxLuminance
        }
    }

    public struct ContentLight: Codable, Sendable, Equatable {
        /// Maximum content light level, cd/m².
        public var maxCLL: Int
        /// Maximum frame-average light level, cd/m².
        public var maxFALL: Int

        public init(maxCLL: Int, maxFALL: Int) {
            self.maxCLL = maxCLL
            self.maxFALL = maxFALL
        }
    }

    public var masteringDisplay: MasteringDisplay?
    public var contentLight: ContentLight?

    public init?(masteringDisplay: MasteringDisplay?, contentLight: ContentLight?) {
        guard masteringDisplay != nil || contentLight != nil else { return nil }
        self.masteringDisplay = masteringDisplay
        self.contentLight = contentLight
    }

    /// Transfers that carry HDR: PQ (SMPTE ST 2084) and HLG (ARIB STD-B67).
    public static func isHDRTransfer(_ transfer: UInt32) -> Bool {
        transfer == AVCOL_TRC_SMPTE2084.rawValue || transfer == AVCOL_TRC_ARIB_STD_B67.rawValue
    }

    /// What a report says about an output's dynamic range, from the streams themselves: "PQ" or
    /// "HLG" for an HDR output, "(tone-mapped to SDR)" for an SDR one of an HDR source, else nil.
    public static func rangeNote(source: CodecParameters, output: CodecParameters) -> String? {
        switch output.colorTransfer {
        case AVCOL_TRC_SMPTE2084.rawValue: "PQ"
        case AVCOL_TRC_ARIB_STD_B67.rawValue: "HLG"
        default: isHDRTransfer(source.colorTransfer) ? "(tone-mapped to SDR)" : nil
        }
    }

    public var description: String {
        var parts: [String] = []
        if let m = masteringDisplay {
            func xy(_ c: Chromaticity) -> String { "(\(decimals(c.x.doubleValue, 4)),\(decimals(c.y.doubleValue, 4)))" }
            parts.append("mastering display R\(xy(m.red)) G\(xy(m.green)) B\(xy(m.blue)) WP\(xy(m.whitePoint)), "
                         + "\(decimals(m.minLuminance.doubleValue, 4))-\(decimals(m.maxLuminance.doubleValue, 0)) cd/m²")
        }
        if let c = contentLight { parts.append("MaxCLL \(c.maxCLL), MaxFALL \(c.maxFALL) cd/m²") }
        return parts.joined(separator: "; ")
    }

    private func decimals(_ value: Double, _ places: Int) -> String {
        String(format: "%.\(places)f", value)
    }
}

// MARK: - To and from libav's structures

extension HDRMetadata.MasteringDisplay {
    /// nil unless it has both its primaries and its luminance (what every encoder needs).
    init?(_ m: AVMasteringDisplayMetadata) {
        guard m.has_primaries != 0, m.has_luminance != 0 else { return nil }
        func c(_ pair: (AVRational, AVRational)) -> HDRMetadata.Chromaticity { .init(x: Rational(pair.0), y: Rational(pair.1)) }
        red = c(m.display_primaries.0)
        green = c(m.display_primaries.1)
        blue = c(m.display_primaries.2)
        whitePoint = c(m.white_point)
        minLuminance = Rational(m.min_luminance)
        maxLuminance = Rational(m.max_luminance)
    }

    var av: AVMasteringDisplayMetadata {
        var m = AVMasteringDisplayMetadata()
        m.display_primaries = ((red.x.av, red.y.av), (green.x.av, green.y.av), (blue.x.av, blue.y.av))
        m.white_point = (whitePoint.x.av, whitePoint.y.av)
        m.min_luminance = minLuminance.av
        m.max_luminance = maxLuminance.av
        m.has_primaries = 1
        m.has_luminance = 1
        return m
    }
}

extension HDRMetadata {
    /// From side data laid out as libav's structures (a stream's or a frame's).
    init?(masteringDisplay: UnsafeRawPointer?, masteringBytes: Int, contentLight: UnsafeRawPointer?, contentBytes: Int) {
        let display = masteringDisplay.flatMap { p -> MasteringDisplay? in
            guard masteringBytes >= MemoryLayout<AVMasteringDisplayMetadata>.size else { return nil }
            return MasteringDisplay(p.loadUnaligned(as: AVMasteringDisplayMetadata.self))
        }
        let light = contentLight.flatMap { p -> ContentLight? in
            guard contentBytes >= MemoryLayout<AVContentLightMetadata>.size else { return nil }
            let l = p.loadUnaligned(as: AVContentLightMetadata.self)
            return ContentLight(maxCLL: Int(l.MaxCLL), maxFALL: Int(l.MaxFALL))
        }
        self.init(masteringDisplay: display, contentLight: light)
    }

    /// The encoder options that write it into the bitstream: x265's SEI, SVT-AV1's metadata
    /// OBUs. nil for encoders that have none (libvpx-vp9, ffv1; x264 0.164 has no such option):
    /// those outputs carry it in the container only.
    public func encoderParameters(codec: String) -> String? {
        let names: (display: String, light: String)
        let value: (Rational, Int64) -> String
        switch codec {
        case "libx265":
            // Chromaticities in 0.00002 units, luminances in 0.0001 cd/m².
            names = ("master-display", "max-cll")
            value = { r, scale in String(units(r, scale)) }
        case "libsvtav1":
            // SVT-AV1 1.4 reads decimals.
            names = ("mastering-display", "content-light")
            value = { r, _ in String(format: "%.6f", r.doubleValue) }
        default:
            return nil
        }
        var parts: [String] = []
        if let m = masteringDisplay {
            // Both take green first.
            func xy(_ c: Chromaticity) -> String { "(\(value(c.x, 50000)),\(value(c.y, 50000)))" }
            parts.append("\(names.display)=G\(xy(m.green))B\(xy(m.blue))R\(xy(m.red))WP\(xy(m.whitePoint))"
                         + "L(\(value(m.maxLuminance, 10000)),\(value(m.minLuminance, 10000)))")
        }
        if let c = contentLight { parts.append("\(names.light)=\(c.maxCLL),\(c.maxFALL)") }
        return parts.isEmpty ? nil : parts.joined(separator: ":")
    }

    private func units(_ r: Rational, _ scale: Int64) -> Int64 {
        r.den == 0 ? 0 : (Int64(r.num) * scale + Int64(r.den) / 2) / Int64(r.den)
    }
}
