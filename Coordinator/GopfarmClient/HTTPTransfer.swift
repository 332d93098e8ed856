import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange driven by URLSession's delegate callbacks, so that a body can go somewhere
/// other than memory: a file (downloads), or an event parser (server-sent events).
///
/// An error status always collects the body (up to 64 KiB) so its `{"error": …}` sentence can be
/// shown. Each transfer owns its URLSession and invalidates it when done.
package final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked Sendable: every mutable field is read and written under `lock`; URLSession calls
    // the delegate methods on one serial queue, and `cancel()` may come from any thread.

    package enum Sink {
        /// Keep the body in memory (small JSON answers).
        case memory
        /// Write a 2xx body to this path (created or truncated when the response arrives).
        case file(String)
        /// Hand each chunk of a 2xx body to this closure, as it arrives.
        case chunks(@Sendable (Data) -> Void)
    }

    package struct Result {
        package var status: Int
        package var body: Data
        package var headers: [String: String]
    }

    private let sink: Sink
    private let onSent: (@Sendable (Int64, Int64) -> Void)?
    private let lock = NSLock()
    private var status = 0
    private var headers: [String: String] = [:]
    private var body = Data()
    private var file: FileHandle?
    private var fileError: String?
    private var continuation: CheckedContinuation<Result, Error>?
    private var task: URLSessionTask?
    private var cancelled = false

    package init(sink: Sink, onSent: (@Sendable (Int64, Int64) -> Void)? = nil) {
        self.sink = sink
        self.onSent = onSent
    }

    /// Runs the request; `uploadFile` streams that file as the body. Task cancellation cancels the transfer.
    package func run(_ request: URLRequest, uploadFile: URL? = nil, configuration: URLSessionConfiguration) async throws -> Result {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Result, Error>) in
                let task = uploadFile.map { session.uploadTask(with: request, fromFile: $0) } ?? session.dataTask(with: request)
                let startNow: Bool = lock.withLock {
                    if cancelled { return false }
                    continuation = c
                    self.task = task
                    return true
                }
                if startNow { task.resume() } else { c.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let task: URLSessionTask? = lock.withLock {
                cancelled = true
                return self.task
            }
            task?.cancel()
        }
    }

    package func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        let disposition: URLSession.ResponseDisposition = lock.withLock {
            status = http?.statusCode ?? 0
            for (k, v) in http?.allHeaderFields ?? [:] {
                if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
            }
            if (200..<300).contains(status), case let .file(path) = sink {
                if FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) {
                    file = h
                } else {
                    fileError = "cannot write \(path)"
                }
            }
            return fileError == nil ? .allow : .cancel
        }
        completionHandler(disposition)
    }

    package func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let deliver: (@Sendable (Data) -> Void)? = lock.withLock {
            let ok = (200..<300).contains(status)
            switch sink {
            case .file where ok:
                do { try file?.write(contentsOf: data) } catch {
                    if fileError == nil { fileError = "cannot write the output: \(error.localizedDescription)" }
                    dataTask.cancel()
                }
                return nil
            case let .chunks(handler) where ok:
                return handler
            default:
                // Error bodies are short sentences: anything past 64 KiB is not one. An answer
                // (a job's view lists every attempt: after a chaos run, well over 64 KiB) is
                // kept whole up to 256 MiB; cutting it gave "not valid JSON".
                let limit = ok ? 256 << 20 : 65_536
                if body.count < limit { body.append(data.prefix(limit - body.count)) }
                return nil
            }
        }
        deliver?(data)
    }

    package func urlSession(_ session: URLSession, task: URLSessionTask, didSendBodyData bytesSent: Int64,
                    totalBytesSent: Int64, totalBytesExpectedToSend: Int64) {
        onSent?(totalBytesSent, totalBytesExpectedToSend)
    }

    package func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (c, outcome): (CheckedContinuation<Result, Error>?, Swift.Result<Result, Error>) = lock.withLock {
            let c = continuation
            continuation = nil
            try? file?.close()
            file = nil
            if let fileError { return (c, .failure(ClientError.file(fileError))) }
            if cancelled { return (c, .failure(CancellationError())) }
            if let error { return (c, .failure(error)) }
            return (c, .success(Result(status: status, body: body, headers: headers)))
        }
        c?.resume(with: outcome)
    }
}
