import Foundation
import Testing
import TestSupport

/// Inputs a producer brings that a QA pass found broken (each generated here with the ffmpeg
/// CLI): each now transcodes as the ffmpeg CLI would, or is refused at once with one sentence.
@Suite("Unusual inputs")
struct UnusualInputTests {
    /// Makes `name` in `dir` with the ffmpeg CLI.
    static func make(_ dir: URL, _ name: String, _ arguments: [String]) throws -> String {
        let path = dir.appendingPathComponent(name).path
        let out = try Subprocess.run("ffmpeg", ["-hide_banner", "-v", "error", "-y"] + arguments + [path], timeout: 120)
        try #require(out.status == 0, "\(out.stderr)")
        return path
    }

    /// Two MPEG-TS recordings joined byte for byte, as `cat a.ts b.ts` joins captures.
    static func join(_ first: String, _ second: String, in dir: URL) throws -> URL {
        let joined = dir.appendingPathComponent("joined.ts")
        try (try Data(contentsOf: URL(fileURLWithPath: first)) + Data(contentsOf: URL(fileURLWithPath: second))).write(to: joined)
        return joined
    }

    static let video = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2"]
    static func tone(_ rate: Int = 48000, _ frequency: Int = 440) -> [String] {
        ["-f", "lavfi", "-i", "sine=f=\(frequency):sample_rate=\(rate):duration=2"]
    }

