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
        do { check = .spooled(try validator.validateAndSpool(result, payloads: payloads)) } catch let error as SpoolFile.WriteError {
            check = .spoolFailed(error.description)
        } catch {
            // A result that differs from the plan is `mismatch` (the same twice ends the job); a
            // damaged transfer or a wrong hash may pass on another try.
            check = .invalid((error as? MediaError)?.code == .segmentMismatch ? .mismatch : .transient, "\(error)")
        }
        return .message(.result(result, check: check, receivedAt: receivedAt))
    }
}

extension DispatchInput {
    /// One message off the agents' socket, as the core's input: decoded, and a result checked
    /// when the core wants it (`checked`). A part proves only that its sender is there.
    static func received(_ received: AgentSocket.Received, core: DispatchCore) -> DispatchInput {
        let (identity, publicKey) = (received.identity, received.publicKey)
        let frames: [Data]
        switch received.outcome {
        case .message(let whole):
            frames = whole
        case .part:
            return .agent(identity: identity, publicKey: publicKey, version: WireProtocol.version, .message(.part))
        case .broken(let reason):
            return .agent(identity: identity, publicKey: publicKey, version: 0, .malformed(type: "part", reason: reason))
        }
        do throws(WireError) {
            guard !frames.isEmpty else { throw WireError("empty message") }
            let message = try WireFrames(frames)
            let input = AgentInput.decode(message).checked(payloads: message.payloads, from: identity, core: core)
            return .agent(identity: identity, publicKey: publicKey, version: message.version, input)
        } catch {
            return .agent(identity: identity, publicKey: publicKey, version: 0, .malformed(type: "?", reason: error.description))
        }
    }
}

extension AgentReply {
    func frames() -> [Data] {
        switch self {
        case .welcome(let welcome): welcome.frames()
        case .heartbeatAck: HeartbeatAck().frames()
        case .goodbye(let reason): AgentGoodbye(reason: reason).frames()
        case .revoke(let revoke): revoke.frames()
        case .partReceived: WirePartReceived().frames()
        }
    }
}
