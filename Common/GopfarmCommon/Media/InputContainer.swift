import CFFmpeg
import Foundation

/// Owns an `AVFormatContext` opened for reading. Streams are read through this object only, so
/// a stream never outlives its container.
public final class InputContainer {
    let context: UnsafeMutablePointer<AVFormatContext>
    public let path: String

    /// Opens `path` and reads stream information. Fails with one clear sentence when the file is
    /// missing, empty or not a media file libavformat understands.
    public init(path: String, findStreamInfo: Bool = true) throws(MediaError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw MediaError(.notFound, "no such file", path: path)
        }
        if isDirectory.boolValue { throw MediaError(.openFailed, "is a directory, not a video file", path: path) }
        if OutputPlace.kind(of: path) == .special {
            // A pipe or device reads once; the farm reads its input again for every segment.
            throw MediaError(.openFailed, "is a pipe or device, not a file: gopfarm reads its input more than once (save the stream to a file first)", path: path)
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int, size == 0 {
            throw MediaError(.emptyFile, "the file is empty", path: path)
        }
        var ctx: UnsafeMutablePointer<AVFormatContext>? = nil
        // Through the file protocol: a name libavformat would take for a URL (`pipe:0.mp4`,
        // `http:clip.mp4`, `concat:a|b`) is a file name here, as the checks above took it.
        let ret = avformat_open_input(&ctx, "file:" + path, nil, nil)
        guard ret >= 0, let opened = ctx else {
            throw MediaError(.openFailed, "not a video file libavformat can read", path: path, averror: ret)
        }
        context = opened
        if findStreamInfo {
            let declared = Self.declaredColour(opened)
            let infoRet = avformat_find_stream_info(opened, nil)
            if infoRet < 0 {
                var c: UnsafeMutablePointer<AVFormatContext>? = opened
                avformat_close_input(&c)
                throw MediaError(.openFailed, "cannot read stream information", path: path, averror: infoRet)
            }
            Self.restoreColour(declared, in: opened)
        }
    }

    /// Each stream's colour as the container declares it (MP4 `colr`, Matroska Colour), read
    /// before `avformat_find_stream_info`: FFmpeg 5.1 then overwrites it with the decoder's, which
    /// is unspecified where the bitstream says nothing (an HEVC stream without VUI colour in an
    /// MP4 whose `colr` says PQ read as SDR, and its label was lost in every output).
    private static func declaredColour(_ ctx: UnsafeMutablePointer<AVFormatContext>) -> [(AVColorPrimaries, AVColorTransferCharacteristic, AVColorSpace)] {
        (0..<Int(ctx.pointee.nb_streams)).map { i in
            guard let p = ctx.pointee.streams[i]?.pointee.codecpar?.pointee else { return (AVCOL_PRI_UNSPECIFIED, AVCOL_TRC_UNSPECIFIED, AVCOL_SPC_UNSPECIFIED) }
            return (p.color_primaries, p.color_trc, p.color_space)
        }
    }

    /// Puts back what the container declared where the probe left the field unspecified.
    private static func restoreColour(_ declared: [(AVColorPrimaries, AVColorTransferCharacteristic, AVColorSpace)],
                                      in ctx: UnsafeMutablePointer<AVFormatContext>) {
        for (i, colour) in declared.enumerated() where i < Int(ctx.pointee.nb_streams) {
            guard let p = ctx.pointee.streams[i]?.pointee.codecpar else { continue }
            if p.pointee.color_primaries == AVCOL_PRI_UNSPECIFIED { p.pointee.color_primaries = colour.0 }
            if p.pointee.color_trc == AVCOL_TRC_UNSPECIFIED { p.pointee.color_trc = colour.1 }
            if p.pointee.color_space == AVCOL_SPC_UNSPECIFIED { p.pointee.color_space = colour.2 }
        }
    }

