/// Whether a VP9 packet makes the decoder show a picture. Encoders store alt-ref frames that are
/// decoded for reference but never shown (`show_frame` = 0), either packed with a shown frame in
/// a superframe or as packets of their own; `show_existing_frame` shows an earlier one again.
/// Syntax: VP9 bitstream specification 6.2 (uncompressed header) and Annex B (superframes).
enum VP9FrameHeader {
    static func showsFrame(_ data: UnsafeRawBufferPointer) -> Bool {
        var shown = false
        forEachFrame(data) { frame in
            if show(frame) { shown = true }
        }
        return shown
    }

    /// A frame header's verdict; an unreadable one counts as shown, as the decoder would try it.
    private static func show(_ frame: UnsafeRawBufferPointer) -> Bool {
        var r = BitReader(frame)
        guard r.readBits(2) == 2, let low = r.readBit(), let high = r.readBit() else { return true }
        if high << 1 | low == 3 { _ = r.readBit() }
        guard let showExisting = r.readBit() else { return true }
        if showExisting == 1 { return true }
        guard r.readBit() != nil, let show = r.readBit() else { return true }
        return show == 1
    }

    private static func forEachFrame(_ data: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard let marker = data.last, marker & 0xE0 == 0xC0 else { return body(data) }
        let frames = Int(marker & 7) + 1, sizeBytes = Int((marker >> 3) & 3) + 1
        let indexSize = 2 + sizeBytes * frames
        guard data.count >= indexSize, data[data.count - indexSize] == marker else { return body(data) }
        var offset = 0
        var entry = data.count - indexSize + 1
        for _ in 0..<frames {
            var size = 0
            for b in 0..<sizeBytes { size |= Int(data[entry + b]) << (8 * b) }
            entry += sizeBytes
            guard size > 0, offset + size <= data.count - indexSize else { return }
            body(UnsafeRawBufferPointer(rebasing: data[offset..<(offset + size)]))
            offset += size
        }
    }
}
