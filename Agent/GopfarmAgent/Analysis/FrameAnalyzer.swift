import CFFmpeg
import Foundation
import GopfarmCommon

/// Measures every frame of a segment on a small RGB plane (8-bit YUV averaged in blocks by a
/// `BoxShrinker`, then libswscale's area filter), keeps the per-frame series, the first and last
/// frame's signatures and JPEG thumbnails of candidate frames.
/// Used by one thread at a time (the pipeline's analysis worker, then the pipeline after `finish`).
final class FrameAnalyzer: @unchecked Sendable {
    let settings: AnalysisSettings
    let timeBase: Rational
    let sampleAspect: Rational
    private var shrinker: BoxShrinker?
    private var scaler: Scaler?
    /// The frame size and format `shrinker` and `scaler` were made for.
    private var preparedFor: (width: Int, height: Int, format: Int32)?
    private let shrunk = Frame()
    private var thumbnailer: JPEGEncoder?
    private let small = Frame()
    private var series = FrameSeries()
    private var first: FrameSignature?
    private var previous: FrameSignature?
    private var thumbnails: [SegmentAnalysis.Thumbnail] = []
    private var lastThumbnailSlot = Int64.min
    private(set) var seconds = 0.0

    init(settings: AnalysisSettings, timeBase: Rational, sampleAspect: Rational) {
        self.settings = settings
        self.timeBase = timeBase
        self.sampleAspect = sampleAspect
    }

    /// Measures one decoded frame shown at `pts` (frames arrive in presentation order).
    func measure(_ frame: Frame, pts: Int64) throws(MediaError) {
        let started = MonotonicClock.now()
        defer { seconds += MonotonicClock.now() - started }
        let scaler = try prepare(for: frame)
        if let shrinker {
            try shrinker.shrink(frame, into: shrunk)
            try scaler.convert(shrunk, into: small)
        } else {
            try scaler.convert(frame, into: small)
        }
        let m = small.withPlaneBytes(0) {
            PictureMeasures(rgb: $0, stride: $1, width: Int(scaler.width), height: Int(scaler.height),
                            blackPixelThreshold: settings.blackPixelThreshold)
        }
        let change = previous.flatMap { m.signature.change(from: $0) }
        series.pts.append(pts)
        series.score.append(change?.score)
        series.motion.append(change?.motion)
        series.lumaMean.append(m.lumaMean)
        series.lumaMin.append(m.lumaMin)
        series.lumaMax.append(m.lumaMax)
        series.blackRatio.append(m.blackRatio)
        series.colourfulness.append(m.colourfulness)
        series.sharpness.append(m.sharpness)
        if first == nil { first = m.signature }
        previous = m.signature

        let slot = Int64((MediaTime(pts, timeBase).seconds / settings.thumbnailSeconds).rounded(.down))
        if change == nil || Double(change!.score) >= settings.sceneThreshold || slot != lastThumbnailSlot {
            let jpeg = try thumbnailerFor(frame)
            thumbnails.append(.init(pts: pts, width: jpeg.width, height: jpeg.height, jpeg: try jpeg.encode(frame)))
        }
        lastThumbnailSlot = slot
    }

    /// What the segment showed; nil when no frame was measured.
    func finish() -> SegmentAnalysis? {
        guard let first, let last = previous else { return nil }
        return SegmentAnalysis(series: series, first: first, last: last, thumbnails: thumbnails, analysisSeconds: seconds)
    }

    /// The scaler (and shrinker, where it helps) for frames like `frame`; the plane's size
    /// follows the source's, whichever stages make it.
    private func prepare(for frame: Frame) throws(MediaError) -> Scaler {
        if let scaler, let p = preparedFor, p == (frame.width, frame.height, frame.pixelFormat) { return scaler }
        let (w, h) = JPEGEncoder.size(width: min(settings.planeWidth, frame.width), forSourceWidth: frame.width, height: frame.height)
        let shrinker = BoxShrinker(width: frame.width, height: frame.height, format: frame.pixelFormat, targetWidth: w)
        let s = try Scaler(fromWidth: Int32(shrinker?.width ?? frame.width), fromHeight: Int32(shrinker?.height ?? frame.height),
                           from: AVPixelFormat(rawValue: frame.pixelFormat), toWidth: Int32(w), toHeight: Int32(h), to: AV_PIX_FMT_RGB24,
                           flags: gf_SWS_AREA())
        self.shrinker = shrinker
        scaler = s
        preparedFor = (frame.width, frame.height, frame.pixelFormat)
        return s
    }

    private func thumbnailerFor(_ frame: Frame) throws(MediaError) -> JPEGEncoder {
        if let thumbnailer { return thumbnailer }
        let (w, h) = JPEGEncoder.size(width: min(settings.thumbnailWidth, frame.width), forSourceWidth: frame.width,
                                      height: frame.height, sampleAspect: sampleAspect)
        let encoder = try JPEGEncoder(width: w, height: h)
        thumbnailer = encoder
        return encoder
    }
}