    /// libx264 0.164 dereferenced a null chroma plane measuring the PSNR of gray (I400)
    /// pictures: every agent crashed on a grayscale source with the default codec.
    @Test("a grayscale source encodes with libx264, its quality measured")
    func grayscale() throws {
        let dir = TestPaths.scratch("gray")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "gray.mkv", Self.video + ["-pix_fmt", "gray", "-c:v", "ffv1", "-g", "25"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--segment-seconds", "1", "--preset", "ultrafast"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(try FFmpegOracle.countFrames(output) == 50)
        #expect(run.output.stdout.contains("\"psnrAll\""), "\(run.output.stdout.prefix(2000))")
    }

    /// PCM in Matroska, AVI, MXF or QuickTime often carries a channel count and no layout;
    /// libswresample then refused every frame after the first ("Input changed").
    @Test("PCM without a channel layout is encoded to AAC")
    func pcmWithoutLayout() throws {
        let dir = TestPaths.scratch("pcm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "pcm.mkv", Self.video + Self.tone() + ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "pcm_s16le"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let audio = try FFmpegOracle.audioTracks(output)
        #expect(audio.count == 1 && audio.first?.codec == "aac" && abs((audio.first?.duration ?? 0) - 2) < 0.05, "\(audio)")
    }

    /// Two captures joined: the audio switches from 48 kHz mono to 44.1 kHz stereo half way.
    @Test("audio whose rate and layout change mid-file is encoded through the change")
    func audioFormatChange() throws {
        let dir = TestPaths.scratch("audio-change")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Self.make(dir, "a.ts", Self.video + Self.tone() + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                                                                          "-c:a", "aac", "-output_ts_offset", "5"])
        let second = try Self.make(dir, "b.ts", Self.video + Self.tone(44100, 880) + ["-ac", "2", "-c:v", "libx264", "-preset", "ultrafast",
                                                                                     "-g", "25", "-c:a", "aac", "-output_ts_offset", "7.04"])
        let joined = try Self.join(first, second, in: dir)
        let output = dir.appendingPathComponent("out.webm").path
        let run = try FarmCLI.transcode(joined.path, to: output, ["--agents", "2", "--segment-seconds", "1", "--codec", "libvpx-vp9",
                                                                  "--preset", "realtime", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let audio = try FFmpegOracle.audioTracks(output)
        #expect(audio.count == 1 && audio.first?.codec == "opus" && abs((audio.first?.duration ?? 0) - 4.04) < 0.1, "\(audio)")
    }

    /// FFmpeg 5.1 writes FLAC into MP4 only as an experimental feature: the job encoded the whole
    /// video, then failed writing the header. FLAC is now encoded to AAC for MP4, as for MOV.
    @Test("FLAC audio into MP4 is encoded to AAC")
    func flacIntoMP4() throws {
        let dir = TestPaths.scratch("flac")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "flac.mkv", Self.video + Self.tone(44100) + ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "flac"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(try FFmpegOracle.audioTracks(output).map(\.codec) == ["aac"])
    }

    /// `--scale 1280x720` of an anamorphic PAL picture (720x576 at 64:45, shown 16:9) kept the
    /// 64:45 pixels: the output showed 2.53:1. A scale keeps the display aspect, as ffmpeg's does.
    @Test("a scaled anamorphic source keeps its display aspect", arguments: ["1280x720", "-2:360"])
    func anamorphicScale(_ scale: String) throws {
        let dir = TestPaths.scratch("anamorphic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "pal.mp4", ["-f", "lavfi", "-i", "testsrc2=size=720x576:rate=25:duration=1", "-vf", "setsar=64/45",
                                                    "-c:v", "libx264", "-preset", "ultrafast"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--scale", scale, "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let stream = try FFmpegOracle.videoStream(output)
        #expect(stream["display_aspect_ratio"] == "16:9", "\(stream)")
    }

    /// Two captures joined, 320x240 then 640x360: the segments after the change were coded at
    /// the new size into one stream, which decoded as garbage. Now scaled to the size the stream
    /// starts with, as the ffmpeg CLI does, into ffv1 and x264 alike.
    @Test("a picture size change mid-stream is scaled to the first size", arguments: ["mkv", "mp4"])
    func sizeChange(_ container: String) throws {
        let dir = TestPaths.scratch("size-change")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Self.make(dir, "a.ts", Self.video + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-output_ts_offset", "5"])
        let second = try Self.make(dir, "b.ts", ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=2", "-c:v", "libx264",
                                                 "-preset", "ultrafast", "-g", "25", "-output_ts_offset", "7.04"])
        let joined = try Self.join(first, second, in: dir)
        let output = dir.appendingPathComponent("out.\(container)").path
        let codec = container == "mkv" ? ["--codec", "ffv1"] : ["--preset", "ultrafast"]
        let run = try FarmCLI.transcode(joined.path, to: output, codec + ["--agents", "2", "--segment-seconds", "1", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let decode = try Subprocess.run("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"], timeout: 120)
        #expect(decode.status == 0 && decode.stderr.isEmpty, "decoding the output: \(decode.stderr.prefix(500))")
        let sizes = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=width,height",
                                                   "-of", "csv=p=0", output], timeout: 120)
        let lines = sizes.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ", ")) }
        #expect(lines.count == 100 && Set(lines) == ["320,240"], "\(lines.count) frames, sizes \(Set(lines))")
    }

    /// Two captures joined, 4:2:0 then 4:4:4 at one size: the segments after the change were
    /// coded in High 4:4:4 into one 4:2:0 stream (\"encoder headers differ\", then hundreds of
    /// decode errors). Now converted to the format the stream starts with, as the CLI does: the
    /// lossless output gives the CLI's frames of the source, hash for hash.
    @Test("a pixel format change mid-stream is converted to the first format")
    func pixelFormatChange() throws {
        let dir = TestPaths.scratch("format-change")
        defer { try? FileManager.default.removeItem(at: dir) }
        let x264 = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"]
        let first = try Self.make(dir, "a.ts", Self.video + x264 + ["-pix_fmt", "yuv420p", "-output_ts_offset", "5"])
        let second = try Self.make(dir, "b.ts", Self.video + x264 + ["-pix_fmt", "yuv444p", "-output_ts_offset", "7.04"])
        let joined = try Self.join(first, second, in: dir)
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(joined.path, to: output, ["--codec", "ffv1", "--agents", "2", "--segment-seconds", "1", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(!run.output.stderr.contains("encoder headers differ"), "\(run.output.stderr)")
        let expected = try FFmpegOracle.defaultOracle(joined.path), actual = try FFmpegOracle.defaultOracle(output)
        #expect(actual.frames.count == 100 && actual.frames.map(\.hash) == expected.frames.map(\.hash),
                "\(actual.frames.count) frames, source \(expected.frames.count)")
    }

    /// Two TS recordings joined (the second's clock 95 s earlier, then 91 s later): gopfarm
    /// reported success with half the video stacked in 1 ms. Refused now with the sentence and
    /// the remux that gives one timeline.
    @Test("a TS whose clock jumps is refused with the way out", arguments: [("back", 100.0, 5.0), ("forward", 5.0, 100.0)])
    func clockJump(_ direction: String, _ first: Double, _ second: Double) throws {
        let dir = TestPaths.scratch("clock-jump")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Self.make(dir, "a.ts", Self.video + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-output_ts_offset", "\(first)"])
        let b = try Self.make(dir, "b.ts", Self.video + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-output_ts_offset", "\(second)"])
        let joined = try Self.join(a, b, in: dir)
        let run = try FarmCLI.transcode(joined.path, to: dir.appendingPathComponent("out.mp4").path, ["--agents", "1"])
        #expect(run.output.status == 1 && run.output.stderr.hasPrefix("gopfarm: error: \(joined.path): the video's clock jumps \(direction) ")
                && run.output.stderr.contains("remux the file into one timeline first (ffmpeg -i IN -c copy OUT.mkv)"), "\(run.output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.mp4").path))
    }

