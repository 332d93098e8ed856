extension String {
    /// The string as HTML text or attribute value. Every string that comes from a record (paths,
    /// agent names, codec names, the title) goes through here, so `<script>.mp4` shows as text.
    public var htmlEscaped: String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for ch in unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in HTML text.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" || ch.value == 0x7F { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}
