import CFFmpeg
import Foundation
import GopfarmCommon

/// A synthetic but encoder-realistic clip (moving gradient, a moving box, film-grain noise),
/// made with libavcodec so `gopfarm demo` needs no download and no ffmpeg CLI.
public struct SampleClip {
    public var width: Int
    public var height: Int
    public var frameRate: Int
    public var seconds: Int
    public var gop: Int

    public init(width: Int, height: Int, frameRate: Int, seconds: Int, gop: Int) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.seconds = seconds
        self.gop = gop
    }

    public func write(to path: String) throws(MediaError) {
        let tb = Rational(1, Int32(frameRate))
        let encoder = try Encoder(
            settings: EncodeSettings(codec: "libx264", crf: 20, preset: "veryfast", gop: gop, threads: 0),
            source: Encoder.Source(width: Int32(width), height: Int32(height), pixelFormat: AV_PIX_FMT_YUV420P,
                                   timeBase: tb, frameRate: Rational(Int32(frameRate), 1)))
        let audio = try AudioEncoder(codec: "aac", sampleRate: 48000, channels: 1, bitRate: 96_000)
        let out = try OutputContainer(path: path)
        let stream = try out.addStream(parameters: encoder.parameters, timeBase: tb)
        let audioStream = try out.addStream(parameters: audio.parameters, timeBase: audio.timeBase)
        try out.writeHeader()
        let outTB = out.timeBase(stream: stream)
        let audioTB = out.timeBase(stream: audioStream)
        let tone = Frame()
        let samplesPerFrame = 48000 / frameRate
        func writeAudio(_ p: Packet) throws(MediaError) {
            p.setStreamIndex(audioStream)
            p.rescaleTimestamps(from: audio.timeBase, to: audioTB)
            try out.write(p)
        }
        let frame = Frame()
        let packet = Packet()
        var seed: UInt32 = 12345
        func drain() throws(MediaError) {
            while try encoder.receive(into: packet) {
                packet.setStreamIndex(stream)
                packet.setTiming(pts: packet.pts, dts: packet.dts, duration: 1)
                packet.rescaleTimestamps(from: tb, to: outTB)
                try out.write(packet)
            }
        }
        for n in 0..<(seconds * frameRate) {
            try frame.allocate(width: width, height: height, format: AV_PIX_FMT_YUV420P)
            let boxX = (n * 7) % max(1, width - 80), boxY = (n * 3) % max(1, height - 80)
            let scene = n / (frameRate * 3)  // a new look every 3 s: scene cuts for the encoder
            frame.withPlane(0) { y, stride in
                for row in 0..<height {
                    let line = y + row * stride
                    for col in 0..<width {
                        seed = seed &* 1_103_515_245 &+ 12345
                        var v = (col + row + n * 2 + scene * 60) & 0xFF
                        if col >= boxX && col < boxX + 80 && row >= boxY && row < boxY + 80 { v = 235 - (scene * 40) % 200 }
                        line[col] = UInt8(clamping: v / 2 + 40 + Int((seed >> 16) & 15))
                    }
                }
            }
            for plane in 1...2 {
                frame.withPlane(plane) { c, stride in
                    for row in 0..<(height / 2) {
                        for col in 0..<(width / 2) {
                            c[row * stride + col] = UInt8((plane == 1 ? 128 + (col + scene * 50) % 64 - 32 : 128 + (row - scene * 30) % 64 - 32) & 0xFF)
                        }
                    }
                }
            }
            frame.setPTS(Int64(n))
            try encoder.send(frame, keyFrame: n == 0)
            try drain()
            // A tone that changes pitch with each scene, so cuts are audible as well as visible.
            try tone.allocateAudio(samples: samplesPerFrame, format: AV_SAMPLE_FMT_FLT, sampleRate: 48000, channels: 1)
            tone.withPlane(0) { bytes, _ in
                bytes.withMemoryRebound(to: Float.self, capacity: samplesPerFrame) { samples in
                    for i in 0..<samplesPerFrame {
                        let t = Double(n * samplesPerFrame + i) / 48000
                        samples[i] = Float(0.3 * sin(2 * Double.pi * Double(330 + 110 * (scene % 4)) * t))
                    }
                }
            }
            try audio.push(tone, pts: Int64(n * samplesPerFrame), timeBase: Rational(1, 48000), emit: writeAudio)
        }
        try encoder.send(nil)
        try drain()
        try audio.finish(emit: writeAudio)
        try out.finish()
    }
}
