import CFFmpeg
import Foundation

/// Reads a file's packets (never decoding) and returns its description and video packet index.
///
/// This is the first thing that touches a producer's file, so it owns the checks that turn bad
/// input into one clear sentence: not a video, no video stream, absurd dimensions, an
/// undecodable codec, nothing readable.
public struct MediaProbe: Sendable {
    public var info: MediaInfo
    public var index: VideoPacketIndex
    public var videoParameters: CodecParameters
    public var videoTimeBase: Rational

    public static let maxDimension: Int32 = 16384

    /// Where a probe is, for a progress line: the share of the file read, then, for a stream
    /// whose frame order only a decode gives (H.264 in AVI: minutes for an hour of 1080p), the
    /// share of its packets decoded. Called at most once per percent of each.
    public typealias Progress = (_ step: ProbeStep, _ fraction: Double) -> Void

    public init(path: String, progress: Progress? = nil) throws(MediaError) {
        let input = try InputContainer(path: path)
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        var reported = ProgressSteps()
        guard let video = input.bestVideoStream() else {
            throw MediaError(.noVideoStream, "has no video stream", path: path)
        }
        let params = input.codecParameters(stream: video)
        guard params.width > 0, params.height > 0 else {
            throw MediaError(.absurdDimensions, "the video stream has no dimensions (\(params.width)x\(params.height))", path: path)
        }
        guard params.width <= MediaProbe.maxDimension, params.height <= MediaProbe.maxDimension else {
            throw MediaError(.absurdDimensions, "the video is \(params.width)x\(params.height), larger than \(MediaProbe.maxDimension) pixels on a side", path: path)
        }
        guard avcodec_find_decoder(AVCodecID(rawValue: params.codecID)) != nil else {
            throw MediaError(.unsupportedCodec, "the video codec '\(params.codecName)' cannot be decoded by this FFmpeg", path: path)
        }
        videoParameters = params
        videoTimeBase = input.timeBase(stream: video)

        var inspector = FrameInspector(parameters: params)
        var index = VideoPacketIndex()
        // Sized once, from the container's count (MP4, MOV) or its duration at the frame rate
        // (10 % over; pages never written cost no memory): grown by doubling, an hour's index
        // was copied some 17 times, and held twice over while it was.
        let declared = input.declaredFrameCount(stream: video)
        index.records.reserveCapacity(Self.expectedPackets(declared: declared, microseconds: input.durationMicroseconds,
                                                           frameRate: input.guessedFrameRate(stream: video)))
        var corrupt: [Int] = []
        var falseKeys = 0
        let packet = Packet()
        // MP4/MOV store each sample as one contiguous run of bytes; confirm on the first packets.
        var rawFile = input.formatName.hasPrefix("mov,mp4") ? RawFile(path: path) : nil
        var verified = 0
        // B pictures among the packets without a pts, for codecs that reorder by picture type.
        let readsPictureTypes = params.videoDelay > 0 && MPEGPictureType.reads(params.codecID)
        var bidirectional = Set<Int>()
        var encoderUserData: [UInt8]?
        // HDR metadata the container does not declare comes with the first frame (SEI, OBUs).
        var hdrPackets: [Packet]? = params.hdr == nil && HDRMetadata.isHDRTransfer(params.colorTransfer) ? [] : nil
        while try input.read(into: packet) {
            if let progress, fileBytes > 0, packet.position > 0, let f = reported.next(Double(packet.position) / Double(fileBytes)) {
                progress(.reading, f)
            }
            guard packet.streamIndex == video else { continue }
            // Codecs whose packets are not all shown frames are read packet by packet; for the
            // others only flagged packets can be cut points (a byte scan of the rest is waste).
            let traits = packet.isKey || inspector.inspectsEveryPacket
                ? inspector.inspect(packet.bytes, keyFlag: packet.isKey)
                : PacketTraits(randomAccess: .none, shows: true, field: nil)
            let kind = traits.randomAccess
            if kind == .falseKey { falseKeys += 1 }
            if let gathered = hdrPackets?.count, gathered < Self.hdrPacketLimit, packet.isKey || gathered > 0 {
                hdrPackets?.append(packet.clone())
            }
            if packet.isCorrupt { corrupt.append(index.count) }
            if params.codecID == AV_CODEC_ID_MPEG4.rawValue, index.count < 4, encoderUserData == nil {
                encoderUserData = MPEG4UserData.encoderUnit(in: packet.bytes)
            }
            if readsPictureTypes, packet.pts == noPTS, MPEGPictureType.isBidirectional(packet.bytes, codecID: params.codecID) == true {
                bidirectional.insert(index.count)
            }
            if verified < 3, let file = rawFile {
                verified += 1
                if !file.holds(packet) { rawFile = nil }
            }
            index.records.append(VideoPacketRecord(
                pts: packet.pts, dts: packet.dts, duration: packet.duration, position: packet.position, size: Int32(packet.size),
                keyFlag: packet.isKey, randomAccess: kind, discard: packet.isDiscard, corrupt: packet.isCorrupt,
                hidden: !traits.shows))
            // A field pair is one frame, shown at its first field's time for both durations.
            if traits.field != nil, !traits.shows, index.count >= 2 {
                let second = index.records[index.count - 1]
                let first = index.count - 2
                if index.records[first].pts != noPTS, second.pts != noPTS, second.pts > index.records[first].pts {
                    index.records[first].duration = second.pts + second.duration - index.records[first].pts
                }
            }
        }
        index.directlyReadable = rawFile != nil && verified > 0 && corrupt.isEmpty
            && index.records.allSatisfy { $0.position >= 0 }
        guard index.count > 0 else {
            throw MediaError(.truncated, "contains no readable video packets", path: path)
        }
        if let encoderUserData, MPEG4UserData.isPacked(encoderUserData) {
            throw MediaError(.unsupportedCodec, "the video is a DivX packed bitstream (each B-frame packed into one chunk with the frame before it), which gopfarm cannot cut into segments; unpack it first (ffmpeg -i IN -c copy -bsf:v mpeg4_unpack_bframes OUT.avi) and transcode that", path: path)
        }
        if let encoderUserData {
            videoParameters.extradata = MPEG4UserData.extradata(videoParameters.extradata, adding: encoderUserData)
        }
        if let hdrPackets { videoParameters.hdr = Self.firstFrameHDR(hdrPackets, parameters: videoParameters, timeBase: videoTimeBase) }
        DecodedPresentationTimes.timeRawPackets(&index, frameRate: input.guessedFrameRate(stream: video), timeBase: videoTimeBase,
                                                delay: params.videoDelay)
        let decodeTimesOnly = DecodedPresentationTimes.forgetDecodeTimesAsPresentation(&index, parameters: params)
        if DecodedPresentationTimes.needed(index, parameters: params) {
            try DecodedPresentationTimes.fill(&index, path: path, stream: video, parameters: params, timeBase: videoTimeBase,
                                              progress: progress.map { report in { report(.decoding, $0) } })
        } else {
            PresentationTimeFill.fill(&index, reorderDelay: readsPictureTypes ? params.videoDelay : 0, bidirectional: bidirectional)
        }
        self.index = index

        var warnings: [String] = []
        if decodeTimesOnly {
            warnings.append("the container gives every video frame its decode time as its presentation time, though the stream shows frames out of decoding order (a raw stream remuxed without times); frames are timed as FFmpeg's tools time them")
        }
        let shown = index.shownCount
        if declared > 0, Int64(index.count) < declared {
            let missing = Int(declared) - index.count
            warnings.append("the file is truncated: its index promises \(declared) video frames but only \(index.count) packets can be read; \(missing) frames (\(String(format: "%.1f", 100 * Double(missing) / Double(declared)))%) are lost")
        }
        // Times from the file's start, the clock of the plan and of every job's message (and of
        // the ffmpeg CLI): a broadcast capture's raw 3883.26 s is its 0 s.
        let origin = input.startTimeMicroseconds == noPTS ? 0 : Double(input.startTimeMicroseconds) / 1e6
        if !corrupt.isEmpty {
            let tb = videoTimeBase
            let listed = corrupt.prefix(8).map { i in
                let pts = index.records[i].pts
                return pts == noPTS ? "#\(i)" : String(format: "#%d at %.3f s", i, MediaTime(pts, tb).seconds - origin)
            }.joined(separator: ", ") + (corrupt.count > 8 ? ", …" : "")
            warnings.append("the demuxer flags \(corrupt.count) video packet(s) as possibly damaged (\(listed)); frames decoded from them may differ from an intact source")
        }
        if falseKeys > 0 {
            warnings.append("\(falseKeys) packet(s) flagged as key frames are not random access points in the bitstream; they are not used as cut points")
        }
        let firstKey = index.firstDecodablePacket
        if let firstKey, firstKey > 0 {
            let lost = index.records[..<firstKey].lazy.filter(\.isShown).count
            if lost > 0 {
                warnings.append("the video starts mid-GOP: \(lost) frame(s) before the first random access point cannot be decoded and are skipped")
            }
        } else if firstKey == nil {
            throw MediaError(.planFailed, "the video has no key frame to start decoding from", path: path)
        }

        let tb = videoTimeBase
        var streams: [MediaInfo.Stream] = []
        for i in 0..<input.streamCount {
            let p = input.codecParameters(stream: i)
            let type = av_get_media_type_string(AVMediaType(rawValue: p.mediaType)).map { String(cString: $0) } ?? "unknown"
            let stb = input.timeBase(stream: i)
            let start = input.streamStartTime(stream: i)
            let dur = input.streamDuration(stream: i)
            var s = MediaInfo.Stream(
                index: i, type: type, codec: p.codecName, timeBase: stb,
                startTime: start == noPTS ? nil : MediaTime(start, stb).seconds,
                duration: dur == noPTS ? nil : MediaTime(dur, stb).seconds,
                language: input.metadata(stream: i, key: "language"))
            if p.mediaType == AVMEDIA_TYPE_VIDEO.rawValue {
                s.width = Int(p.width)
                s.height = Int(p.height)
                s.pixelFormat = p.pixelFormatName
                s.colorRange = av_color_range_name(AVColorRange(rawValue: p.colorRange)).map { String(cString: $0) }
                s.colorPrimaries = av_color_primaries_name(AVColorPrimaries(rawValue: p.colorPrimaries)).map { String(cString: $0) }
                s.colorTransfer = av_color_transfer_name(AVColorTransferCharacteristic(rawValue: p.colorTransfer)).map { String(cString: $0) }
                s.colorSpace = av_color_space_name(AVColorSpace(rawValue: p.colorSpace)).map { String(cString: $0) }
                s.hdr = i == video ? videoParameters.hdr : p.hdr
                s.rotation = input.rotation(stream: i)
                s.realFrameRate = input.realFrameRate(stream: i)
                s.averageFrameRate = input.averageFrameRate(stream: i)
            } else if p.mediaType == AVMEDIA_TYPE_AUDIO.rawValue {
                s.sampleRate = Int(p.sampleRate)
                s.channels = Int(p.channels)
            }
            streams.append(s)
        }

        let keyFrames = index.records.indices.compactMap { i -> MediaInfo.KeyFrame? in
            let r = index.records[i]
            guard r.randomAccess.isBoundaryCandidate else { return nil }
            // To the microsecond: the difference of two large times is not exact (4.44e-07 for 0).
            return MediaInfo.KeyFrame(packet: i, time: ((MediaTime(r.pts, tb).seconds - origin) * 1e6).rounded() / 1e6,
                                      kind: r.randomAccess == .closed ? "closed" : "open")
        }
        if input.timestampsMayJump, let jump = Self.timestampJump(index, timeBase: tb) {
            let at = MediaTime(jump.at, tb).seconds - origin
            // MPEG's 33-bit clock wraps every 26.5 hours, and libavformat reads a jump back as a
            // wrap: more than half a wrap forward is that jump back.
            let wrap = Double(Int64(1) << 33) / 90000
            let seconds = jump.seconds > wrap / 2 ? jump.seconds - wrap : jump.seconds
            throw MediaError(.demuxFailed, String(format: "the video's clock jumps %@ %.1f s at %.3f s (two recordings joined, or a capture restarted); gopfarm keeps the source's timeline and cannot cut across that jump: remux the file into one timeline first (ffmpeg -i IN -c copy OUT.mkv) and transcode that",
                                                      seconds > 0 ? "forward" : "back", abs(seconds), at), path: path)
        }
        // Without copying the records (48 bytes each) on the way: an hour's are 5 MB.
        var shownPTS = index.records.compactMap { $0.isShown ? $0.pts : nil }
        shownPTS.sort()
        var deltas = Set<Int64>()
        for i in 1..<max(1, shownPTS.count) where deltas.count < 3 { deltas.insert(shownPTS[i] - shownPTS[i - 1]) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        var duration = input.durationMicroseconds > 0 ? Double(input.durationMicroseconds) / 1e6 : 0
        if duration == 0, let first = shownPTS.first, let last = shownPTS.last {
            duration = MediaTime(last - first, tb).seconds
        }
        info = MediaInfo(
            path: path, container: input.formatName, containerLongName: input.formatLongName,
            sizeBytes: size, duration: duration, startTime: origin, streams: streams, videoStream: video,
            frameCount: shown, declaredFrameCount: declared > 0 ? Int(declared) : nil,
            variableFrameRate: deltas.count > 1 && shownPTS.count > 2, keyFrames: keyFrames,
            openGOP: keyFrames.contains { $0.kind == "open" }, falseKeyFrames: falseKeys,
            corruptPackets: corrupt, warnings: warnings)
        if let first = shownPTS.first, let last = index.records.lazy.filter(\.isShown).max(by: { $0.pts < $1.pts }) {
            info.videoDuration = MediaTime(last.pts + max(0, last.duration) - first, tb).seconds
        }
    }

    /// Video packets to make room for: the declared count, else the duration at the frame rate
    /// and 10 % more; at most 10 million (a damaged header's count is not believed further).
    static func expectedPackets(declared: Int64, microseconds: Int64, frameRate: Rational) -> Int {
        if declared > 0 { return Int(min(declared, 10_000_000)) }
        guard microseconds > 0, microseconds != noPTS, frameRate.num > 0, frameRate.den > 0 else { return 0 }
        let frames = Double(microseconds) / 1e6 * Double(frameRate.num) / Double(frameRate.den) * 1.1
        return Int(min(frames.rounded(.up), 10_000_000))
    }

    /// The first jump of more than 10 s between consecutive video packets' decoding times (the
    /// ffmpeg CLI's `-dts_delta_threshold`), in seconds, and the time it jumps from.
    static func timestampJump(_ index: VideoPacketIndex, timeBase: Rational) -> (seconds: Double, at: Int64)? {
        var previous: Int64?
        for r in index.records where r.dts != noPTS {
            if let p = previous {
                let seconds = MediaTime(r.dts - p, timeBase).seconds
                if abs(seconds) > 10 { return (seconds, p) }
            }
            previous = r.dts
        }
        return nil
    }
}
