import Foundation

/// Where a ladder (a directory of playlists and tracks) goes: into a new or empty directory
/// only, so nothing already there is replaced or published with it, and all at once: the
/// package is written in a staging directory beside it and moved in when complete, so a run
/// that is killed or fails leaves no half-written ladder for the next one to mix with.
public enum OutputDirectory {
    /// The sentence refusing `path` as a ladder's output, or nil when it may be written.
    public static func refusal(_ path: String) -> String? {
        guard !path.isEmpty else { return "name the output directory, such as film/" }
        // `film/` names what `film` does; a link is followed, and one to nothing is refused
        // now (it would only fail when the finished ladder is moved into place).
        var bare = path
        while bare.count > 1, bare.hasSuffix("/") { bare.removeLast() }
        var info = stat()
        if lstat(bare, &info) == 0, info.st_mode & S_IFMT == S_IFLNK, OutputPlace.kind(of: bare) == .missing {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: bare)) ?? "?"
            return "\(bare) is a link to \(target), which does not exist; give the directory itself"
        }
        switch OutputPlace.kind(of: bare) {
        case .missing:
            // Made in a folder that is there, as a file output is (QA: `-o /nonexistent/dir/x`
            // created /nonexistent/dir, where `-o /nonexistent/x.mp4` is refused).
            let parent = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
            if let why = OutputPlace.folderRefusal(parent.isEmpty ? "/" : parent, for: bare) { return why }
            return parentRefusal(parent.isEmpty ? "/" : parent)
        case .directory:
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            guard entries.isEmpty else {
                let listed = entries.sorted().prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", …" : "")
                return "\(path) is not empty (\(listed)); a ladder goes into a new or empty directory, so nothing there is replaced or published with it"
            }
            return access(path, W_OK) == 0 ? nil : "cannot write to the output directory \(path): \(String(cString: strerror(errno)))"
        case .file, .special:
            return "a ladder's output is a directory, and \(path) is a file"
        }
    }

    /// The sentence refusing `parent` as the place of an output (`-o notes.txt/film`), or nil:
    /// its nearest existing ancestor must be a directory this process may write in (missing
    /// ones are made).
    public static func parentRefusal(_ parent: String) -> String? {
        var dir = parent
        while OutputPlace.kind(of: dir) == .missing, dir != "/" { dir = (dir as NSString).deletingLastPathComponent }
        guard OutputPlace.kind(of: dir) == .directory else { return "\(dir) is not a directory, so nothing can be written under it" }
        return access(dir, W_OK) == 0 ? nil : "cannot write under \(dir): \(String(cString: strerror(errno)))"
    }

    /// Moves the finished package from `staging` to `path`: one rename(2) where `path` does not
    /// exist, else each entry into the empty directory (which keeps its owner and mode). Throws
    /// the sentence when `path` has been filled meanwhile or the move fails.
    public static func publish(_ staging: URL, to path: String) throws(MediaError) {
        let target = URL(fileURLWithPath: path).standardizedFileURL
        switch OutputPlace.kind(of: target.path) {
        case .missing:
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw MediaError(.muxFailed, "cannot create the output's directory: \(OutputPlace.reason(error))", path: path)
            }
            guard rename(staging.path, target.path) == 0 else {
                throw MediaError(.muxFailed, "cannot move the finished ladder into place: \(String(cString: strerror(errno)))", path: path)
            }
        case .directory:
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
            if let why = refusal(target.path) { throw MediaError(.muxFailed, why, path: path) }
            for name in entries {
                guard rename(staging.appendingPathComponent(name).path, target.appendingPathComponent(name).path) == 0 else {
                    throw MediaError(.muxFailed, "cannot move \(name) into the output directory: \(String(cString: strerror(errno)))", path: path)
                }
            }
            rmdir(staging.path)
        case .file, .special:
            throw MediaError(.muxFailed, "a ladder's output is a directory, and \(path) is a file", path: path)
        }
    }
}
