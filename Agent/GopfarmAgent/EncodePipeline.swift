import CFFmpeg
import Foundation
import GopfarmCommon
import Synchronization

/// The part of a segment's pipeline after the decoder: range filter → analyze → one
/// `RenditionEncoder` per output (scale → encode → collect → measure). A plain job has one
/// output; a ladder job one per rung, all from this one decode. Analysis-only segments stop
/// after analyzing.
struct EncodePipeline {
    struct Finished {
        /// The encoded packets: one `PacketStream`, or a `RenditionBundle` of one per rung.
        var payload: Data
        var frames: Int
        var firstPTS: Int64
        var lastPTS: Int64
        var reorderDepth: Int
        var corruptFrames: [Int64]
        var analysis: SegmentAnalysis?
        var quality: SegmentQuality?
        /// Per rung of a ladder (nil otherwise): its bytes and quality.
        var renditions: [RenditionResult]?
        /// Seconds spent analyzing and measuring quality.
        var analysisSeconds: Double
    }

    let assignment: SegmentAssignment
    let sourceParameters: CodecParameters
    let timeBase: Rational
    let progress: ProgressCounter
    private let analyzer: FrameAnalyzer?
    /// Analysis runs beside the encoders, on its own thread, in frame order.
    private let analysisWorker = SerialWorker(label: "gopfarm-analysis")
    private var outputs: [RenditionEncoder]
    private var frames = 0
    private var firstPTS: Int64 = .max
    private var lastPTS: Int64 = .min
    private var previousEncoded: Int64?
    private var firstEncoded: Int64?
    private var corrupt: [Int64] = []
    private var damagedPackets: [Int64] = []
    private var lastConsumed: Int64 = .min
    private var deinterlacer: Deinterlacer?
    private let deinterlaced = Frame()
    private let turner: FrameTurner?
    private let turned = Frame()
    private var conformer: Scaler?
    private let conformedFrame = Frame()
    /// Made with the first frame when an output is SDR from an HDR source; every SDR output
    /// takes the one tone-mapped picture.
    private var toneMapper: ToneMapper?
    private let toneMapped = Frame()
    /// Whether any output is tone-mapped (decided once, not per frame).
    private let anySDR: Bool

    init(assignment: SegmentAssignment, sourceParameters: CodecParameters, timeBase: Rational, progress: ProgressCounter) {
        self.assignment = assignment
        self.sourceParameters = sourceParameters
        self.timeBase = timeBase
        self.progress = progress
        analyzer = assignment.analysis.map {
            FrameAnalyzer(settings: $0, timeBase: timeBase, sampleAspect: sourceParameters.sampleAspectRatio)
        }
        turner = assignment.settings.quarterTurns % 4 == 0 ? nil : FrameTurner(quarterTurns: assignment.settings.quarterTurns)
        let measures = assignment.analysis.map { $0.quality && !assignment.analyzesOnly } ?? false
        let ssimEvery = assignment.analysis?.ssimEvery ?? 1
        if assignment.analyzesOnly {
            outputs = []
        } else if let ladder = assignment.settings.ladder {
            outputs = ladder.renditionSettings(base: assignment.settings).map {
                RenditionEncoder(settings: $0, frameRate: assignment.frameRate, sourceParameters: sourceParameters, timeBase: timeBase,
                                 quality: measures ? QualityMeter(ssimEvery: ssimEvery, threads: 1) : nil, measuresAtSourceSize: true)
            }
        } else {
            outputs = [RenditionEncoder(settings: assignment.settings, frameRate: assignment.frameRate, sourceParameters: sourceParameters,
                                        timeBase: timeBase, quality: measures ? QualityMeter(ssimEvery: ssimEvery, threads: 1) : nil)]
        }
        anySDR = outputs.contains { $0.settings.sdr }
        let encoded = EncodedProgress(outputs: outputs.count, progress: progress)
        for i in outputs.indices { outputs[i].packetsOut = encoded }
    }

    mutating func noteDamagedPacket(pts: Int64) { damagedPackets.append(pts) }

    /// One frame at the nominal rate, in the source's time base (at least one tick).
    private var frameTicks: Int64 {
        let (rate, tb) = (assignment.frameRate, timeBase)
        guard rate.num > 0, rate.den > 0, tb.num > 0, tb.den > 0 else { return 1 }
        return max(1, (Int64(rate.den) * Int64(tb.den)) / (Int64(rate.num) * Int64(tb.num)))
    }

    private func inRange(_ t: Int64) -> Bool {
        t >= assignment.startPTS && (assignment.endPTS.map { t < $0 } ?? true)
    }

    mutating func consume(_ frame: Frame) throws(MediaError) {
        if progress.isCancelled { throw MediaError(.cancelled, "segment \(assignment.segment) revoked by the coordinator") }
        var t = frame.presentationTime
        if assignment.damagedTimestamps == true {
            // Damaged timestamps (the plan's one segment): every frame the decoder shows is kept,
            // in its order, timed as FFmpeg's tools time it: libav's best guess, moved one frame
            // after the frame before when it does not move forward.
            let guess = frame.bestEffortTime
            guard guess != noPTS else { return }
            t = lastConsumed == .min || guess > lastConsumed ? guess : lastConsumed + frameTicks
        }
        guard t != noPTS, inRange(t) else { return }
        guard t > lastConsumed else {
            throw MediaError(.decodeFailed, "two decoded frames share or reverse a timestamp (\(t) after \(lastConsumed)); the source's timestamps are broken")
        }
        lastConsumed = t
        frame.setPTS(t)
        let picture = try conformed(frame)
        guard assignment.settings.deinterlace else { return try process(picture) }
        if deinterlacer == nil {
            deinterlacer = try Deinterlacer(width: picture.width, height: picture.height, pixelFormat: picture.pixelFormat,
                                            timeBase: timeBase, sampleAspectRatio: sourceParameters.sampleAspectRatio)
        }
        try deinterlacer!.push(picture)
        try drainDeinterlacer()
    }

