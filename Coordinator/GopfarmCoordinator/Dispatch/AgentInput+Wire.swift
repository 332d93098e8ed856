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
}
