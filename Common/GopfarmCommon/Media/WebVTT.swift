import Foundation

/// Text subtitles as WebVTT (W3C): the cue text of SubRip, ASS/SSA and mov_text packets as
/// libavformat demuxes them, and the document (the ladder's HLS subtitles); the escaping of cue
/// text (WebM's subtitles too). Pure; styling beyond italics/bold is dropped.
public enum WebVTT {
    public struct Cue: Equatable, Sendable {
        /// Seconds on the presentation timeline.
        public var start: Double
        public var end: Double
        public var text: String

        public init(start: Double, end: Double, text: String) {
            self.start = start
            self.end = end
            self.text = text
        }
    }

    /// The source codecs whose packets are text this converter reads.
    public static let textCodecs: Set<String> = ["subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"]

    /// The cue text of one packet; nil when it holds nothing to show.
    public static func cueText(codec: String, payload: Data) -> String? {
        var text: String
        switch codec {
        case "mov_text":
            // tx3g: a 16-bit text length, the UTF-8 text, then style boxes.
            let b = [UInt8](payload)
            guard b.count >= 2 else { return nil }
            let length = min(Int(b[0]) << 8 | Int(b[1]), b.count - 2)
            text = String(decoding: b[2..<(2 + length)], as: UTF8.self)
        case "ass", "ssa":
            // ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text: the text is after the 8th comma.
            let line = String(decoding: payload, as: UTF8.self)
            let fields = line.split(separator: ",", maxSplits: 8, omittingEmptySubsequences: false)
            text = fields.count == 9 ? String(fields[8]) : line
            text = assToPlain(text)
        default:
            text = String(decoding: payload, as: UTF8.self)
        }
        text = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        text = sanitized(text)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }

    /// The document: a WEBVTT header and the cues sorted by start, each on its own block.
    public static func document(_ cues: [Cue]) -> String {
        var out = "WEBVTT\n"
        for cue in cues.sorted(by: { $0.start < $1.start }) where cue.end > cue.start {
            out += "\n\(timestamp(cue.start)) --> \(timestamp(cue.end))\n\(cue.text)\n"
        }
        return out
    }

    /// One document per media segment of an HLS subtitle playlist (RFC 8216 3.5: each holds
    /// every cue shown during its segment, so a cue over a boundary is in both): segment `i`
    /// spans `starts[i]` up to the next start, the first also takes cues before it and the last
    /// those after it. Cue times stay on the presentation timeline.
    public static func documents(_ cues: [Cue], starts: [Double]) -> [String] {
        let shown = cues.filter { $0.end > $0.start }
        return starts.indices.map { i in
            let from = i == 0 ? -Double.infinity : starts[i]
            let to = i + 1 < starts.count ? starts[i + 1] : Double.infinity
            return document(shown.filter { $0.start < to && $0.end > from })
        }
    }

    /// `hh:mm:ss.ttt`.
    public static func timestamp(_ seconds: Double) -> String {
        let ms = Int64((max(0, seconds) * 1000).rounded())
        let h = ms / 3_600_000, m = ms / 60_000 % 60, s = ms / 1000 % 60, t = ms % 1000
        func pad(_ v: Int64, _ n: Int) -> String { let d = String(v); return String(repeating: "0", count: max(0, n - d.count)) + d }
        return "\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(t, 3))"
    }

    /// ASS override blocks `{\i1}` go (italic/bold become <i>/<b>); `\N` and `\n` are line breaks.
    static func assToPlain(_ text: String) -> String {
        var out = "", block = "", inBlock = false
        var open: [String] = []
        for ch in text {
            if inBlock {
                if ch == "}" {
                    inBlock = false
                    for tag in ["i", "b"] {
                        if block.contains("\\\(tag)1") { out += "<\(tag)>"; open.append(tag) }
                        if block.contains("\\\(tag)0"), let k = open.lastIndex(of: tag) { out += "</\(tag)>"; open.remove(at: k) }
                    }
                } else {
                    block.append(ch)
                }
            } else if ch == "{" {
                inBlock = true
                block = ""
            } else {
                out.append(ch)
            }
        }
        for tag in open.reversed() { out += "</\(tag)>" }
        return out.replacingOccurrences(of: "\\N", with: "\n").replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\h", with: " ")
    }

    /// WebVTT cue text may not hold "-->" or blank lines; `&` and `<` not starting a tag are escaped.
    /// Used on libavcodec's WebVTT encoder's output too, which writes the text as it comes.
    public static func sanitized(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let allowed = ["i", "/i", "b", "/b", "u", "/u"]
        return lines.map { line in
            var out = ""
            var rest = Substring(line.replacingOccurrences(of: "-->", with: "->"))
            while let c = rest.first {
                if c == "&" {
                    out += "&amp;"
                    rest = rest.dropFirst()
                } else if c == "<" {
                    let close = rest.firstIndex(of: ">")
                    let tag = close.map { String(rest[rest.index(after: rest.startIndex)..<$0]).lowercased() } ?? ""
                    if let close, allowed.contains(tag) {
                        out += "<\(tag)>"
                        rest = rest[rest.index(after: close)...]
                    } else if let close, let first = tag.first, first.isLetter || first == "/" {
                        rest = rest[rest.index(after: close)...]  // <font …> and other SubRip tags: dropped
                    } else {
                        out += "&lt;"
                        rest = rest.dropFirst()
                    }
                } else {
                    out.append(c)
                    rest = rest.dropFirst()
                }
            }
            return out
        }.joined(separator: "\n")
    }
}
