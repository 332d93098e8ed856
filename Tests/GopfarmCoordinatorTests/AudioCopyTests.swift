import CFFmpeg
import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing
import TestSupport

/// Which source audio a ladder package keeps as it is, and how its packets are timed: on the
/// sample clock where the container rounded them, as they are across a real gap, and left out
/// where they go back in time.
@Suite("Audio copy")
struct AudioCopyTests {
    /// An AAC-LC stream's parameters as the demuxer reads them from an MP4 (44.1 kHz stereo).
    static func aacParameters() throws -> CodecParameters {
        let dir = TestPaths.scratch("audio-copy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.mp4").path
        let run = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=sample_rate=44100:duration=1",
                                                "-ac", "2", "-c:a", "aac", path], timeout: 60)
        try #require(run.status == 0, "\(run.stderr)")
        let input = try InputContainer(path: path)
        return input.codecParameters(stream: 0)
    }

    @Test("AAC-LC and HE-AAC are copied, from any container; other codecs and rates players refuse are encoded")
    func keeps() throws {
        let aac = try Self.aacParameters()
        #expect(aac.frameSize == 1024 && !aac.extradata.isEmpty)
        #expect(AudioCopy.keeps(aac))
        var adts = aac
        adts.extradata = Data()
        #expect(AudioCopy.keeps(adts))
        var he = aac
        he.profile = FF_PROFILE_AAC_HE
        #expect(AudioCopy.keeps(he))
        var main = aac
        main.profile = FF_PROFILE_AAC_MAIN
        #expect(!AudioCopy.keeps(main))
        var high = aac
        high.sampleRate = 96_000
        #expect(!AudioCopy.keeps(high))
        var mp3 = aac
        mp3.codecID = AV_CODEC_ID_MP3.rawValue
        #expect(!AudioCopy.keeps(mp3))
    }

    @Test("millisecond timestamps land on the sample clock; a real gap stays; going back in time and trimmed frames are left out")
    func timing() throws {
        let copy = AudioCopy(parameters: try Self.aacParameters(), inputTimeBase: Rational(1, 1000))
        #expect(copy.outputTimeBase == Rational(1, 44100))
        let packet = Packet()
        var kept: [Int64] = []
        var durations: [Int64] = []
        // 1024 samples at 44.1 kHz are 23.22 ms: Matroska stores 23, 46, 70, 93 ms; then a
        // 500 ms hole, then one packet that goes back in time. Shifted by a 10 ms start.
        let times: [Int64] = [10, 33, 56, 80, 103, 603, 626, 600, 649]
        for t in times {
            try [UInt8](repeating: 0, count: 8).withUnsafeBytes {
                try packet.fill(data: $0, pts: t, dts: t, duration: 23, flags: 1)
            }
            if copy.prepare(packet, shift: 10) {
                kept.append(packet.dts)
                durations.append(packet.duration)
                #expect(packet.pts == packet.dts)
            }
        }
        // 593 ms is 26151.3 samples: the hole is kept as the source has it.
        #expect(kept == [0, 1024, 2048, 3072, 4096, 26151, 27175, 28199], "\(kept)")
        // Every frame lasts its 1024 samples, not the 23 ms the container rounded it to.
        #expect(durations == Array(repeating: 1024, count: kept.count), "\(durations)")
        #expect(copy.dropped == 1)

        // A trimmed MP4 keeps frames its edit list cuts: only the one over 0 and the one before
        // it (which the first needs to decode) go into the track.
        let trimmed = AudioCopy(parameters: try Self.aacParameters(), inputTimeBase: Rational(1, 44100))
        var kept2: [Int64] = []
        for t: Int64 in [-4548, -3524, -2500, -1476, -452, 572, 1596] {
            try [UInt8](repeating: 0, count: 8).withUnsafeBytes { try packet.fill(data: $0, pts: t, dts: t, duration: 1024, flags: 1) }
            if trimmed.prepare(packet, shift: 0) { kept2.append(packet.dts) }
        }
        #expect(kept2 == [-1476, -452, 572, 1596], "\(kept2)")
        #expect(trimmed.dropped == 0)
    }

    @Test("ADTS AAC from MPEG-TS loses its frame headers and gives its configuration with the first frame")
    func adts() throws {
        let dir = TestPaths.scratch("audio-copy-adts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.ts").path
        let run = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=sample_rate=48000:duration=1",
                                                "-c:a", "aac", path], timeout: 60)
        try #require(run.status == 0, "\(run.stderr)")
        let input = try InputContainer(path: path)
        #expect(input.codecParameters(stream: 0).extradata.isEmpty)
        let copy = try AudioCopy(source: input, stream: 0)
        let packet = Packet()
        var sizes: [(in: Int, out: Int, adtsOut: Bool)] = []
        while try input.read(into: packet) {
            let size = packet.size
            try copy.take(packet, shift: 0) { p throws(MediaError) in
                let b = p.bytes
                sizes.append((size, p.size, b.count >= 2 && b[0] == 0xFF && b[1] & 0xF0 == 0xF0))
            }
        }
        // 1 s at 48 kHz: 47 frames and the priming one; each 7 header bytes lighter.
        #expect(sizes.count >= 47)
        #expect(sizes.allSatisfy { $0.out == $0.in - 7 && !$0.adtsOut })
        // AudioSpecificConfig: AAC-LC (2), 48 kHz (index 3), mono: 0x11 0x88.
        #expect([UInt8](copy.parameters.extradata) == [0x11, 0x88])

        // A frame whose ADTS header is broken (a damaged capture) is left out and counted; the
        // frames after it go on (the job failed on it, where an encode would have skipped it).
        let again = try InputContainer(path: path)
        let damaged = try AudioCopy(source: again, stream: 0)
        var emitted = 0, n = 0
        while try again.read(into: packet) {
            n += 1
            if n == 5 {
                let garbage = [UInt8](repeating: 0x55, count: 64)
                try garbage.withUnsafeBytes { try packet.fill(data: $0, pts: packet.pts, dts: packet.dts, duration: packet.duration, flags: 1) }
            }
            try damaged.take(packet, shift: 0) { _ throws(MediaError) in emitted += 1 }
        }
        #expect(damaged.damaged == 1 && emitted == sizes.count - 1, "\(damaged.damaged) damaged, \(emitted) of \(sizes.count)")
    }
}
