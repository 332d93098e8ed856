import CFFmpeg
import Foundation
import GopfarmCommon
import Synchronization

/// Decodes one segment's packets, keeps exactly the frames of its range, scales and encodes
/// them, and returns the encoded packets as a `PacketStream`. Blocking: runs on a slot thread.
///
/// Stages (decode → range filter → scale → encode → collect) are plain calls in one loop: a
/// segment is a few hundred frames and every stage is a libav call on this thread, so queues
/// between them would add copies and no parallelism (the encoder and decoder thread themselves).
public struct SegmentTranscoder {
    public struct Output {
        public var result: SegmentResult
        public var payload: Data
        /// The `SegmentAnalysis` as JSON, when the segment was analyzed.
        public var analysis: Data?

        /// The payload frames of the result message.
        public var payloads: [Data] { analysis.map { [payload, $0] } ?? [payload] }

        public init(result: SegmentResult, payload: Data, analysis: Data? = nil) {
            self.result = result
            self.payload = payload
            self.analysis = analysis
        }
    }

    public let assignment: SegmentAssignment
    /// Frames encoded so far, read by the heartbeat.
    public let progress: ProgressCounter

    public init(assignment: SegmentAssignment, progress: ProgressCounter) {
        self.assignment = assignment
        self.progress = progress
    }

    public func run(payload: Data) throws(MediaError) -> Output {
        let started = Date()
        let input = try PacketStreamReader(payload)
        let settings = assignment.settings
        let decoder = try Decoder(parameters: input.header.parameters, timeBase: input.header.timeBase,
                                  threads: max(1, settings.threads))
        var pipeline = EncodePipeline(assignment: assignment, sourceParameters: input.header.parameters,
                                      timeBase: input.header.timeBase, progress: progress)
        let packet = Packet()
        let frame = Frame()
        var decodeSeconds = 0.0

        func drainDecoder() throws(MediaError) {
            while try decoder.receive(into: frame) {
                try pipeline.consume(frame)
                frame.unref()
            }
        }
        // Frames before the segment's first are decoded only so that its frames can be (a segment
        // cut inside a GOP starts decoding at the GOP's key frame): the ones no frame refers to
        // are skipped. Only where the stream is known to be progressive (a frame's two fields
        // may come in two packets) and its timestamps are sound (with damaged ones every frame counts).
        let preRollSkips = assignment.damagedTimestamps != true && Decoder.skipsNonReferenceExactly(input.header.parameters)
            && input.header.parameters.fieldOrder == AV_FIELD_PROGRESSIVE.rawValue
        for i in 0..<input.records.count {
            try input.load(i, into: packet)
            if preRollSkips { decoder.skipsNonReference = packet.pts != noPTS && packet.pts < assignment.startPTS }
            let t0 = Date()
            var outcome = try decoder.send(packet)
            while case .full = outcome {
                try drainDecoder()
                outcome = try decoder.send(packet)
            }
            if case .invalid = outcome { pipeline.noteDamagedPacket(pts: packet.pts) }
            decodeSeconds += Date().timeIntervalSince(t0)
            try drainDecoder()
        }
        _ = try decoder.send(nil)
        try drainDecoder()
        let encoded = try pipeline.finish()
        let total = Date().timeIntervalSince(started)
        let sha = SHA256.hex(encoded.payload)
        let analysis = encoded.analysis.map { $0.encoded() }
        let result = SegmentResult(
            job: assignment.job, segment: assignment.segment, attempt: assignment.attempt,
            frames: encoded.frames, firstPTS: encoded.firstPTS, lastPTS: encoded.lastPTS,
            reorderDepth: encoded.reorderDepth, corruptFrames: encoded.corruptFrames,
            payloadSHA256: sha, payloadBytes: encoded.payload.count,
            decodeSeconds: decodeSeconds, encodeSeconds: max(0, total - decodeSeconds - encoded.analysisSeconds),
            analysisBytes: analysis?.count, analysisSHA256: analysis.map(SHA256.hex),
            analysisSeconds: assignment.analysis == nil ? nil : encoded.analysisSeconds, quality: encoded.quality,
            renditions: encoded.renditions)
        return Output(result: result, payload: encoded.payload, analysis: analysis)
    }
}

extension SegmentTranscoder {
    /// How far decode order runs ahead of presentation order, for results made without encoding.
    public static func reorderDepth(_ ptsInDecodeOrder: [Int64]) -> Int {
        EncodePipeline.reorderDepth(ptsInDecodeOrder)
    }
}
