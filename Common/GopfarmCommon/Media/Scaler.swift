import CFFmpeg

/// Owns a `SwsContext` converting frames to one size and pixel format.
public final class Scaler {
    let context: OpaquePointer
    public let width: Int32
    public let height: Int32
    public let pixelFormat: AVPixelFormat
    public let sourceWidth: Int32
    public let sourceHeight: Int32
    public let sourceFormat: AVPixelFormat

    /// `flags`: libswscale's algorithm (bicubic unless given, e.g. `gf_SWS_AREA()` to shrink a lot).
    public init(fromWidth: Int32, fromHeight: Int32, from: AVPixelFormat,
                toWidth: Int32, toHeight: Int32, to: AVPixelFormat, flags: Int32 = gf_SWS_BICUBIC()) throws(MediaError) {
        guard let ctx = sws_getContext(fromWidth, fromHeight, from, toWidth, toHeight, to, flags, nil, nil, nil) else {
            throw MediaError(.scaleFailed, "cannot scale \(fromWidth)x\(fromHeight) to \(toWidth)x\(toHeight)")
        }
        context = ctx
        width = toWidth
        height = toHeight
        pixelFormat = to
        sourceWidth = fromWidth
        sourceHeight = fromHeight
        sourceFormat = from
    }

    deinit { sws_freeContext(context) }

    /// Fills `output` with `input` converted; timestamps and colour properties follow.
    public func convert(_ input: Frame, into output: Frame) throws(MediaError) {
        output.unref()
        let out = output.pointer
        out.pointee.width = width
        out.pointee.height = height
        out.pointee.format = pixelFormat.rawValue
        try avCheck(av_frame_get_buffer(out, 0), .scaleFailed, "cannot allocate a scaled frame")
        try avCheck(av_frame_copy_props(out, input.pointer), .scaleFailed, "cannot copy frame properties")
        let ret = withUnsafePointer(to: &input.pointer.pointee.data) { src in
            withUnsafePointer(to: &input.pointer.pointee.linesize) { srcStride in
                withUnsafeMutablePointer(to: &out.pointee.data) { dst in
                    withUnsafeMutablePointer(to: &out.pointee.linesize) { dstStride in
                        sws_scale(context,
                                  UnsafeRawPointer(src).assumingMemoryBound(to: UnsafePointer<UInt8>?.self),
                                  UnsafeRawPointer(srcStride).assumingMemoryBound(to: Int32.self),
                                  0, input.pointer.pointee.height,
                                  UnsafeMutableRawPointer(dst).assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self),
                                  UnsafeRawPointer(dstStride).assumingMemoryBound(to: Int32.self))
                    }
                }
            }
        }
        if ret <= 0 { throw MediaError(.scaleFailed, "libswscale could not convert a frame") }
    }
}
