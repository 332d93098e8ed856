import CFFmpeg
import Foundation
import GopfarmCommon
import Synchronization

/// The part of a segment's pipeline after the decoder: range filter → analyze → scale → encode
/// → collect (→ decode again for PSNR/SSIM). Analysis-only segments stop after analyzing.
struct EncodePipeline {
    struct Finished {
        var payload: Data
        var frames: Int
        var firstPTS: Int64
        var lastPTS: Int64
        var reorderDepth: Int
        var corruptFrames: [Int64]
        var analysis: SegmentAnalysis?
        var quality: SegmentQuality?
        /// Seconds spent analyzing and measuring quality.
        var analysisSeconds: Double
    }

    let assignment: SegmentAssignment
    let sourceParameters: CodecParameters
    let timeBase: Rational
    let progress: ProgressCounter
    private let analyzer: FrameAnalyzer?
    private let quality: QualityMeter?
    /// Analysis and quality run beside the encoder, each on its own thread, in frame order.
    private let analysisWorker = SerialWorker(label: "gopfarm-analysis")
    private let qualityWorker = SerialWorker(label: "gopfarm-quality")
    private var encodedParameters: CodecParameters?

    private var encoder: Encoder?
    private var scaler: Scaler?
    private var aliasFormat: AVPixelFormat?
    private let scaled = Frame()
    private let packet = Packet()
    private var writer = PacketStreamWriter()
    private var durations: [Int64: Int64] = [:]
    private var encodedPTS: [Int64] = []
    private var frames = 0
    private var firstPTS: Int64 = .max
    private var lastPTS: Int64 = .min
    private var corrupt: [Int64] = []
    private var damagedPackets: [Int64] = []
    private var lastConsumed: Int64 = .min
    private var deinterlacer: Deinterlacer?
    private let deinterlaced = Frame()

    init(assignment: SegmentAssignment, sourceParameters: CodecParameters, timeBase: Rational, progress: ProgressCounter) {
        self.assignment = assignment
        self.sourceParameters = sourceParameters
        self.timeBase = timeBase
        self.progress = progress
        analyzer = assignment.analysis.map {
            FrameAnalyzer(settings: $0, timeBase: timeBase, sampleAspect: sourceParameters.sampleAspectRatio)
        }
        quality = assignment.analysis.flatMap { a in
            a.quality && !assignment.analyzesOnly ? QualityMeter(ssimEvery: a.ssimEvery, threads: 1) : nil
        }
    }

    mutating func noteDamagedPacket(pts: Int64) { damagedPackets.append(pts) }

    private func inRange(_ t: Int64) -> Bool {
        t >= assignment.startPTS && (assignment.endPTS.map { t < $0 } ?? true)
    }

    mutating func consume(_ frame: Frame) throws(MediaError) {
        let t = frame.presentationTime
        guard t != noPTS, inRange(t) else { return }
        guard t > lastConsumed else {
            throw MediaError(.decodeFailed, "two decoded frames share or reverse a timestamp (\(t) after \(lastConsumed)); the source's timestamps are broken")
        }
        lastConsumed = t
        guard assignment.settings.deinterlace else { return try process(frame) }
        if deinterlacer == nil {
            deinterlacer = try Deinterlacer(width: frame.width, height: frame.height, pixelFormat: frame.pixelFormat,
                                            timeBase: timeBase, sampleAspectRatio: sourceParameters.sampleAspectRatio)
        }
        frame.setPTS(t)
        try deinterlacer!.push(frame)
        try drainDeinterlacer()
    }

    private mutating func drainDeinterlacer() throws(MediaError) {
        guard let deinterlacer else { return }
        while try deinterlacer.pull(into: deinterlaced) {
            try process(deinterlaced)
        }
    }

    /// A frame of the range, in order (deinterlaced when asked): analyze, scale, encode.
    private mutating func process(_ frame: Frame) throws(MediaError) {
        let t = frame.presentationTime
        if frame.isCorrupt { corrupt.append(t) }
        if let analyzer {
            let copy = Handoff(value: (analyzer, frame.clone()))
            analysisWorker.submit { () throws(MediaError) in try copy.value.0.measure(copy.value.1, pts: t) }
        }
        if assignment.analyzesOnly {
            count(t)
            return
        }
        let encoder = try encoderFor(frame)
        frame.setPTS(t)
        durations[t] = frame.duration
        let input: Frame
        if let scaler {
            try scaler.convert(frame, into: scaled)
            input = scaled
        } else {
            if let aliasFormat { frame.relabel(pixelFormat: aliasFormat) }
            input = frame
        }
        if let quality, !quality.fromEncoder {
            let copy = Handoff(value: (quality, input.clone()))
            qualityWorker.submit { copy.value.0.remember(copy.value.1, pts: t) }
        }
        try encoder.send(input, keyFrame: frames == 0)
        count(t)
        try drain(encoder)
    }

