import CFFmpeg

/// Owns one `AVFrame`.
public final class Frame {
    let pointer: UnsafeMutablePointer<AVFrame>

    public init() {
        guard let p = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        pointer = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&p)
    }

    public var width: Int { Int(pointer.pointee.width) }
    public var height: Int { Int(pointer.pointee.height) }
    public var pixelFormat: Int32 { pointer.pointee.format }

    /// The presentation time a player would use: the frame's pts, else libav's best guess.
    public var presentationTime: Int64 {
        let pts = pointer.pointee.pts
        return pts != noPTS ? pts : pointer.pointee.best_effort_timestamp
    }

    /// libav's best guess of the time (`best_effort_timestamp`): the pts, or the decode time
    /// where the pts are the faultier of the two, as FFmpeg's tools time frames.
    public var bestEffortTime: Int64 {
        let guess = pointer.pointee.best_effort_timestamp
        return guess != noPTS ? guess : pointer.pointee.pts
    }

    public var duration: Int64 { pointer.pointee.pkt_duration }
    /// The dts of the packet whose decoding brought the frame out (`pkt_dts`).
    public var decodeTime: Int64 { pointer.pointee.pkt_dts }
    public var isCorrupt: Bool { pointer.pointee.decode_error_flags != 0 || pointer.pointee.flags & AV_FRAME_FLAG_CORRUPT != 0 }

    /// The pts the decoder carried over from the frame's packet, as it is (`presentationTime`
    /// falls back to the best guess).
    public var pts: Int64 { pointer.pointee.pts }
    public func setPTS(_ pts: Int64) { pointer.pointee.pts = pts }
    public var colorRange: AVColorRange { pointer.pointee.color_range }
    /// The HDR10 metadata the decoder found with this frame (HEVC/H.264 SEI, AV1 metadata OBUs).
    public var hdrMetadata: HDRMetadata? {
        let mastering = av_frame_get_side_data(pointer, AV_FRAME_DATA_MASTERING_DISPLAY_METADATA)
        let content = av_frame_get_side_data(pointer, AV_FRAME_DATA_CONTENT_LIGHT_LEVEL)
        return HDRMetadata(masteringDisplay: mastering.flatMap { UnsafeRawPointer($0.pointee.data) }, masteringBytes: mastering.map { Int($0.pointee.size) } ?? 0,
                           contentLight: content.flatMap { UnsafeRawPointer($0.pointee.data) }, contentBytes: content.map { Int($0.pointee.size) } ?? 0)
    }

    /// Relabels the pixel format without touching the bytes (`yuvj420p` → `yuv420p`).
    public func relabel(pixelFormat: AVPixelFormat) { pointer.pointee.format = pixelFormat.rawValue }
    public func unref() { av_frame_unref(pointer) }

    /// A new frame sharing this one's buffers (reference counted, no copy).
    public func clone() -> Frame {
        let copy = Frame()
        guard av_frame_ref(copy.pointer, pointer) >= 0 else { fatalError("av_frame_ref: out of memory") }
        return copy
    }

    /// Scoped read access to plane `index`: its first byte and bytes per row.
    public func withPlaneBytes<R>(_ index: Int, _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
        try withPlane(index) { try body(UnsafePointer($0), $1) }
    }

    /// Gives the frame writable buffers of the given size and format.
    public func allocate(width: Int, height: Int, format: AVPixelFormat) throws(MediaError) {
        av_frame_unref(pointer)
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        pointer.pointee.format = format.rawValue
        try avCheck(av_frame_get_buffer(pointer, 0), .encodeFailed, "cannot allocate a \(width)x\(height) frame")
    }

    /// Gives the frame writable audio buffers (interleaving as `format` says).
    public func allocateAudio(samples: Int, format: AVSampleFormat, sampleRate: Int, channels: Int) throws(MediaError) {
        av_frame_unref(pointer)
        pointer.pointee.nb_samples = Int32(samples)
        pointer.pointee.format = format.rawValue
        pointer.pointee.sample_rate = Int32(sampleRate)
        av_channel_layout_default(&pointer.pointee.ch_layout, Int32(channels))
        try avCheck(av_frame_get_buffer(pointer, 0), .encodeFailed, "cannot allocate an audio frame")
    }

    /// Paints an allocated video frame black (limited range), whatever its pixel format.
    public func fillBlack() throws(MediaError) {
        var planes: [UnsafeMutablePointer<UInt8>?] = withUnsafePointer(to: &pointer.pointee.data) {
            $0.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { p in (0..<4).map { p[$0] } }
        }
        var strides: [Int] = withUnsafePointer(to: &pointer.pointee.linesize) {
            $0.withMemoryRebound(to: Int32.self, capacity: 8) { p in (0..<4).map { Int(p[$0]) } }
        }
        try avCheck(av_image_fill_black(&planes, &strides, AVPixelFormat(rawValue: pointer.pointee.format), AVCOL_RANGE_MPEG,
                                        pointer.pointee.width, pointer.pointee.height), .encodeFailed, "cannot clear a frame")
    }

    /// Scoped access to plane `index`: its bytes and bytes per row.
    public func withPlane<R>(_ index: Int, _ body: (UnsafeMutablePointer<UInt8>, Int) throws -> R) rethrows -> R {
        let data = withUnsafePointer(to: &pointer.pointee.data) { $0.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { $0[index]! } }
        let stride = withUnsafePointer(to: &pointer.pointee.linesize) { $0.withMemoryRebound(to: Int32.self, capacity: 8) { Int($0[index]) } }
        return try body(data, stride)
    }

}
