/// Whether an AV1 temporal unit makes the decoder show a picture: frames may be decoded for
/// reference only (`show_frame` = 0) and shown later by `show_existing_frame`.
/// Syntax: AV1 bitstream specification 5.3 (OBU header), 5.5 (sequence header), 5.9 (frame header).
struct AV1FrameHeader: Sendable {
    /// From the sequence header: every frame is a shown key frame.
    private var reducedStillPicture = false

    /// Learns the sequence header from `av1C` extradata (4 bytes, then configuration OBUs).
    mutating func learn(extradata: [UInt8]) {
        guard extradata.count > 4, extradata[0] & 0x80 != 0 else { return }
        extradata[4...].withUnsafeBytes { _ = showsFrame($0) }
    }

    mutating func showsFrame(_ data: UnsafeRawBufferPointer) -> Bool {
        var shown = false, sawFrame = false
        var offset = 0
        while offset < data.count {
            let header = data[offset]
            let type = Int(header >> 3) & 0xF, hasExtension = header & 4 != 0, hasSize = header & 2 != 0
            offset += hasExtension ? 2 : 1
            var size = data.count - offset
            if hasSize {
                var value = 0, shift = 0
                while offset < data.count, shift < 56 {
                    let byte = data[offset]
                    offset += 1
                    value |= Int(byte & 0x7F) << shift
                    shift += 7
                    if byte & 0x80 == 0 { break }
                }
                size = value
            }
            guard offset <= data.count, size >= 0, size <= data.count - offset else { break }
            let payload = UnsafeRawBufferPointer(rebasing: data[offset..<(offset + size)])
            var r = BitReader(payload)
            switch type {
            case 1:  // sequence header: seq_profile(3), still_picture(1), reduced_still_picture_header(1)
                if r.readBits(4) != nil, let reduced = r.readBit() { reducedStillPicture = reduced == 1 }
            case 3, 6:  // frame header, frame
                sawFrame = true
                if reducedStillPicture {
                    shown = true
                } else if let existing = r.readBit() {
                    if existing == 1 {
                        shown = true
                    } else if r.readBits(2) != nil, let show = r.readBit(), show == 1 {
                        shown = true
                    }
                }
            default: break
            }
            offset += size
        }
        // A unit whose frame headers cannot be found is counted as shown, as before this model.
        return shown || !sawFrame
    }
}
