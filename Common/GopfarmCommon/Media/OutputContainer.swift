import CFFmpeg
import Foundation

/// Owns an `AVFormatContext` opened for writing. The file is written to `path + ".partial"` and
/// renamed only by `finish()`, so a failed or interrupted job never leaves a file that looks
/// valid; `deinit` without `finish()` removes the partial file.
public final class OutputContainer {
    private(set) var context: UnsafeMutablePointer<AVFormatContext>
    public let path: String
    let partialPath: String
    private var headerWritten = false
    private var finished = false
    private var trailerWritten = false

    /// True when a `.mp4` is written in QuickTime's layout (see `init`).
    public private(set) var quickTimeLayout = false

    /// `videoCodecID`: the video the file will hold. FFmpeg 5.1's MP4 muxer has no tag for some
    /// codecs its QuickTime muxer writes (FFV1); such a `.mp4` is written in QuickTime's layout
    /// (brand `qt  `), which FFmpeg, VLC and mpv read as they read any MP4 (`quickTimeLayout`).
    public init(path: String, videoCodecID: UInt32? = nil) throws(MediaError) {
        self.path = path
        partialPath = path + ".partial"
        let ext = (path as NSString).pathExtension.lowercased()
        let formatName: String
        switch ext {
        case "mp4", "m4v": formatName = "mp4"
        case "mov": formatName = "mov"
        case "mkv": formatName = "matroska"
        case "webm": formatName = "webm"
        default:
            throw MediaError(.unsupportedContainer, "cannot write '.\(ext)' files; use .mp4, .mov, .mkv or .webm", path: path)
        }
        context = try Self.muxer(formatName, path: path, partialPath: partialPath)
        if formatName == "mp4", let videoCodecID, !accepts(codecID: videoCodecID) {
            let quickTime = try Self.muxer("mov", path: path, partialPath: partialPath)
            if Self.acceptsVideo(quickTime, videoCodecID) {
                avformat_free_context(context)
                context = quickTime
                quickTimeLayout = true
            } else {
                avformat_free_context(quickTime)
            }
        }
    }

    private static func muxer(_ formatName: String, path: String, partialPath: String) throws(MediaError) -> UnsafeMutablePointer<AVFormatContext> {
        var ctx: UnsafeMutablePointer<AVFormatContext>? = nil
        try avCheck(avformat_alloc_output_context2(&ctx, nil, formatName, partialPath), .muxFailed, "cannot create a \(formatName) muxer", path: path)
        guard let ctx else { throw MediaError(.muxFailed, "cannot create a \(formatName) muxer", path: path) }
        return ctx
    }

    deinit {
        if headerWritten && !trailerWritten { av_write_trailer(context) }
        if context.pointee.pb != nil { avio_closep(&context.pointee.pb) }
        avformat_free_context(context)
        if !finished { OutputPlace.removeFile(partialPath) }
    }

    public var formatName: String { String(cString: context.pointee.oformat.pointee.name) }
    /// The text subtitle format this container takes: its muxer's default (ASS for Matroska,
    /// WebVTT for WebM), mov_text for MP4 and QuickTime, whose muxers name none in FFmpeg 5.1
    /// (so the ffmpeg CLI drops SubRip on the way into MP4 unless told `-c:s mov_text`).
    public var textSubtitleCodec: UInt32 {
        let declared = context.pointee.oformat.pointee.subtitle_codec
        return declared != AV_CODEC_ID_NONE ? declared.rawValue : ["mp4", "mov"].contains(formatName) ? AV_CODEC_ID_MOV_TEXT.rawValue : declared.rawValue
    }

    /// Whether this container can store `codecID` so that common players play it. libavformat
    /// lets MP4 hold Vorbis or MP2, which browsers and phones do not play: MP4/MOV audio is
    /// limited to the codecs they do.
    public func accepts(codecID: UInt32) -> Bool {
        let id = AVCodecID(rawValue: codecID)
        if ["mp4", "mov"].contains(formatName), avcodec_get_type(id) == AVMEDIA_TYPE_AUDIO {
            // FLAC is not among them: FFmpeg 5.1 writes FLAC into MP4 only as an experimental
            // feature, refused when the header is written, after the whole video was encoded.
            let playable = [AV_CODEC_ID_AAC, AV_CODEC_ID_MP3, AV_CODEC_ID_AC3, AV_CODEC_ID_EAC3, AV_CODEC_ID_ALAC, AV_CODEC_ID_OPUS]
            if !playable.contains(id) { return false }
            // FFmpeg writes Opus only into MP4, not QuickTime.
            if formatName == "mov", id == AV_CODEC_ID_OPUS { return false }
        }
        if avcodec_get_type(id) == AVMEDIA_TYPE_VIDEO { return Self.acceptsVideo(context, codecID) }
        return avformat_query_codec(context.pointee.oformat, id, gf_FF_COMPLIANCE_NORMAL()) == 1
    }

