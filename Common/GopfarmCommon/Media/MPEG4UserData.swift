import Foundation

/// The encoder's user data an MPEG-4 Part 2 stream carries in its first frame only (`DivX503b1900`,
/// `XviD0050`): FFmpeg's decoder picks its bug workarounds from it, and without it guesses from
/// the file's four-character code. A decoder that starts at a later segment never sees that
/// frame, so a DivX 5 stream tagged XVID (common for hardware players) decoded differently from
/// the second segment on. The probe puts the unit into the stream's extradata, which every
/// decoder reads first.
public enum MPEG4UserData {
    /// The user data unit (`00 00 01 B2` up to the next start code) naming DivX or Xvid, if the
    /// packet has one.
    public static func encoderUnit(in data: UnsafeRawBufferPointer) -> [UInt8]? {
        var starts: [(at: Int, code: UInt8)] = []
        MPEGStartCodes.forEach(in: data) { at, code in
            starts.append((at, code))
            return true
        }
        for (n, start) in starts.enumerated() where start.code == 0xB2 {
            let end = n + 1 < starts.count ? starts[n + 1].at : data.count
            let unit = Array(data[start.at..<end])
            let text = String(decoding: unit.dropFirst(4), as: UTF8.self)
            if text.hasPrefix("DivX") || text.hasPrefix("XviD") { return unit }
        }
        return nil
    }

    /// A DivX packed bitstream (`DivX503b1900p`): each B-frame travels in one chunk with the
    /// frame before it, and an empty chunk follows. Its frames are not one per packet, so the
    /// farm cannot cut it as it is; `mpeg4_unpack_bframes` makes one frame per packet.
    public static func isPacked(_ unit: [UInt8]) -> Bool {
        let text = String(decoding: unit.dropFirst(4), as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\0"))
        return text.hasPrefix("DivX") && text.hasSuffix("p")
    }

    /// `extradata` with `unit` after it, unless it has that unit already.
    public static func extradata(_ extradata: Data, adding unit: [UInt8]) -> Data {
        extradata.range(of: Data(unit)) != nil ? extradata : extradata + Data(unit)
    }
}
