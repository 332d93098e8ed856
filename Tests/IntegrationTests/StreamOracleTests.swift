import Foundation
import Testing
import TestSupport

/// The oracles issue 15's packaging is judged by (Tests/tools/stream_check.py and mse_play.py),
/// judged themselves on a ladder the ffmpeg CLI packages: 4 s of testsrc2 + pink noise, two H.264
/// renditions (640x360, 320x180) with key frames forced every second, AAC in English, cut by
/// ffmpeg's DASH muxer into 1 s CMAF segments that its `hls_playlist` option also lists as HLS.
/// ffmpeg's HLS master lacks EXT-X-INDEPENDENT-SEGMENTS, AVERAGE-BANDWIDTH and FRAME-RATE and
/// states the encoders' nominal rates as BANDWIDTH, so the test first sees the checker name those,
/// then writes the master as RFC 8216 wants, computing the peak and average segment bit rates here
/// independently of the checker, and expects a pass; then it breaks one rule at a time and
/// expects that rule named. The MSE player must play every track and fail a corrupted one.
@Suite("Stream oracle", .serialized)
struct StreamOracleTests {
    static let streamCheck = TestPaths.packageRoot.appendingPathComponent("Tests/tools/stream_check.py").path
    static let msePlay = TestPaths.packageRoot.appendingPathComponent("Tests/tools/mse_play.py").path

    /// Why the checker cannot run here, or nil when it can.
    static let missingParser: String? = {
        let m3u8 = try? Subprocess.run("python3", ["-c", "import m3u8"], timeout: 30)
        return m3u8?.status == 0 ? nil : "python3 cannot import m3u8 (deploy/install-deps.sh --test installs it)"
    }()

