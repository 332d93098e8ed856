import CFFmpeg
import Foundation
import GopfarmCommon

/// The source's own tracks of a ladder package, in one read of the source: every audio stream
/// into a CMAF track cut about every packaging segment, AAC copied as it is (`AudioCopy`) unless
/// the job gives an `audioBitrate`, any other codec decoded once and encoded once to AAC-LC over
/// the whole file (as the stitcher does for a container that cannot take the source codec), and
/// every text subtitle stream converted to WebVTT, one file per packaging segment of the video.
///
/// Timestamps are the source's shifted by the input's start time, like the video's, so the
/// tracks line up with every rendition.
final class SourceTracksPackager {
    struct Audio {
        var track: PackagedTrack
        var report: PackageReport.AudioTrack
        var files: [String]
    }

    struct Subtitles {
        var track: PackagedSubtitles
        var report: PackageReport.SubtitleTrack
        var files: [String]
    }

    private let source: InputContainer
    private let videoStream: Int
    private let videoTimeBase: Rational
    private let ladder: Ladder
    private let outputDirectory: URL
    /// The input's start time in microseconds (subtracted from every timestamp).
    private let startOffset: Int64
    /// The last video frame's time (source time base): no audio segment starts after it.
    private let videoLastPTS: Int64?
    /// The job's `audioBitrate`: every track encoded at it, AAC copied no more.
    private let audioBitrate: Int?
    private(set) var warnings: [String] = []

    init(source: InputContainer, videoStream: Int, videoTimeBase: Rational, ladder: Ladder, outputDirectory: URL, startOffset: Int64,
         videoLastPTS: Int64? = nil, audioBitrate: Int? = nil) {
        self.videoLastPTS = videoLastPTS
        self.audioBitrate = audioBitrate
        self.source = source
        self.videoStream = videoStream
        self.videoTimeBase = videoTimeBase
        self.ladder = ladder
        self.outputDirectory = outputDirectory
        self.startOffset = startOffset
    }

    private func offset(in tb: Rational) -> Int64 { av_rescale_q(startOffset, gf_AV_TIME_BASE_Q(), tb.av) }

