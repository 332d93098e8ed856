import Foundation
import GopfarmCommon

/// RFC 6381 `codecs` strings (HLS CODECS, DASH @codecs, MSE `isTypeSupported`) computed from
/// the configuration a player really receives: the sample entry of the track's init section.
public enum CodecString {
    /// The codecs string of the first track in a CMAF init section (ftyp + moov).
    public static func of(initSection data: Data) throws(MediaError) -> String {
        guard let stsd = try MP4Boxes.find(["moov", "trak", "mdia", "minf", "stbl", "stsd"], in: data) else {
            throw MediaError(.muxFailed, "the init section has no sample description (stsd)")
        }
        // stsd: version/flags (4), entry count (4), then the sample entries.
        let entriesStart = stsd.payload.lowerBound + 8
        guard entriesStart < stsd.end, let entry = try MP4Boxes.children(of: data, in: entriesStart..<stsd.end).first else {
            throw MediaError(.muxFailed, "the init section's sample description is empty")
        }
        switch entry.type {
        case "avc1", "avc3", "hvc1", "hev1", "av01":
            // Visual sample entry: 8 reserved/index bytes and 70 more before its child boxes.
            let children = try MP4Boxes.children(of: data, in: (entry.payload.lowerBound + 78)..<entry.end)
            let configType = entry.type == "av01" ? "av1C" : entry.type.hasPrefix("avc") ? "avcC" : "hvcC"
            guard let config = children.first(where: { $0.type == configType }) else {
                throw MediaError(.muxFailed, "the \(entry.type) sample entry has no \(configType)")
            }
            let bytes = Data(data[(data.startIndex + config.payload.lowerBound)..<(data.startIndex + config.payload.upperBound)])
            switch configType {
            case "avcC": return try avc(entry.type, avcC: bytes)
            case "hvcC": return try hevc(entry.type, hvcC: bytes)
            default: return try av1(av1C: bytes)
            }
        case "mp4a":
            // Audio sample entry: 8 + 20 bytes before its child boxes.
            let children = try MP4Boxes.children(of: data, in: (entry.payload.lowerBound + 28)..<entry.end)
            guard let esds = children.first(where: { $0.type == "esds" }) else {
                throw MediaError(.muxFailed, "the mp4a sample entry has no esds")
            }
            return try mp4a(esds: Data(data[(data.startIndex + esds.payload.lowerBound)..<(data.startIndex + esds.payload.upperBound)]))
        default:
            throw MediaError(.unsupportedCodec, "no codecs string is known for the '\(entry.type)' sample entry")
        }
    }

    /// `avc1.PPCCLL`: profile_idc, constraint flags and level_idc from the avcC (bytes 1…3).
    public static func avc(_ fourCC: String = "avc1", avcC: Data) throws(MediaError) -> String {
        let b = [UInt8](avcC)
        guard b.count >= 4, b[0] == 1 else { throw MediaError(.invalidPayload, "the avcC configuration record is not valid") }
        return fourCC + "." + b[1...3].map { hex2($0) }.joined()
    }

    /// ISO/IEC 14496-15 E.3: `hvc1.[A-C]?profile.compat.{L|H}level.constraints`, where the
    /// compatibility flags are written bit-reversed in hex and trailing zero constraint bytes
    /// are left out.
    public static func hevc(_ fourCC: String = "hvc1", hvcC: Data) throws(MediaError) -> String {
        let b = [UInt8](hvcC)
        guard b.count >= 13, b[0] == 1 else { throw MediaError(.invalidPayload, "the hvcC configuration record is not valid") }
        let space = ["", "A", "B", "C"][Int(b[1] >> 6)]
        let tier = b[1] & 0x20 != 0 ? "H" : "L"
        let profile = b[1] & 0x1F
        var compat: UInt32 = 0
        for i in 2...5 { compat = compat << 8 | UInt32(b[i]) }
        var reversed: UInt32 = 0
        for bit in 0..<32 where compat & (1 << bit) != 0 { reversed |= 1 << (31 - bit) }
        var constraints = Array(b[6...11])
        while constraints.last == 0 { constraints.removeLast() }
        var parts = [fourCC, "\(space)\(profile)", String(reversed, radix: 16, uppercase: true), "\(tier)\(b[12])"]
        parts += constraints.map { String($0, radix: 16, uppercase: true) }
        return parts.joined(separator: ".")
    }

