import Foundation

/// Inputs generated with the ffmpeg CLI at test time (cached per build directory), each
/// exercising one thing the farm must get right.
public enum Fixture: String, CaseIterable, Sendable, CustomStringConvertible {
    case h264BFramesMP4 = "h264-bframes.mp4"
    case h264OpenGOPTS = "h264-open-gop.ts"
    case hevcOpenGOPMKV = "hevc-open-gop.mkv"
    case vp9WebM = "vp9.webm"
    case mpeg2TS = "mpeg2.ts"
    case vfrMP4 = "vfr-no-audio.mp4"
    /// VFR (2 ticks a frame, then 1) with AAC, where the MP4 muxer wrote one pts twice (frames
    /// 54 and 55 both at 3.72 s): the planner must take it for damaged timestamps, and the
    /// agent must not stretch the 1-tick frames after it to the nominal rate.
    case vfrRepeatedPTSMP4 = "vfr-repeated-pts.mp4"
    case oddDimensionsMKV = "odd-853x481.mkv"
    case twoAudioMKV = "two-audio.mkv"
    /// Pink-noise AAC audio: content that can be aligned by correlation after re-encoding.
    case noiseAudioMP4 = "noise-audio.mp4"
    /// Pink-noise Opus audio in Matroska (codec delay handling on copy).
    case noiseOpusMKV = "noise-opus.mkv"
    /// Interlaced H.264 from libx264 (`-flags +ilme+ildct`, x264 `tff=1`), AAC, in MPEG-TS. x264's
    /// interlaced mode is MBAFF (one packet per frame, fields mixed per macroblock pair); it
    /// cannot make field pictures (PAFF), so field-coded input is only the real .mts clip.
    case h264MBAFFTopFirstTS = "h264-mbaff-tff.ts"
    /// The same with bottom field first (x264 `bff=1`).
    case h264MBAFFBottomFirstTS = "h264-mbaff-bff.ts"
    /// MBAFF, top field first, in MP4 (field order from the bitstream's pic_struct SEI only).
    case h264MBAFFTopFirstMP4 = "h264-mbaff-tff.mp4"
    /// VP9 with hidden alt-ref frames stored as their own packets (two-pass libvpx with
    /// `auto-alt-ref` and `lag-in-frames`, superframes split by `vp9_superframe_split`, written
    /// with `-fflags -autobsf` because the WebM muxer otherwise re-merges them): 106 packets,
    /// 100 shown frames; a hidden packet has the same timestamp as the shown one after it.
    case vp9HiddenAltRefWebM = "vp9-hidden-altref.webm"
    /// H.264 whose every random access point is a non-IDR I-frame with a recovery point SEI: an
    /// open-GOP x264 TS cut at its second key frame, remuxed (stream copy) to MP4 with its AAC.
    case h264NonIDRStartMP4 = "h264-non-idr-start.mp4"
    /// A broadcast-style capture that starts inside a GOP: an x264 TS with 2 s closed GOPs and
    /// AAC, cut at a 188-byte packet boundary 12 frames into the first GOP.
    case h264CutMidGOPTS = "h264-cut-mid-gop.ts"
    /// MPEG-4 Part 2 with B-frames in AVI, as DivX/Xvid files are: AVI stores no presentation
    /// times, so libavformat gives the reference pictures none (the B pictures' equal their dts).
    case mpeg4BFramesAVI = "mpeg4-bframes.avi"
    /// An MPEG program stream (DVD VOB) of MPEG-2 with B-frames and MP2: some packets carry no
    /// pts where a PES holds more than one picture.
    case mpeg2ProgramStreamVOB = "mpeg2-program-stream.vob"
    /// H.264 with B-pyramids in AVI: no pts at all, the order frames are shown in is known only
    /// to the decoder (picture order counts), and the first is shown two frames in.
    case h264BFramesAVI = "h264-bframes.avi"
    /// A raw H.264 elementary stream (as a camera module or a DVR writes it): no times at all.
    case h264RawStream = "h264-bframes-raw.h264"

    public var description: String { rawValue }

