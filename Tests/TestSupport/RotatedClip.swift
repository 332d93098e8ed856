import Foundation

/// A small H.264 MP4 whose display matrix turns it by `degrees` (90, 180 or 270, clockwise as a
/// player shows it). FFmpeg 5.1's CLI cannot write a display matrix (no `-display_rotation` yet),
/// so the clip is encoded plain and the video track header's matrix (ISO/IEC 14496-12 `tkhd`,
/// version 0: nine 32-bit values 44 bytes after the box type) is written over.
public enum RotatedClip {
    public static func path(degrees: Int, pixelFormat: String = "yuv420p") throws -> String {
        let url = TestPaths.fixtures.appendingPathComponent("rotated-\(degrees)-\(pixelFormat).mp4")
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        let partial = url.path + ".\(UUID().uuidString.prefix(6)).tmp.mp4"
        let out = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=176x100:rate=25:duration=3",
                                                "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000:duration=3",
                                                "-pix_fmt", pixelFormat, "-c:v", "libx264", "-g", "12", "-c:a", "aac", partial], timeout: 120)
        guard out.status == 0 else { throw FFmpegOracle.Failure(description: "cannot make a rotated clip: \(out.stderr)") }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: partial))
        let one: Int32 = 0x10000
        let (a, b, c, d): (Int32, Int32, Int32, Int32) = switch degrees {
        case 90: (0, one, -one, 0)
        case 180: (-one, 0, 0, -one)
        case 270: (0, -one, one, 0)
        default: throw FFmpegOracle.Failure(description: "a rotated clip turns by 90, 180 or 270 degrees, not \(degrees)")
        }
        guard let box = bytes.firstRange(of: Data("tkhd".utf8)), bytes[box.upperBound] == 0 else {
            throw FFmpegOracle.Failure(description: "no version-0 tkhd box in the clip")
        }
        let matrix: [Int32] = [a, b, 0, c, d, 0, 0, 0, 0x4000_0000]
        let big = matrix.flatMap { withUnsafeBytes(of: $0.bigEndian) { Array($0) } }
        let start = box.lowerBound + 44
        bytes.replaceSubrange(start..<(start + 36), with: big)
        try bytes.write(to: URL(fileURLWithPath: partial))
        return try Fixture.publish(partial, at: url)
    }
}
