import Foundation
import GopfarmCommon

/// Writes one CMAF track: libavformat's MP4 muxer writes a fragmented MP4 with a fragment cut
/// exactly where the packager says (`beginSegment()`), then the file is split at its top-level
/// boxes into `init.mp4` (ftyp + moov) and one `seg-NNNNN.m4s` per moof + mdat.
///
/// The moov is written when the first fragment is cut (`delay_moov`), so it carries an edit
/// list: B-frame reordering delay and AAC priming are taken off there, and the track presents
/// from the source's own times (a frame at 0 s shows at 0 s in ffmpeg, Chromium and Safari),
/// with plain non-negative composition offsets in every fragment. The edit list is then
/// brought to the one entry every player reads alike (`SingleEditList`).
final class CMAFTrackWriter {
    struct Written {
        var initBytes: Int
        var segments: [PackagedSegment]
        var codecs: String
        var timescale: Int64
        var files: [String]
    }

    static let movflags = "+frag_custom+empty_moov+default_base_moof+delay_moov"
    /// The edit list's durations are in the movie's timescale: the muxer's default (1000) would
    /// round a track's start to the millisecond (0.9 ms of A/V offset on a broadcast TS whose
    /// audio starts 76.234 ms after its video); 90 kHz keeps it within 6 µs.
    static let movieTimescale = "90000"

    let directory: URL
    let relativeDirectory: String
    private let container: OutputContainer
    /// The muxer's time base for the track (1/timescale); packets are written in it.
    let timeBase: Rational
    private var starts: [Int64] = []
    private var end: Int64 = .min
    private var packetsInSegment = 0
    private var segmentPending = true
    private var moovWritten = false
    /// The last packet given, written when the next one's decode time is known.
    private var held: Packet?
    /// The last distance between two decode times, the last packet's duration where it has none.
    private var lastStep: Int64 = 0
    private(set) var packets = 0

