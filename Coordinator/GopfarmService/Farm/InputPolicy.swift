import Foundation
import GopfarmCommon

/// Which submitted paths the coordinator reads: absolute, without `..`, a regular readable file
/// inside one of the input roots once links are resolved.
///
/// Every path outside the roots gets the same 403 sentence whether or not it exists: a missing
/// path is judged by its deepest existing ancestor (resolved), so "does not exist" (422) is said
/// only inside a root, and the answers tell nothing about the rest of the file system.
///
/// The uploads directory is a root too, but a file there is the uploader's alone: `uploadsRoot`
/// lets the service look up its owner however the path names it.
struct InputPolicy: Sendable {
    let roots: [String]
    /// The configured input roots, as the 403 sentence lists them (not the uploads directory).
    let shownRoots: [String]
    let uploadsRoot: String
    /// The data directory is never an input, even inside a root (the default root, the current
    /// directory, holds ./gopfarm-data): others' outputs, the database and the keys are there.
    let dataDirectory: String

    init(roots: [String], uploads: String, dataDirectory: String) {
        shownRoots = roots
        uploadsRoot = Self.resolve(uploads) ?? uploads
        self.dataDirectory = Self.resolve(dataDirectory) ?? dataDirectory
        self.roots = (roots + [uploads]).map { Self.resolve($0) ?? $0 }
    }

    /// Whether a resolved path lies in the uploads directory.
    func isUpload(_ real: String) -> Bool { real != uploadsRoot && Self.contains(uploadsRoot, real) }

    func check(_ path: String) throws(APIError) -> String {
        guard path.hasPrefix("/") else { throw APIError(.badRequest, "input must be an absolute path on the coordinator, not '\(path.prefix(200))'") }
        guard !path.split(separator: "/").contains("..") else { throw APIError(.badRequest, "input paths may not contain '..'") }
        guard path.utf8.count <= 4096, !path.contains("\0") else { throw APIError(.badRequest, "input path is not a valid path") }
        // Paths appear in every producer's and ops' job lists: no escape sequences or line breaks.
        guard !JobRules.hasControlCharacters(path) else {
            throw APIError(.badRequest, "input paths may not contain control characters (line breaks, escapes): '\(JobRules.quote(path))'")
        }
        guard let real = Self.resolve(path) else {
            guard let ancestor = Self.deepestExistingAncestor(of: path), isInside(ancestor) else { throw outside(path) }
            // Under uploads, a missing file gets the answer another producer's upload gets, so
            // the answers tell nothing about which uploads exist.
            if Self.contains(uploadsRoot, ancestor) { throw notAnUploadOfYours(path) }
            // Nor about what the data directory holds: there, missing or not, it is outside.
            if Self.contains(dataDirectory, ancestor) { throw outside(path) }
            throw APIError(.unprocessable, "input \(path) does not exist on the coordinator")
        }
        guard isInside(real), isUpload(real) || !Self.contains(dataDirectory, real) else { throw outside(path) }
        // A regular file: a FIFO or a device was accepted and the job hung or failed later.
        var st = stat()
        guard stat(real, &st) == 0, st.st_mode & S_IFMT == S_IFREG, FileManager.default.isReadableFile(atPath: real) else {
            throw APIError(.unprocessable, "input \(path) is not a readable regular file")
        }
        return real
    }

    /// Whether a resolved path lies in one of the roots.
    func isInside(_ real: String) -> Bool {
        roots.contains { Self.contains($0, real) }
    }

    static func contains(_ directory: String, _ real: String) -> Bool {
        real == directory || real.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
    }

    func notAnUploadOfYours(_ path: String) -> APIError {
        APIError(.forbidden, "input \(path.prefix(500)) is not an upload of yours (submit your own uploads by their id: \"upload\")")
    }

    private func outside(_ path: String) -> APIError {
        APIError(.forbidden, "input \(path.prefix(500)) is outside the coordinator's input roots (\(shownRoots.joined(separator: ", ")))")
    }

    static func deepestExistingAncestor(of path: String) -> String? {
        var url = URL(fileURLWithPath: path)
        while url.path != "/" {
            url = url.deletingLastPathComponent()
            if let real = resolve(url.path) { return real }
        }
        return resolve("/")
    }

    static func resolve(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
