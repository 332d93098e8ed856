import AsyncHTTPClient
import Foundation
import GopfarmAPI
import GopfarmCommon
import NIOCore
import NIOHTTP1
import NIOPosix

/// A client of the coordinator's HTTP API (`gopfarm serve`), for the producer and ops commands.
///
/// Every call either returns the decoded answer or throws a `ClientError`, which prints as one
/// sentence: commands never see the HTTP library's errors. Bodies that can be large never sit in
/// memory: uploads stream from the file, downloads stream into `OUT.partial`.
package struct APIClient: Sendable {
    package let baseURL: URL
    package let token: String
    /// Seconds without a byte before a plain request gives up.
    package var timeout: Double = 30

    package init(baseURL: URL, token: String) {
        self.baseURL = baseURL
        self.token = token
    }

    // MARK: Jobs

    package func submit(_ submission: JobSubmission) async throws -> JobView {
        try await send("POST", "/v1/jobs", json: submission)
    }

    /// Newest first: `state` all, active or finished; at most `limit`; older than job `before`.
    package func jobs(state: String? = nil, limit: Int? = nil, before: String? = nil) async throws -> [JobView] {
        var query: [String] = []
        if let state { query.append("state=\(state)") }
        if let limit { query.append("limit=\(limit)") }
        if let before { query.append("before=\(before.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? before)") }
        return try await send("GET", "/v1/jobs" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
    }

    package func job(_ id: String) async throws -> JobView { try await send("GET", "/v1/jobs/\(Self.escape(id))") }

    package func cancel(_ id: String) async throws -> JobView { try await send("DELETE", "/v1/jobs/\(Self.escape(id))") }

    /// Deletes a finished job with its files (`?purge=true`; a plain DELETE cancels).
    package func deleteJob(_ id: String) async throws -> JobDeleted { try await send("DELETE", "/v1/jobs/\(Self.escape(id))?purge=true") }

    /// A finished job's HTML report (`GET /v1/jobs/{id}/report`).
    package func report(of id: String) async throws -> Data {
        let path = "/v1/jobs/\(Self.escape(id))/report"
        let result = try await perform(makeRequest("GET", path), sink: .memory, timeout: 120)
        try check(result, "GET \(path)")
        return result.body
    }

    /// Streams a local file to `POST /v1/uploads`; `onSent(sent, total)` reports progress.
    package func upload(file path: String, onSent: (@Sendable (Int64, Int64) -> Void)? = nil) async throws -> UploadCreated {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ClientError.file("\(path): no such file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else { throw ClientError.file("\(path): not readable") }
        var request = makeRequest("POST", "/v1/uploads")
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/octet-stream")
        request.headers.replaceOrAdd(name: "X-Filename", value: Self.headerSafe((path as NSString).lastPathComponent))
        // The idle timer may not see bytes going out, only coming in: give a long upload room.
        let result = try await perform(request, sink: .memory, upload: HTTPTransfer.Upload(path: path, onSent: onSent), timeout: 86_400)
        return try decode(result, "POST /v1/uploads")
    }

    /// Downloads a finished job's output into `OUT.partial`, then renames it to `OUT`.
    /// Returns the number of bytes written.
    @discardableResult
    package func downloadOutput(of id: String, to output: String) async throws -> Int64 {
        try await download("/v1/jobs/\(Self.escape(id))/output", to: output)
    }

    /// Downloads every file of a finished ladder job (`job.ladder.files`, from its single view)
    /// into `directory` (new or empty), each through `GET /v1/jobs/{id}/files/{path}`: into a
    /// staging directory beside it, moved into place when every file is there, so a download
    /// that fails leaves nothing behind. Returns the bytes written.
    @discardableResult
    package func downloadLadder(_ job: JobView, to directory: String) async throws -> Int64 {
        guard job.state == .done else {
            throw ClientError.file("\(job.state.noOutput(job: job.id)) (gopfarm status \(job.id))")
        }
        guard let files = job.ladder?.files, !files.isEmpty else {
            throw ClientError.file("job \(job.id) lists no ladder files (is it a ladder job?)")
        }
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let root = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).gopfarm-fetch-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        var total: Int64 = 0
        for file in files {
            // The list is the server's: only plain relative names are written, inside the directory.
            let parts = file.split(separator: "/", omittingEmptySubsequences: false)
            guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else {
                throw ClientError.file("job \(job.id) lists a file named '\(file.prefix(100))', which is not a plain relative path")
            }
            let target = root.appendingPathComponent(file)
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw ClientError.file("cannot create \(target.deletingLastPathComponent().path): \(error.localizedDescription)")
            }
            total += try await download(JobLadder.fileURL(job: Self.escape(job.id), file: file), to: target.path)
        }
        do { try OutputDirectory.publish(root, to: directory) } catch { throw ClientError.file(error.description) }
        return total
    }

    /// Streams one GET into `OUT.partial`, checks its length, renames it onto `OUT` (a file
    /// there is replaced; a directory is an error, never removed). A device, pipe or anything
    /// under /dev (`/dev/stdout`) is written in place (`OutputPlace.writesInPlace`).
    private func download(_ path: String, to output: String) async throws -> Int64 {
        if OutputPlace.writesInPlace(output) {
            let result = try await perform(makeRequest("GET", path), sink: .file(output), timeout: 300)
            try check(result, "GET \(path)")
            return result.written
        }
        if let why = OutputPlace.refusal(output: output, input: nil) { throw ClientError.file(why) }
        let partial = output + ".partial"
        do {
            let result = try await perform(makeRequest("GET", path), sink: .file(partial), timeout: 300)
            try check(result, "GET \(path)")
            let size = result.written
            if let expected = result.headers["content-length"].flatMap(Int64.init), expected != size {
                throw ClientError.transfer(baseURL, detail: "the output ended after \(size) of \(expected) bytes")
            }
            if let reason = OutputPlace.replace(output, with: partial) {
                throw ClientError.file("cannot move \(partial) to \(output): \(reason)")
            }
            return size
        } catch {
            OutputPlace.removeFile(partial)
            throw error
        }
    }

    /// `GET /v1/jobs/{id}/events`: the job's progress as server-sent events, until `end`.
    /// The stream finishes without error when the server closes it; it throws a `ClientError`
    /// when it cannot be opened or breaks.
    package func events(of id: String) -> AsyncThrowingStream<ServerSentEvent, Error> {
        let path = "/v1/jobs/\(Self.escape(id))/events"
        var streamRequest = makeRequest("GET", path)
        streamRequest.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
        let request = streamRequest
        return AsyncThrowingStream { continuation in
            let parser = ServerSentEventParser()
            let task = Task {
                do {
                    // The server sends an event whenever the job changes; a queued job may be
                    // quiet for long, so the idle limit is generous and the caller reconnects.
                    let result = try await perform(request, sink: .chunks { data in
                        for e in parser.feed(data) { continuation.yield(e) }
                    }, timeout: 120)
                    try check(result, "GET \(path)")
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    // MARK: Agents and keys

    package func agents() async throws -> [AgentStatus] { try await send("GET", "/v1/agents") }

    package func drain(_ name: String, undo: Bool) async throws -> DrainState {
        try await send("POST", "/v1/agents/\(Self.escape(name))/\(undo ? "resume" : "drain")")
    }

    package func agentKeys() async throws -> [AgentKeyView] { try await send("GET", "/v1/agent-keys") }

    package func allowAgentKey(_ request: AgentKeyRequest) async throws -> AgentKeyView {
        try await send("POST", "/v1/agent-keys", json: request)
    }

    package func revokeAgentKey(_ key: String) async throws {
        let path = "/v1/agent-keys/\(Self.escape(key))"
        try check(try await perform(makeRequest("DELETE", path), sink: .memory), "DELETE \(path)")
    }

    // MARK: Tokens and the coordinator

    package func createToken(_ request: TokenRequest) async throws -> TokenCreated {
        try await send("POST", "/v1/tokens", json: request)
    }

    package func tokens() async throws -> [TokenView] { try await send("GET", "/v1/tokens") }

    package func revokeToken(_ name: String) async throws {
        let path = "/v1/tokens/\(Self.escape(name))"
        try check(try await perform(makeRequest("DELETE", path), sink: .memory), "DELETE \(path)")
    }

    package func coordinator() async throws -> CoordinatorInfo { try await send("GET", "/v1/coordinator") }

    // MARK: Plumbing

    package static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    package static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        // `.iso8601` rejects fractional seconds; accept both forms in case the server adds them.
        d.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: .iso8601) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an ISO-8601 date"))
        }
        return d
    }()

    /// Sends a request with an optional JSON body and decodes a JSON answer.
    package func send<Response: Decodable>(_ method: String, _ path: String, json body: (some Encodable)? = Optional<Int>.none) async throws -> Response {
        try await send(method, path, jsonData: try body.map { try Self.encoder.encode($0) })
    }

    /// Sends a request with a JSON body already encoded and decodes a JSON answer.
    package func send<Response: Decodable>(_ method: String, _ path: String, jsonData: Data?) async throws -> Response {
        var request = makeRequest(method, path)
        if let jsonData {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: jsonData))
        }
        let result = try await perform(request, sink: .memory)
        return try decode(result, "\(method) \(path)")
    }

    private func makeRequest(_ method: String, _ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL.absoluteString + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "gopfarm-cli")
        return request
    }

    /// Runs one exchange; transport failures become `ClientError`s naming the coordinator.
    private func perform(_ request: HTTPClientRequest, sink: HTTPTransfer.Sink, upload: HTTPTransfer.Upload? = nil,
                         timeout: Double? = nil) async throws -> HTTPTransfer.Result {
        let idle = timeout ?? self.timeout
        do {
            return try await HTTPTransfer.run(request, sink: sink, upload: upload, idleSeconds: idle)
        } catch let error as ClientError {
            throw error
        } catch {
            throw translate(error, idleSeconds: idle)
        }
    }

    /// The library's and the network's errors as the sentence a user needs.
    private func translate(_ error: Error, idleSeconds: Double) -> ClientError {
        if error is CancellationError || Task.isCancelled { return .interrupted }
        if let e = error as? HTTPClientError {
            switch e {
            case .cancelled: return .interrupted
            case .connectTimeout: return .unreachable(baseURL)
            case .readTimeout, .deadlineExceeded: return .transfer(baseURL, detail: "no answer for \(Int(idleSeconds)) s")
            case .writeTimeout: return .transfer(baseURL, detail: "the coordinator stopped reading (nothing could be sent for \(Int(HTTPTransfer.stallSeconds)) s)")
            case .remoteConnectionClosed: return .transfer(baseURL, detail: "the connection was closed")
            default: return .transfer(baseURL, detail: "\(e)")
            }
        }
        if error is NIOConnectionError { return .unreachable(baseURL) }
        if let e = error as? IOError {
            if [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ETIMEDOUT].contains(e.errnoCode) { return .unreachable(baseURL) }
            return .transfer(baseURL, detail: String(cString: strerror(e.errnoCode)))
        }
        if let e = error as? ChannelError, case .connectTimeout = e { return .unreachable(baseURL) }
        if error is SocketAddressError { return .unreachable(baseURL) }
        return .transfer(baseURL, detail: "\(error)")
    }

    /// Turns an error status into its sentence.
    package func check(_ result: HTTPTransfer.Result, _ label: String) throws {
        if (200..<300).contains(result.status) { return }
        if result.status == 401 {
            // A revoked or expired token: the coordinator's sentence says which and when.
            if let body = try? JSONDecoder().decode(APIErrorBody.self, from: result.body), body.error.hasPrefix("the token '") {
                throw ClientError.server(status: 401, message: body.error)
            }
            throw ClientError.unauthorized
        }
        if let body = try? JSONDecoder().decode(APIErrorBody.self, from: result.body), !body.error.isEmpty {
            throw ClientError.server(status: result.status, message: body.error)
        }
        throw ClientError.unexpectedStatus(status: result.status, request: label)
    }

    package func decode<T: Decodable>(_ result: HTTPTransfer.Result, _ label: String) throws -> T {
        try check(result, label)
        do { return try Self.decoder.decode(T.self, from: result.body) } catch {
            throw ClientError.undecodable(request: label, detail: Self.describe(error))
        }
    }

    /// Sleeps, or throws `interrupted` if the task is cancelled meanwhile.
    package static func pause(_ seconds: Double) async throws {
        do { try await Task.sleep(for: .milliseconds(Int(seconds * 1000))) } catch { throw ClientError.interrupted }
    }

    package static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case let .keyNotFound(key, _)?: return "no field '\(key.stringValue)'"
        case let .typeMismatch(_, c)?, let .valueNotFound(_, c)?, let .dataCorrupted(c)?:
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "field '\(path)': \(c.debugDescription)"
        default: return error.localizedDescription
        }
    }

    /// Percent-encodes one path segment (agent keys can hold `/`, `?`, `#`).
    package static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? segment
    }

    /// RFC 3986's unreserved characters, spelled out: `CharacterSet.alphanumerics` has non-ASCII letters.
    package static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A file name as a header value: HTTP headers are Latin-1 at best, so anything else is percent-encoded.
    package static func headerSafe(_ name: String) -> String {
        if name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { return name }
        return name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "upload"
    }
}
