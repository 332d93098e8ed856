import Foundation
import TestSupport

enum TestFixturePath {
    /// A small generated H.264 clip with B-frames (made by the ffmpeg CLI once per build dir).
    static func small() throws -> String { try Fixture.h264BFramesMP4.path() }
}
