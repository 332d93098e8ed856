import CFFmpeg
import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator

/// A job analysis built by hand, shaped like a real one: 25 fps, cuts and a fade, black and
/// frozen stretches, segments on two agents with quality measures, and JPEG thumbnails made
/// from generated frames.
enum ReportFixture {
    static let fps = 25
    static let timeBase = Rational(1, 12800)
    static let ptsPerFrame: Int64 = 512
    /// Scene starts (frames); the scene at 1250 begins at the end of a fade.
    static let sceneStarts = [0, 260, 700, 1250, 1800, 2150, 2600]
    static let inputPath = "/media/in/<script>alert(1)</script> & co.mov"

    /// A picture of `width`×`height`: a luma ramp with a bright box, coloured by `scene`; or, with
    /// `flatLuma`, one luma value everywhere and neutral chroma (for sampling tiles back).
    static func picture(scene: Int, width: Int = 320, height: Int = 180, flatLuma: UInt8? = nil) throws -> Frame {
        let frame = Frame()
        try frame.allocate(width: width, height: height, format: AV_PIX_FMT_YUVJ420P)
        if let flatLuma {
            try frame.fill(planeValues: [flatLuma, 128, 128])
            return frame
        }
        let u = UInt8(clamping: 128 + Int(60 * cos(Double(scene) * 1.7))), v = UInt8(clamping: 128 + Int(60 * sin(Double(scene) * 1.7)))
        try frame.fill(planeValues: [0, u, v])
        frame.withPlane(0) { y, stride in
            for row in 0..<height {
                for col in 0..<width {
                    let inBox = abs(col - width / 2 - (scene * 37) % (width / 3)) < width / 8 && abs(row - height / 2) < height / 5
                    y[row * stride + col] = inBox ? 235 : UInt8(clamping: 30 + (col + row) * 140 / (width + height) + scene * 9)
                }
            }
        }
        return frame
    }

    static func thumbnail(scene: Int, width: Int = 320, height: Int = 180, flatLuma: UInt8? = nil) throws -> Data {
        try JPEGEncoder(width: width, height: height).encode(try picture(scene: scene, width: width, height: height, flatLuma: flatLuma))
    }

    static func thumbnailName(_ scene: Int) -> String { String(format: "scene-%04d.jpg", scene) }

