import Foundation

/// Everything that can go wrong talking to the coordinator, each shown as one sentence.
package enum ClientError: Error, CustomStringConvertible, Equatable {
    /// No token from `--token`, `GOPFARM_TOKEN` or a config file.
    case noToken
    case config(path: String, reason: String)
    case badURL(String)
    /// Connection refused, unknown host, timed out before connecting.
    case unreachable(URL)
    /// 401: the token is missing, unknown or revoked.
    case unauthorized
    /// Any other error status, with the server's `error` sentence.
    case server(status: Int, message: String)
    /// An error status whose body is not `{"error": …}` (a proxy, another program on that port).
    case unexpectedStatus(status: Int, request: String)
    /// A 2xx answer this client cannot read.
    case undecodable(request: String, detail: String)
    /// A transfer that failed after it started (connection reset, timeout mid-stream).
    case transfer(URL, detail: String)
    /// A local file problem (the input to upload, the output to write).
    case file(String)
    /// A followed job ended failed or cancelled: its error, or what happened to it.
    case jobEnded(String)
    /// SIGINT or SIGTERM while waiting.
    case interrupted

    package var description: String {
        switch self {
        case .noToken:
            return "no API token: give --token, set GOPFARM_TOKEN, or put {\"token\": …} in a config file (--config, GOPFARM_CONFIG or ~/.config/gopfarm/config.json)"
        case let .config(path, reason):
            return "config file \(path): \(reason)"
        case let .badURL(text):
            return "'\(text)' is not a coordinator URL such as http://127.0.0.1:8080"
        case let .unreachable(url):
            return "cannot reach the coordinator at \(url.absoluteString) (is `gopfarm serve` running?)"
        case .unauthorized:
            return "the coordinator refused the token (give --token, GOPFARM_TOKEN or a config file)"
        case let .server(_, message):
            return message
        case let .unexpectedStatus(status, request):
            return "the coordinator answered \(request) with HTTP \(status) and no error message"
        case let .undecodable(request, detail):
            return "cannot read the coordinator's answer to \(request) (\(detail)); is this gopfarm older or newer than the coordinator?"
        case let .transfer(url, detail):
            return "the connection to the coordinator at \(url.absoluteString) failed: \(detail)"
        case let .file(text):
            return text
        case let .jobEnded(text):
            return text
        case .interrupted:
            return "interrupted"
        }
    }

    /// True when retrying later may help (the coordinator restarting, a dropped connection).
    package var isTransient: Bool {
        switch self {
        case .unreachable, .transfer: return true
        case let .server(status, _), let .unexpectedStatus(status, _): return status == 502 || status == 503 || status == 504
        default: return false
        }
    }
}
