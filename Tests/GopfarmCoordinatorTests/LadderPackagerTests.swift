import CFFmpeg
import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing
import TestSupport

/// The ladder packager on a real spool: a source generated with the ffmpeg CLI, planned by the
/// real planner, each farm segment encoded to every rung with the real encoder and scaler (IDR
/// frames where the ladder grid says, as agents do), bundled and spooled; the CMAF tracks and
/// manifests it writes are checked with ffprobe and, when present, Tests/tools/stream_check.py.
@Suite("Ladder packager", .serialized)
struct LadderPackagerTests {
    @Test("every rung and audio track is a CMAF track whose segments start at the grid's IDR frames, at the source's times")
    func packagesLadder() throws {
        let dir = TestPaths.scratch("ladder-package")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try LadderSpool.makeSource(in: dir, seconds: 6)
        let spool = try LadderSpool(source: source, directory: dir, rungs: [LadderRung(height: 240, bitrate: 600_000),
                                                                            LadderRung(height: 144, bitrate: 200_000, codec: "libx265")],
                                    segmentSeconds: 1, farmSegmentSeconds: 2)
        let out = dir.appendingPathComponent("out", isDirectory: true)
        let report = try LadderPackager(sourcePath: source, probe: spool.probe, plan: spool.plan, ladder: spool.ladder,
                                        segments: spool.segments, outputDirectory: out).run()

        // The source's frame times as players and the ffmpeg CLI show them: shifted by its start time.
        let start = Double(try Subprocess.run("ffprobe", ["-v", "error", "-show_entries", "format=start_time", "-of", "csv=p=0", source])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let sourceTimes = try FFmpegOracle.absoluteFrameTimes(source).sorted().map { $0 - start }
        #expect(report.videoFrames == sourceTimes.count)
        #expect(report.renditions.map(\.name) == ["240p", "144p-hevc"])
        #expect(report.renditions.map(\.codec) == ["h264", "hevc"])
        #expect(report.renditions.map(\.height) == [240, 144])
        #expect(report.audioTracks.map(\.name) == ["audio-1-eng", "audio-2-fra"])
        #expect(report.audioTracks.allSatisfy { $0.codecs == "mp4a.40.2" })
        // The AAC track is copied, the MP3 one encoded to AAC.
        #expect(report.audioTracks.map(\.copied) == [true, false])
        // The copied track holds the source's AAC frames byte for byte, on the sample clock
        // (Matroska stores them at whole milliseconds: 21, 42, 64 ms…), each 1024 samples on.
        let copied = try Self.audioFrames(out.appendingPathComponent("audio-1-eng/playlist.m3u8").path)
        let original = try Self.audioFrames(source, stream: 1)
        #expect(!copied.isEmpty && copied.map(\.hash) == original.map(\.hash))
        #expect(zip(copied, copied.dropFirst()).allSatisfy { $1.time - $0.time == 1024 } && copied.allSatisfy { $0.duration == 1024 })
        #expect(report.subtitleTracks.map(\.name) == ["subs-1-eng"])
        for file in report.files {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) is listed but missing")
        }
        #expect(report.files.contains("master.m3u8") && report.files.contains("manifest.mpd"))
        #expect(report.totalBytes > 0)

        var keyTimes: [[Double]] = []
        for rendition in report.renditions {
            #expect(rendition.frames == sourceTimes.count)
            #expect(rendition.codecs.hasPrefix(rendition.codec == "hevc" ? "hvc1." : "avc1."), "\(rendition.codecs)")
            // 6 s at 1 s packaging segments.
            #expect(rendition.segments == 6)
            let track = try LadderSpool.probeTrack(out.appendingPathComponent("video-\(rendition.name)"), segments: rendition.segments, in: dir)
            #expect(track.frames.count == sourceTimes.count)
            let offsets = zip(track.frames, sourceTimes).map { abs($0 - $1) }
            #expect((offsets.max() ?? 1) < 0.001, "\(rendition.name): frame times differ from the source's by up to \(offsets.max() ?? -1) s")
            #expect(track.segmentStartsAreKey.allSatisfy { $0 }, "\(rendition.name): a segment does not start with a key frame")
            keyTimes.append(track.keyTimes)
            #expect(track.keyTimes.count == 6)
        }
        #expect(Set(keyTimes.map { $0.map { ($0 * 1000).rounded() } }).count == 1, "key frames differ between rungs: \(keyTimes)")

        // WebVTT cut where the video is (1 s segments): cue 1 (1.0–2.5 s) in the 2nd and 3rd
        // segments, cue 2 (3.0–4.0 s) in the 4th, the others empty; one target duration.
        let vtts = try (1...6).map { try String(contentsOf: out.appendingPathComponent("subs-1-eng/\(PackagedSubtitles.segmentName($0))"),
                                                encoding: .utf8) }
        #expect(vtts.allSatisfy { $0.hasPrefix("WEBVTT\n") })
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("subs-1-eng/\(PackagedSubtitles.segmentName(7))").path))
        let subsPlaylist = try String(contentsOf: out.appendingPathComponent("subs-1-eng/playlist.m3u8"), encoding: .utf8)
        let videoPlaylist = try String(contentsOf: out.appendingPathComponent("video-240p/playlist.m3u8"), encoding: .utf8)
        #expect(subsPlaylist.components(separatedBy: "#EXTINF:").count == 7)
        let target = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("#EXT-X-TARGETDURATION:") } }
        #expect(target(subsPlaylist) != nil && target(subsPlaylist) == target(videoPlaylist))
        let cue = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "s", "-show_entries", "packet=pts_time,duration_time",
                                                 "-of", "csv=p=0", source]).stdout.split(separator: "\n").first?.split(separator: ",")
            .compactMap { Double($0) } ?? []
        #expect(cue.count == 2)
        if cue.count == 2 {
            let line = "\(WebVTT.timestamp(cue[0] - start)) --> \(WebVTT.timestamp(cue[0] - start + cue[1]))\nHello <i>there</i>\n"
            #expect(vtts.map { $0.contains(line) } == [false, true, true, false, false, false], "\(vtts) lack \(line)")
        }
        #expect(vtts.map { $0.contains("A &amp; B") } == [false, false, false, true, false, false], "\(vtts)")
        // DASH has no sidecar text that ffmpeg's DASH reader accepts: subtitles are HLS only.
        let mpd = try String(contentsOf: out.appendingPathComponent("manifest.mpd"), encoding: .utf8)
        #expect(!mpd.contains("subs"))

        // The project's stream oracle (RFC 8216 rules, DASH timeline, ffmpeg reading both manifests).
        let checker = TestPaths.packageRoot.appendingPathComponent("Tests/tools/stream_check.py").path
        if FileManager.default.fileExists(atPath: checker) {
            let run = try Subprocess.run("python3", [checker, out.path, "--source", source], timeout: 300)
            #expect(run.status == 0, "stream_check: \(run.stdout.suffix(3000)) \(run.stderr.suffix(500))")
        }
    }

    @Test("real clips: the stream oracle passes every rule, frame times equal the source's",
          arguments: ["flower_2audio.mkv", "tsduck__test-072.ts", "ax__trim_optimization_failure.mp4", "mei__with-gps.mov"])
    func packagesRealClip(_ name: String) throws {
        guard let media = TestPaths.sharedMedia else {
            print("skipped: ../shared/media is not here")
            return
        }
        let checker = TestPaths.packageRoot.appendingPathComponent("Tests/tools/stream_check.py").path
        try #require(FileManager.default.fileExists(atPath: checker))
        let dir = TestPaths.scratch("ladder-package-real")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = media.appendingPathComponent(name).path
        let spool = try LadderSpool(source: source, directory: dir, rungs: [LadderRung(height: 240, bitrate: 400_000),
                                                                            LadderRung(height: 144, bitrate: 150_000)],
                                    segmentSeconds: 1, farmSegmentSeconds: 2)
        let out = dir.appendingPathComponent("out", isDirectory: true)
        let report = try LadderPackager(sourcePath: source, probe: spool.probe, plan: spool.plan, ladder: spool.ladder,
                                        segments: spool.segments, outputDirectory: out).run()
        #expect(report.videoFrames == spool.plan.expectedFrames)
        // Source AAC is copied (from MPEG-TS without its ADTS headers), frame for frame; Opus is encoded.
        let copies: [String: [Bool]] = ["flower_2audio.mkv": [true, false], "tsduck__test-072.ts": [true],
                                        "ax__trim_optimization_failure.mp4": [true], "mei__with-gps.mov": [true]]
        #expect(report.audioTracks.map { $0.copied ?? false } == copies[name])
        for track in report.audioTracks where track.copied == true {
            let original = try Self.audioFrames(source, stream: track.sourceStream, adts: name.hasSuffix(".ts"))
            let copied = try Self.audioFrames(out.appendingPathComponent("\(track.name)/playlist.m3u8").path)
            let firstDifference = Array(zip(copied, original)).firstIndex { $0.hash != $1.hash }
            #expect(!copied.isEmpty && copied.map(\.hash) == original.map(\.hash),
                    "\(name) \(track.name): \(copied.count) frames for the source's \(original.count), first differing at \(firstDifference ?? -1)")
            // At the source's times (a gap the source has is kept), from the first frame on.
            if let c0 = copied.first, let o0 = original.first {
                let drift = zip(copied, original).map { abs(($0.seconds - c0.seconds) - ($1.seconds - o0.seconds)) }.max() ?? 0
                #expect(drift < 0.0005, "\(name) \(track.name): frame times differ from the source's by up to \(drift) s")
            }
        }
        let run = try Subprocess.run("python3", [checker, out.path, "--source", source], timeout: 300)
        #expect(run.status == 0, "stream_check: \(run.stdout.suffix(3000)) \(run.stderr.suffix(500))")
    }

    /// An audio stream's packets as the ffmpeg CLI copies them (`adts`: without ADTS headers, as
    /// an MP4 holds them): decode time, duration and a hash of the data.
    static func audioFrames(_ path: String, stream: Int = 0, adts: Bool = false) throws
        -> [(time: Int64, duration: Int64, seconds: Double, hash: String)] {
        let filter = adts ? ["-bsf:a", "aac_adtstoasc"] : []
        let lines = try Subprocess.run("ffmpeg", ["-v", "fatal", "-i", path, "-map", "0:\(stream)", "-c", "copy"] + filter + ["-f", "framemd5", "-"],
                                       timeout: 120).stdout.split(separator: "\n")
        // "#tb 0: 1/48000"
        let tb = lines.first { $0.hasPrefix("#tb 0:") }.map { $0.dropFirst(6).split(separator: "/").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
        let unit = (tb?.count == 2 && tb![1] > 0) ? tb![0] / tb![1] : 0
        return lines.filter { !$0.hasPrefix("#") }.compactMap { line in
            let f = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            // Side data, where a packet has some, follows the hash ("S=1, size, hash").
            guard f.count >= 6, let t = Int64(f[1]), let d = Int64(f[3]) else { return nil }
            return (t, d, Double(t) * unit, f[5])
        }
    }

    @Test("a clip shorter than one packaging segment makes one segment per track")
    func singleSegment() throws {
        let dir = TestPaths.scratch("ladder-package-one")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try LadderSpool.makeSource(in: dir, seconds: 2)
        let spool = try LadderSpool(source: source, directory: dir, rungs: [LadderRung(height: 144, bitrate: 200_000)],
                                    segmentSeconds: 6, farmSegmentSeconds: 6)
        #expect(spool.plan.segments.count == 1)
        let out = dir.appendingPathComponent("out", isDirectory: true)
        let report = try LadderPackager(sourcePath: source, probe: spool.probe, plan: spool.plan, ladder: spool.ladder,
                                        segments: spool.segments, outputDirectory: out).run()
        #expect(report.renditions.map(\.segments) == [1])
        #expect(report.audioTracks.map(\.segments) == [1, 1])
        let checker = TestPaths.packageRoot.appendingPathComponent("Tests/tools/stream_check.py").path
        if FileManager.default.fileExists(atPath: checker) {
            let run = try Subprocess.run("python3", [checker, out.path, "--source", source], timeout: 300)
            #expect(run.status == 0, "stream_check: \(run.stdout.suffix(3000)) \(run.stderr.suffix(500))")
        }
        // The job's audio rate: the AAC track is encoded too, at that rate, not copied.
        let encoded = try LadderPackager(sourcePath: source, probe: spool.probe, plan: spool.plan, ladder: spool.ladder, segments: spool.segments,
                                         outputDirectory: dir.appendingPathComponent("out-48k", isDirectory: true), audioBitrate: 48_000).run()
        #expect(encoded.audioTracks.map(\.copied) == [false, false])
        #expect(encoded.audioTracks.allSatisfy { $0.averageBitrate > 30_000 && $0.averageBitrate < 66_000 }, "\(encoded.audioTracks.map(\.averageBitrate))")
        #expect(report.audioTracks[0].averageBitrate > 66_000, "the copy keeps the source's \(report.audioTracks[0].averageBitrate) bit/s")
    }

    /// `ffmpeg -ss 1.5 -i full.mp4 -c copy` keeps a second of audio before 0 for its edit list to
    /// cut. Copied as it was, that second went into the track: `master.m3u8` read a second late
    /// and the A/V check could not align the sound (correlation 0.08).
    @Test("a trimmed MP4: the copied audio keeps only the frames the first one shown needs, in sync")
    func trimmedSource() throws {
        let dir = TestPaths.scratch("ladder-package-trimmed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = dir.appendingPathComponent("full.mp4").path, source = dir.appendingPathComponent("trimmed.mp4").path
        for args in [["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=6", "-f", "lavfi",
                      "-i", "anoisesrc=color=pink:sample_rate=48000:duration=6:seed=3", "-c:v", "libx264", "-preset", "ultrafast",
                      "-g", "50", "-c:a", "aac", full],
                     ["-ss", "1.5", "-i", full, "-c", "copy", source]] {
            let run = try Subprocess.run("ffmpeg", ["-v", "error", "-y"] + args, timeout: 120)
            try #require(run.status == 0, "\(run.stderr)")
        }
        let firstAudio = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "a", "-show_entries", "packet=pts_time",
                                                        "-read_intervals", "%+#1", "-of", "csv=p=0", source]).stdout
        // "-1.009333," (a side data field follows).
        let firstTime = firstAudio.split(separator: ",").first.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect((firstTime ?? 0) < -0.5, "the trim left no audio before 0: \(firstAudio)")
        let spool = try LadderSpool(source: source, directory: dir, rungs: [LadderRung(height: 144, bitrate: 200_000)],
                                    segmentSeconds: 2, farmSegmentSeconds: 2)
        let out = dir.appendingPathComponent("out", isDirectory: true)
        let report = try LadderPackager(sourcePath: source, probe: spool.probe, plan: spool.plan, ladder: spool.ladder,
                                        segments: spool.segments, outputDirectory: out).run()
        #expect(report.audioTracks.map(\.copied) == [true])
        // The track starts at most two AAC frames (42.7 ms) before 0, where it started a second before.
        let start = try Subprocess.run("ffprobe", ["-v", "error", "-show_entries", "stream=start_time", "-of", "csv=p=0",
                                                   out.appendingPathComponent("audio-1/playlist.m3u8").path]).stdout
        let startTime = start.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.first ?? -9
        #expect(startTime >= -2 * 1024 / 48000.0 && startTime < 0, "the audio track starts at \(start)")
        let checker = TestPaths.packageRoot.appendingPathComponent("Tests/tools/stream_check.py").path
        let run = try Subprocess.run("python3", [checker, out.path, "--source", source, "--require-av-offset"], timeout: 300)
        #expect(run.status == 0, "stream_check: \(run.stdout.suffix(3000)) \(run.stderr.suffix(500))")
    }

    @Test("a rung without an IDR where the grid starts a packaging segment is refused")
    func refusesMissingIDR() throws {
        let dir = TestPaths.scratch("ladder-package-noidr")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try LadderSpool.makeSource(in: dir, seconds: 4, audio: false)
        // Encoded with a 2 s grid, packaged with a 1 s grid: the frames at 1 s and 3 s are no IDR.
        let spool = try LadderSpool(source: source, directory: dir, rungs: [LadderRung(height: 144, bitrate: 200_000)],
                                    segmentSeconds: 2, farmSegmentSeconds: 2)
        var ladder = spool.ladder
        ladder.segmentSeconds = 1
        let packager = LadderPackager(sourcePath: source, probe: spool.probe, plan: spool.plan, ladder: ladder,
                                      segments: spool.segments, outputDirectory: dir.appendingPathComponent("out"))
        let error = #expect(throws: MediaError.self) { try packager.run() }
        #expect(error?.message.contains("is not a key frame") == true, "\(String(describing: error))")
    }
}

