import Foundation
import Testing
import TestSupport

/// The CLI and the API accept and refuse exactly the same job settings, with the same sentence:
/// every case goes through the real `gopfarm submit --dry-run` (the rules it checks before it
/// sends anything) and through `POST /v1/jobs` on one real `gopfarm serve` (no agents: accepted
/// jobs just wait), and both answers must agree with each other and with the table. Every
/// refused case is also given to `gopfarm transcode` (accepted ones would run a whole farm),
/// which must refuse it with the same sentence.
@Suite("CLI and API validation parity")
struct ValidationParityTests {
    enum Expect: Sendable, CustomStringConvertible {
        case accept
        case refuse(String)
        var description: String {
            switch self {
            case .accept: "accepted"
            case let .refuse(sentence): "refused: \(sentence)"
            }
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        /// Flags after `gopfarm submit INPUT -o OUTPUT`; nil when the CLI cannot say it.
        var cli: [String]?
        /// The `settings` object, and the other top-level fields, as JSON text; nil when JSON cannot say it.
        var settings: String?
        var extra: String = ""
        var output = "out.mp4"
        var expect: Expect
        var description: String { name }

        init(_ name: String, cli: [String]?, settings: String? = #"{"codec":"libx264"}"#, extra: String = "", output: String = "out.mp4",
             _ expect: Expect) {
            self.name = name
            self.cli = cli
            self.settings = settings
            self.extra = extra
            self.output = output
            self.expect = expect
        }
    }

    static let long = String(repeating: "y", count: 120_000)  // under Linux's 128 KiB per argument
    static let longQuoted = String(repeating: "y", count: 40) + "…"
    static let x264Presets = "ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo"
    static let codecs = "libx264, libx265, libvpx-vp9, libsvtav1, ffv1"
    static let badSize = "is not a size: give both sides from 1 to 16384, or one side and -1 or -2 for the other"
    static let oddSize = "has an odd side, which subsampled chroma cannot hold; use even sides, -2, or a 4:4:4 pixel format"

