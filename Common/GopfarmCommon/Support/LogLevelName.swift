import Logging

/// `--log-level`: the severities a long-running command (`serve`, `gopfarm-agent`) shows, by
/// the names both take.
public enum LogLevelName: String, CaseIterable, Sendable {
    case debug, info, warning, error

    public var level: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }

    /// The names, for help and refusals: `debug, info, warning or error`.
    public static var names: String {
        allCases.dropLast().map(\.rawValue).joined(separator: ", ") + " or " + allCases.last!.rawValue
    }
}
