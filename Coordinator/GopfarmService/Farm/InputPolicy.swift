import Foundation

/// Which submitted paths the coordinator reads: absolute, without `..`, a regular readable file
/// inside one of the input roots once links are resolved.
struct InputPolicy: Sendable {
    let roots: [String]

    init(roots: [String]) {
        self.roots = roots.map { Self.resolve($0) ?? $0 }
    }

    func check(_ path: String) throws(APIError) -> String {
        guard path.hasPrefix("/") else { throw APIError(.badRequest, "input must be an absolute path on the coordinator, not '\(path.prefix(200))'") }
        guard !path.split(separator: "/").contains("..") else { throw APIError(.badRequest, "input paths may not contain '..'") }
        guard path.utf8.count <= 4096, !path.contains("\0") else { throw APIError(.badRequest, "input path is not a valid path") }
        guard let real = Self.resolve(path) else { throw APIError(.unprocessable, "input \(path) does not exist on the coordinator") }
        guard roots.contains(where: { real == $0 || real.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
            throw APIError(.forbidden, "input \(path) is outside the coordinator's input roots (\(roots.joined(separator: ", ")))")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: real) else {
            throw APIError(.unprocessable, "input \(path) is not a readable file")
        }
        return real
    }

    static func resolve(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
