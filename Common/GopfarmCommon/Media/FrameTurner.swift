import CFFmpeg

/// Turns pictures upright by quarter turns, as the ffmpeg CLI's autorotate does (its `transpose`
/// and `hflip,vflip` filters), for outputs whose container cannot store the source's display
/// matrix. Works on planar formats of 8 to 16 bits whose chroma is subsampled alike across and
/// down (4:2:0, 4:4:4, grey, GBR), which is what a turn by 90° keeps valid.
public struct FrameTurner {
    /// Quarter turns clockwise: 1, 2 or 3.
    public let quarterTurns: Int

    /// The turns the ffmpeg CLI applies for a stream whose display matrix reads `degrees`
    /// (`av_display_rotation_get`, counter-clockwise), 0 when it applies none (within 1° of a
    /// quarter turn, as the CLI rounds).
    public static func quarterTurns(displayRotation degrees: Double) -> Int {
        var theta = -degrees.rounded()
        theta -= 360 * (theta / 360 + 0.9 / 360).rounded(.down)
        for turns in 1...3 where abs(theta - Double(90 * turns)) < 1 { return turns }
        return 0
    }

    /// Whether pictures of `format` can be turned by `quarterTurns` (nil: explains why not).
    public static func refusal(format: AVPixelFormat, quarterTurns: Int) -> String? {
        guard let desc = av_pix_fmt_desc_get(format) else { return "an unknown pixel format" }
        let flags = desc.pointee.flags
        let name = PixelFormatChoice.name(format)
        let planar = flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0 || desc.pointee.nb_components == 1
        guard planar, flags & UInt64(AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_BE) == 0,
              desc.pointee.comp.0.depth <= 16,
              // One component per plane (NV12's interleaved chroma has two).
              Int(av_pix_fmt_count_planes(format)) == Int(desc.pointee.nb_components) else {
            return "\(name) is not a planar format of up to 16 bits"
        }
        if quarterTurns % 2 == 1, desc.pointee.log2_chroma_w != desc.pointee.log2_chroma_h {
            return "\(name)'s chroma is subsampled across but not down, so it cannot be turned by 90°"
        }
        return nil
    }

    /// A pixel's aspect after `quarterTurns`: a quarter turn swaps the sides it applies to
    /// (0/1, unknown, stays so).
    public static func sampleAspect(_ sar: Rational, quarterTurns: Int) -> Rational {
        quarterTurns % 2 == 1 && sar.num > 0 && sar.den > 0 ? Rational(sar.den, sar.num) : sar
    }

    public init(quarterTurns: Int) {
        self.quarterTurns = ((quarterTurns % 4) + 4) % 4
    }

    /// Fills `output` with `input` turned; timestamps and colour properties follow, and a sample
    /// aspect ratio is inverted by a quarter turn.
    public func turn(_ input: Frame, into output: Frame) throws(MediaError) {
        let format = AVPixelFormat(rawValue: input.pixelFormat)
        if let why = Self.refusal(format: format, quarterTurns: quarterTurns) {
            throw MediaError(.scaleFailed, "cannot turn the picture upright: \(why)")
        }
        let desc = av_pix_fmt_desc_get(format)!
        let sideways = quarterTurns % 2 == 1
        let (w, h) = (input.width, input.height)
        try output.allocate(width: sideways ? h : w, height: sideways ? w : h, format: format)
        try avCheck(av_frame_copy_props(output.pointer, input.pointer), .scaleFailed, "cannot copy frame properties")
        output.pointer.pointee.sample_aspect_ratio = Self.sampleAspect(Rational(input.pointer.pointee.sample_aspect_ratio), quarterTurns: quarterTurns).av
        let wide = desc.pointee.comp.0.depth > 8
        for plane in 0..<Int(av_pix_fmt_count_planes(format)) {
            let chroma = (plane == 1 || plane == 2) && desc.pointee.nb_components >= 3
            let pw = chroma ? -((-w) >> Int(desc.pointee.log2_chroma_w)) : w
            let ph = chroma ? -((-h) >> Int(desc.pointee.log2_chroma_h)) : h
            input.withPlaneBytes(plane) { src, srcStride in
                output.withPlane(plane) { dst, dstStride in
                    if wide {
                        turnPlane(UInt16.self, src, srcStride, dst, dstStride, width: pw, height: ph)
                    } else {
                        turnPlane(UInt8.self, src, srcStride, dst, dstStride, width: pw, height: ph)
                    }
                }
            }
        }
    }

    /// One plane of `width`×`height` samples: output sample (x', y') from the input sample the
    /// turn brings there. Clockwise: out(x', y') = in(y', h−1−x'); half: in(w−1−x', h−1−y');
    /// counter-clockwise: in(w−1−y', x').
    private func turnPlane<S: FixedWidthInteger>(_: S.Type, _ src: UnsafePointer<UInt8>, _ srcStride: Int,
                                                 _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, width: Int, height: Int) {
        let size = MemoryLayout<S>.size
        let outWidth = quarterTurns % 2 == 1 ? height : width, outHeight = quarterTurns % 2 == 1 ? width : height
        func sample(_ x: Int, _ y: Int) -> S {
            UnsafeRawPointer(src + y * srcStride + x * size).loadUnaligned(as: S.self)
        }
        for y in 0..<outHeight {
            let row = UnsafeMutableRawPointer(dst + y * dstStride)
            switch quarterTurns {
            case 1: for x in 0..<outWidth { row.storeBytes(of: sample(y, height - 1 - x), toByteOffset: x * size, as: S.self) }
            case 2: for x in 0..<outWidth { row.storeBytes(of: sample(width - 1 - x, height - 1 - y), toByteOffset: x * size, as: S.self) }
            case 3: for x in 0..<outWidth { row.storeBytes(of: sample(width - 1 - y, x), toByteOffset: x * size, as: S.self) }
            default: row.copyMemory(from: src + y * srcStride, byteCount: width * size)
            }
        }
    }
}