    /// `codecTag`: the sample entry to write (`hvc1` for HEVC), nil for the muxer's choice.
    init(outputDirectory: URL, relativeDirectory: String, parameters: CodecParameters, timeBase: Rational,
         language: String?, frameRate: Rational? = nil, codecTag: String? = nil, displayMatrix: [Int32]? = nil) throws(MediaError) {
        directory = outputDirectory.appendingPathComponent(relativeDirectory, isDirectory: true)
        self.relativeDirectory = relativeDirectory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MediaError(.muxFailed, "cannot create the track directory: \(OutputPlace.reason(error))", path: directory.path)
        }
        container = try OutputContainer(path: directory.appendingPathComponent("track.mp4").path)
        let stream = try container.addStream(parameters: parameters, timeBase: timeBase, language: language, displayMatrix: displayMatrix)
        if let frameRate { container.setFrameRate(stream: stream, frameRate) }
        if let codecTag { container.setCodecTag(stream: stream, codecTag) }
        try container.writeHeader(options: ["movflags": Self.movflags, "movie_timescale": Self.movieTimescale])
        self.timeBase = container.timeBase(stream: stream)
    }

    /// The next packet written starts a new media segment (a fragment is cut before it).
    func beginSegment() {
        segmentPending = true
    }

    /// Writes a packet of stream 0 whose timestamps are in `timeBase`.
    ///
    /// Each packet goes to the muxer one packet late, with its duration set to the distance to
    /// the next decode time. The MP4 muxer places each fragment at the end of the previous one
    /// as the sample durations add up (tfdt), not at its first packet's DTS: durations that do
    /// not add up to the DTS (a source's rounded frame durations, a VFR source) would shift
    /// every later fragment and move its IDR off the time the playlists give.
    func write(_ packet: Packet) throws(MediaError) {
        if let held {
            if held.dts != noPTS, packet.dts != noPTS, packet.dts > held.dts {
                lastStep = packet.dts - held.dts
                held.setTiming(pts: held.pts, dts: held.dts, duration: lastStep)
            }
            end = max(end, held.pts + max(0, held.duration))
            try container.write(held)
            packetsInSegment += 1
        }
        if segmentPending {
            if packetsInSegment > 0 {
                // With delay_moov the first flush writes only the moov (its edit list now
                // known) and keeps the samples: a second one writes them as the first fragment.
                if !moovWritten { try container.flushFragment() }
                moovWritten = true
                try container.flushFragment()
                packetsInSegment = 0
            }
            starts.append(packet.pts)
            segmentPending = false
        }
        starts[starts.count - 1] = min(starts[starts.count - 1], packet.pts)
        packet.setStreamIndex(0)
        held = packet.clone()
        packets += 1
    }

    /// Finishes the file and splits it into the init section and the media segments.
    func finish() throws(MediaError) -> Written {
        guard packets > 0 else { throw MediaError(.muxFailed, "the track \(relativeDirectory) has no packets") }
        if let held {
            // A source whose packets carry no duration: the muxer gives the last sample the one
            // before's, and the playlists ended a frame early (QA: EXTINF 0.535 s for 0.569 s of
            // samples). It gets that duration here; `end` counts each sample as written.
            if held.duration <= 0, lastStep > 0 {
                held.setTiming(pts: held.pts, dts: held.dts, duration: lastStep)
            }
            end = max(end, held.pts + max(0, held.duration))
            try container.write(held)
        }
        held = nil
        try container.finish()
        let path = container.path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file: FileHandle
        do { file = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)) } catch {
            throw MediaError(.muxFailed, "cannot read the track back: \(OutputPlace.reason(error))", path: path)
        }
        defer { try? file.close() }
        let layout = try MP4Boxes.fragmentLayout(try topLevelBoxes(file, path: path))
        guard layout.segments.count == starts.count else {
            throw MediaError(.muxFailed, "the muxer wrote \(layout.segments.count) fragments for \(starts.count) segments", path: path)
        }
        let (initData, decodeTimeShift) = try SingleEditList.normalize(initSection: try read(file, layout.initSection, path: path))
        var files = ["\(relativeDirectory)/\(PackagedTrack.initName)"]
        try save(initData, PackagedTrack.initName)
        var segments: [PackagedSegment] = []
        let scale = Int64(timeBase.num)
        for (i, range) in layout.segments.enumerated() {
            let name = PackagedTrack.segmentName(i + 1)
            try save(try SingleEditList.shiftDecodeTime(segment: try read(file, range, path: path), by: decodeTimeShift), name)
            files.append("\(relativeDirectory)/\(name)")
            // Samples before 0 (AAC priming) are cut by the edit list: presentation starts at 0.
            let start = i == 0 && starts[0] < 0 ? 0 : starts[i]
            let next = i + 1 < starts.count ? starts[i + 1] : end
            segments.append(PackagedSegment(start: start * scale, duration: max(0, next - start) * scale, bytes: range.count))
        }
        let codecs = try CodecString.of(initSection: initData)
        return Written(initBytes: initData.count, segments: segments, codecs: codecs, timescale: Int64(timeBase.den), files: files)
    }

    private func topLevelBoxes(_ file: FileHandle, path: String) throws(MediaError) -> [MP4Boxes.Box] {
        let size: Int
        do { size = Int(try file.seekToEnd()) } catch { throw MediaError(.muxFailed, "cannot read the track back: \(OutputPlace.reason(error))", path: path) }
        var boxes: [MP4Boxes.Box] = []
        var offset = 0
        while offset < size {
            let head = try read(file, offset..<min(offset + 16, size), path: path)
            let box = try MP4Boxes.header(head, at: offset, limit: size)
            boxes.append(box)
            offset = box.end
        }
        return boxes
    }

    private func read(_ file: FileHandle, _ range: Range<Int>, path: String) throws(MediaError) -> Data {
        do {
            try file.seek(toOffset: UInt64(range.lowerBound))
            let data = try file.read(upToCount: range.count) ?? Data()
            guard data.count == range.count else { throw MediaError(.muxFailed, "the track file is shorter than its boxes say", path: path) }
            return data
        } catch let error as MediaError {
            throw error
        } catch {
            throw MediaError(.muxFailed, "cannot read the track back: \(OutputPlace.reason(error))", path: path)
        }
    }

    private func save(_ data: Data, _ name: String) throws(MediaError) {
        let url = directory.appendingPathComponent(name)
        do { try data.write(to: url) } catch {
            throw MediaError(.muxFailed, "cannot write \(name): \(OutputPlace.reason(error))", path: url.path)
        }
    }
}
