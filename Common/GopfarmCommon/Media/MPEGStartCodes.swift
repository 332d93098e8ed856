/// The start codes (`00 00 01 XX`) of an MPEG-1/2/4 Part 2 bitstream, for the readers that look
/// at one header (`MPEGPictureType`, `MPEG4UserData`).
enum MPEGStartCodes {
    /// Calls `body` with the offset of each start code's `00 00 01` and its code byte, in order,
    /// until it returns false.
    static func forEach(in data: UnsafeRawBufferPointer, _ body: (Int, UInt8) -> Bool) {
        var i = 0
        while i + 3 < data.count {
            if data[i] == 0, data[i + 1] == 0, data[i + 2] == 1 {
                guard body(i, data[i + 3]) else { return }
                i += 3
            } else {
                i += 1
            }
        }
    }
}