    private static func acceptsVideo(_ context: UnsafeMutablePointer<AVFormatContext>, _ codecID: UInt32) -> Bool {
        let id = AVCodecID(rawValue: codecID)
        if avformat_query_codec(context.pointee.oformat, id, gf_FF_COMPLIANCE_NORMAL()) == 1 { return true }
        // QuickTime's muxer also writes any video codec that has an AVI (RIFF) tag (FFV1…),
        // which its table of known tags does not list.
        guard String(cString: context.pointee.oformat.pointee.name) == "mov" else { return false }
        var tables: [OpaquePointer?] = [avformat_get_riff_video_tags(), nil]
        var tag: UInt32 = 0
        return tables.withUnsafeMutableBufferPointer { av_codec_get_tag2($0.baseAddress, id, &tag) } == 1
    }

    /// Adds a stream and returns its index.
    public func addStream(parameters: CodecParameters, timeBase: Rational, language: String? = nil,
                          displayMatrix: [Int32]? = nil) throws(MediaError) -> Int {
        guard let st = avformat_new_stream(context, nil) else { throw MediaError(.muxFailed, "cannot add a stream", path: path) }
        try parameters.apply(to: st.pointee.codecpar)
        st.pointee.codecpar.pointee.codec_tag = 0  // let the muxer pick the tag of its container
        if parameters.mediaType == AVMEDIA_TYPE_AUDIO.rawValue {
            av_channel_layout_default(&st.pointee.codecpar.pointee.ch_layout, parameters.channels)
        }
        st.pointee.time_base = timeBase.av
        if let language { av_dict_set(&st.pointee.metadata, "language", language, 0) }
        if let matrix = displayMatrix, matrix.count == 9,
           let side = av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, 36) {
            matrix.withUnsafeBytes { UnsafeMutableRawPointer(side).copyMemory(from: $0.baseAddress!, byteCount: 36) }
        }
        // HDR10 metadata as the container's own (MP4's `mdcv`/`clli`, Matroska's MasteringMetadata),
        // for encoders that cannot write it into the bitstream too (libvpx-vp9, x264 0.164, FFV1).
        if let display = parameters.hdr?.masteringDisplay?.av,
           let side = av_stream_new_side_data(st, AV_PKT_DATA_MASTERING_DISPLAY_METADATA, MemoryLayout<AVMasteringDisplayMetadata>.size) {
            UnsafeMutableRawPointer(side).storeBytes(of: display, as: AVMasteringDisplayMetadata.self)
        }
        if let light = parameters.hdr?.contentLight,
           let side = av_stream_new_side_data(st, AV_PKT_DATA_CONTENT_LIGHT_LEVEL, MemoryLayout<AVContentLightMetadata>.size) {
            UnsafeMutableRawPointer(side).storeBytes(of: AVContentLightMetadata(MaxCLL: UInt32(light.maxCLL), MaxFALL: UInt32(light.maxFALL)),
                                                     as: AVContentLightMetadata.self)
        }
        return Int(st.pointee.index)
    }

    /// Declares a video stream's frame rate (Matroska stores it as the default duration; MP4
    /// derives it from the timestamps).
    public func setFrameRate(stream index: Int, _ rate: Rational) {
        guard rate.isValid, let st = context.pointee.streams[index] else { return }
        st.pointee.avg_frame_rate = rate.av
        st.pointee.r_frame_rate = rate.av
    }

    /// Sets a stream's sample entry four-character code before the header is written: CMAF
    /// HEVC wants `hvc1` (parameter sets in the sample entry only), which browsers play, where
    /// FFmpeg's MP4 muxer picks `hev1` by default.
    public func setCodecTag(stream index: Int, _ fourCC: String) {
        let bytes = Array(fourCC.utf8)
        guard bytes.count == 4, let st = context.pointee.streams[index] else { return }
        st.pointee.codecpar.pointee.codec_tag = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    /// Gives output stream `index` an input stream's tags (language, title) and disposition
    /// (default, forced), as a copied stream has them.
    public func copyTags(from input: InputContainer, stream source: Int, to index: Int) {
        guard let st = context.pointee.streams[index] else { return }
        let src = input.stream(source)
        av_dict_copy(&st.pointee.metadata, src.pointee.metadata, 0)
        st.pointee.disposition = src.pointee.disposition
    }

    /// Copies an input stream's audio parameters exactly (including the channel layout).
    public func addStreamCopy(from input: InputContainer, stream index: Int) throws(MediaError) -> Int {
        guard let st = avformat_new_stream(context, nil) else { throw MediaError(.muxFailed, "cannot add a stream", path: path) }
        let src = input.stream(index)
        try avCheck(avcodec_parameters_copy(st.pointee.codecpar, src.pointee.codecpar), .muxFailed, "cannot copy stream parameters", path: path)
        st.pointee.codecpar.pointee.codec_tag = 0
        st.pointee.time_base = src.pointee.time_base
        av_dict_copy(&st.pointee.metadata, src.pointee.metadata, 0)
        st.pointee.disposition = src.pointee.disposition
        return Int(st.pointee.index)
    }

    /// The source's global tags (title, artist, comment…; not its encoder's name) and chapters,
    /// the chapters on the output's timeline (the source's less `startMicroseconds`), as the
    /// ffmpeg CLI keeps them. Before `writeHeader`.
    public func copyTagsAndChapters(from input: InputContainer, startMicroseconds: Int64) {
        var tag: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let t = av_dict_get(input.context.pointee.metadata, "", tag, AV_DICT_IGNORE_SUFFIX) {
            tag = t
            if String(cString: t.pointee.key).lowercased() == "encoder" { continue }
            av_dict_set(&context.pointee.metadata, t.pointee.key, t.pointee.value, 0)
        }
        for i in 0..<Int(input.context.pointee.nb_chapters) {
            guard let source = input.context.pointee.chapters[i],
                  let chapter = av_mallocz(MemoryLayout<AVChapter>.size)?.assumingMemoryBound(to: AVChapter.self) else { continue }
            let shift = av_rescale_q(startMicroseconds, gf_AV_TIME_BASE_Q(), source.pointee.time_base)
            chapter.pointee.id = source.pointee.id
            chapter.pointee.time_base = source.pointee.time_base
            chapter.pointee.start = source.pointee.start - shift
            chapter.pointee.end = source.pointee.end - shift
            av_dict_copy(&chapter.pointee.metadata, source.pointee.metadata, 0)
            // Owned by the context from here: avformat_free_context frees chapters and their tags.
            withUnsafeMutablePointer(to: &context.pointee.nb_chapters) { count in
                count.withMemoryRebound(to: Int32.self, capacity: 1) { av_dynarray_add(&context.pointee.chapters, $0, chapter) }
            }
        }
    }

    /// The time base the muxer settled on for a stream (valid after `writeHeader`).
    public func timeBase(stream index: Int) -> Rational { Rational(context.pointee.streams[index]!.pointee.time_base) }

    public func writeHeader(options: [String: String] = [:]) throws(MediaError) {
        if context.pointee.oformat.pointee.flags & gf_AVFMT_NOFILE() == 0 {
            try avCheck(avio_open(&context.pointee.pb, "file:" + partialPath, gf_AVIO_FLAG_WRITE()), .muxFailed, "cannot create the output file", path: path)
        }
        var dict: OpaquePointer? = nil
        defer { av_dict_free(&dict) }
        for (k, v) in options { av_dict_set(&dict, k, v, 0) }
        try avCheck(avformat_write_header(context, &dict), .muxFailed, "cannot write the container header", path: path)
        headerWritten = true
    }

    /// Writes a packet whose timestamps are already in the stream's muxer time base.
    public func write(_ packet: Packet) throws(MediaError) {
        try avCheck(av_interleaved_write_frame(context, packet.pointer), .muxFailed, "cannot write a packet", path: path)
    }

    /// Closes the current fragment of a fragmented MP4 (movflags `+frag_custom`): the packets
    /// written so far go out as one moof+mdat, and the next packet starts a new fragment. A
    /// CMAF packager calls it right before each packaging segment's first packet.
    public func flushFragment() throws(MediaError) {
        try avCheck(av_interleaved_write_frame(context, nil), .muxFailed, "cannot flush the muxer", path: path)
        try avCheck(av_write_frame(context, nil), .muxFailed, "cannot close a fragment", path: path)
    }

    /// Writes the trailer, closes the file and moves it into place.
    public func finish() throws(MediaError) {
        try avCheck(av_interleaved_write_frame(context, nil), .muxFailed, "cannot flush the muxer", path: path)
        // One trailer only, failed or not: libavformat frees the muxer's state in it, and a
        // second call (from deinit, after a full disk failed this one) crashed the process.
        trailerWritten = true
        try avCheck(av_write_trailer(context), .muxFailed, "cannot write the container trailer", path: path)
        avio_closep(&context.pointee.pb)
        finished = true
        if let reason = OutputPlace.replace(path, with: partialPath) {
            throw MediaError(.muxFailed, "cannot move the finished file into place: \(reason)", path: path)
        }
    }
}