    /// Packages the audio and text subtitle streams; `grid` is a video rendition, whose
    /// segments the WebVTT ones follow.
    func run(grid: PackagedTrack) throws(MediaError) -> (audio: [Audio], subtitles: [Subtitles]) {
        var audio: [AudioTrackOut] = []
        var cues: [Int: [WebVTT.Cue]] = [:]
        /// Each text subtitle stream's codec, read once (not per packet).
        var subtitleCodecs: [Int: String] = [:]
        var subtitleOrder: [Int] = []
        for i in 0..<source.streamCount where i != videoStream {
            let p = source.codecParameters(stream: i)
            if p.mediaType == AVMEDIA_TYPE_AUDIO.rawValue {
                guard p.sampleRate > 0, p.channels > 0 else {
                    warnings.append("audio stream \(i) (\(p.codecName)) declares no sample rate or channels; it is damaged and was left out")
                    continue
                }
                let language = Self.language(source.metadata(stream: i, key: "language"))
                let name = Ladder.audioTrackPrefix + "\(audio.count + 1)" + (language.map { "-\($0)" } ?? "")
                let way: AudioTrackOut.Way
                do {
                    way = AudioCopy.keeps(p) && audioBitrate == nil ? .copy(try AudioCopy(source: source, stream: i))
                        : .encode(try AudioTranscoder(source: source, stream: i, encoder: "aac", bitRate: audioBitrate))
                } catch {
                    throw MediaError(error.code, "audio stream \(i): \(error.message)", path: error.path)
                }
                if case .encode(let t) = way, let warning = t.warning { warnings.append(warning) }
                audio.append(AudioTrackOut(stream: i, name: name, way: way, language: language))
            } else if p.mediaType == AVMEDIA_TYPE_SUBTITLE.rawValue {
                if WebVTT.textCodecs.contains(p.codecName) {
                    cues[i] = []
                    subtitleCodecs[i] = p.codecName
                    subtitleOrder.append(i)
                } else {
                    warnings.append("subtitle stream \(i) (\(p.codecName)) is not text and was left out (only text subtitles become WebVTT)")
                }
            }
        }
        let byStream = Dictionary(uniqueKeysWithValues: audio.map { ($0.stream, $0) })
        source.discardStreams(keeping: Set(byStream.keys).union(cues.keys))
        let packet = Packet()
        while try source.read(into: packet) {
            let i = packet.streamIndex
            if let out = byStream[i] {
                let shift = offset(in: out.inputTimeBase)
                switch out.way {
                case .copy(let copy):
                    do {
                        try copy.take(packet, shift: shift) { p throws(MediaError) in try self.emit(p, in: copy.outputTimeBase, to: out) }
                    } catch {
                        throw MediaError(error.code, "audio stream \(i): \(error.message)", path: error.path)
                    }
                case .encode(let transcoder):
                    try transcoder.feed(packet, shift: shift) { p throws(MediaError) in
                        try self.emit(p, in: transcoder.encoder.timeBase, to: out)
                    }
                }
            } else if cues[i] != nil, packet.pts != noPTS, packet.duration > 0,
                      let codec = subtitleCodecs[i], let text = WebVTT.cueText(codec: codec, payload: Data(packet.bytes)) {
                let tb = source.timeBase(stream: i)
                let start = Double(packet.pts - offset(in: tb)) * tb.doubleValue
                cues[i]?.append(WebVTT.Cue(start: start, end: start + Double(packet.duration) * tb.doubleValue, text: text))
            }
        }
        for out in audio {
            switch out.way {
            case .copy(let copy):
                if copy.dropped > 0 {
                    warnings.append("audio stream \(out.stream): \(copy.dropped) packet(s) whose timestamps go back in time (a damaged source) were left out")
                }
                if copy.damaged > 0 {
                    warnings.append("audio stream \(out.stream): \(copy.damaged) AAC frame(s) with a broken ADTS header (a damaged source) were left out")
                }
            case .encode(let transcoder):
                try transcoder.feed(nil, shift: offset(in: transcoder.inputTimeBase)) { p throws(MediaError) in
                    try self.emit(p, in: transcoder.encoder.timeBase, to: out)
                }
            }
        }
        var audioResults: [Audio] = []
        for out in audio {
            guard let writer = out.writer, writer.packets > 0 else {
                warnings.append("audio stream \(out.stream) \(out.isCopy ? "holds" : "decoded to") no audio and was left out")
                if let writer = out.writer { try? FileManager.default.removeItem(at: writer.directory) }
                continue
            }
            let written = try writer.finish()
            let parameters = out.parameters
            var track = PackagedTrack(kind: .audio, name: out.name, directory: out.name, codecs: written.codecs,
                                      timescale: written.timescale, initBytes: written.initBytes, segments: written.segments,
                                      language: out.language, sampleRate: Int(parameters.sampleRate), channels: Int(parameters.channels))
            track.isDefault = source.isDefault(stream: out.stream)
            track.title = Self.title(source.metadata(stream: out.stream, key: "title"))
            let report = PackageReport.AudioTrack(
                name: out.name, sourceStream: out.stream, sourceCodec: source.codecParameters(stream: out.stream).codecName,
                codecs: written.codecs, copied: out.isCopy, language: out.language, channels: Int(parameters.channels),
                sampleRate: Int(parameters.sampleRate),
                bytes: track.bytes, peakBitrate: track.peakBitrate, averageBitrate: track.averageBitrate, segments: track.segments.count)
            audioResults.append(Audio(track: track, report: report, files: written.files))
        }
        var subtitleResults: [Subtitles] = []
        for i in subtitleOrder {
            let list = cues[i] ?? []
            guard !list.isEmpty else {
                warnings.append("subtitle stream \(i) has no cues and was left out")
                continue
            }
            let language = Self.language(source.metadata(stream: i, key: "language"))
            let name = Ladder.subtitleTrackPrefix + "\(subtitleResults.count + 1)" + (language.map { "-\($0)" } ?? "")
            let directory = outputDirectory.appendingPathComponent(name, isDirectory: true)
            let timescale = grid.timescale
            let documents = WebVTT.documents(list, starts: grid.segments.map { Double($0.start) / Double(timescale) })
            var segments: [PackagedSegment] = []
            var files: [String] = []
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                for (n, (text, cut)) in zip(documents, grid.segments).enumerated() {
                    let file = PackagedSubtitles.segmentName(n + 1)
                    try Data(text.utf8).write(to: directory.appendingPathComponent(file))
                    segments.append(PackagedSegment(start: cut.start, duration: cut.duration, bytes: text.utf8.count))
                    files.append("\(name)/\(file)")
                }
            } catch {
                throw MediaError(.muxFailed, "cannot write the WebVTT subtitles: \(OutputPlace.reason(error))", path: directory.path)
            }
            var track = PackagedSubtitles(name: name, directory: name, language: language, cues: list.count, segments: segments,
                                          timescale: timescale)
            track.isDefault = source.isDefault(stream: i)
            track.isForced = source.isForced(stream: i)
            track.title = Self.title(source.metadata(stream: i, key: "title"))
            let report = PackageReport.SubtitleTrack(name: name, sourceStream: i, sourceCodec: subtitleCodecs[i] ?? "",
                                                     language: language, cues: list.count, bytes: track.bytes)
            subtitleResults.append(Subtitles(track: track, report: report, files: files))
        }
        return (audioResults, subtitleResults)
    }

    /// Writes an audio packet whose timestamps are in `tb` (already shifted), cutting a segment
    /// where the packaging grid does: the first packet at or after each multiple of the segment
    /// length, counted from the grid's origin (packets before the origin, such as AAC priming,
    /// belong to the first segment).
    private func emit(_ p: Packet, in tb: Rational, to out: AudioTrackOut) throws(MediaError) {
        let writer = try out.openWriter(in: outputDirectory)
        if p.pts != noPTS {
            let origin = ladder.keyFrameOrigin ?? 0
            let onVideoClock = max(origin, av_rescale_q(p.pts, tb.av, videoTimeBase.av) + offset(in: videoTimeBase))
            // Audio that goes on past the last video frame stays in the last segment, as the
            // video's does (QA: a segment of one AAC frame, 0.023 s, after the video had ended).
            let pastVideo = videoLastPTS.map { onVideoClock > $0 } ?? false
            if !pastVideo, ladder.startsPackagingSegment(pts: onVideoClock, previous: out.previous, timeBase: videoTimeBase) {
                writer.beginSegment()
            }
            out.previous = onVideoClock
        }
        p.rescaleTimestamps(from: tb, to: writer.timeBase)
        try writer.write(p)
    }

    /// A track title worth showing: trimmed, one line, not empty, at most 100 characters.
    static func title(_ text: String?) -> String? {
        guard let text else { return nil }
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return line.isEmpty ? nil : String(line.prefix(100))
    }

    /// A language tag worth keeping (ISO 639 letters; `und` is no language), safe in a path.
    static func language(_ tag: String?) -> String? {
        guard let tag, !tag.isEmpty, tag != "und", tag.count <= 16,
              tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
        return tag
    }
}
