import CFFmpeg

/// Composing pictures from pictures (contact sheets): paint a frame, paste another into it.
/// Both work on 8-bit planar formats, the ones thumbnails and sheets use.
extension Frame {
    /// Sets every sample of each plane to the value given for it (`[y, u, v]`; a missing value
    /// leaves its plane alone), e.g. `[40, 128, 128]` for a dark grey in full range.
    public func fill(planeValues: [UInt8]) throws(MediaError) {
        let layout = try planarLayout()
        for plane in 0..<min(layout.planes, planeValues.count) {
            let (w, h) = layout.size(ofPlane: plane, width: width, height: height)
            withPlane(plane) { bytes, stride in
                for row in 0..<h { (bytes + row * stride).update(repeating: planeValues[plane], count: w) }
            }
        }
    }

    /// Copies `picture` into this frame with its top-left corner at (`x`, `y`), clipped to this
    /// frame. The pixel formats must match; `x` and `y` are rounded down to the chroma grid so
    /// the chroma planes stay aligned with the luma plane.
    public func draw(_ picture: Frame, atX x: Int, y: Int) throws(MediaError) {
        guard picture.pixelFormat == pixelFormat else {
            throw MediaError(.scaleFailed, "cannot draw a \(PixelFormatChoice.name(AVPixelFormat(rawValue: picture.pixelFormat))) picture "
                             + "onto a \(PixelFormatChoice.name(AVPixelFormat(rawValue: pixelFormat))) frame")
        }
        let layout = try planarLayout()
        let x = (x >> layout.chromaShiftX) << layout.chromaShiftX, y = (y >> layout.chromaShiftY) << layout.chromaShiftY
        for plane in 0..<layout.planes {
            let (sw, sh) = layout.size(ofPlane: plane, width: picture.width, height: picture.height)
            let (dw, dh) = layout.size(ofPlane: plane, width: width, height: height)
            let (px, py) = layout.size(ofPlane: plane, width: x, height: y)
            let left = max(0, -px), top = max(0, -py)
            let columns = min(sw, dw - px) - left, rows = min(sh, dh - py) - top
            guard columns > 0, rows > 0 else { continue }
            picture.withPlane(plane) { src, srcStride in
                withPlane(plane) { dst, dstStride in
                    for row in top..<(top + rows) {
                        (dst + (py + row) * dstStride + px + left).update(from: src + row * srcStride + left, count: columns)
                    }
                }
            }
        }
    }

    /// How the planes of this frame's (8-bit, planar) format are laid out.
    private func planarLayout() throws(MediaError) -> PlanarLayout {
        let format = AVPixelFormat(rawValue: pixelFormat)
        guard let desc = av_pix_fmt_desc_get(format), width > 0, height > 0 else {
            throw MediaError(.scaleFailed, "the frame has no picture to draw on")
        }
        guard desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0, desc.pointee.comp.0.depth == 8 else {
            throw MediaError(.scaleFailed, "drawing needs an 8-bit planar picture, not \(PixelFormatChoice.name(format))")
        }
        return PlanarLayout(planes: Int(av_pix_fmt_count_planes(format)),
                            chromaShiftX: Int(desc.pointee.log2_chroma_w), chromaShiftY: Int(desc.pointee.log2_chroma_h))
    }
}

/// Plane count and chroma subsampling of a planar pixel format.
private struct PlanarLayout {
    let planes: Int
    let chromaShiftX: Int
    let chromaShiftY: Int

    /// Samples across and down of `plane` for a picture of `width`×`height` (rounded up, as libav does).
    func size(ofPlane plane: Int, width: Int, height: Int) -> (Int, Int) {
        guard plane == 1 || plane == 2 else { return (width, height) }
        return (-((-width) >> chromaShiftX), -((-height) >> chromaShiftY))
    }
}