    /// The record; `frames` sets the series length (scenes and intervals keep their places),
    /// `segmentFrames` how the farm split it.
    static func analysis(frames: Int = 3000, segmentFrames: Int = 250, withSource: Bool = true) throws -> JobAnalysis {
        let duration = Double(frames) / Double(fps)
        func seconds(_ frame: Int) -> Double { Double(frame) / Double(fps) }
        let starts = sceneStarts.filter { $0 < frames }
        var scenes: [JobAnalysis.Scene] = []
        for (i, start) in starts.enumerated() {
            let end = i + 1 < starts.count ? starts[i + 1] : frames
            let kind: JobAnalysis.Scene.Start = i == 0 ? .start : (start == 1250 ? .transition : .cut)
            scenes.append(JobAnalysis.Scene(index: i, startFrame: start, endFrame: end, start: seconds(start), end: seconds(end), kind: kind,
                                            score: i == 0 ? nil : 38 + Double(i * 7 % 20),
                                            thumbnail: i == 4 ? nil : thumbnailName(i)))  // scene 4 has no picture
        }
        let transitions = [JobAnalysis.Transition(kind: .fadeOut, startFrame: 1200, endFrame: 1250, start: seconds(1200), end: seconds(1250))]
        let black = [JobAnalysis.Interval(startFrame: 1225, endFrame: 1250, start: seconds(1225), end: seconds(1250)),
                     JobAnalysis.Interval(startFrame: 2950, endFrame: 3000, start: seconds(2950), end: seconds(3000))]
        let frozen = [JobAnalysis.Interval(startFrame: 1900, endFrame: 1960, start: seconds(1900), end: seconds(1960))]

        var series = FrameSeries()
        var seed: UInt32 = 7
        func noise() -> Float {
            seed = seed &* 1_103_515_245 &+ 12345
            return Float((seed >> 16) & 0x7FFF) / 32767
        }
        for n in 0..<frames {
            let scene = starts.lastIndex { $0 <= n } ?? 0
            let isBlack = black.contains { n >= $0.startFrame && n < $0.endFrame }
            let isFrozen = frozen.contains { n >= $0.startFrame && n < $0.endFrame }
            let isCut = starts.contains(n) && n > 0 && n != 1250
            let fading = n >= 1200 && n < 1250
            let luma: Float = isBlack ? 4 : (fading ? Float(1250 - n) * 2 : 60 + Float(scene * 23 % 120) + 10 * sin(Float(n) / 40) + 3 * noise())
            series.pts.append(Int64(n) * ptsPerFrame)
            let motion: Float = isFrozen || isBlack ? 0.05 * noise() : (isCut ? 45 + 20 * noise() : 2 + 3 * noise() + Float(scene % 3))
            let score: Float = isCut ? 40 + 20 * noise() : (fading ? 3 + noise() : (isFrozen || isBlack ? 0.1 : 4 + 5 * noise()))
            series.score.append(n % segmentFrames == 0 && n > 0 && n % 1000 == 0 ? nil : score)
            series.motion.append(n % segmentFrames == 0 && n > 0 && n % 1000 == 0 ? nil : motion)
            series.lumaMean.append(luma)
            series.lumaMin.append(UInt8(max(0, luma - 40)))
            series.lumaMax.append(UInt8(min(255, luma + 80)))
            series.blackRatio.append(isBlack ? 1 : 0.01)
            series.colourfulness.append(20 + 10 * noise())
            series.sharpness.append(100 + 50 * noise())
        }

        var segments: [JobAnalysis.Segment] = []
        var clock = ["agent-a": 0.4, "agent-b": 0.6]
        for (i, start) in stride(from: 0, to: frames, by: segmentFrames).enumerated() {
            let agent = i % 3 == 1 ? "agent-b" : "agent-a"
            let took = 2.5 + Double(i % 4) * 0.6
            let began = clock[agent]!
            clock[agent] = began + took + 0.05
            let lossless = i == 5
            let measured = i != 8
            segments.append(JobAnalysis.Segment(index: i, startFrame: start, frames: min(segmentFrames, frames - start), start: seconds(start),
                                                agent: agent, bytes: 400_000 + i * 13_000, decodeSeconds: 0.3, encodeSeconds: took - 0.5,
                                                analysisSeconds: 0.2,
                                                psnrY: lossless || !measured ? nil : 38 + Double(i % 5) * 0.8,
                                                psnrU: lossless || !measured ? nil : 42 + Double(i % 3),
                                                psnrV: lossless || !measured ? nil : 43 + Double(i % 2),
                                                psnrAll: lossless || !measured ? nil : 39.2 + Double(i % 5) * 0.7,
                                                ssimY: lossless || !measured ? nil : 0.95 + Double(i % 4) * 0.01,
                                                lossless: lossless, startedAt: began, finishedAt: began + took))
        }

        return JobAnalysis(settings: AnalysisSettings(), frames: frames, duration: duration, scenes: scenes, transitions: transitions,
                           black: black, frozen: frozen,
                           statistics: .init(lumaMean: 92.4, lumaMin: 0, lumaMax: 255, colourfulness: 24.8, motion: 3.1, sharpness: 121.7),
                           segments: segments,
                           source: withSource ? try mediaInfo(path: inputPath, codec: "h264", frames: frames, duration: duration) : nil,
                           output: withSource ? try mediaInfo(path: "/media/out/result.mp4", codec: "hevc", frames: frames, duration: duration) : nil,
                           series: series)
    }

    /// MediaInfo has no public memberwise init: it is made the way clients get it, from JSON.
    static func mediaInfo(path: String, codec: String, frames: Int, duration: Double) throws -> MediaInfo {
        let json: [String: Any] = [
            "path": path, "container": "mov,mp4,m4a,3gp,3g2,mj2", "containerLongName": "QuickTime / MOV", "sizeBytes": 48_200_000,
            "duration": duration, "videoStream": 0, "frameCount": frames, "variableFrameRate": false, "keyFrames": [], "openGOP": false,
            "falseKeyFrames": 0, "corruptPackets": [], "warnings": [],
            "streams": [
                ["index": 0, "type": "video", "codec": codec, "timeBase": ["num": timeBase.num, "den": timeBase.den], "width": 1920, "height": 1080,
                 "pixelFormat": "yuv420p", "averageFrameRate": ["num": fps, "den": 1]],
                ["index": 1, "type": "audio", "codec": "aac", "timeBase": ["num": 1, "den": 48000], "sampleRate": 48000, "channels": 2],
            ],
        ]
        return try JSONDecoder().decode(MediaInfo.self, from: JSONSerialization.data(withJSONObject: json))
    }
}
