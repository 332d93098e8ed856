import Foundation
import GopfarmCommon
import Logging

extension AgentCore.Incoming {
    /// Why a message could not be read; the shell logs it and hands the core `.other`.
    public struct Unreadable: Error, CustomStringConvertible {
        /// The message type, when the envelope was readable.
        public var type: String?
        /// True for a well-formed message of a type this agent does not know.
        public var unknownType: Bool
        public var reason: String
        public var description: String { reason }
    }

    /// Decodes the frames of a coordinator message.
    public init(frames: [Data]) throws(Unreadable) {
        let message: WireFrames
        do { message = try WireFrames(frames) } catch {
            throw Unreadable(type: nil, unknownType: false, reason: "\(error)")
        }
        do {
            switch message.type {
            case AgentWelcome.type: self = .welcome(try message.decode(AgentWelcome.self))
            case SegmentAssignment.type:
                self = .assignment(try message.decode(SegmentAssignment.self), payload: message.payloads.first ?? Data())
            case AgentGoodbye.type: self = .goodbye(try message.decode(AgentGoodbye.self))
            case SegmentRevoke.type: self = .revoke(try message.decode(SegmentRevoke.self))
            case HeartbeatAck.type: self = .heartbeatAck
            case WirePartReceived.type: self = .other  // it proves only that the coordinator is there
            default: throw Unreadable(type: message.type, unknownType: true, reason: "unknown message type")
            }
        } catch let error as Unreadable {
            throw error
        } catch {
            throw Unreadable(type: message.type, unknownType: false, reason: "\(error)")
        }
    }

    /// Decodes the frames, or logs why it cannot and gives `.other` (what the core ignores).
    public static func read(_ frames: [Data], logger: Logger) -> Self {
        do { return try Self(frames: frames) } catch {
            var metadata: Logger.Metadata = ["error": "\(error.reason)"]
            if let type = error.type { metadata["type"] = "\(type)" }
            logger.warning(error.unknownType ? "ignoring an unknown message" : "ignoring a malformed message", metadata: metadata)
            return .other
        }
    }
}