    /// AV1-ISOBMFF's codecs parameter, its short form `av01.P.LLT.DD`: seq_profile,
    /// seq_level_idx_0 (two digits), seq_tier_0 (M or H) and the bit depth, from the
    /// AV1CodecConfigurationRecord (marker/version byte, then those fields in bytes 1 and 2).
    public static func av1(av1C: Data) throws(MediaError) -> String {
        let b = [UInt8](av1C)
        guard b.count >= 4, b[0] == 0x81 else { throw MediaError(.invalidPayload, "the av1C configuration record is not valid") }
        let profile = b[1] >> 5, level = b[1] & 0x1F
        let tier = b[2] & 0x80 != 0 ? "H" : "M"
        let high = b[2] & 0x40 != 0, twelve = b[2] & 0x20 != 0
        let depth = profile == 2 && high ? (twelve ? 12 : 10) : (high ? 10 : 8)
        return "av01.\(profile).\(level < 10 ? "0" : "")\(level)\(tier).\(depth < 10 ? "0" : "")\(depth)"
    }

    /// `mp4a.OO.A`: the ES descriptor's object type indication (hex) and, for MPEG-4 audio
    /// (0x40), the audio object type of the AudioSpecificConfig (2 for AAC-LC).
    public static func mp4a(esds: Data) throws(MediaError) -> String {
        var r = DescriptorReader(bytes: [UInt8](esds), offset: 4)  // version and flags
        guard r.tag() == 0x03, r.length() != nil, r.skip(2), let esFlags = r.byte() else {
            throw MediaError(.invalidPayload, "the esds has no ES descriptor")
        }
        if esFlags & 0x80 != 0 { _ = r.skip(2) }
        if esFlags & 0x40 != 0, let n = r.byte() { _ = r.skip(Int(n)) }
        if esFlags & 0x20 != 0 { _ = r.skip(2) }
        guard r.tag() == 0x04, r.length() != nil, let objectType = r.byte(), r.skip(12) else {
            throw MediaError(.invalidPayload, "the esds has no decoder configuration")
        }
        let oti = hex2(objectType).lowercased()
        guard objectType == 0x40 else { return "mp4a.\(oti)" }
        guard r.tag() == 0x05, r.length() != nil, let first = r.byte() else {
            throw MediaError(.invalidPayload, "the esds has no AudioSpecificConfig")
        }
        return "mp4a.40.\(try audioObjectType(first: first, second: r.byte()))"
    }

    /// The audio object type of an AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): 5 bits, or
    /// 32 + the next 6 bits when they are all ones.
    public static func audioObjectType(first: UInt8, second: UInt8?) throws(MediaError) -> Int {
        let aot = Int(first >> 3)
        guard aot == 31 else { return aot }
        guard let second else { throw MediaError(.invalidPayload, "the AudioSpecificConfig is cut short") }
        return 32 + Int((first & 0x07) << 3 | second >> 5)
    }

    private static func hex2(_ b: UInt8) -> String {
        let s = String(b, radix: 16, uppercase: true)
        return s.count == 1 ? "0" + s : s
    }

    /// Reads MPEG-4 descriptors: a tag byte and a length of 1–4 bytes (7 bits each).
    private struct DescriptorReader {
        let bytes: [UInt8]
        var offset: Int

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func tag() -> UInt8? { byte() }

        mutating func length() -> Int? {
            var value = 0
            for _ in 0..<4 {
                guard let b = byte() else { return nil }
                value = value << 7 | Int(b & 0x7F)
                if b & 0x80 == 0 { return value }
            }
            return value
        }

        mutating func skip(_ n: Int) -> Bool {
            guard offset + n <= bytes.count else { return false }
            offset += n
            return true
        }
    }
}
