import Foundation

/// The path part of `GET /v1/jobs/{id}/files/{path…}`: which file of a ladder's output
/// directory it names, and its Content-Type. The checks are on the names first (no `..`, no
/// empty or hidden segment, nothing absolute), then on the file itself: its real path, links
/// resolved, must still be inside the directory, and a regular file.
enum LadderFilePath {
    /// Percent-decoded path segments joined, or a 400/404 sentence.
    static func check(_ segments: [String]) throws(APIError) -> String {
        guard !segments.isEmpty, segments.count <= 8 else { throw APIError(.notFound, "name a file of the job's output, such as master.m3u8") }
        for s in segments {
            guard !s.isEmpty, s != ".", s != "..", !s.hasPrefix("."), s.count <= 255,
                  !s.contains("/"), !s.contains("\\"), !s.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                throw APIError(.badRequest, "a file path is plain names separated by /, without .. or hidden names, not '\(s.prefix(60))'")
            }
        }
        return segments.joined(separator: "/")
    }

    /// The file inside `root` (nil: missing, a directory, or a link that leads out of `root`).
    static func resolve(_ relative: String, in root: String) -> (path: String, size: Int)? {
        let realRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let real = URL(fileURLWithPath: realRoot).appendingPathComponent(relative).resolvingSymlinksInPath().path
        guard real.hasPrefix(realRoot + "/") else { return nil }
        var info = stat()
        guard stat(real, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return (real, Int(info.st_size))
    }

    /// What players and browsers expect for each kind of file a ladder holds.
    static func contentType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "m3u8": "application/vnd.apple.mpegurl"
        case "mpd": "application/dash+xml"
        case "m4s": "video/iso.segment"
        case "mp4", "m4v": "video/mp4"
        case "m4a": "audio/mp4"
        case "vtt": "text/vtt; charset=utf-8"
        case "json": "application/json"
        case "html": "text/html; charset=utf-8"
        case "svg": "image/svg+xml"
        case "jpg", "jpeg": "image/jpeg"
        default: "application/octet-stream"
        }
    }
}
