/// The NAL units of an H.264/HEVC access unit, length-prefixed (MP4, Matroska) or with Annex B
/// start codes (MPEG-TS, raw streams).
enum NALUnits {
    /// Calls `body` with each NAL unit (header included) until it returns false.
    static func forEach(in data: UnsafeRawBufferPointer, lengthSize: Int?, _ body: (UnsafeRawBufferPointer) -> Bool) {
        if let lengthSize {
            var offset = 0
            while offset + lengthSize <= data.count {
                var length = 0
                for i in 0..<lengthSize { length = (length << 8) | Int(data[offset + i]) }
                offset += lengthSize
                guard length > 0, offset + length <= data.count else { return }
                if !body(UnsafeRawBufferPointer(rebasing: data[offset..<(offset + length)])) { return }
                offset += length
            }
        } else {
            var start: Int? = nil
            var from = 0
            while let at = MPEGStartCodes.next(in: data, from: from) {
                if let s = start, s < at {
                    var end = at
                    while end > s, data[end - 1] == 0 { end -= 1 }
                    if !body(UnsafeRawBufferPointer(rebasing: data[s..<end])) { return }
                }
                from = at + 3
                start = from
            }
            if let s = start, s < data.count { _ = body(UnsafeRawBufferPointer(rebasing: data[s..<data.count])) }
        }
    }

    /// The first `limit` bytes of a NAL unit with emulation prevention bytes (00 00 03) removed.
    static func rbsp(_ nal: UnsafeRawBufferPointer, limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(limit, nal.count))
        var zeros = 0
        for byte in nal {
            if out.count >= limit { break }
            if zeros >= 2, byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            out.append(byte)
        }
        return out
    }
}
