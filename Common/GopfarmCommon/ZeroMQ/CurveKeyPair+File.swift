import Foundation

/// Key files: a few `name = value` lines, `#` comments allowed, readable by the owner only.
///
/// ```
/// # gopfarm CURVE key pair (Z85). Share only the public key.
/// public-key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7
/// secret-key = JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6
/// ```
///
/// Text rather than libzmq's binary or JSON, so ops can read the public key with `cat` and
/// paste it into `gopfarm agents allow` without a tool.
extension CurveKeyPair {
    /// Writes the pair to `url` with mode 0600, atomically: the file appears complete or not at
    /// all, and the secret key is never readable by others, not even for an instant. Refuses to
    /// replace an existing file unless `overwrite` (a lost secret key means re-allowing the agent).
    public func save(to url: URL, overwrite: Bool = false) throws(KeyFileError) {
        let path = url.path
        let directory = url.deletingLastPathComponent()
        if !overwrite, FileManager.default.fileExists(atPath: path) {
            throw KeyFileError(.exists, "a key file is already there (use --force to replace it)", path: path)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw KeyFileError(.unreadable, "cannot create the directory \(directory.path)", path: path)
        }
        let text = """
            # gopfarm CURVE key pair (Z85). Keep the secret key on this machine; share only the public key.
            public-key = \(publicKey)
            secret-key = \(secretKey)

            """
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw KeyFileError(.unreadable, "cannot write here (\(String(cString: strerror(errno))))", path: path) }
        defer { unlink(temporary) }  // after rename/link this only removes the temporary name
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fchmod(fd, 0o600) == 0 && fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else {
            throw KeyFileError(.unreadable, "cannot write here (\(String(cString: strerror(errno))))", path: path)
        }
        // rename replaces atomically; link fails with EEXIST instead of replacing, so two
        // `keys init` racing cannot both believe they made the key.
        if overwrite ? rename(temporary, path) != 0 : link(temporary, path) != 0 {
            if errno == EEXIST { throw KeyFileError(.exists, "a key file is already there (use --force to replace it)", path: path) }
            throw KeyFileError(.unreadable, "cannot write here (\(String(cString: strerror(errno))))", path: path)
        }
    }

    /// Reads a key file written by `save` (or by hand). A file others can read is loaded but
    /// `warning` is told, since refusing would stop a farm over a chmod; a malformed key or a
    /// public key that does not belong to the secret key is an error.
    public static func load(from url: URL, warning: (String) -> Void = { _ in }) throws(KeyFileError) -> CurveKeyPair {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw KeyFileError(.missing, "there is no key file", path: path) }
            throw KeyFileError(.unreadable, "cannot read the key file (\(String(cString: strerror(errno))))", path: path)
        }
        if info.st_mode & 0o077 != 0 {
            warning("\(path): the key file can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))); run: chmod 600 \(path)")
        }
        let parsed = try parse(try read(path), path: path)
        guard let publicKey = parsed.settings["public-key"], let secretKey = parsed.settings["secret-key"] else {
            throw KeyFileError(.malformed, "the key file needs both a public-key and a secret-key line", path: path)
        }
        guard isValidKey(publicKey) else { throw KeyFileError(.malformed, "the public-key is not 40 Z85 characters", path: path) }
        guard isValidKey(secretKey) else { throw KeyFileError(.malformed, "the secret-key is not 40 Z85 characters", path: path) }
        guard Self.publicKey(forSecretKey: secretKey) == publicKey else {
            throw KeyFileError(.malformed, "the public-key does not belong to the secret-key", path: path)
        }
        return CurveKeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    /// A peer's public key from a command-line argument: the key itself, a key file (only its
    /// public-key line is read), or a file holding just the key (what `gopfarm keys show > f`
    /// writes). One argument for all three, so ops can paste whichever they have.
    public static func loadPublicKey(from keyOrPath: String) throws(KeyFileError) -> String {
        let argument = keyOrPath.trimmingCharacters(in: .whitespacesAndNewlines)
        let path = NSString(string: argument).expandingTildeInPath
        guard FileManager.default.fileExists(atPath: path) else {
            if isValidKey(argument) { return argument }
            if argument.contains("/") { throw KeyFileError(.missing, "there is no key file", path: path) }
            throw KeyFileError(.malformed, "'\(argument)' is neither a CURVE public key (40 Z85 characters) nor a key file")
        }
        let parsed = try parse(try read(path), path: path)
        let candidates = parsed.settings["public-key"].map { [$0] } ?? parsed.bare
        guard candidates.count == 1, let key = candidates.first, isValidKey(key) else {
            throw KeyFileError(.malformed, "the file holds no CURVE public key (a public-key line, or the 40-character key alone)", path: path)
        }
        return key
    }

    private static func read(_ path: String) throws(KeyFileError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KeyFileError(.unreadable, "cannot read the key file", path: path)
        }
        guard data.count <= 64 << 10, let text = String(data: data, encoding: .utf8) else {
            throw KeyFileError(.malformed, "this is not a key file (not short UTF-8 text)", path: path)
        }
        return text
    }

    /// `name = value` settings (names lower-cased) and lines that are a bare value.
    private static func parse(_ text: String, path: String) throws(KeyFileError) -> (settings: [String: String], bare: [String]) {
        var settings: [String: String] = [:]
        var bare: [String] = []
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            // A key alone on its line first: Z85 may start with "#" and contain "=".
            if isValidKey(line) {
                bare.append(line)
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw KeyFileError(.malformed, "line \(n + 1) is neither `name = value` nor a key", path: path)
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard name == "public-key" || name == "secret-key" else {
                throw KeyFileError(.malformed, "line \(n + 1): unknown setting '\(name)' (expected public-key or secret-key)", path: path)
            }
            settings[name] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return (settings, bare)
    }
}
