import ArgumentParser
import Foundation
import GopfarmService

/// `serve --keep-failed --keep-uploads --keep-deliveries --disk-budget` into the config's `RetentionPolicy`.
enum RetentionOptions {
    static func apply(keepFailed: String, keepUploads: String, keepDeliveries: String, diskBudget: String?, to config: inout ServeConfig) throws {
        config.retention.keepFailedSeconds = try duration(keepFailed, "--keep-failed")
        config.retention.keepUploadsSeconds = try duration(keepUploads, "--keep-uploads")
        config.retention.keepDeliveriesSeconds = try duration(keepDeliveries, "--keep-deliveries")
        if let diskBudget {
            do { config.retention.diskBudgetBytes = try ServeCommand.parseSize(diskBudget) } catch {
                throw ValidationError("--disk-budget takes a size such as 20G or 500M, not '\(diskBudget)'")
            }
        }
    }

    private static func duration(_ text: String, _ option: String) throws -> Double {
        do { return try DurationText.seconds(text) } catch { throw ValidationError("\(option): \(error.description)") }
    }
}
