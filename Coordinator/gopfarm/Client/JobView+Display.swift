import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import GopfarmService

extension JobView {
    /// The dispatcher's progress shape, so `ProgressLine` draws a remote job like a local one.
    var dispatchProgress: DispatchProgress {
        var p = DispatchProgress()
        p.segmentsDone = progress.segmentsDone
        p.segmentsTotal = progress.segmentsTotal
        p.framesDone = progress.framesDone
        p.framesTotal = progress.framesTotal
        p.agents = progress.agents
        p.requeues = progress.requeues
        return p
    }

    /// The input's file name (an upload's or a path on the coordinator).
    var inputName: String { (input as NSString).lastPathComponent }

    /// Why a planning job has not started: said by `status` and once by `submit --wait`.
    static let waitingForAgentsText = "waiting for an agent that takes work (none is connected, or every one is draining); the plan is cut for the slots of the agents that do"

    var percent: String { String(format: "%.0f%%", min(1, max(0, progress.fraction)) * 100) }
}

/// Printing helpers shared by the client commands.
enum ClientFormat {
    /// `2025-06-01 14:03:12` in local time.
    static func time(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: date)
    }

    static func seconds(_ s: Double) -> String {
        s < 60 ? String(format: "%.1f s", s) : ProgressLine.clock(s)
    }

    /// JSON on stdout with ISO-8601 dates, as the API sends them.
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(value)
        data.append(0x0A)
        Console.out(data)
    }

    static func note(_ text: String) {
        Console.error(text + "\n")
    }
}
