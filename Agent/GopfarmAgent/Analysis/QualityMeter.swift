import CFFmpeg
import Foundation
import GopfarmCommon

/// PSNR and SSIM of a segment's encoded frames against the frames the encoder was given.
///
/// From the encoder's own per-frame measures when it logs them (libx264, `EncoderStatistics`),
/// which costs next to nothing; otherwise by decoding the encoder's packets as they come out and
/// comparing each decoded picture with its source, matched by presentation time.
/// Used by one thread at a time (the pipeline's quality worker, then the pipeline after `finish`).
final class QualityMeter: @unchecked Sendable {
    let ssimEvery: Int
    let threads: Int
    private var decoder: Decoder?
    private var sources: [Int64: Frame] = [:]
    private let decoded = Frame()
    private let upscaled = Frame()
    private var upscaler: Scaler?
    private var planarizer: Scaler?
    private var squaredErrors: [UInt64] = []
    private var samples: [Int] = []
    private var layout: PlaneLayout?
    private var frames = 0
    private var ssimSum = 0.0
    private var ssimFrames = 0
    /// Set when a picture cannot be compared (a packed or RGB format): no quality is reported.
    private var comparable = true
    /// The encoder measures its output itself: nothing is kept or decoded here. Set before any
    /// frame is handed over, on the pipeline's thread.
    private(set) var fromEncoder = false
    private(set) var seconds = 0.0

    init(ssimEvery: Int, threads: Int) {
        self.ssimEvery = max(1, ssimEvery)
        self.threads = threads
    }

    /// Takes the measures from an encoder that logs them, for pictures of `layout`.
    func useStatistics(of encoder: Encoder, layout: PlaneLayout?) {
        guard encoder.reportsStatistics, let layout, layout.planeSizes.count == 3 else { return }
        fromEncoder = true
        self.layout = layout
    }

    /// Keeps a reference to the frame the encoder was given for `pts` (a semi-planar one, as
    /// NV12, converted to its planar equivalent first: it is compared plane by plane).
    func remember(_ frame: Frame, pts: Int64) {
        guard comparable else { return }
        guard let planar = PlaneLayout.planarEquivalent(of: frame.pixelFormat), planar != frame.pixelFormat else {
            sources[pts] = frame.clone()
            return
        }
        do throws(MediaError) {
            if planarizer == nil || planarizer!.width != Int32(frame.width) || planarizer!.height != Int32(frame.height) {
                planarizer = try Scaler(fromWidth: Int32(frame.width), fromHeight: Int32(frame.height), from: AVPixelFormat(rawValue: frame.pixelFormat),
                                        toWidth: Int32(frame.width), toHeight: Int32(frame.height), to: AVPixelFormat(rawValue: planar))
            }
            let copy = Frame()
            try planarizer!.convert(frame, into: copy)
            sources[pts] = copy
        } catch {
            comparable = false
            sources.removeAll()
        }
    }

    /// Decodes one encoded packet and compares what comes out.
    func feed(_ packet: Packet, parameters: CodecParameters, timeBase: Rational) throws(MediaError) {
        guard comparable else { return }
        let started = MonotonicClock.now()
        defer { seconds += MonotonicClock.now() - started }
        if decoder == nil { decoder = try Decoder(parameters: parameters, timeBase: timeBase, threads: threads) }
        var outcome = try decoder!.send(packet)
        while case .full = outcome {
            try drain()
            outcome = try decoder!.send(packet)
        }
        try drain()
    }

    /// Flushes the decoder (or reads the encoder's totals); nil when nothing could be compared.
    func finish(encoder statistics: EncoderStatistics.Totals?) throws(MediaError) -> SegmentQuality? {
        if fromEncoder {
            guard let t = statistics, t.frames > 0, let layout else { return nil }
            let peak = layout.peak
            return SegmentQuality(frames: t.frames, mse: t.relativeErrors.map { $0 / Double(t.frames) * peak * peak },
                                  planeWeights: layout.weights, peak: peak,
                                  ssimY: t.ssimFrames > 0 ? t.ssimSum / Double(t.ssimFrames) : nil, ssimFrames: t.ssimFrames)
        }
        let started = MonotonicClock.now()
        if let decoder, comparable {
            _ = try decoder.send(nil)
            try drain()
        }
        seconds += MonotonicClock.now() - started
        sources.removeAll()
        guard comparable, frames > 0, let layout else { return nil }
        let mse = zip(squaredErrors, samples).map { Double($0) / Double($1) }
        return SegmentQuality(frames: frames, mse: mse, planeWeights: layout.weights, peak: layout.peak,
                              ssimY: ssimFrames > 0 ? ssimSum / Double(ssimFrames) : nil, ssimFrames: ssimFrames)
    }

    private func drain() throws(MediaError) {
        while try decoder!.receive(into: decoded) {
            defer { decoded.unref() }
            guard let source = sources.removeValue(forKey: decoded.presentationTime) else { continue }
            compare(source, try resized(decoded, like: source))
            if !comparable { return }
        }
    }

    /// The decoded picture at the source picture's size and format (a ladder rung's frames are
    /// compared with the source as a player shows them: scaled back up); as it is when they match.
    private func resized(_ output: Frame, like source: Frame) throws(MediaError) -> Frame {
        guard output.width != source.width || output.height != source.height || output.pixelFormat != source.pixelFormat else { return output }
        if upscaler == nil || upscaler!.sourceWidth != Int32(output.width) || upscaler!.width != Int32(source.width) {
            upscaler = try Scaler(fromWidth: Int32(output.width), fromHeight: Int32(output.height), from: AVPixelFormat(rawValue: output.pixelFormat),
                                  toWidth: Int32(source.width), toHeight: Int32(source.height), to: AVPixelFormat(rawValue: source.pixelFormat))
        }
        try upscaler!.convert(output, into: upscaled)
        return upscaled
    }

    private func compare(_ source: Frame, _ output: Frame) {
        guard let a = PlaneLayout(format: source.pixelFormat, width: source.width, height: source.height),
              let b = PlaneLayout(format: output.pixelFormat, width: output.width, height: output.height), a == b,
              layout == nil || layout == a
        else {
            comparable = false
            sources.removeAll()
            return
        }
        if layout == nil {
            layout = a
            squaredErrors = Array(repeating: 0, count: a.planeSizes.count)
            samples = Array(repeating: 0, count: a.planeSizes.count)
        }
        for (i, (w, h)) in a.planeSizes.enumerated() {
            let sse = source.withPlaneBytes(i) { pa, sa in
                output.withPlaneBytes(i) { pb, sb in
                    PlaneComparison.sumOfSquaredErrors(pa, sa, pb, sb, width: w, height: h, bytesPerSample: a.bytesPerSample)
                }
            }
            squaredErrors[i] &+= sse
            samples[i] += w * h
        }
        if frames % ssimEvery == 0, a.bytesPerSample == 1 {
            let (w, h) = a.planeSizes[0]
            if let s = source.withPlaneBytes(0, { pa, sa in output.withPlaneBytes(0) { pb, sb in PlaneComparison.ssim(pa, sa, pb, sb, width: w, height: h) } }) {
                ssimSum += s
                ssimFrames += 1
            }
        }
        frames += 1
    }
}