    deinit {
        var c: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&c)
    }

    public var formatName: String { String(cString: context.pointee.iformat.pointee.name) }
    public var formatLongName: String {
        context.pointee.iformat.pointee.long_name.map { String(cString: $0) } ?? formatName
    }
    public var streamCount: Int { Int(context.pointee.nb_streams) }
    /// Whether this format's timestamps may jump (MPEG-TS and PS: a capture restarted, two
    /// recordings joined), where the ffmpeg CLI corrects its clock.
    public var timestampsMayJump: Bool { context.pointee.iformat.pointee.flags & gf_AVFMT_TS_DISCONT() != 0 }
    public var durationMicroseconds: Int64 { context.pointee.duration }
    public var startTimeMicroseconds: Int64 { context.pointee.start_time }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        context.pointee.streams[index]!
    }

    /// A stream's parameters; a Matroska or WebM VP9 track flagged `AlphaMode` (FFmpeg 5.1 keeps
    /// the flag as the `alpha_mode` tag) is `yuva420p` (`CodecParameters.vp9AlphaBeside`).
    public func codecParameters(stream index: Int) -> CodecParameters {
        var parameters = CodecParameters(stream(index).pointee.codecpar)
        parameters.hdr = hdrMetadata(stream: index)
        if parameters.codecID == AV_CODEC_ID_VP9.rawValue, parameters.format == AV_PIX_FMT_YUV420P.rawValue,
           metadata(stream: index, key: "alpha_mode") == "1" {
            parameters.format = AV_PIX_FMT_YUVA420P.rawValue
        }
        return parameters
    }

    /// The HDR10 metadata the container declares for a stream (MP4 `mdcv`/`clli`, Matroska's
    /// `MasteringMetadata`), if any.
    public func hdrMetadata(stream index: Int) -> HDRMetadata? {
        var masteringBytes = 0, contentBytes = 0
        let st = stream(index)
        let mastering = av_stream_get_side_data(st, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, &masteringBytes)
        let content = av_stream_get_side_data(st, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, &contentBytes)
        return HDRMetadata(masteringDisplay: mastering.map { UnsafeRawPointer($0) }, masteringBytes: masteringBytes,
                           contentLight: content.map { UnsafeRawPointer($0) }, contentBytes: contentBytes)
    }

    public func timeBase(stream index: Int) -> Rational { Rational(stream(index).pointee.time_base) }
    public func realFrameRate(stream index: Int) -> Rational { Rational(stream(index).pointee.r_frame_rate) }
    public func averageFrameRate(stream index: Int) -> Rational { Rational(stream(index).pointee.avg_frame_rate) }
    /// The frame rate FFmpeg's tools take for a stream (`av_guess_frame_rate`: r_frame_rate,
    /// unless the codec's own rate or the average says it counts fields): what the ffmpeg CLI
    /// converts to by default, so an output must declare the same to be read the same.
    public func guessedFrameRate(stream index: Int) -> Rational {
        Rational(av_guess_frame_rate(context, stream(index), nil))
    }
    public func streamStartTime(stream index: Int) -> Int64 { stream(index).pointee.start_time }
    public func streamDuration(stream index: Int) -> Int64 { stream(index).pointee.duration }
    public func declaredFrameCount(stream index: Int) -> Int64 { stream(index).pointee.nb_frames }
    public func isAttachedPicture(stream index: Int) -> Bool {
        stream(index).pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0
    }
    /// The container marks the track to play when the viewer chose none.
    public func isDefault(stream index: Int) -> Bool {
        stream(index).pointee.disposition & AV_DISPOSITION_DEFAULT != 0
    }
    /// A subtitle track shown even with subtitles off (foreign-language lines, signs).
    public func isForced(stream index: Int) -> Bool {
        stream(index).pointee.disposition & AV_DISPOSITION_FORCED != 0
    }

    public func metadata(stream index: Int, key: String) -> String? {
        guard let entry = av_dict_get(stream(index).pointee.metadata, key, nil, 0) else { return nil }
        return String(cString: entry.pointee.value)
    }

    /// The rotation a player applies, in degrees, from the display matrix side data.
    public func rotation(stream index: Int) -> Double {
        var size: Int = 0
        guard let data = av_stream_get_side_data(stream(index), AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 36 else {
            return 0
        }
        let angle = av_display_rotation_get(UnsafeRawPointer(data).assumingMemoryBound(to: Int32.self))
        return angle.isNaN ? 0 : angle
    }

    /// The raw display matrix (9 × Int32), kept so that the output can carry it unchanged.
    public func displayMatrix(stream index: Int) -> [Int32]? {
        var size: Int = 0
        guard let data = av_stream_get_side_data(stream(index), AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 36 else {
            return nil
        }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: Int32.self), count: 9))
    }

    /// The video stream the ffmpeg CLI picks by default: one with packets before one without, a
    /// default one before others, then the largest picture, the first of equals; never cover art.
    /// (libavformat's own choice took the smaller picture of a two-programme TS.)
    public func bestVideoStream() -> Int? {
        var best: (index: Int, score: Int64)?
        for i in 0..<streamCount where mediaType(stream: i) == AVMEDIA_TYPE_VIDEO.rawValue && !isAttachedPicture(stream: i) {
            let st = stream(i).pointee
            let score = Int64(st.codecpar.pointee.width) * Int64(st.codecpar.pointee.height)
                + (st.event_flags & AVSTREAM_EVENT_FLAG_NEW_PACKETS != 0 ? 100_000_000 : 0)
                + (st.disposition & AV_DISPOSITION_DEFAULT != 0 ? 5_000_000 : 0)
            if best == nil || score > best!.score { best = (i, score) }
        }
        return best?.index
    }

    public func mediaType(stream index: Int) -> Int32 { stream(index).pointee.codecpar.pointee.codec_type.rawValue }

    /// From now on, `read` returns no packets of the streams not in `kept`, and the demuxer
    /// skips their bytes where the container lets it (MP4/MOV seek past each sample): reading a
    /// long film's audio no longer reads its video. As the ffmpeg CLI treats unmapped streams.
    public func discardStreams(keeping kept: Set<Int>) {
        for i in 0..<streamCount where !kept.contains(i) { stream(i).pointee.discard = AVDISCARD_ALL }
    }

    /// Reads the next packet into `packet`; false at the end of the file. A damaged tail reads as
    /// the end (the caller compares what it got with what the index promised).
    public func read(into packet: Packet) throws(MediaError) -> Bool {
        packet.unref()
        let ret = av_read_frame(context, packet.pointer)
        if ret >= 0 { return true }
        if ret == gf_AVERROR_EOF() || ret == gf_AVERROR_INVALIDDATA() || ret == gf_AVERROR(EIO) { return false }
        if ret == gf_AVERROR_EAGAIN() { return try read(into: packet) }
        throw MediaError(.demuxFailed, "cannot read a packet", path: path, averror: ret)
    }

    /// Seeks so that the next packets read start at or before `timestamp` on `stream`.
    public func seek(stream index: Int, to timestamp: Int64) throws(MediaError) {
        let ret = avformat_seek_file(context, Int32(index), Int64.min, timestamp, timestamp, 0)
        if ret < 0 {
            try avCheck(av_seek_frame(context, Int32(index), timestamp, gf_AVSEEK_FLAG_BACKWARD()),
                        .demuxFailed, "cannot seek", path: path)
        }
    }
}