    /// The ffmpeg arguments that make it (inputs, filters, codecs), 4 s of 25 fps motion. For the
    /// fixtures made in several steps (`make(_:)`), the arguments of the first encode.
    var arguments: [String] {
        let video = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4"]
        let noisy = ["-vf", "noise=alls=12:allf=t"]
        let tone = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4"]
        switch self {
        case .h264BFramesMP4:
            return video + tone + noisy + ["-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "25", "-c:a", "aac", "-shortest"]
        case .h264OpenGOPTS:
            return video + tone + noisy + ["-c:v", "libx264", "-preset", "veryfast", "-bf", "2",
                                           "-x264-params", "keyint=25:min-keyint=25:open-gop=1:scenecut=0", "-c:a", "aac", "-f", "mpegts"]
        case .hevcOpenGOPMKV:
            return video + tone + noisy + ["-c:v", "libx265", "-preset", "ultrafast",
                                           "-x265-params", "keyint=25:min-keyint=25:open-gop=1:bframes=3:scenecut=0:log-level=error", "-c:a", "libopus"]
        case .vp9WebM:
            return video + tone + noisy + ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "25", "-b:v", "300k", "-c:a", "libopus"]
        case .mpeg2TS:
            return video + ["-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=48000:duration=4:seed=5"] + noisy + ["-c:v", "mpeg2video", "-g", "12", "-bf", "2", "-q:v", "5", "-c:a", "mp2", "-f", "mpegts"]
        case .vfrMP4:
            return video + ["-vf", "noise=alls=12:allf=t,select='not(mod(n\\,3))+not(mod(n\\,5))'", "-fps_mode", "vfr",
                            "-c:v", "libx264", "-preset", "veryfast", "-g", "12", "-an"]
        case .vfrRepeatedPTSMP4:
            return ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4,setpts='if(lt(N,40),N*2,80+(N-40))/25/TB'",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=6",
                    "-c:v", "libx264", "-preset", "veryfast", "-g", "20", "-fps_mode", "passthrough", "-c:a", "aac", "-shortest"]
        case .oddDimensionsMKV:
            // testsrc2 rounds its size to even sides (852x480): the scale makes them odd.
            return ["-f", "lavfi", "-i", "testsrc2=size=853x481:rate=25:duration=3"] + tone + ["-vf", "noise=alls=12:allf=t,scale=853:481,format=yuv420p"]
                + ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "20", "-b:v", "500k", "-c:a", "libopus", "-shortest"]
        case .noiseAudioMP4:
            return video + ["-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=44100:duration=4:seed=7"] + noisy
                + ["-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-c:a", "aac", "-shortest"]
        case .noiseOpusMKV:
            return video + ["-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=48000:duration=4:seed=9"] + noisy
                + ["-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-c:a", "libopus", "-shortest"]
        case .twoAudioMKV:
            return video + tone + ["-f", "lavfi", "-i", "sine=frequency=660:sample_rate=44100:duration=4"] + noisy
                + ["-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "libx264", "-preset", "veryfast", "-g", "25",
                   "-c:a:0", "aac", "-c:a:1", "libopus", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra"]
        case .h264MBAFFTopFirstTS, .h264MBAFFBottomFirstTS, .h264MBAFFTopFirstMP4:
            let order = self == .h264MBAFFBottomFirstTS ? "bff" : "tff"
            return video + tone + noisy + ["-c:v", "libx264", "-preset", "veryfast", "-flags", "+ilme+ildct",
                                           "-x264-params", "\(order)=1:keyint=25:min-keyint=25:scenecut=0", "-c:a", "aac", "-shortest"]
                + (self == .h264MBAFFTopFirstMP4 ? [] : ["-f", "mpegts"])
        case .vp9HiddenAltRefWebM:
            return video + noisy + ["-c:v", "libvpx-vp9", "-deadline", "good", "-cpu-used", "4", "-auto-alt-ref", "1",
                                    "-lag-in-frames", "16", "-g", "25", "-b:v", "300k"]
        case .h264NonIDRStartMP4:
            // 5 s, cut at 1 s: 4 s remain, 4 open GOPs of 25 frames, 100 frames.
            return ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=5",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=5"] + noisy
                + ["-c:v", "libx264", "-preset", "veryfast", "-bf", "2",
                   "-x264-params", "keyint=25:min-keyint=25:open-gop=1:scenecut=0", "-c:a", "aac", "-f", "mpegts"]
        case .mpeg4BFramesAVI:
            return video + tone + noisy + ["-c:v", "mpeg4", "-bf", "2", "-g", "25", "-q:v", "4", "-c:a", "libmp3lame", "-shortest"]
        case .mpeg2ProgramStreamVOB:
            // At the default 200 kb/s pictures are small, and a 2 KiB pack holds several.
            return video + tone + ["-c:v", "mpeg2video", "-g", "12", "-bf", "2", "-c:a", "mp2", "-shortest", "-f", "vob"]
        case .h264BFramesAVI, .h264RawStream:
            return video + (self == .h264BFramesAVI ? tone : []) + noisy
                + ["-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-g", "25"] + (self == .h264BFramesAVI ? ["-c:a", "libmp3lame", "-shortest"] : [])
        case .h264CutMidGOPTS:
            return ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=5",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=5"] + noisy
                + ["-c:v", "libx264", "-preset", "veryfast", "-bf", "2",
                   "-x264-params", "keyint=50:min-keyint=50:scenecut=0", "-c:a", "aac", "-f", "mpegts"]
        }
    }

    /// Writes the fixture at `partial` (a unique temporary name beside the final one).
    private func make(_ partial: String) throws {
        func ffmpeg(_ args: [String]) throws {
            let out = try Subprocess.run("ffmpeg", ["-y", "-v", "error"] + args, timeout: 300)
            guard out.status == 0 else { throw FFmpegOracle.Failure(description: "cannot make fixture \(rawValue): \(out.stderr)") }
        }
        let step = partial + ".step"
        defer {
            for suffix in [".step.webm", ".step.ts", ".step.cut.ts", ".step.pass-0.log"] { try? FileManager.default.removeItem(atPath: partial + suffix) }
        }
        switch self {
        case .vp9HiddenAltRefWebM:
            // libvpx makes alt-ref frames only in two-pass mode here; it emits each hidden frame
            // in a superframe with the next shown one, which vp9_superframe_split separates.
            let tone = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=4"]
            try ffmpeg(arguments + ["-pass", "1", "-passlogfile", step + ".pass", "-an", "-f", "null", "-"])
            try ffmpeg(Array(arguments.prefix(4)) + tone + Array(arguments.dropFirst(4))
                       + ["-pass", "2", "-passlogfile", step + ".pass", "-c:a", "libopus", "-shortest", step + ".webm"])
            try ffmpeg(["-i", step + ".webm", "-map", "0", "-c", "copy", "-bsf:v", "vp9_superframe_split",
                        "-fflags", "-autobsf", "-f", "webm", partial])
        case .h264NonIDRStartMP4, .h264CutMidGOPTS:
            try ffmpeg(arguments + [step + ".ts"])
            let packets = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pos,flags",
                                                         "-of", "csv=p=0", step + ".ts"], timeout: 60)
            let rows = packets.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            let positions = rows.compactMap { $0.first.flatMap { Int($0) } }
            let keys = rows.enumerated().filter { $0.element.count > 1 && $0.element[1].contains("K") }.map { $0.offset }
            // Non-IDR start: at the second key frame (an open-GOP I-frame). Mid-GOP: the 12th
            // packet in decode order after the first (IDR) key frame.
            let index = self == .h264NonIDRStartMP4 ? keys.dropFirst().first : keys.first.map { $0 + 12 }
            guard let index, index < positions.count else { throw FFmpegOracle.Failure(description: "cannot cut fixture \(rawValue): \(packets.stdout.prefix(300))") }
            let offset = positions[index]
            guard offset % 188 == 0 else { throw FFmpegOracle.Failure(description: "cannot cut fixture \(rawValue): packet at byte \(offset)") }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: step + ".ts"))
            if self == .h264CutMidGOPTS {
                try bytes.subdata(in: offset..<bytes.count).write(to: URL(fileURLWithPath: partial))
            } else {
                try bytes.subdata(in: offset..<bytes.count).write(to: URL(fileURLWithPath: step + ".cut.ts"))
                try ffmpeg(["-i", step + ".cut.ts", "-map", "0", "-c", "copy", "-f", "mp4", partial])
            }
        default:
            try ffmpeg(arguments + [partial])
        }
    }

    /// The fixture's path, generating it first when missing.
    public func path() throws -> String {
        let url = TestPaths.fixtures.appendingPathComponent(rawValue)
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        let partial = url.path + ".\(UUID().uuidString.prefix(6)).tmp." + (url.pathExtension)
        do { try make(partial) } catch { try? FileManager.default.removeItem(atPath: partial); throw error }
        return try Self.publish(partial, at: url)
    }

    /// A longer clip with detail and motion for lossy tests: 640x360, 25 fps, `seconds` long.
    public static func lossyClip(seconds: Int) throws -> String {
        let url = TestPaths.fixtures.appendingPathComponent("lossy-\(seconds)s.mp4")
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        let partial = url.path + ".\(UUID().uuidString.prefix(6)).tmp.mp4"
        let out = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=\(seconds)",
                                                "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000:duration=\(seconds)",
                                                "-vf", "noise=alls=10:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
                                                "-g", "50", "-c:a", "aac", partial], timeout: 300)
        guard out.status == 0 else { throw FFmpegOracle.Failure(description: "cannot make lossy clip: \(out.stderr)") }
        return try publish(partial, at: url)
    }

    /// Moves a finished fixture into place with rename(2), which replaces atomically: test
    /// processes running in parallel may generate the same fixture, and whichever renames last
    /// wins with an identical file, while readers only ever see a complete one.
    public static func publish(_ partial: String, at url: URL) throws -> String {
        guard rename(partial, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partial)
            throw FFmpegOracle.Failure(description: "cannot publish fixture \(url.lastPathComponent): \(reason)")
        }
        return url.path
    }
}