    private mutating func count(_ t: Int64) {
        frames += 1
        firstPTS = min(firstPTS, t)
        lastPTS = t
        progress.store(frames)
    }

    private mutating func encoderFor(_ frame: Frame) throws(MediaError) -> Encoder {
        if let encoder { return encoder }
        let settings = assignment.settings
        let sourceFormat = AVPixelFormat(rawValue: frame.pixelFormat)
        let target = try PixelFormatChoice.choose(codec: settings.codec, source: sourceFormat, requested: settings.pixelFormat)
        let size = settings.scale?.resolve(sourceWidth: frame.width, sourceHeight: frame.height) ?? (frame.width, frame.height)
        var range = AVColorRange(rawValue: sourceParameters.colorRange)
        if target == PixelFormatChoice.unJ(sourceFormat), target != sourceFormat, size == (frame.width, frame.height) {
            aliasFormat = target  // yuvj420p → yuv420p: same bytes, range kept as metadata
            range = AVCOL_RANGE_JPEG
        } else if target != sourceFormat || size != (frame.width, frame.height) {
            scaler = try Scaler(fromWidth: Int32(frame.width), fromHeight: Int32(frame.height), from: sourceFormat,
                                toWidth: Int32(size.0), toHeight: Int32(size.1), to: target)
        }
        if frame.colorRange == AVCOL_RANGE_JPEG { range = AVCOL_RANGE_JPEG }
        var source = Encoder.Source(
            width: Int32(size.0), height: Int32(size.1), pixelFormat: target, timeBase: timeBase,
            frameRate: assignment.frameRate, sampleAspectRatio: sourceParameters.sampleAspectRatio,
            colorRange: range, colorPrimaries: AVColorPrimaries(rawValue: sourceParameters.colorPrimaries),
            colorTransfer: AVColorTransferCharacteristic(rawValue: sourceParameters.colorTransfer),
            colorSpace: AVColorSpace(rawValue: sourceParameters.colorSpace),
            chromaLocation: AVChromaLocation(rawValue: sourceParameters.chromaLocation))
        source.fieldOrder = settings.deinterlace ? AV_FIELD_PROGRESSIVE : AVFieldOrder(rawValue: sourceParameters.fieldOrder)
        let e = try Encoder(settings: settings, source: source, statistics: quality != nil)
        quality?.useStatistics(of: e, layout: PlaneLayout(format: target.rawValue, width: size.0, height: size.1))
        encoder = e
        return e
    }

    private mutating func drain(_ encoder: Encoder) throws(MediaError) {
        while try encoder.receive(into: packet) {
            let pts = packet.pts
            let duration = durations.removeValue(forKey: pts) ?? packet.duration
            packet.setTiming(pts: pts, dts: packet.dts, duration: duration)
            writer.append(packet)
            encodedPTS.append(pts)
            if let quality, !quality.fromEncoder {
                if encodedParameters == nil { encodedParameters = encoder.parameters }
                let copy = Handoff(value: (quality, packet.clone()))
                let parameters = encodedParameters!, timeBase = timeBase
                qualityWorker.submit { () throws(MediaError) in try copy.value.0.feed(copy.value.1, parameters: parameters, timeBase: timeBase) }
            }
        }
    }

    mutating func finish() throws(MediaError) -> Finished {
        if let deinterlacer {
            try deinterlacer.push(nil)
            try drainDeinterlacer()
        }
        guard frames > 0 else {
            throw MediaError(.segmentMismatch, "segment \(assignment.segment) decoded no frame in its range"
                + (damagedPackets.isEmpty ? "" : " (\(damagedPackets.count) damaged packets)"))
        }
        var payload = Data()
        var depth = 0
        if let encoder {
            try encoder.send(nil)
            try drain(encoder)
            payload = writer.finish(parameters: encoder.parameters, timeBase: timeBase)
            depth = Self.reorderDepth(encodedPTS)
        }
        try analysisWorker.finish()
        try qualityWorker.finish()
        let measured = try quality?.finish(encoder: encoder?.takeStatistics())
        return Finished(payload: payload, frames: frames, firstPTS: firstPTS, lastPTS: lastPTS, reorderDepth: depth,
                        corruptFrames: corrupt, analysis: analyzer?.finish(), quality: measured,
                        analysisSeconds: (analyzer?.seconds ?? 0) + (quality?.seconds ?? 0))
    }

    /// max over decode positions i of (i − rank of its pts): how far decode order runs ahead.
    static func reorderDepth(_ ptsInDecodeOrder: [Int64]) -> Int {
        let rank = Dictionary(uniqueKeysWithValues: ptsInDecodeOrder.sorted().enumerated().map { ($1, $0) })
        var depth = 0
        for (i, p) in ptsInDecodeOrder.enumerated() { depth = max(depth, i - (rank[p] ?? i)) }
        return depth
    }
}
