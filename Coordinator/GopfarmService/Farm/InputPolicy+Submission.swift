import Foundation
import GopfarmAPI

/// A submission's input: a path under the roots, or an upload of the caller's.
extension InputPolicy {
    /// The submission's input as a checked real path, and the output name it suggests: a path
    /// (an upload named by its path is still its uploader's alone) or an upload's id.
    func input(of s: JobSubmission, caller: Caller, store: JobStore) async throws(APIError) -> (String, String) {
        switch (s.input, s.upload) {
        case (let path?, nil):
            let real = try check(path)
            guard isUpload(real) else { return (real, Self.defaultOutputName(for: path)) }
            // An upload named by its path is still its uploader's alone.
            // Upload files are named ID-NAME: the ID names the row, whose owner must be the caller.
            let id = String((real as NSString).lastPathComponent.prefix { $0 != "-" })
            let found: (path: String, fileName: String)?
            do { found = try await store.upload(id, owner: caller.name) } catch { throw APIError(.unavailable, "\(error)") }
            guard let found, InputPolicy.resolve(found.path) == real else { throw notAnUploadOfYours(path) }
            return (real, Self.defaultOutputName(for: found.fileName))
        case (nil, let upload?):
            let found: (path: String, fileName: String)?
            do { found = try await store.upload(upload, owner: caller.name) } catch { throw APIError(.unavailable, "\(error)") }
            guard let found else { throw APIError(.notFound, "no upload \(upload.prefix(64)) of yours") }
            return (found.path, Self.defaultOutputName(for: found.fileName))
        default:
            throw APIError(.badRequest, "give exactly one of 'input' (a path on the coordinator) and 'upload' (an upload id)")
        }
    }

    static func defaultOutputName(for input: String) -> String {
        let base = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        return (base.isEmpty ? "output" : base) + ".mp4"
    }
}