/// A ladder job's spool made the way agents make it (decode once, scale and encode every rung
/// with key frames forced on the ladder grid, one `RenditionBundle` per farm segment).
struct LadderSpool {
    let probe: MediaProbe
    let plan: SegmentPlan
    let ladder: Ladder
    let segments: [CompletedSegment]

    init(source: String, directory: URL, rungs: [LadderRung], segmentSeconds: Double, farmSegmentSeconds: Double) throws {
        probe = try MediaProbe(path: source)
        plan = try SegmentPlanner(targetSeconds: farmSegmentSeconds).plan(probe.index, timeBase: probe.videoTimeBase)
        ladder = Ladder(rungs: rungs, packages: [.hls, .dash], segmentSeconds: segmentSeconds, keyFrameOrigin: plan.segments.first?.firstPTS)
        let tb = probe.videoTimeBase
        let input = try InputContainer(path: source)
        let videoIn = probe.info.videoStream
        let rate = input.guessedFrameRate(stream: videoIn)
        // Every decoded frame, by presentation time.
        let decoder = try Decoder(input: input, stream: videoIn)
        var frames: [Frame] = []
        let packet = Packet(), frame = Frame()
        func drain() throws {
            while try decoder.receive(into: frame) {
                frames.append(frame.clone())
                frame.unref()
            }
        }
        while try input.read(into: packet) {
            guard packet.streamIndex == videoIn else { continue }
            while case .full = try decoder.send(packet) { try drain() }
            try drain()
        }
        _ = try decoder.send(nil)
        try drain()
        frames.sort { $0.presentationTime < $1.presentationTime }

        let spoolDir = directory.appendingPathComponent("spool", isDirectory: true)
        try FileManager.default.createDirectory(at: spoolDir, withIntermediateDirectories: true)
        var completed: [CompletedSegment] = []
        for planned in plan.segments {
            let mine = frames.filter { f in f.presentationTime >= planned.startPTS && planned.endPTS.map { f.presentationTime < $0 } ?? true }
            var streams: [Data] = []
            var depth = 0
            for rung in rungs {
                let settings = rung.settings(base: EncodeSettings(preset: "veryfast"))
                var encoder: Encoder?
                var scaler: Scaler?
                var writer = PacketStreamWriter()
                var order: [Int64] = []
                let scaled = Frame(), out = Packet()
                func collect(_ e: Encoder) throws {
                    while try e.receive(into: out) {
                        writer.append(out)
                        order.append(out.pts)
                    }
                }
                var previous: Int64?
                for f in mine {
                    if encoder == nil {
                        let size = settings.scale!.resolve(sourceWidth: f.width, sourceHeight: f.height)
                        let format = AVPixelFormat(rawValue: f.pixelFormat)
                        scaler = try Scaler(fromWidth: Int32(f.width), fromHeight: Int32(f.height), from: format,
                                            toWidth: Int32(size.0), toHeight: Int32(size.1), to: AV_PIX_FMT_YUV420P)
                        encoder = try Encoder(settings: settings, source: Encoder.Source(width: Int32(size.0), height: Int32(size.1),
                                                                                         pixelFormat: AV_PIX_FMT_YUV420P, timeBase: tb, frameRate: rate))
                    }
                    try scaler!.convert(f, into: scaled)
                    let key = ladder.startsPackagingSegment(pts: f.presentationTime, previous: previous, timeBase: tb,
                                                            farmStart: mine.first?.presentationTime, farmEnd: planned.endPTS)
                    previous = f.presentationTime
                    try encoder!.send(scaled, keyFrame: key)
                    try collect(encoder!)
                }
                try encoder!.send(nil)
                try collect(encoder!)
                streams.append(try writer.finish(parameters: encoder!.parameters, timeBase: tb))
                depth = max(depth, Self.reorderDepth(order))
            }
            let bundle = try RenditionBundle.pack(streams)
            let url = spoolDir.appendingPathComponent("segment-\(planned.index)")
            try bundle.write(to: url)
            let result = SegmentResult(job: "test", segment: planned.index, attempt: 1, frames: mine.count,
                                       firstPTS: mine.first?.presentationTime ?? 0, lastPTS: mine.last?.presentationTime ?? 0,
                                       reorderDepth: depth, corruptFrames: [], payloadSHA256: SHA256.hex(bundle), payloadBytes: bundle.count,
                                       decodeSeconds: 0, encodeSeconds: 0, renditions: streams.map { RenditionResult(bytes: $0.count) })
            completed.append(CompletedSegment(result: result, path: url, agent: "test"))
        }
        segments = completed
    }

