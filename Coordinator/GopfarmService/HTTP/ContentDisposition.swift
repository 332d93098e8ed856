import Foundation

/// `Content-Disposition: attachment` for a download, per RFC 6266: a plain ASCII `filename`
/// (quotes, backslashes, control and non-ASCII characters replaced by `_`, so a name holding
/// `"` cannot end the value early) and, when the name is not plain ASCII, `filename*` with the
/// UTF-8 name percent-encoded, which browsers prefer.
enum ContentDisposition {
    static func attachment(_ name: String) -> String {
        let plain = String(name.unicodeScalars.map { s -> Character in
            s.isASCII && s.value >= 0x20 && s.value != 0x7F && s != "\"" && s != "\\" ? Character(s) : "_"
        })
        var value = "attachment; filename=\"\(plain)\""
        if plain != name {
            let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
            value += "; filename*=UTF-8''" + (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? plain)
        }
        return value
    }
}