    static let cases: [Case] = [
        // Codecs.
        Case("defaults", cli: [], .accept),
        Case("unknown codec", cli: ["--codec", "mpeg4"], settings: #"{"codec":"mpeg4"}"#, .refuse("unsupported codec 'mpeg4'; use one of \(codecs)")),
        Case("empty codec", cli: ["--codec", ""], settings: #"{"codec":""}"#, .refuse("unsupported codec ''; use one of \(codecs)")),
        Case("120 KB codec", cli: ["--codec", long], settings: #"{"codec":"\#(long)"}"#, .refuse("unsupported codec '\(longQuoted)'; use one of \(codecs)")),
        // CRF, per encoder.
        Case("x264 crf 23 medium", cli: ["--crf", "23", "--preset", "medium"], settings: #"{"codec":"libx264","crf":23,"preset":"medium"}"#, .accept),
        Case("x264 crf 0", cli: ["--crf", "0"], settings: #"{"codec":"libx264","crf":0}"#, .accept),
        Case("x264 crf 60", cli: ["--crf", "60"], settings: #"{"codec":"libx264","crf":60}"#, .refuse("crf for libx264 must be between 0 and 51, not 60")),
        Case("x264 crf -1", cli: ["--crf=-1"], settings: #"{"codec":"libx264","crf":-1}"#, .refuse("crf for libx264 must be between 0 and 51, not -1")),
        Case("x264 crf 1e300", cli: ["--crf", "1e300"], settings: #"{"codec":"libx264","crf":1e300}"#, .refuse("crf for libx264 must be between 0 and 51, not 1e+300")),
        Case("x264 crf nan (the CLI only: JSON has no NaN)", cli: ["--crf", "nan"], settings: nil, .refuse("crf for libx264 must be between 0 and 51, not nan")),
        Case("vp9 crf 63", cli: ["--codec", "libvpx-vp9", "--crf", "63"], settings: #"{"codec":"libvpx-vp9","crf":63}"#, .accept),
        Case("vp9 crf 64", cli: ["--codec", "libvpx-vp9", "--crf", "64"], settings: #"{"codec":"libvpx-vp9","crf":64}"#, .refuse("crf for libvpx-vp9 must be between 0 and 63, not 64")),
        Case("svt-av1 crf 0", cli: ["--codec", "libsvtav1", "--crf", "0"], settings: #"{"codec":"libsvtav1","crf":0}"#, .refuse("crf for libsvtav1 must be between 1 and 63, not 0")),
        Case("ffv1 crf", cli: ["--codec", "ffv1", "--crf", "10"], settings: #"{"codec":"ffv1","crf":10}"#, .refuse("ffv1 is lossless and takes no crf")),
        // Bit rate.
        Case("bitrate 5M", cli: ["--bitrate", "5M"], settings: #"{"codec":"libx264","bitrate":5000000}"#, .accept),
        Case("bitrate with crf", cli: ["--crf", "20", "--bitrate", "5M"], settings: #"{"codec":"libx264","crf":20,"bitrate":5000000}"#, .refuse("give crf or bitrate, not both")),
        Case("bitrate 0", cli: ["--bitrate", "0"], settings: #"{"codec":"libx264","bitrate":0}"#, .refuse("bitrate must be between 1 and 2000000000 bits per second, not 0")),
        Case("bitrate negative", cli: ["--bitrate=-5M"], settings: #"{"codec":"libx264","bitrate":-5000000}"#, .refuse("bitrate must be between 1 and 2000000000 bits per second, not -5000000")),
        Case("bitrate 3 Gbit/s", cli: ["--bitrate", "3000M"], settings: #"{"codec":"libx264","bitrate":3000000000}"#, .refuse("bitrate must be between 1 and 2000000000 bits per second, not 3000000000")),
        Case("ffv1 bitrate", cli: ["--codec", "ffv1", "--bitrate", "5M"], settings: #"{"codec":"ffv1","bitrate":5000000}"#, .refuse("ffv1 is lossless and takes no bitrate")),
        // Presets, per encoder.
        Case("x264 preset bogus", cli: ["--preset", "warp"], settings: #"{"codec":"libx264","preset":"warp"}"#, .refuse("preset 'warp' is not a libx264 preset; use one of \(x264Presets)")),
        Case("x265 preset slow", cli: ["--codec", "libx265", "--preset", "slow"], settings: #"{"codec":"libx265","preset":"slow"}"#, .accept),
        Case("120 KB preset", cli: ["--preset", long], settings: #"{"codec":"libx264","preset":"\#(long)"}"#, .refuse("preset '\(longQuoted)' is not a libx264 preset; use one of \(x264Presets)")),
        Case("maxrate without bufsize", cli: ["--crf", "23", "--maxrate", "1M"], settings: #"{"codec":"libx264","crf":23,"maxRate":1000000}"#, .refuse("maxrate with libx264 needs bufsize too (the rate is capped over that buffer; twice the maxrate is usual)")),
        Case("svt-av1 preset 14", cli: ["--codec", "libsvtav1", "--preset", "14"], settings: #"{"codec":"libsvtav1","preset":"14"}"#, .refuse("preset for libsvtav1 is a number from 0 (slowest) to 13 (fastest), not '14'")),
        Case("svt-av1 preset medium", cli: ["--codec", "libsvtav1", "--preset", "medium"], settings: #"{"codec":"libsvtav1","preset":"medium"}"#, .refuse("preset for libsvtav1 is a number from 0 (slowest) to 13 (fastest), not 'medium'")),
        Case("vp9 preset realtime", cli: ["--codec", "libvpx-vp9", "--preset", "realtime"], settings: #"{"codec":"libvpx-vp9","preset":"realtime"}"#, .accept),
        Case("vp9 preset fast", cli: ["--codec", "libvpx-vp9", "--preset", "fast"], settings: #"{"codec":"libvpx-vp9","preset":"fast"}"#, .refuse("preset for libvpx-vp9 is good, best, realtime or a speed from -8 to 8, not 'fast'")),
        Case("ffv1 preset", cli: ["--codec", "ffv1", "--preset", "fast"], settings: #"{"codec":"ffv1","preset":"fast"}"#, .refuse("ffv1 takes no preset")),
        // GOP.
        Case("gop 250", cli: ["--gop", "250"], settings: #"{"codec":"libx264","gop":250}"#, .accept),
        Case("gop 0", cli: ["--gop", "0"], settings: #"{"codec":"libx264","gop":0}"#, .refuse("gop must be between 1 and 100000 frames, not 0")),
        Case("gop 10^18", cli: ["--gop", "1000000000000000000"], settings: #"{"codec":"libx264","gop":1000000000000000000}"#, .refuse("gop must be between 1 and 100000 frames, not 1000000000000000000")),
        // Pixel formats, asked of libavcodec.
        Case("pixel format yuv420p", cli: ["--pix-fmt", "yuv420p"], settings: #"{"codec":"libx264","pixelFormat":"yuv420p"}"#, .accept),
        Case("pixel format bogus", cli: ["--pix-fmt", "bogus"], settings: #"{"codec":"libx264","pixelFormat":"bogus"}"#, .refuse("unknown pixel format 'bogus'")),
        Case("120 KB pixel format", cli: ["--pix-fmt", long], settings: #"{"codec":"libx264","pixelFormat":"\#(long)"}"#, .refuse("unknown pixel format '\(longQuoted)'")),
        Case("vp9 yuv444p", cli: ["--codec", "libvpx-vp9", "--pix-fmt", "yuv444p"], settings: #"{"codec":"libvpx-vp9","pixelFormat":"yuv444p"}"#, .accept),
        Case("x264 rgb24", cli: ["--pix-fmt", "rgb24"], settings: #"{"codec":"libx264","pixelFormat":"rgb24"}"#, .refuse(prefix: "the encoder libx264 does not take pixel format 'rgb24'; it takes yuv420p, ")),
        // Sizes.
        Case("scale 1280x-2", cli: ["--scale", "1280x-2"], settings: #"{"codec":"libx264","scale":{"width":1280,"height":-2}}"#, .accept),
        Case("scale -2:-2", cli: ["--scale", "-2:-2"], settings: #"{"codec":"libx264","scale":{"width":-2,"height":-2}}"#, .refuse("scale -2x-2 \(badSize)")),
        Case("scale 0x720", cli: ["--scale", "0x720"], settings: #"{"codec":"libx264","scale":{"width":0,"height":720}}"#, .refuse("scale 0x720 \(badSize)")),
        Case("scale 99999x10", cli: ["--scale", "99999x10"], settings: #"{"codec":"libx264","scale":{"width":99999,"height":10}}"#, .refuse("scale 99999x10 \(badSize)")),
        Case("scale -3x10", cli: ["--scale", "-3x10"], settings: #"{"codec":"libx264","scale":{"width":-3,"height":10}}"#, .refuse("scale -3x10 \(badSize)")),
        Case("scale odd", cli: ["--scale", "1281x720"], settings: #"{"codec":"libx264","scale":{"width":1281,"height":720}}"#, .refuse("scale 1281x720 \(oddSize)")),
        Case("scale odd in 4:4:4", cli: ["--scale", "1281x721", "--pix-fmt", "yuv444p"],
             settings: #"{"codec":"libx264","pixelFormat":"yuv444p","scale":{"width":1281,"height":721}}"#, .accept),
        Case("scale odd in ffv1", cli: ["--codec", "ffv1", "--scale", "1281x721"], settings: #"{"codec":"ffv1","scale":{"width":1281,"height":721}}"#, output: "out.mkv", .accept),
        Case("deinterlace", cli: ["--deinterlace"], settings: #"{"codec":"libx264","deinterlace":true}"#, .accept),
        // Segment length.
        Case("segment 0.04", cli: ["--segment-seconds", "0.04"], extra: #""segmentSeconds":0.04"#, .accept),
        Case("segment 3600", cli: ["--segment-seconds", "3600"], extra: #""segmentSeconds":3600"#, .accept),
        Case("segment 0", cli: ["--segment-seconds", "0"], extra: #""segmentSeconds":0"#, .refuse("segment length must be between 0.04 and 3600 seconds, not 0")),
        Case("segment -1", cli: ["--segment-seconds=-1"], extra: #""segmentSeconds":-1"#, .refuse("segment length must be between 0.04 and 3600 seconds, not -1")),
        Case("segment 0.01", cli: ["--segment-seconds", "0.01"], extra: #""segmentSeconds":0.01"#, .refuse("segment length must be between 0.04 and 3600 seconds, not 0.01")),
        Case("segment 3601", cli: ["--segment-seconds", "3601"], extra: #""segmentSeconds":3601"#, .refuse("segment length must be between 0.04 and 3600 seconds, not 3601")),
        Case("segment 1e308", cli: ["--segment-seconds", "1e308"], extra: #""segmentSeconds":1e308"#, .refuse("segment length must be between 0.04 and 3600 seconds, not 1e+308")),
        Case("segment nan (the CLI only)", cli: ["--segment-seconds", "nan"], settings: nil, .refuse("segment length must be between 0.04 and 3600 seconds, not nan")),
        // Max agents.
        Case("max agents 1", cli: ["--max-agents", "1"], extra: #""maxAgents":1"#, .accept),
        Case("max agents 0", cli: ["--max-agents", "0"], extra: #""maxAgents":0"#, .refuse("max agents must be between 1 and 10000, not 0")),
        Case("max agents -1", cli: ["--max-agents=-1"], extra: #""maxAgents":-1"#, .refuse("max agents must be between 1 and 10000, not -1")),
        Case("max agents 10001", cli: ["--max-agents", "10001"], extra: #""maxAgents":10001"#, .refuse("max agents must be between 1 and 10000, not 10001")),
        // Output names.
        Case("output .avi", cli: [], output: "out.avi", .refuse("cannot write '.avi' files; use .mp4, .mov, .mkv or .webm")),
        Case("output without extension", cli: [], output: "out", .refuse("the output 'out' has no extension to pick its container; use .mp4, .mov, .mkv or .webm")),
        Case("output hidden", cli: [], output: ".out.mp4", .refuse("the output name must be a plain file name such as movie.mp4, not '.out.mp4'")),
        Case("webm with x264", cli: [], output: "out.webm", .refuse("WebM holds VP9 or AV1 video; use the codec libvpx-vp9 or libsvtav1 with a .webm output")),
        Case("webm with vp9", cli: ["--codec", "libvpx-vp9"], settings: #"{"codec":"libvpx-vp9"}"#, output: "out.webm", .accept),
        // The first broken rule speaks, in the same order on both sides.
        Case("two faults", cli: ["--codec", "libx265", "--crf", "99", "--segment-seconds", "0"],
             settings: #"{"codec":"libx265","crf":99}"#, extra: #""segmentSeconds":0"#, .refuse("crf for libx265 must be between 0 and 51, not 99")),
    ]

    /// What one side said: nil when it accepted, else its sentence.
    typealias Answer = String?

    @Test("the CLI and the API accept and refuse the same job settings with the same sentence")
    func parity() throws {
        #expect(Self.cases.count >= 40)
        let dir = TestPaths.scratch("parity")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4").path
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Fixture.h264BFramesMP4.path(), toPath: clip)
        let serve = try ServeProcess(directory: dir, inputRoot: dir.path)
        defer { serve.stop() }

        // The CLI cases run four at a time (each is a process start and a few milliseconds of checks).
        let cliAnswers = Answers(count: Self.cases.count), transcodeAnswers = Answers(count: Self.cases.count)
        DispatchQueue.concurrentPerform(iterations: 4) { lane in
            for i in stride(from: lane, to: Self.cases.count, by: 4) {
                guard let flags = Self.cases[i].cli else { continue }
                let output = dir.appendingPathComponent(Self.cases[i].output).path
                cliAnswers.set(i, Self.cli(["submit", clip, "-o", output, "--dry-run"] + flags))
                if case .refuse = Self.cases[i].expect, !flags.contains(where: { $0.hasPrefix("--max-agents") }) {
                    transcodeAnswers.set(i, Self.cli(["transcode", clip, "-o", output, "--quiet"] + flags))
                }
            }
        }
        var transcoded = 0
        for (i, c) in Self.cases.enumerated() {
            // Each side's answer as text ("accepted" or "refused: …"); nil when that side cannot say the case.
            let api = try c.settings.map { _ in Self.text(try Self.api(serve, clip: clip, c)) }
            let cli = c.cli == nil ? nil : cliAnswers.get(i).map(Self.text)
            #expect(cli != nil || c.cli == nil, "\(c.name): the CLI was not asked")
            for (side, answer) in [("CLI", cli), ("API", api)] {
                guard let answer else { continue }
                if let prefix = c.prefixOnly {
                    #expect(answer.hasPrefix("refused: " + prefix), "\(c.name): the \(side) \(answer)")
                } else {
                    #expect(answer == c.expect.description, "\(c.name): the \(side) \(answer), expected \(c.expect)")
                }
            }
            if let cli, let api { #expect(cli == api, "\(c.name): the CLI and the API disagree") }
            if let transcode = transcodeAnswers.get(i).map(Self.text) {
                transcoded += 1
                #expect(transcode == cli, "\(c.name): gopfarm transcode \(transcode), gopfarm submit \(cli ?? "-")")
            }
        }
        #expect(transcoded >= 30)
    }

    static func text(_ answer: Answer) -> String { answer.map { "refused: \($0)" } ?? "accepted" }

    /// `gopfarm ARGUMENTS`: nil when it succeeds, else the sentence it prints.
    static func cli(_ arguments: [String]) -> Answer {
        let out: Subprocess.Output
        do { out = try Subprocess.run(TestPaths.gopfarm, arguments, timeout: 60) } catch {
            return "(gopfarm did not run: \(error))"
        }
        if out.status == 0 { return nil }
        let prefix = "gopfarm: error: "
        // A usage error (exit 64) adds a hint line: the sentence is the first line.
        let lines = out.stderr.split(separator: "\n").filter { !$0.hasPrefix("hint: ") }
        let text = lines.joined(separator: "\n").trimmingCharacters(in: .newlines)
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : "(exit \(out.status)) \(text)"
    }

    /// `POST /v1/jobs`: nil when the job was created, else the `error` sentence of a 422.
    static func api(_ serve: ServeProcess, clip: String, _ c: Case) throws -> Answer {
        var body = #"{"input":"\#(clip)","outputName":"\#(c.output)","settings":\#(c.settings ?? "{}")"#
        if !c.extra.isEmpty { body += "," + c.extra }
        body += "}"
        let r = try serve.request("POST", "/v1/jobs", token: serve.adminToken, json: body)
        if r.status == 201 { return nil }
        guard r.status == 422, let error = r.error else { return "(HTTP \(r.status)) \(r.text.prefix(300))" }
        return error
    }

    /// The CLI's answers, filled from several threads.
    /// @unchecked Sendable: `answers` is only touched under `lock`.
    final class Answers: @unchecked Sendable {
        private let lock = NSLock()
        private var answers: [Answer?]
        init(count: Int) { answers = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ a: Answer) { lock.withLock { answers[i] = .some(a) } }
        func get(_ i: Int) -> Answer? { lock.withLock { answers[i] } }
    }
}

extension ValidationParityTests.Expect {
    /// A refusal whose sentence ends in a list that depends on the FFmpeg build: compared by prefix.
    static func refuse(prefix: String) -> Self { .refuse("\u{1}" + prefix) }
}

extension ValidationParityTests.Case {
    var prefixOnly: String? {
        if case let .refuse(s) = expect, s.hasPrefix("\u{1}") { return String(s.dropFirst()) }
        return nil
    }
}
