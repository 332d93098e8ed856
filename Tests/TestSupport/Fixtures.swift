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
    case oddDimensionsMKV = "odd-853x481.mkv"
    case twoAudioMKV = "two-audio.mkv"
    /// Pink-noise AAC audio: content that can be aligned by correlation after re-encoding.
    case noiseAudioMP4 = "noise-audio.mp4"
    /// Pink-noise Opus audio in Matroska (codec delay handling on copy).
    case noiseOpusMKV = "noise-opus.mkv"

    public var description: String { rawValue }

    /// The ffmpeg arguments that make it (inputs, filters, codecs), 4 s of 25 fps motion.
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
        case .oddDimensionsMKV:
            return ["-f", "lavfi", "-i", "testsrc2=size=853x481:rate=25:duration=3"] + tone + noisy
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
        }
    }

    /// The fixture's path, generating it first when missing.
    public func path() throws -> String {
        let url = TestPaths.fixtures.appendingPathComponent(rawValue)
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        let partial = url.path + ".\(UUID().uuidString.prefix(6)).tmp." + (url.pathExtension)
        let out = try Subprocess.run("ffmpeg", ["-y", "-v", "error"] + arguments + [partial], timeout: 300)
        guard out.status == 0 else { throw FFmpegOracle.Failure(description: "cannot make fixture \(rawValue): \(out.stderr)") }
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