    /// A two-programme TS, 320x240 and 160x120: libavformat's choice took the small picture; the
    /// ffmpeg CLI takes the largest, and so does gopfarm.
    @Test("of two programmes' videos the larger picture is transcoded")
    func twoProgrammes() throws {
        let dir = TestPaths.scratch("programmes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "two.ts", Self.video + Self.tone() + ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=30:duration=2"] + Self.tone(48000, 880)
                                   + ["-map", "0", "-map", "1", "-map", "2", "-map", "3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                                      "-c:a", "mp2", "-program", "title=P1:st=0:st=1", "-program", "title=P2:st=2:st=3"])
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let stream = try FFmpegOracle.videoStream(output)
        #expect(stream["width"] == "320" && stream["height"] == "240", "\(stream)")
    }

    /// `pipe:0.mp4` is a file name to a user; libavformat opened it as standard input.
    @Test("an input named like a URL is read as the file of that name")
    func urlLikeName() throws {
        let dir = TestPaths.scratch("url-name")
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = try Self.make(dir, "clip.mp4", Self.video + ["-c:v", "libx264", "-preset", "ultrafast"])
        let named = dir.appendingPathComponent("pipe:0.mp4").path
        try FileManager.default.copyItem(atPath: real, toPath: named)
        // Run from the directory, by the relative name, with a TS on standard input to catch a read of it.
        let run = try Subprocess.run("/bin/sh", ["-c", "cd \"$1\" && exec \"$2\" probe pipe:0.mp4 < \"$3\"", "sh", dir.path, TestPaths.gopfarm,
                                                 try Fixture.h264OpenGOPTS.path()], timeout: 60)
        #expect(run.status == 0 && run.stdout.hasPrefix("pipe:0.mp4: QuickTime / MOV"), "\(run.stdout)\(run.stderr)")
    }

    /// Chapters and the title and artist tags were dropped; the ffmpeg CLI keeps them.
    @Test("chapters and global tags are kept", arguments: ["mp4", "mkv"])
    func chaptersAndTags(_ container: String) throws {
        let dir = TestPaths.scratch("chapters")
        defer { try? FileManager.default.removeItem(at: dir) }
        let metadata = dir.appendingPathComponent("meta.txt")
        try Data(";FFMETADATA1\ntitle=My Film\nartist=Someone\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Intro\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\ntitle=Main\n".utf8).write(to: metadata)
        let source = try Self.make(dir, "film.mp4", Self.video + ["-i", metadata.path, "-map", "0", "-map_metadata", "1", "-map_chapters", "1",
                                                                 "-c:v", "libx264", "-preset", "ultrafast"])
        let output = dir.appendingPathComponent("out.\(container)").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let probe = try Subprocess.run("ffprobe", ["-v", "error", "-show_entries", "format_tags=title:chapter=start_time,end_time:chapter_tags=title",
                                                   "-of", "compact", output], timeout: 60)
        #expect(probe.stdout == """
            chapter|start_time=0.000000|end_time=1.000000|tag:title=Intro
            chapter|start_time=1.000000|end_time=2.000000|tag:title=Main
            format|tag:title=My Film

            """, "\(probe.stdout)")
    }

    /// A 12 s gap in a TS's audio (a muted stretch) was dropped when the audio was encoded, so
    /// everything after it played 12 s early; copied audio kept it. Now silence fills it.
    @Test("a long gap in the audio stays silent in time when the audio is encoded")
    func audioGap() throws {
        let dir = TestPaths.scratch("audio-gap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "gap.ts", ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=20", "-f", "lavfi", "-i",
                                                   "sine=f=440:sample_rate=48000:duration=20,aselect='not(between(t,4,16))'",
                                                   "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "mp2", "-shortest"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "2", "--segment-seconds", "5", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let detect = try Subprocess.run("ffmpeg", ["-v", "info", "-nostats", "-i", output, "-af", "silencedetect=d=1", "-f", "null", "-"], timeout: 120)
        func value(_ key: String) -> Double? {
            guard let range = detect.stderr.range(of: key + ": ") else { return nil }
            return Double(detect.stderr[range.upperBound...].prefix { "0123456789.".contains($0) })
        }
        let (start, end) = (value("silence_start") ?? -1, value("silence_end") ?? -1)
        #expect(abs(start - 4) < 0.1 && abs(end - 16) < 0.1, "silence \(start) – \(end) s")
    }

    /// SubRip or ASS cannot go into MP4 or WebM as they are; they were dropped with a warning
    /// (as the ffmpeg CLI drops them unless told `-c:s mov_text`). Now converted: mov_text into
    /// MP4, WebVTT into WebM, language kept, each cue's text and times the source's.
    @Test("text subtitles are converted to the container's text format",
          arguments: [("subrip", "mp4"), ("ass", "mp4"), ("subrip", "webm")])
    func textSubtitles(_ codec: String, _ container: String) throws {
        let dir = TestPaths.scratch("subtitles")
        defer { try? FileManager.default.removeItem(at: dir) }
        let srt = dir.appendingPathComponent("cues.srt")
        try "1\n00:00:00,500 --> 00:00:01,200\nHello there\n\n2\n00:00:01,400 --> 00:00:01,900\nSecond line\n".write(to: srt, atomically: true, encoding: .utf8)
        let source = try Self.make(dir, "subs.mkv", Self.video + ["-i", srt.path, "-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "ultrafast",
                                                                  "-g", "25", "-c:s", codec, "-metadata:s:s:0", "language=fra"])
        let output = dir.appendingPathComponent("out.\(container)").path
        let codecFlags = container == "webm" ? ["--codec", "libvpx-vp9", "--preset", "realtime"] : ["--preset", "ultrafast"]
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--no-analysis"] + codecFlags)
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let streams = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "s", "-show_entries", "stream=codec_name:stream_tags=language",
                                                     "-of", "csv=p=0", output], timeout: 60)
        #expect(streams.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == (container == "webm" ? "webvtt,fra" : "mov_text,fra"), "\(streams.stdout)")
        /// Each cue's start, end and text as the ffmpeg CLI reads them, on the packets' own clock.
        func cues(_ path: String) throws -> [String] {
            let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "s", "-show_entries", "packet=pts_time,duration_time,size",
                                                     "-of", "csv=p=0", path], timeout: 60)
            // mov_text writes an empty sample (2 bytes) in each gap between cues.
            var cues: [String] = []
            for line in out.stdout.split(separator: "\n") {
                let f = line.split(separator: ",").map(String.init)
                guard f.count == 3, let start = Double(f[0]), let length = Double(f[1]), let size = Int(f[2]), size > 2 else { continue }
                cues.append(String(format: "%.3f+%.3f", start, length))
            }
            return cues
        }
        #expect(try cues(output) == (try cues(source)), "cues")
        let text = try Subprocess.run("ffmpeg", ["-v", "error", "-i", output, "-map", "0:s", "-f", "srt", "-"], timeout: 60)
        #expect(text.stdout.contains("Hello there") && text.stdout.contains("Second line"), "\(text.stdout)")
    }

    /// libavcodec's WebVTT encoder (the CLI's too) writes ASS text as it comes: "Tom & Jerry <3"
    /// and "a --> b" made cues a WebVTT parser misreads ("<3" opens a tag, "-->" is a timing).
    @Test("ASS text in WebM is escaped as WebVTT requires; italics kept")
    func webVTTEscaping() throws {
        let dir = TestPaths.scratch("subtitles-vtt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ass = dir.appendingPathComponent("cues.ass")
        try """
            [Script Info]
            ScriptType: v4.00+

            [V4+ Styles]
            Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
            Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
            Dialogue: 0,0:00:00.50,0:00:01.00,Default,,0,0,0,,Tom & Jerry <3 {\\i1}italic{\\i0}
            Dialogue: 0,0:00:01.20,0:00:01.80,Default,,0,0,0,,a --> b\\Nline two

            """.write(to: ass, atomically: true, encoding: .utf8)
        let source = try Self.make(dir, "subs.mkv", Self.video + ["-i", ass.path, "-map", "0", "-map", "1", "-c:v", "libx264", "-preset", "ultrafast",
                                                                  "-g", "25", "-c:s", "ass"])
        let output = dir.appendingPathComponent("out.webm").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--no-analysis", "--codec", "libvpx-vp9", "--preset", "realtime"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let vtt = try Subprocess.run("ffmpeg", ["-v", "error", "-i", output, "-map", "0:s", "-c", "copy", "-f", "webvtt", "-"], timeout: 60)
        let texts = vtt.stdout.components(separatedBy: "\n\n").dropFirst().map { $0.split(separator: "\n").dropFirst().joined(separator: "\n") }.filter { !$0.isEmpty }
        #expect(texts == ["Tom &amp; Jerry &lt;3 <i>italic</i>", "a -> b\nline two"], "\(vtt.stdout)")
    }

    /// The lossless output gives the CLI's frames of the source, hash for hash.
    static func expectSameFrames(_ source: String, _ output: String) throws {
        let expected = try FFmpegOracle.defaultOracle(source), actual = try FFmpegOracle.defaultOracle(output)
        let first = zip(expected.frames, actual.frames).enumerated().first { $0.element.0.hash != $0.element.1.hash }?.offset
        #expect(actual.frames.count == expected.frames.count && first == nil,
                "\(actual.frames.count) frames, source \(expected.frames.count); first differing: \(first.map(String.init) ?? "none")")
    }

    /// QA: a DivX 5 stream retagged XVID (as for hardware players) names its encoder only in its
    /// first frame's user data; FFmpeg's decoder picks its workarounds from it, else from the
    /// tag, so every segment but the first decoded differently (frames 51-100 wrong, exit 0).
    @Test("a DivX stream tagged XVID decodes the same in every segment")
    func divxTaggedXvid() throws {
        let dir = TestPaths.scratch("divx-xvid")
        defer { try? FileManager.default.removeItem(at: dir) }
        let elementary = try Self.make(dir, "plain.m4v", ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                                                          "-c:v", "mpeg4", "-bf", "1", "-g", "25", "-flags", "+bitexact", "-f", "m4v"])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: elementary)))
        let vopStart: [UInt8] = [0, 0, 1, 0xB6]
        let found = (0..<(bytes.count - 3)).first { (i: Int) -> Bool in Array(bytes[i..<(i + 4)]) == vopStart }
        let vop = try #require(found, "no VOP in the elementary stream")
        let userData: [UInt8] = [0, 0, 1, 0xB2] + Array("DivX503b1900".utf8)
        bytes.insert(contentsOf: userData, at: vop)
        let tagged = dir.appendingPathComponent("divx.m4v")
        try Data(bytes).write(to: tagged)
        let source = try Self.make(dir, "divx-as-xvid.avi", ["-fflags", "+genpts", "-r", "25", "-i", tagged.path, "-c", "copy", "-vtag", "XVID"])
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "ffv1", "--agents", "2", "--segment-seconds", "1", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        try Self.expectSameFrames(source, output)
    }

    /// QA: an ASF packet holds several frames at one position; two key frames of one size there
    /// were taken for each other after a seek ("packet 27 differs from the index").
    @Test("WMV whose packets share a position is cut")
    func wmvFramesSharingAPacket() throws {
        let dir = TestPaths.scratch("wmv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "intra.wmv", ["-f", "lavfi", "-i", "testsrc2=size=32x32:rate=25:duration=3", "-c:v", "wmv2", "-g", "1", "-q:v", "31"])
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "ffv1", "--agents", "2", "--segment-seconds", "0.2", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        try Self.expectSameFrames(source, output)
    }

    /// QA: `ffmpeg -i x.h264 -c copy x.mp4` of a stream with B-frames gives every packet its
    /// decode time as its presentation time; the job failed ("two decoded frames share or reverse
    /// a timestamp"). Its frames are now timed by decoding, every frame the source decodes to kept.
    @Test("a raw B-frame stream remuxed with decode times as presentation times is transcoded")
    func decodeTimesAsPresentation() throws {
        let dir = TestPaths.scratch("pts-is-dts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = try Self.make(dir, "b.h264", ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-c:v", "libx264",
                                                "-preset", "ultrafast", "-bf", "2", "-g", "25", "-f", "h264"])
        let source = try Self.make(dir, "remux.mp4", ["-i", raw, "-c", "copy"])
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "ffv1", "--agents", "2", "--segment-seconds", "1", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.warnings.contains { $0.contains("its decode time as its presentation time") } == true, "\(run.report?.warnings ?? [])")
        // Every picture the source decodes to, in order (the CLI's default decode of the source
        // itself drops some: its times are the broken ones), at one frame apart.
        let expected = try FFmpegOracle.frames(source).map(\.hash), actual = try FFmpegOracle.frames(output)
        #expect(actual.map(\.hash) == expected, "\(actual.count) frames, the source decodes to \(expected.count)")
        #expect(zip(actual, actual.dropFirst()).allSatisfy { $1.time > $0.time }, "times go forward")
    }

    /// QA: a Matroska source's attachments (the fonts its ASS subtitles name) were dropped
    /// without a word. Matroska keeps them; MP4 cannot, and says so.
    @Test("attachments are kept in Matroska, and their loss elsewhere is said", arguments: ["mkv", "mp4"])
    func attachments(_ container: String) throws {
        let dir = TestPaths.scratch("attach")
        defer { try? FileManager.default.removeItem(at: dir) }
        let font = dir.appendingPathComponent("Title.ttf")
        try Data((0..<2048).map { UInt8($0 % 253) }).write(to: font)
        let source = try Self.make(dir, "with-font.mkv", Self.video + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-attach", font.path,
                                                                       "-metadata:s:t", "mimetype=application/x-truetype-font"])
        let output = dir.appendingPathComponent("out.\(container)").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let streams = try Subprocess.run("ffprobe", ["-v", "error", "-show_entries", "stream=codec_type:stream_tags=filename", "-of", "csv=p=0", output], timeout: 60)
        if container == "mkv" {
            #expect(streams.stdout.contains("attachment,Title.ttf"), "\(streams.stdout)")
            // ffmpeg writes the attachment, then says it has no output file to make: that is all we ask.
            let dumped = dir.appendingPathComponent("dumped.ttf")
            _ = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-dump_attachment:t:0", dumped.path, "-i", output], timeout: 60)
            #expect(try Data(contentsOf: dumped) == Data(contentsOf: font))
        } else {
            #expect(!streams.stdout.contains("attachment"), "\(streams.stdout)")
            #expect(run.report?.warnings.contains { $0.hasPrefix("attachment Title.ttf cannot be stored in this container") } == true,
                    "\(run.report?.warnings ?? [])")
        }
    }
}
