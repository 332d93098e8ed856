import Foundation
import GopfarmCommon

extension AgentInput {
    /// Reads an agent's message off the wire. A result's payload is not looked at here: the
    /// shell checks it (`ResultValidator`) only when the core wants the result.
    static func decode(_ message: WireFrames) -> AgentInput {
        do throws(WireError) {
            switch message.type {
            case AgentHello.type:
                return .message(.hello(try? message.decode(AgentHello.self)))
            case SegmentRequest.type:
                return .message(.request(slots: try message.decode(SegmentRequest.self).slots))
            case AgentHeartbeat.type:
                return .message(.heartbeat(try message.decode(AgentHeartbeat.self)))
            case SegmentResult.type:
                return .message(.result(try message.decode(SegmentResult.self), check: .notChecked, receivedAt: Date()))
            case SegmentFailure.type:
                return .message(.failure(try message.decode(SegmentFailure.self)))
            case AgentGoodbye.type:
                return .message(.goodbye)
            default:
                return .malformed(type: message.type, reason: "unknown message type '\(message.type.prefix(40))'")
            }
        } catch {
            return .malformed(type: message.type, reason: error.description)
        }
    }

    /// A result the core would take is validated against its hashes and the plan and spooled
    /// (by the shell, before the core sees it); any other input is itself.
    func checked(payloads: [Data], from identity: Data, core: DispatchCore) -> AgentInput {
        guard case .message(.result(let result, _, let receivedAt)) = self, core.wantsResult(result, from: identity),
              let job = core.job(result.job) else { return self }
        let validator = ResultValidator(planned: job.plan.segments[result.segment], spool: job.spool,
                                        analyzed: job.analysis != nil, encoded: job.mode == .encode,
                                        rungs: job.settings.ladder?.rungs.count)
        let check: ResultCheck
        do { check = .spooled(try validator.validateAndSpool(result, payloads: payloads)) } catch {
            // A result that differs from the plan is `mismatch` (the same twice ends the job); a
            // damaged transfer or a wrong hash may pass on another try.
            check = .invalid((error as? MediaError)?.code == .segmentMismatch ? .mismatch : .transient, "\(error)")
        }
        return .message(.result(result, check: check, receivedAt: receivedAt))
    }
}
