import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmService

extension EncodeOptions {
    /// Whether any encoding flag was given (`submit` then sends only those over a preset).
    var anyGiven: Bool {
        codec != nil || crf != nil || bitrate != nil || preset != nil || gop != nil || pixFmt != nil || scale != nil || deinterlace || ladder != nil
            || maxrate != nil || bufsize != nil || sdr || audioBitrate != nil
    }

    /// The settings fields the flags gave, as the API's JSON: what overrides a preset's.
    func givenSettings() throws -> [String: Any] {
        let all = try settings(threads: 0)
        guard let object = try JSONSerialization.jsonObject(with: try APIJSON.encoder.encode(all)) as? [String: Any] else { return [:] }
        let given: [(String, Bool)] = [("codec", codec != nil), ("crf", crf != nil), ("bitrate", bitrate != nil), ("preset", preset != nil),
                                       ("gop", gop != nil), ("pixelFormat", pixFmt != nil), ("scale", scale != nil), ("deinterlace", deinterlace),
                                       ("ladder", ladder != nil), ("maxRate", maxrate != nil), ("bufferSize", bufsize != nil),
                                       ("sdr", sdr), ("audioBitrate", audioBitrate != nil)]
        return object.filter { key, _ in given.contains { $0.0 == key && $0.1 } }
    }
}