    /// The frame at the stream's picture size and pixel format. A stream whose size or chroma
    /// format changes mid-way (a broadcast switching from SD to HD, two captures joined, 4:2:0
    /// then 4:4:4) is converted back to what it starts with, as the ffmpeg CLI does: every
    /// segment's encoder then codes one size in one format, and the stitched stream stays one
    /// stream (coded two ways it decoded as garbage after the change).
    private mutating func conformed(_ frame: Frame) throws(MediaError) -> Frame {
        let (w, h) = (Int(sourceParameters.width), Int(sourceParameters.height))
        let format = AVPixelFormat(rawValue: frame.pixelFormat)
        let target = sourceParameters.format >= 0 ? AVPixelFormat(rawValue: sourceParameters.format) : format
        guard w > 0, h > 0, (frame.width, frame.height) != (w, h) || format != target else { return frame }
        if conformer == nil || conformer!.sourceWidth != Int32(frame.width) || conformer!.sourceHeight != Int32(frame.height)
            || conformer!.sourceFormat != format {
            conformer = try Scaler(fromWidth: Int32(frame.width), fromHeight: Int32(frame.height), from: format,
                                   toWidth: Int32(w), toHeight: Int32(h), to: target)
        }
        try conformer!.convert(frame, into: conformedFrame)
        return conformedFrame
    }

    private mutating func drainDeinterlacer() throws(MediaError) {
        guard let deinterlacer else { return }
        while try deinterlacer.pull(into: deinterlaced) {
            try process(deinterlaced)
        }
    }

    /// A frame of the range, in order (deinterlaced when asked): analyze it as decoded, encode it
    /// (turned upright first when the settings say so) into every output.
    private mutating func process(_ frame: Frame) throws(MediaError) {
        let t = frame.presentationTime
        if frame.isCorrupt { corrupt.append(t) }
        if let analyzer {
            let copy = Handoff(value: (analyzer, frame.clone()))
            analysisWorker.submit { () throws(MediaError) in try copy.value.0.measure(copy.value.1, pts: t) }
        }
        if !outputs.isEmpty {
            frame.setPTS(t)
            // The first frame is an IDR; in a ladder also the first of each packaging segment.
            if firstEncoded == nil { firstEncoded = t }
            let keyFrame = assignment.settings.ladder?.startsPackagingSegment(pts: t, previous: previousEncoded, timeBase: timeBase,
                                                                              farmStart: firstEncoded, farmEnd: assignment.endPTS)
                ?? (previousEncoded == nil)
            previousEncoded = t
            let picture: Frame
            if let turner {
                try turner.turn(frame, into: turned)
                picture = turned
            } else {
                picture = frame
            }
            let sdr = anySDR ? try toneMap(picture) : nil
            for i in outputs.indices { try outputs[i].encode(outputs[i].settings.sdr ? sdr ?? picture : picture, keyFrame: keyFrame) }
        }
        count(t)
    }

    private mutating func toneMap(_ picture: Frame) throws(MediaError) -> Frame {
        if toneMapper == nil {
            toneMapper = try ToneMapper(width: picture.width, height: picture.height, pixelFormat: picture.pixelFormat, timeBase: timeBase,
                                        sampleAspectRatio: sourceParameters.sampleAspectRatio, parameters: sourceParameters,
                                        output: ToneMapper.outputFormat(assignment.settings))
        }
        try toneMapper!.map(picture, into: toneMapped)
        return toneMapped
    }

    private mutating func count(_ t: Int64) {
        frames += 1
        firstPTS = min(firstPTS, t)
        lastPTS = t
        // Encoding: progress is the frames encoded (`EncodedProgress`), not the frames handed to
        // encoders that hold a lookahead of them.
        if outputs.isEmpty { progress.store(frames) }
        progress.worked()
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
        var finished: [RenditionEncoder.Finished] = []
        for i in outputs.indices { finished.append(try outputs[i].finish()) }
        try analysisWorker.finish()
        let ladder = assignment.settings.ladder != nil
        let payload = ladder ? try RenditionBundle.pack(finished.map(\.payload), spillDirectory: FileManager.default.temporaryDirectory.path)
            : finished.first?.payload ?? Data()
        return Finished(payload: payload, frames: frames, firstPTS: firstPTS, lastPTS: lastPTS,
                        reorderDepth: finished.map(\.reorderDepth).max() ?? 0, corruptFrames: corrupt, analysis: analyzer?.finish(),
                        quality: ladder ? nil : finished.first?.quality,
                        renditions: ladder ? finished.map { RenditionResult(bytes: $0.payload.count, quality: $0.quality) } : nil,
                        analysisSeconds: (analyzer?.seconds ?? 0) + outputs.reduce(0) { $0 + $1.qualitySeconds })
    }

    /// max over decode positions i of (i − rank of its pts): how far decode order runs ahead.
    static func reorderDepth(_ ptsInDecodeOrder: [Int64]) -> Int {
        let rank = Dictionary(uniqueKeysWithValues: ptsInDecodeOrder.sorted().enumerated().map { ($1, $0) })
        var depth = 0
        for (i, p) in ptsInDecodeOrder.enumerated() { depth = max(depth, i - (rank[p] ?? i)) }
        return depth
    }
}
