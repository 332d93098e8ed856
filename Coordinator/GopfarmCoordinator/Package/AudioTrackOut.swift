import Foundation
import GopfarmCommon

/// One audio stream on its way out: copied, or decoded and encoded. Its track is opened
/// with its first packet (copied ADTS AAC has its configuration only then).
final class AudioTrackOut {
    enum Way {
        case copy(AudioCopy)
        case encode(AudioTranscoder)
    }

    let stream: Int
    let name: String
    let way: Way
    let language: String?
    /// The last packet's time on the video clock (the packaging grid cuts between two packets).
    var previous: Int64?
    private(set) var writer: CMAFTrackWriter?

    init(stream: Int, name: String, way: Way, language: String?) {
        self.stream = stream
        self.name = name
        self.way = way
        self.language = language
    }

    var inputTimeBase: Rational {
        switch way {
        case .copy(let c): c.inputTimeBase
        case .encode(let t): t.inputTimeBase
        }
    }

    /// What the track is written with.
    var parameters: CodecParameters {
        switch way {
        case .copy(let c): c.parameters
        case .encode(let t): t.encoder.parameters
        }
    }

    var isCopy: Bool {
        if case .copy = way { true } else { false }
    }

    func openWriter(in directory: URL) throws(MediaError) -> CMAFTrackWriter {
        if let writer { return writer }
        let timeBase: Rational = switch way {
        case .copy(let c): c.outputTimeBase
        case .encode(let t): t.encoder.timeBase
        }
        let opened = try CMAFTrackWriter(outputDirectory: directory, relativeDirectory: name, parameters: parameters,
                                         timeBase: timeBase, language: language)
        writer = opened
        return opened
    }
}