    /// Why the browser cannot run here, or nil when it can (as DashboardBrowserTests decides).
    static let missingBrowser: String? = {
        if let missingParser { return missingParser }
        for path in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: path) {
            return "\(path) is not installed (deploy/install-deps.sh --test installs it)"
        }
        let selenium = try? Subprocess.run("python3", ["-c", "import selenium"], timeout: 30)
        return selenium?.status == 0 ? nil : "python3 cannot import selenium (deploy/install-deps.sh --test installs it)"
    }()

    /// One rule broken on purpose, and the rule name the checker must print for it.
    enum Breakage: String, CaseIterable, Sendable, CustomStringConvertible {
        case extinfOverTarget, mapMissing, versionTooLow, bandwidthUnderstated, codecsWrong, segmentMissing,
             idrMisaligned, openGOP, framesDiffer, audioMoved, videoLater
        var description: String { rawValue }

        var rule: String {
            switch self {
            case .extinfOverTarget: "extinf-target"
            case .mapMissing: "map"
            case .versionTooLow: "version"
            case .bandwidthUnderstated: "bandwidth"
            case .codecsWrong: "codecs"
            case .segmentMissing: "dash-timeline"
            case .idrMisaligned: "idr-alignment"
            case .openGOP: "keyframe"
            case .framesDiffer: "source-frames"
            case .audioMoved: "av-offset"
            case .videoLater: "cli-oracle"
            }
        }
    }

    @Test("ffmpeg's own HLS master misses what RFC 8216 and the issue ask for, and the checker says which",
          .enabled(if: missingParser == nil, Comment(rawValue: missingParser ?? "")))
    func ffmpegMasterFails() throws {
        let package = try Self.makePackage("stream-raw")
        defer { try? FileManager.default.removeItem(at: package.dir) }
        let run = try Self.check(package)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        for rule in ["independent-segments", "average-bandwidth", "frame-rate"] {
            #expect(run.stdout.contains("FAIL \(rule):"), "\(rule) not named in:\n\(run.stdout)\(run.stderr)")
        }
    }

    @Test("a conforming package passes every rule, frame-exact against its source",
          .enabled(if: missingParser == nil, Comment(rawValue: missingParser ?? "")))
    func conformingPasses() throws {
        let package = try Self.makePackage("stream-good")
        defer { try? FileManager.default.removeItem(at: package.dir) }
        try Self.writeMaster(package)
        let run = try Self.check(package, ["--json", "--require-av-offset"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                  "\(run.stdout)\(run.stderr)")
        #expect(run.status == 0 && report["ok"] as? Bool == true, "\(run.stdout)\(run.stderr)")
        let tracks = report["tracks"] as? [String: [String: Any]] ?? [:]
        #expect(tracks.count == 3, "\(tracks.keys)")
        #expect(tracks.values.filter { $0["kind"] as? String == "video" }.allSatisfy { $0["frames"] as? Int == 100 }, "\(tracks)")
    }

    @Test("each broken rule is named", .enabled(if: missingParser == nil, Comment(rawValue: missingParser ?? "")),
          arguments: Breakage.allCases)
    func brokenRuleNamed(_ breakage: Breakage) throws {
        let secondRung: [String] = switch breakage {
        case .idrMisaligned: ["-force_key_frames:v:1", "expr:gte(t,n_forced*0.5)"]
        // x264's open GOPs: the forced key frames become I-frames with a recovery point, not IDR.
        case .openGOP: ["-x264-params:v:1", "open-gop=1"]
        default: []
        }
        let package = try Self.makePackage("stream-\(breakage)", secondRung: secondRung)
        defer { try? FileManager.default.removeItem(at: package.dir) }
        try Self.writeMaster(package, bandwidthScale: breakage == .bandwidthUnderstated ? 0.97 : 1,
                             codecs: breakage == .codecsWrong ? { $0.replacingOccurrences(of: "avc1.64", with: "avc1.4d") } : { $0 })
        var source = package.source
        switch breakage {
        case .extinfOverTarget:
            try Self.edit(package.out.appendingPathComponent("media_0.m3u8")) { text in
                guard let range = text.range(of: "#EXTINF:1.000000,") else { return text }
                return text.replacingCharacters(in: range, with: "#EXTINF:1.600000,")
            }
        case .mapMissing:
            try Self.edit(package.out.appendingPathComponent("media_1.m3u8")) {
                $0.split(separator: "\n").filter { !$0.hasPrefix("#EXT-X-MAP") }.joined(separator: "\n") + "\n"
            }
        case .versionTooLow:
            try Self.edit(package.out.appendingPathComponent("media_2.m3u8")) {
                $0.replacingOccurrences(of: "#EXT-X-VERSION:6", with: "#EXT-X-VERSION:5")
            }
        case .segmentMissing:
            try FileManager.default.removeItem(at: package.out.appendingPathComponent("track-1/seg-00004.m4s"))
        case .framesDiffer:
            source = package.dir.appendingPathComponent("short.mkv").path
            try Self.ffmpeg(["-i", package.source, "-t", "3", "-c", "copy", source])
        case .audioMoved:
            // The same source with its audio 40 ms later against its video: the package no longer sits as it does.
            source = package.dir.appendingPathComponent("late-audio.mkv").path
            try Self.ffmpeg(["-i", package.source, "-itsoffset", "0.04", "-i", package.source, "-map", "0:v", "-map", "1:a", "-c", "copy", source])
        case .videoLater:
            // The source's video 200 ms after its audio: the CLI reads it from frame 5, and a package
            // whose audio leads its video by the AAC priming (21 ms) cannot explain a shift of 4 frames.
            source = package.dir.appendingPathComponent("late-video.mkv").path
            try Self.ffmpeg(["-itsoffset", "0.2", "-i", package.source, "-i", package.source, "-map", "0:v", "-map", "1:a", "-c", "copy", source])
        case .bandwidthUnderstated, .codecsWrong, .idrMisaligned, .openGOP:
            break
        }
        let run = try Self.check(package, source: source)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("FAIL \(breakage.rule):"), "\(breakage.rule) not named in:\n\(run.stdout)\(run.stderr)")
    }

    @Test("headless Chromium plays every CMAF track through MSE to the end, and fails a corrupted one",
          .enabled(if: missingBrowser == nil, Comment(rawValue: missingBrowser ?? "")))
    func msePlaysEveryTrack() throws {
        let package = try Self.makePackage("stream-mse")
        defer { try? FileManager.default.removeItem(at: package.dir) }
        try Self.writeMaster(package)
        let good = try Subprocess.run("python3", [Self.msePlay, package.out.path], timeout: 180)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 3, "\(good.stdout)")
        print(good.stdout, terminator: "")

        // Sample sizes in the second video segment's track run overwritten: the demuxer must refuse it.
        let segment = package.out.appendingPathComponent("track-0/seg-00002.m4s")
        var bytes = [UInt8](try Data(contentsOf: segment))
        let trun = try #require(bytes.indices.dropLast(200).first { bytes[$0..<$0 + 4].elementsEqual("trun".utf8) })
        for index in trun + 20..<trun + 200 { bytes[index] = 0xFF }
        try Data(bytes).write(to: segment)
        let bad = try Subprocess.run("python3", [Self.msePlay, package.out.path], timeout: 180)
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stdout.contains("FAIL media_0.m3u8"), "\(bad.stdout)")
        #expect(bad.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count == 2, "\(bad.stdout)")
    }

    // MARK: - The package

    struct Package {
        var dir: URL
        /// master.m3u8, manifest.mpd, media_N.m3u8 and track-N/{init.mp4,seg-0000K.m4s}.
        var out: URL
        /// The lossless source the ladder was encoded from.
        var source: String
    }

    static func ffmpeg(_ arguments: [String]) throws {
        let run = try Subprocess.run("ffmpeg", ["-nostdin", "-v", "error", "-y"] + arguments, timeout: 120)
        try #require(run.status == 0, "ffmpeg \(arguments.joined(separator: " ")): \(run.stderr)")
    }

    /// The ladder as ffmpeg's DASH muxer cuts it; `secondRung` adds encoder options for the small
    /// rendition (a per-stream option given there wins over the shared one).
    static func makePackage(_ name: String, secondRung: [String] = []) throws -> Package {
        let dir = TestPaths.scratch(name)
        let out = dir.appendingPathComponent("out")
        for track in 0..<3 {
            try FileManager.default.createDirectory(at: out.appendingPathComponent("track-\(track)"), withIntermediateDirectories: true)
        }
        let source = dir.appendingPathComponent("source.mkv").path
        try ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=48000:seed=3",
                    "-t", "4", "-c:v", "ffv1", "-c:a", "flac", source])
        let everySecond = "expr:gte(t,n_forced*1)"
        try ffmpeg(["-i", source, "-filter_complex", "[0:v]split=2[a][b];[a]scale=640:360[v1];[b]scale=320:180[v2]",
                    "-map", "[v1]", "-map", "[v2]", "-map", "0:a",
                    "-c:v", "libx264", "-preset", "veryfast", "-force_key_frames", everySecond] + secondRung + [
                    "-c:a", "aac", "-b:a", "96k", "-metadata:s:a:0", "language=eng",
                    "-f", "dash", "-seg_duration", "1", "-use_timeline", "1", "-use_template", "1",
                    "-hls_playlist", "1", "-hls_master_name", "master.m3u8", "-adaptation_sets", "id=0,streams=v id=1,streams=a",
                    "-init_seg_name", "track-$RepresentationID$/init.mp4",
                    "-media_seg_name", "track-$RepresentationID$/seg-$Number%05d$.m4s",
                    out.appendingPathComponent("manifest.mpd").path])
        return Package(dir: dir, out: out, source: source)
    }

    static func check(_ package: Package, _ extra: [String] = [], source: String? = nil) throws -> Subprocess.Output {
        try Subprocess.run("python3", [streamCheck, package.out.path, "--source", source ?? package.source] + extra, timeout: 300)
    }

    static func edit(_ url: URL, _ change: (String) -> String) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        try change(text).write(to: url, atomically: true, encoding: .utf8)
    }

    // MARK: - A master playlist as RFC 8216 wants it, computed here, not by the checker

    /// One media playlist's EXTINF durations, segment sizes (the init section is not part of a
    /// Media Segment) and target duration.
    struct MediaPlaylist {
        var durations: [Double] = []
        var sizes: [Int] = []
        var target: Double = 0

        init(_ url: URL) throws {
            let base = url.deletingLastPathComponent()
            for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init) {
                if line.hasPrefix("#EXT-X-TARGETDURATION:") {
                    target = Double(line.dropFirst(22)) ?? 0
                } else if line.hasPrefix("#EXTINF:") {
                    durations.append(Double(line.dropFirst(8).prefix { $0 != "," }) ?? 0)
                } else if !line.hasPrefix("#"), !line.isEmpty {
                    let attributes = try FileManager.default.attributesOfItem(atPath: base.appendingPathComponent(line).path)
                    sizes.append((attributes[.size] as? NSNumber)?.intValue ?? 0)
                }
            }
        }

        /// RFC 8216 4.1: the largest bit rate of any contiguous set of segments lasting 0.5 to 1.5
        /// target durations.
        var peak: Double {
            var best = 0.0
            for first in sizes.indices {
                var bytes = 0, seconds = 0.0
                for index in first..<sizes.count {
                    bytes += sizes[index]
                    seconds += durations[index]
                    if seconds > 1.5 * target { break }
                    if seconds >= 0.5 * target { best = max(best, Double(8 * bytes) / seconds) }
                }
            }
            return best
        }

        var average: Double { Double(8 * sizes.reduce(0, +)) / durations.reduce(0, +) }
    }

    /// Rewrites ffmpeg's master: EXT-X-INDEPENDENT-SEGMENTS, an English audio group, and per
    /// variant BANDWIDTH/AVERAGE-BANDWIDTH as the video's plus the audio's peak/average segment
    /// bit rate, FRAME-RATE, and ffmpeg's RESOLUTION and CODECS.
    static func writeMaster(_ package: Package, bandwidthScale: Double = 1, codecs: (String) -> String = { $0 }) throws {
        let masterURL = package.out.appendingPathComponent("master.m3u8")
        let lines = try String(contentsOf: masterURL, encoding: .utf8).split(separator: "\n").map(String.init)
        let audio = try MediaPlaylist(package.out.appendingPathComponent("media_2.m3u8"))
        var text = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="eng",DEFAULT=YES,AUTOSELECT=YES,URI="media_2.m3u8"

            """
        for (index, line) in lines.enumerated() where line.hasPrefix("#EXT-X-STREAM-INF:") && index + 1 < lines.count {
            let uri = lines[index + 1]
            let video = try MediaPlaylist(package.out.appendingPathComponent(uri))
            let resolution = try #require(attribute("RESOLUTION", in: line)), codec = try #require(attribute("CODECS", in: line))
            let peak = Int(((video.peak + audio.peak) * bandwidthScale).rounded(.up))
            let average = Int((video.average + audio.average).rounded())
            text += "#EXT-X-STREAM-INF:BANDWIDTH=\(peak),AVERAGE-BANDWIDTH=\(average),RESOLUTION=\(resolution),"
                + "FRAME-RATE=25.000,CODECS=\"\(codecs(codec))\",AUDIO=\"aud\"\n\(uri)\n"
        }
        try text.write(to: masterURL, atomically: true, encoding: .utf8)
    }

    /// The value of one attribute of an EXT-X tag line, quotes removed.
    static func attribute(_ name: String, in line: String) -> String? {
        guard let start = line.range(of: name + "=")?.upperBound else { return nil }
        let rest = line[start...]
        if rest.hasPrefix("\"") { return String(rest.dropFirst().prefix { $0 != "\"" }) }
        return String(rest.prefix { $0 != "," })
    }
}