    /// How many packets at most precede, in decode order, a frame shown before them.
    static func reorderDepth(_ ptsInDecodeOrder: [Int64]) -> Int {
        var depth = 0
        for (i, pts) in ptsInDecodeOrder.enumerated() {
            depth = max(depth, ptsInDecodeOrder[..<i].filter { $0 > pts }.count)
        }
        return depth
    }

    /// A Matroska source with B-frames, 1 s GOPs, two audio tracks with languages and SubRip subtitles.
    /// Its second audio track goes on 60 ms past the video, over the grid point at its end.
    static func makeSource(in dir: URL, seconds: Int, audio: Bool = true) throws -> String {
        let srt = dir.appendingPathComponent("subs.srt")
        try "1\n00:00:01,000 --> 00:00:02,500\nHello <i>there</i>\n\n2\n00:00:03,000 --> 00:00:04,000\nA & B\n".write(to: srt, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("source.mkv").path
        var args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=\(seconds)"]
        if audio {
            args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=\(seconds)",
                     "-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=\(Double(seconds) + 0.06)", "-i", srt.path,
                     "-map", "0", "-map", "1", "-map", "2", "-map", "3",
                     "-c:a:0", "aac", "-c:a:1", "libmp3lame", "-ac:a:1", "1", "-c:s", "srt",
                     "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra", "-metadata:s:s:0", "language=eng"]
        }
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", path]
        let run = try Subprocess.run("ffmpeg", args, timeout: 120)
        guard run.status == 0 else { throw MediaError(.openFailed, "ffmpeg could not make the test source: \(run.stderr)") }
        return path
    }

