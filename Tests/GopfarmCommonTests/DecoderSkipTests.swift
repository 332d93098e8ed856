import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// An agent decoding a segment cut inside a GOP skips the frames before the segment's first that
/// no frame refers to: the frames from there on must come out exactly as from a full decode.
@Suite("Decoder: skipping non-reference frames before a segment")
struct DecoderSkipTests {
    /// (pts, hash of the pictures) of every frame decoded, skipping non-reference frames in the
    /// packets before `skipBefore`.
    func decode(_ path: String, skipBefore: Int64?) throws -> [(Int64, String)] {
        let input = try InputContainer(path: path)
        let index = try #require(input.bestVideoStream())
        let parameters = input.codecParameters(stream: index)
        #expect(Decoder.skipsNonReferenceExactly(parameters))
        let decoder = try Decoder(parameters: parameters, timeBase: input.timeBase(stream: index), threads: 2)
        let packet = Packet(), frame = Frame()
        var frames: [(Int64, String)] = []
        func drain() throws {
            while try decoder.receive(into: frame) {
                var bytes = Data()
                for plane in 0..<3 {
                    let rows = plane == 0 ? frame.height : (frame.height + 1) / 2, width = plane == 0 ? frame.width : (frame.width + 1) / 2
                    frame.withPlaneBytes(plane) { p, stride in
                        for y in 0..<rows { bytes.append(p + y * stride, count: width) }
                    }
                }
                frames.append((frame.presentationTime, SHA256.hex(bytes)))
                frame.unref()
            }
        }
        while try input.read(into: packet) {
            guard packet.streamIndex == index else { continue }
            if let skipBefore { decoder.skipsNonReference = packet.pts < skipBefore }
            _ = try decoder.send(packet)
            try drain()
        }
        _ = try decoder.send(nil)
        try drain()
        return frames
    }

    @Test("frames from the cut on equal a full decode's; fewer frames decoded before it",
          arguments: [Fixture.h264BFramesMP4, Fixture.mpeg2TS])
    func sameFramesFromTheCut(_ fixture: Fixture) throws {
        let path = try fixture.path()
        let full = try decode(path, skipBefore: nil)
        #expect(full.count == 100)
        // A cut 60 % into the clip, inside a GOP (every 25 frames for H.264, 12 for MPEG-2).
        let cut = full.map(\.0).sorted()[61]
        let skipped = try decode(path, skipBefore: cut)
        #expect(skipped.filter { $0.0 >= cut }.map(\.1) == full.filter { $0.0 >= cut }.map(\.1))
        #expect(skipped.filter { $0.0 >= cut }.map(\.0) == full.filter { $0.0 >= cut }.map(\.0))
        let before = skipped.filter { $0.0 < cut }.count
        #expect(before <= 61 * 3 / 4, "\(before) of the 61 frames before the cut were decoded: non-reference ones were not skipped")
    }
}
