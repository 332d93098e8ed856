import AsyncHTTPClient
import Foundation
import GopfarmCommon
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One HTTP exchange through AsyncHTTPClient (SwiftNIO), with the body going where the caller
/// says as it arrives: memory (JSON answers), a file (downloads) or a closure (server-sent
/// events); an upload streams from a file. (Foundation's URLSession on Linux polls its socket
/// while it waits for an answer: a whole core for as long as the coordinator takes.)
///
/// An error status always collects the body (up to 64 KiB) so its `{"error": …}` sentence can be
/// shown. Redirects are never followed. Task cancellation cancels the exchange.
package enum HTTPTransfer {
    package enum Sink: Sendable {
        /// Keep the body in memory (small JSON answers).
        case memory
        /// Write a 2xx body to this path, opened when the response arrives: a file is created or
        /// truncated, a device or pipe (`/dev/stdout`) written as it is, never replaced.
        case file(String)
        /// Hand each chunk of a 2xx body to this closure, as it arrives.
        case chunks(@Sendable (Data) -> Void)
    }

    package struct Result: Sendable {
        package var status: Int
        package var body: Data
        /// Header names in lower case.
        package var headers: [String: String]
        /// Bytes a `.file` sink wrote.
        package var written: Int64 = 0
    }

    /// A local file as a request body, with `onSent(sent, total)` after each chunk.
    package struct Upload: Sendable {
        package var path: String
        package var onSent: (@Sendable (Int64, Int64) -> Void)?
    }

    /// Seconds an upload may go without its body being taken (a coordinator that stopped reading).
    package static let stallSeconds = 30.0

    /// Runs the exchange; it fails when no byte arrives for `idleSeconds`, when an upload's body
    /// is not taken for `stallSeconds`, or when the connection cannot be made in `connectSeconds`.
    package static func run(_ request: HTTPClientRequest, sink: Sink, upload: Upload? = nil,
                            idleSeconds: Double, connectSeconds: Double = 10) async throws -> Result {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(connectSeconds * 1000)), read: .milliseconds(Int64(idleSeconds * 1000))))
        // A refused connection is an answer: say so now instead of retrying until the timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
        do {
            let result: Result
            if let upload {
                result = try await watchingStalls(upload, seconds: Self.stallSeconds) { chunks in
                    try await exchange(request, sink: sink, upload: chunks, client: client)
                }
            } else {
                result = try await exchange(request, sink: sink, upload: nil, client: client)
            }
            try? await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// An upload whose chunks stop being taken for `seconds` (the coordinator accepted the
    /// connection and stopped reading) fails with `HTTPClientError.writeTimeout`: the library's
    /// own write timer does not fire while the body waits for the socket to drain.
    private static func watchingStalls(_ upload: Upload, seconds: Double,
                                       _ body: @escaping @Sendable (FileChunks) async throws -> Result) async throws -> Result {
        let clock = StallClock()
        let chunks = FileChunks(path: upload.path, total: (try? FileManager.default.attributesOfItem(atPath: upload.path)[.size] as? NSNumber)?.int64Value ?? 0,
                                onSent: upload.onSent, taken: clock)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body(chunks) }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(500))
                    if !clock.finished, clock.secondsSinceLast > seconds { throw HTTPClientError.writeTimeout }
                }
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let result = next { return result }
            }
            throw CancellationError()
        }
    }

    private static func exchange(_ request: HTTPClientRequest, sink: Sink, upload: FileChunks?, client: HTTPClient) async throws -> Result {
        var request = request
        if let upload { request.body = .stream(upload, length: .known(upload.total)) }
        // The idle timer guards every wait; this deadline only bounds the whole exchange.
        let response = try await client.execute(request, timeout: .hours(24 * 7))
        let status = Int(response.status.code)
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        var body = Data()
        var written: Int64 = 0
        let ok = (200..<300).contains(status)
        switch sink {
        case let .file(path) where ok:
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ClientError.file("cannot write \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            for try await chunk in response.body {
                guard chunk.withUnsafeReadableBytes({ OutputPlace.writeAll($0, to: fd) }) else {
                    // `fetch ID -o - | ffprobe -`: the reader has what it wanted and left.
                    if errno == EPIPE { Console.readerGone() }
                    throw ClientError.file("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                written += Int64(chunk.readableBytes)
            }
        case let .chunks(handler) where ok:
            for try await chunk in response.body { handler(Data(chunk.readableBytesView)) }
        default:
            // Error bodies are short sentences: anything past 64 KiB is not one. An answer (a
            // job's view lists every attempt: after a chaos run, well over 64 KiB) is kept whole
            // up to 256 MiB.
            let limit = ok ? 256 << 20 : 65_536
            for try await chunk in response.body where body.count < limit {
                body.append(contentsOf: chunk.readableBytesView.prefix(limit - body.count))
            }
        }
        return Result(status: status, body: body, headers: headers, written: written)
    }
}

/// When an upload's body last gave a chunk away, and whether it gave its last.
private final class StallClock: Sendable {
    private let last = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)
    private let done = Atomic<Bool>(false)
    func tick() { last.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }
    func finish() { done.store(true, ordering: .relaxed) }
    var finished: Bool { done.load(ordering: .relaxed) }
    var secondsSinceLast: Double { Double(DispatchTime.now().uptimeNanoseconds - last.load(ordering: .relaxed)) / 1e9 }
}

/// A file read in chunks as an upload's body.
private struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String
    let total: Int64
    let onSent: (@Sendable (Int64, Int64) -> Void)?
    let taken: StallClock

    struct AsyncIterator: AsyncIteratorProtocol {
        let source: FileChunks
        var handle: FileHandle?
        var sent: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            if handle == nil {
                guard let h = FileHandle(forReadingAtPath: source.path) else {
                    throw ClientError.file("\(source.path): not readable")
                }
                handle = h
            }
            source.taken.tick()
            guard let data = try handle?.read(upToCount: 256 << 10), !data.isEmpty else {
                try? handle?.close()
                source.taken.finish()
                return nil
            }
            sent += Int64(data.count)
            source.onSent?(sent, source.total)
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: self) }
}