    struct ProbedTrack {
        var frames: [Double]
        var keyTimes: [Double]
        var segmentStartsAreKey: [Bool]
    }

    /// ffprobe on init.mp4 + every segment concatenated (what a player appends).
    static func probeTrack(_ trackDir: URL, segments: Int, in dir: URL) throws -> ProbedTrack {
        var data = try Data(contentsOf: trackDir.appendingPathComponent("init.mp4"))
        var starts: [Int] = []
        for n in 1...segments {
            starts.append(data.count)
            data.append(try Data(contentsOf: trackDir.appendingPathComponent(PackagedTrack.segmentName(n))))
        }
        let joined = dir.appendingPathComponent("joined-\(trackDir.lastPathComponent).mp4")
        try data.write(to: joined)
        let packets = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pos,flags",
                                                      "-of", "csv=p=0", joined.path])
        var firstInSegment: [Int: Bool] = [:]
        for line in packets.stdout.split(separator: "\n") {
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count >= 2, let pos = Int(fields[0]) else { continue }
            let segment = starts.lastIndex { $0 <= pos } ?? 0
            if firstInSegment[segment] == nil { firstInSegment[segment] = fields[1].hasPrefix("K") }
        }
        let shown = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                    "frame=best_effort_timestamp_time,key_frame,pict_type", "-of", "csv=p=0", joined.path])
        var frames: [Double] = [], keys: [Double] = []
        for line in shown.stdout.split(separator: "\n") {
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count >= 3, let t = Double(fields[1]) else { continue }
            frames.append(t)
            if fields[0] == "1", fields[2] == "I" { keys.append(t) }
        }
        return ProbedTrack(frames: frames.sorted(), keyTimes: keys.sorted(), segmentStartsAreKey: (0..<segments).map { firstInSegment[$0] ?? false })
    }
}
