import GopfarmCommon
import Logging

extension Logger {
    /// The log line for one of the core's notes, worded as the agent always logged it.
    public func log(_ note: AgentCore.Note, config: AgentConfig) {
        switch note {
        case .silent(let seconds):
            warning("coordinator silent; saying hello again", metadata: ["seconds": "\(seconds)"])
        case .connected(let again, let running, let results):
            info(again ? "reconnected" : "connected", metadata: [
                "coordinator": "\(config.coordinator)", "segments in progress": "\(running)", "results to send": "\(results)"])
        case .queued(let segment, let queued):
            debug("segment queued", metadata: ["segment": "\(segment)", "queued": "\(queued)"])
        case .revoked(let segment, let dropped):
            info(dropped ? "queued segment revoked: dropped from the queue" : "running segment revoked: giving it up",
                 metadata: ["segment": "\(segment)"])
        case .notStarting(let segment):
            info("not starting a segment: stopping", metadata: ["segment": "\(segment)"])
        case .stopping(let running, let results, let handedBack):
            info("stopping: finishing \(running) segment(s)", metadata: [
                "undelivered results": "\(results)", "queued segments handed back": "\(handedBack)"])
        case .stopped:
            info("stopped: nothing left in progress or undelivered")
        case .stoppingNow(let running, let results, let why):
            let words = switch why {
            case .secondSignal: "second signal"
            case .stopTimeout: "--stop-timeout \(config.stopTimeoutSeconds) s passed"
            case .coordinatorSilent(let seconds): "the coordinator has not answered for \(seconds) s; it runs again what it did not read"
            }
            warning("stopping now: handing back \(running) segment(s)", metadata: [
                "why": "\(words)", "undelivered results": "\(results)"])
        case .dismissed(let reason):
            info("dismissed by the coordinator", metadata: ["reason": "\(reason)"])
        case .refusedForNow(let reason, let seconds):
            warning("refused by the coordinator; trying again", metadata: ["reason": "\(reason)", "seconds": "\(JobRules.show(seconds))"])
        case .waiting(let reason):
            info("the coordinator asks to wait; saying hello again until it is ready", metadata: ["reason": "\(reason)"])
        }
    }
}
