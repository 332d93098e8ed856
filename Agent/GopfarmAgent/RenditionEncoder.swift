import CFFmpeg
import Foundation
import GopfarmCommon

/// One output of a segment: scale → encode → collect as a `PacketStream` (→ decode again for
/// PSNR/SSIM). A plain job has one; a ladder job one per rung, all fed the same decoded frames.
struct RenditionEncoder {
    struct Finished {
        var payload: Data
        var reorderDepth: Int
        var quality: SegmentQuality?
    }

    let settings: EncodeSettings
    let frameRate: Rational
    let sourceParameters: CodecParameters
    let timeBase: Rational
    /// Measures quality against the frames before scaling, the decoded output scaled back to
    /// the source's size (a ladder's renditions are compared as a player shows them); otherwise
    /// against the encoder's input.
    let measuresAtSourceSize: Bool
    private let quality: QualityMeter?
    /// Quality is measured beside the encoder, on its own thread, in frame order.
    private let qualityWorker: SerialWorker
    private var encodedParameters: CodecParameters?

    private var encoder: Encoder?
    /// What the encoder is opened with, kept for a fresh one at a key frame it would not force.
    private var encoderSource: Encoder.Source?
    private var scaler: Scaler?
    private var aliasFormat: AVPixelFormat?
    private let scaled = Frame()
    private let packet = Packet()
    /// A payload past 4 MiB goes on in an unnamed file in `TMPDIR` as it is encoded (a lossless
    /// 1080p segment is hundreds of MB), kept there until the coordinator has read it.
    private var writer = PacketStreamWriter(spillDirectory: FileManager.default.temporaryDirectory.path)
    private var durations: [Int64: Int64] = [:]
    private var encodedPTS: [Int64] = []
    /// Counts every packet out, the flush's included (the segment's progress: `EncodedProgress`).
    var packetsOut: EncodedProgress?

    init(settings: EncodeSettings, frameRate: Rational, sourceParameters: CodecParameters, timeBase: Rational,
         quality: QualityMeter?, measuresAtSourceSize: Bool = false) {
        self.settings = settings
        self.frameRate = frameRate
        self.sourceParameters = sourceParameters
        self.timeBase = timeBase
        self.quality = quality
        self.measuresAtSourceSize = measuresAtSourceSize
        qualityWorker = SerialWorker(label: "gopfarm-quality")
    }

