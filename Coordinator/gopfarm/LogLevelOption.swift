import ArgumentParser
import Logging

/// `--log-level`: the severities a long-running command shows.
enum LogLevelOption: String, ExpressibleByArgument, CaseIterable {
    case debug, info, warning, error

    var level: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}
