import CFFmpeg
import Foundation
import GopfarmCommon

/// Remuxes the encoded segments, in order, with the source's audio and subtitles into the
/// output file. Streaming: one segment in memory at a time, the source read once.
///
/// Timestamps stay the source's, shifted by the input's start time as players and the ffmpeg
/// CLI do; decode timestamps are re-derived across segments (`DecodeTimestamps`). Audio is
/// handled once over the whole file (stream copy, or one encode where the container cannot take
/// the codec or the job gives `audioBitrate`), never cut with the video.
public struct Stitcher {
    public var sourcePath: String
    public var probe: MediaProbe
    public var plan: SegmentPlan
    public var segments: [CompletedSegment]
    public var outputPath: String
    /// `EncodeSettings.audioBitrate`: every audio track encoded at this rate, none copied.
    public var audioBitrate: Int?

    public init(sourcePath: String, probe: MediaProbe, plan: SegmentPlan, segments: [CompletedSegment], outputPath: String,
                audioBitrate: Int? = nil) {
        self.sourcePath = sourcePath
        self.probe = probe
        self.plan = plan
        self.segments = segments
        self.outputPath = outputPath
        self.audioBitrate = audioBitrate
    }

    public func run() throws(MediaError) -> StitchReport {
        guard segments.count == plan.segments.count, !segments.isEmpty else {
            throw MediaError(.segmentMismatch, "\(segments.count) of \(plan.segments.count) segments are done")
        }
        let source = try InputContainer(path: sourcePath)
        let videoIn = probe.info.videoStream
        let tb = probe.videoTimeBase
        let first = try load(segments[0])
        let videoParameters = first.header.parameters
        let out = try OutputContainer(path: outputPath, videoCodecID: videoParameters.codecID)
        guard out.accepts(codecID: videoParameters.codecID) else {
            throw MediaError(.unsupportedContainer, "\(videoParameters.codecName) video cannot be stored in a .\((outputPath as NSString).pathExtension) file", path: outputPath)
        }
        let videoOut = try out.addStream(parameters: videoParameters, timeBase: tb,
                                         language: source.metadata(stream: videoIn, key: "language"),
                                         displayMatrix: source.displayMatrix(stream: videoIn))
        // The rate the source declares, as FFmpeg's tools read it: a player or an ffmpeg
        // re-encode with default settings then keeps every frame, as it does from the source.
        out.setFrameRate(stream: videoOut, source.guessedFrameRate(stream: videoIn))
        var warnings: [String] = []
        var streamMap: [Int: Int] = [:]
        var transcoders: [Int: AudioTranscoder] = [:]
        var converters: [Int: SubtitleConverter] = [:]
        let range = HDRMetadata.rangeNote(source: probe.videoParameters, output: videoParameters)
        var streamNames = ["video: \(videoParameters.codecName)" + (range.map { " " + $0 } ?? "")]
        for i in 0..<source.streamCount where i != videoIn {
            let p = source.codecParameters(stream: i)
            let kind = p.mediaType
            if kind == AVMEDIA_TYPE_AUDIO.rawValue {
                guard p.sampleRate > 0, p.channels > 0 else {
                    warnings.append("audio stream \(i) (\(p.codecName)) declares no sample rate or channels; it is damaged and was left out")
                    continue
                }
                if audioBitrate == nil, out.accepts(codecID: p.codecID) {
                    streamMap[i] = try out.addStreamCopy(from: source, stream: i)
                    streamNames.append("audio: \(p.codecName) (copied)")
                } else {
                    let name = AudioTranscoder.encoderName(forFormat: out.formatName)
                    let t = try AudioTranscoder(source: source, stream: i, encoder: name, bitRate: audioBitrate)
                    let index = try out.addStream(parameters: t.encoder.parameters, timeBase: t.encoder.timeBase,
                                                  language: source.metadata(stream: i, key: "language"))
                    streamMap[i] = index
                    t.outputStream = index
                    transcoders[i] = t
                    if let warning = t.warning { warnings.append(warning) }
                    streamNames.append("audio: \(p.codecName) → \(t.encoder.parameters.codecName) (encoded once, whole file)")
                }
            } else if kind == AVMEDIA_TYPE_SUBTITLE.rawValue {
                if out.accepts(codecID: p.codecID) {
                    streamMap[i] = try out.addStreamCopy(from: source, stream: i)
                    streamNames.append("subtitle: \(p.codecName) (copied)")
                } else if SubtitleConverter.converts(p.codecID, to: out.textSubtitleCodec) {
                    let converter = try SubtitleConverter(input: source, stream: i, to: out.textSubtitleCodec)
                    let index = try out.addStream(parameters: converter.parameters, timeBase: converter.timeBase)
                    out.copyTags(from: source, stream: i, to: index)
                    streamMap[i] = index
                    converters[i] = converter
                    streamNames.append("subtitle: \(p.codecName) → \(converter.parameters.codecName)")
                } else {
                    warnings.append("subtitle stream \(i) (\(p.codecName)) cannot be stored in this container and was left out")
                }
            } else if kind == AVMEDIA_TYPE_ATTACHMENT.rawValue {
                // Fonts that styled (ASS) subtitles name: Matroska keeps them, as the CLI does.
                let name = source.metadata(stream: i, key: "filename") ?? "stream \(i)"
                if out.formatName == "matroska" {
                    _ = try out.addStreamCopy(from: source, stream: i)
                    streamNames.append("attachment: \(name) (copied)")
                } else {
                    warnings.append("attachment \(name) cannot be stored in this container and was left out (only Matroska holds attachments; styled subtitles may lose their fonts)")
                }
            } else if kind == AVMEDIA_TYPE_VIDEO.rawValue {
                warnings.append("extra video stream \(i) (\(p.codecName)) was left out; only the main video is transcoded")
            }
        }
        let ext = (outputPath as NSString).pathExtension.lowercased()
        if out.quickTimeLayout {
            warnings.append("FFmpeg 5.1's MP4 muxer cannot store \(videoParameters.codecName) video, so the .\(ext) file is written as QuickTime (as a .mov would be), which FFmpeg, VLC and mpv read")
        }
        // Matroska is written with timestamps as they are (libavformat's default would shift
        // every stream later when one starts below zero, so the video would start 6.5 ms late
        // against the source). Opus there needs its priming added back: FFmpeg 5.1's muxer
        // writes CodecDelay, and its demuxer takes that delay off every Opus block again, so a
        // packet written at its encoder's pts (-312 samples) decodes 6.5 ms early.
        let muxerOptions = ["mp4", "m4v", "mov"].contains(ext) ? ["movflags": "+faststart"] : ["avoid_negative_ts": "disabled"]
        let startOffset = source.startTimeMicroseconds == noPTS ? 0 : source.startTimeMicroseconds
        out.copyTagsAndChapters(from: source, startMicroseconds: startOffset)
        try out.writeHeader(options: muxerOptions)

        func offset(in tb: Rational) -> Int64 { av_rescale_q(startOffset, gf_AV_TIME_BASE_Q(), tb.av) }
        let videoOffset = offset(in: tb)
        let videoOutTB = out.timeBase(stream: videoOut)

        var extraDelay: [Int: Int64] = [:]
        if out.formatName == "matroska" || out.formatName == "webm" {
            for i in streamMap.keys {
                if let t = transcoders[i] {
                    let p = t.encoder.parameters
                    if p.codecID == AV_CODEC_ID_OPUS.rawValue, p.initialPadding > 0 { t.outputDelay = Int64(p.initialPadding) }
                    continue
                }
                let p = source.codecParameters(stream: i)
                if p.codecID == AV_CODEC_ID_OPUS.rawValue, p.initialPadding > 0, p.sampleRate > 0 {
                    extraDelay[i] = av_rescale_q(Int64(p.initialPadding), AVRational(num: 1, den: p.sampleRate), source.timeBase(stream: i).av)
                }
            }
        }
        // The video comes from the segments: the source is read for its other streams only.
        source.discardStreams(keeping: Set(streamMap.keys))
        var audio = AudioFeed(source: source, streamMap: streamMap, offset: offset, extraDelay: extraDelay, transcoders: transcoders,
                              converters: converters)
        var dts = DecodeTimestamps(depth: segments.map(\.result.reorderDepth).max() ?? 0)
        let packet = Packet()
        var frames = 0
        var previous: PacketStreamReader?
        for (n, segment) in segments.enumerated() {
            let reader = n == 0 ? first : try load(segment, after: previous)
            previous = reader
            if reader.header.parameters.extradata != videoParameters.extradata {
                warnings.append("segment \(n)'s encoder headers differ from segment 0's; some players may not decode it")
            }
            let planned = plan.segments[n]
            if !planned.containsCorruptPackets, reader.records.count != planned.expectedFrames {
                throw MediaError(.segmentMismatch, "segment \(n) has \(reader.records.count) frames, the plan \(planned.expectedFrames)")
            }
            let decodeTimes = dts.next(segmentPTS: reader.records.map(\.pts))
            for i in reader.records.indices {
                try reader.load(i, into: packet, streamIndex: videoOut)
                let r = reader.records[i]
                packet.setTiming(pts: r.pts - videoOffset, dts: decodeTimes[i] - videoOffset, duration: r.duration)
                try audio.write(upTo: packet.dts, timeBase: tb, into: out)
                packet.rescaleTimestamps(from: tb, to: videoOutTB)
                try out.write(packet)
                frames += 1
            }
        }
        try audio.write(upTo: nil, timeBase: tb, into: out)
        for (stream, count) in audio.dropped.sorted(by: { $0.key < $1.key }) {
            warnings.append("audio stream \(stream): \(count) packet(s) whose timestamps go back in time (a damaged source) were left out")
        }
        try out.finish()
        let size = (try? FileManager.default.attributesOfItem(atPath: outputPath)[.size] as? Int64) ?? 0
        return StitchReport(videoFrames: frames, audioPackets: audio.written, streams: streamNames, warnings: warnings, bytes: size)
    }

    // FFmpeg 5.1's Matroska demuxer subtracts an Opus track's codec delay from its timestamps
    // but the muxer does not add it back: a plain remux moves copied Opus audio earlier by the
    // pre-skip (6.5 ms at 48 kHz). `extraDelay` adds it back so the track stays in sync.
    // Freshly encoded Opus needs nothing: the encoder's timestamps already account for it
    // (both checked by correlating decoded audio in AudioTests).

    private func load(_ segment: CompletedSegment, after previous: PacketStreamReader? = nil) throws(MediaError) -> PacketStreamReader {
        try PacketStreamReader(segment.payload(), previous: previous)
    }
}