    /// Encodes one frame of the range (its pts already set); `keyFrame` forces an IDR.
    mutating func encode(_ frame: Frame, keyFrame: Bool) throws(MediaError) {
        let t = frame.presentationTime
        if keyFrame, let running = encoder, running.hasFrames, !Encoder.forcesKeyFrames(settings.codec) {
            // The encoder would not cut here: end its stream and go on with a fresh one, whose
            // first frame is a key frame with the same sequence header (same settings, same size).
            try running.send(nil)
            try drain(running)
            encoder = try makeEncoder()
        }
        let encoder = try encoderFor(frame)
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
            let copy = Handoff(value: (quality, (measuresAtSourceSize ? frame : input).clone()))
            qualityWorker.submit { copy.value.0.remember(copy.value.1, pts: t) }
        }
        try encoder.send(input, keyFrame: keyFrame)
        try drain(encoder)
    }

    private mutating func encoderFor(_ frame: Frame) throws(MediaError) -> Encoder {
        if let encoder { return encoder }
        let sourceFormat = AVPixelFormat(rawValue: frame.pixelFormat)
        let target = try PixelFormatChoice.choose(codec: settings.codec, source: sourceFormat, requested: settings.pixelFormat)
        // The picture's sample aspect ratio (the source's, inverted by a quarter turn); square
        // pixels take the display width as the width the scale keeps the aspect of.
        var sampleAspectRatio = FrameTurner.sampleAspect(sourceParameters.sampleAspectRatio, quarterTurns: settings.quarterTurns)
        var aspectWidth = frame.width
        if settings.squarePixels, settings.scale != nil, sampleAspectRatio.isValid, sampleAspectRatio.num > 0, sampleAspectRatio.num != sampleAspectRatio.den {
            aspectWidth = max(2, Int((Double(frame.width) * sampleAspectRatio.doubleValue).rounded()))
            sampleAspectRatio = Rational(1, 1)
        }
        let size = settings.scale?.resolve(sourceWidth: aspectWidth, sourceHeight: frame.height) ?? (frame.width, frame.height)
        // A scale keeps the display aspect, as libavfilter's scale does: 720x576 at 64:45 (16:9)
        // scaled to 1280x720 has square pixels, not 64:45 ones stretched to 2.53:1.
        if sampleAspectRatio.isValid, size != (frame.width, frame.height) {
            sampleAspectRatio = Rational(reducing: Int64(sampleAspectRatio.num) * Int64(aspectWidth) * Int64(size.1),
                                         Int64(sampleAspectRatio.den) * Int64(frame.height) * Int64(size.0))
        }
        var range = AVColorRange(rawValue: sourceParameters.colorRange)
        if target == PixelFormatChoice.unJ(sourceFormat), target != sourceFormat, size == (frame.width, frame.height), !measuresAtSourceSize {
            aliasFormat = target  // yuvj420p → yuv420p: same bytes, range kept as metadata
            range = AVCOL_RANGE_JPEG
        } else if target != sourceFormat || size != (frame.width, frame.height) {
            scaler = try Scaler(fromWidth: Int32(frame.width), fromHeight: Int32(frame.height), from: sourceFormat,
                                toWidth: Int32(size.0), toHeight: Int32(size.1), to: target)
        }
        if frame.colorRange == AVCOL_RANGE_JPEG { range = AVCOL_RANGE_JPEG }
        var source = Encoder.Source(
            width: Int32(size.0), height: Int32(size.1), pixelFormat: target, timeBase: timeBase,
            frameRate: frameRate, sampleAspectRatio: sampleAspectRatio,
            colorRange: range, colorPrimaries: AVColorPrimaries(rawValue: sourceParameters.colorPrimaries),
            colorTransfer: AVColorTransferCharacteristic(rawValue: sourceParameters.colorTransfer),
            colorSpace: AVColorSpace(rawValue: sourceParameters.colorSpace),
            chromaLocation: AVChromaLocation(rawValue: sourceParameters.chromaLocation))
        source.fieldOrder = settings.deinterlace ? AV_FIELD_PROGRESSIVE : AVFieldOrder(rawValue: sourceParameters.fieldOrder)
        source.hdr = sourceParameters.hdr
        if settings.sdr {
            // What `ToneMapper` makes: BT.709 in limited range, no HDR metadata to declare.
            (source.colorPrimaries, source.colorTransfer, source.colorSpace) = (AVCOL_PRI_BT709, AVCOL_TRC_BT709, AVCOL_SPC_BT709)
            source.colorRange = AVCOL_RANGE_MPEG
            source.hdr = nil
        }
        encoderSource = source
        let e = try makeEncoder()
        quality?.useStatistics(of: e, layout: PlaneLayout(format: target.rawValue, width: size.0, height: size.1))
        encoder = e
        return e
    }

    private func makeEncoder() throws(MediaError) -> Encoder {
        // The encoder's own PSNR is at the encoded size: a ladder compares at the source's.
        // (Only encoders that cut where asked report it, so a restarted one never needs to.)
        try Encoder(settings: settings, source: encoderSource!, statistics: quality != nil && !measuresAtSourceSize)
    }

    private mutating func drain(_ encoder: Encoder) throws(MediaError) {
        while try encoder.receive(into: packet) {
            // Also through the flush, which may encode a whole lookahead of frames.
            if packetsOut?.isCancelled == true { throw MediaError(.cancelled, "segment revoked by the coordinator") }
            let pts = packet.pts
            let duration = durations.removeValue(forKey: pts) ?? packet.duration
            packet.setTiming(pts: pts, dts: packet.dts, duration: duration)
            writer.append(packet)
            encodedPTS.append(pts)
            packetsOut?.packetOut()
            if let quality, !quality.fromEncoder {
                if encodedParameters == nil { encodedParameters = encoder.parameters }
                let copy = Handoff(value: (quality, packet.clone()))
                let parameters = encodedParameters!, timeBase = timeBase
                qualityWorker.submit { () throws(MediaError) in try copy.value.0.feed(copy.value.1, parameters: parameters, timeBase: timeBase) }
            }
        }
    }

    /// Flushes the encoder and the quality measure.
    mutating func finish() throws(MediaError) -> Finished {
        var payload = Data()
        var depth = 0
        if let encoder {
            try encoder.send(nil)
            try drain(encoder)
            payload = try writer.finish(parameters: encoder.parameters, timeBase: timeBase)
            depth = EncodePipeline.reorderDepth(encodedPTS)
        }
        try qualityWorker.finish()
        let measured = try quality?.finish(encoder: encoder?.takeStatistics())
        return Finished(payload: payload, reorderDepth: depth, quality: measured)
    }

    var qualitySeconds: Double { quality?.seconds ?? 0 }
}
