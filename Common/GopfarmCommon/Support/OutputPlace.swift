import Foundation

/// Where a command writes a file the user named, and the rules that keep it from destroying
/// anything else there: the output is written beside its place and renamed onto it with
/// rename(2), which replaces a file and nothing else (a directory in the way is an error, never
/// removed); a leftover temporary file is unlinked, never removed recursively; and an output that
/// is the input under another name (a link, `..`) is refused.
public enum OutputPlace {
    /// What a path names now (links followed).
    public enum Kind: Equatable, Sendable {
        case missing, file, directory
        /// A device, pipe or socket: written in place, never replaced (`/dev/stdout`, a FIFO).
        case special
    }

    public static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .special
        }
    }

    /// Whether `path` is written where it is, never through a temporary renamed onto it: a
    /// device, pipe or socket, and anything under /dev or /proc (`/dev/stdout` is a link to
    /// whatever stdout is, a regular file when redirected: renaming onto it would replace the
    /// machine's link).
    public static func writesInPlace(_ path: String) -> Bool {
        kind(of: path) == .special || path.hasPrefix("/dev/") || path.hasPrefix("/proc/")
    }

    /// Whether two paths name the same file (same device and inode: links and `..` included).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    /// The sentence refusing `output` as the place of a new file, or nil when it may be written:
    /// a directory is refused (its contents would be lost), and so is the input itself.
    public static func refusal(output: String, input: String?) -> String? {
        if kind(of: output) == .directory {
            return "\(output) is a directory; name the file to write, such as \((output as NSString).appendingPathComponent("out.mp4"))"
        }
        if output.hasSuffix("/") {
            return "\(output) ends with a slash, so it names a directory; name the file to write, such as \(String(output.dropLast()))"
        }
        // As other tools, gopfarm writes into a folder that is there: a typo in it was created
        // (as root, `-o /nonexistdir/x.mp4` made /nonexistdir) and never reported.
        let parent = (output as NSString).deletingLastPathComponent
        if !parent.isEmpty, let why = folderRefusal(parent, for: output) { return why }
        if let input, sameFile(input, output) {
            let samePath = URL(fileURLWithPath: input).standardizedFileURL == URL(fileURLWithPath: output).standardizedFileURL
            return "the output would overwrite the input" + (samePath ? "" : " (\(output) is the same file as \(input))")
        }
        if kind(of: output + ".partial") == .directory {
            return "\(output).partial is a directory; the output is written there first, so move it away"
        }
        return nil
    }

    /// Why `output` cannot go into `parent`: it is missing (a typo is not created) or no folder.
    public static func folderRefusal(_ parent: String, for output: String) -> String? {
        switch kind(of: parent) {
        case .directory: nil
        case .missing: "the folder \(parent) does not exist; create it first (mkdir -p \(parent)) or name another"
        default: "\(parent) is not a folder, so \(output) cannot be written"
        }
    }

    /// Moves the finished temporary file onto `path` in one step, replacing a file there;
    /// returns the OS's reason when it cannot (a directory in the way: "Is a directory").
    public static func replace(_ path: String, with temporary: String) -> String? {
        rename(temporary, path) == 0 ? nil : String(cString: strerror(errno))
    }

    /// Writes all of `bytes` to `fd`, again after a signal; false on an error, with `errno` set.
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var done = 0
        while done < bytes.count {
            let n = write(fd, base + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// Removes a plain file (a leftover temporary, a picture of an earlier run); anything else
    /// there (a directory) is left alone.
    public static func removeFile(_ path: String) {
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG { unlink(path) }
    }
}

extension OutputPlace {
    /// A file-system error as the end of a sentence ("Permission denied", "No such file or
    /// directory"), never Foundation's `Error Domain=… UserInfo={…}` dump.
    public static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
