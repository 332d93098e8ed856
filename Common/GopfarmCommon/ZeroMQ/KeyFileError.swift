/// Why a CURVE key file could not be read or written, as one sentence naming the file.
public struct KeyFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// No file at the path: ops have not made the key pair yet.
        case missing
        /// There is a file but it cannot be read or written (permissions, a directory, I/O).
        case unreadable
        /// The file (or argument) holds no valid key.
        case malformed
        /// `save` without `overwrite` found a key file already there.
        case exists
    }

    public var code: Code
    public var message: String
    public var path: String?

    public init(_ code: Code, _ message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
