import Foundation
import GopfarmCommon
import GopfarmAPI
import Hummingbird

/// `POST /v1/uploads`: streams the body to the uploads directory chunk by chunk (never whole
/// in memory), refuses more than the limit, and keeps nothing of a failed upload.
struct UploadReceiver {
    let service: FarmService

    func receive(_ request: Request, caller: Caller) async throws -> UploadCreated {
        let limit = service.config.maxUploadBytes
        if let declared = request.headers[.contentLength].flatMap(Int64.init), declared > limit {
            throw APIError(.tooLarge, "the upload of \(declared) bytes is over the limit of \(limit) bytes")
        }
        try service.checkDiskBudget(incoming: request.headers[.contentLength].flatMap(Int64.init) ?? 0, what: "this upload")
        let rawName = request.headers.first { $0.name.canonicalName == "x-filename" }?.value ?? "upload.bin"
        let fileName = (rawName as NSString).lastPathComponent
        guard !fileName.isEmpty, fileName.count <= 255, !fileName.hasPrefix("."), !JobRules.hasControlCharacters(fileName) else {
            throw APIError(.badRequest, "X-Filename must be a plain file name")
        }
        let id = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16)).lowercased()
        let final = service.config.uploads.appendingPathComponent("\(id)-\(fileName)")
        let partial = final.appendingPathExtension("partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil),
              let handle = try? FileHandle(forWritingTo: partial) else {
            throw APIError(.unavailable, "cannot write the upload on the coordinator")
        }
        var bytes: Int64 = 0
        do {
            defer { try? handle.close() }
            for try await chunk in request.body {
                bytes += Int64(chunk.readableBytes)
                guard bytes <= limit else { throw APIError(.tooLarge, "the upload is over the limit of \(limit) bytes") }
                try service.checkDiskBudget(incoming: bytes, what: "this upload")
                try handle.write(contentsOf: Data(buffer: chunk))
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        guard bytes > 0 else {
            try? FileManager.default.removeItem(at: partial)
            throw APIError(.badRequest, "the upload is empty")
        }
        try FileManager.default.moveItem(at: partial, to: final)
        try await service.store.addUpload(id: id, owner: caller.name, path: final.path, fileName: fileName, bytes: Int(bytes))
        service.disk.added(uploadBytes: bytes)
        return UploadCreated(upload: id, bytes: Int(bytes))
    }
}
