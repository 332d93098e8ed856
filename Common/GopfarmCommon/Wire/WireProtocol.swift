import Foundation

/// The coordinator ⇄ agent protocol: every ZeroMQ message is a small JSON header frame
/// (`{"v":…, "type":…, "body":{…}}`) followed by raw payload frames.
public enum WireProtocol {
    /// Bumped on any incompatible change; agents of another version are refused with a message.
    /// 2: messages over 256 KiB travel as parts (`WirePart`). 3: segment payloads carry a
    /// packet's BlockAdditional (VP9 alpha; `PacketStreamWriter.version` 4). 4: `EncodeSettings.sdr`
    /// (an agent that does not know it would encode HDR pictures labelled as SDR).
    public static let version = 4
    /// Largest payload frame accepted (a segment of a few seconds of 4K is well under this).
    public static let maxPayloadBytes = 1 << 30
    public static let maxHeaderBytes = 1 << 20
}

/// One message type per file, each conforming to this.
public protocol WireMessage: Codable, Sendable {
    static var type: String { get }
}

struct WireEnvelope<Body: Codable>: Codable {
    var v: Int
    var type: String
    var body: Body
}

struct WireEnvelopeHead: Codable {
    var v: Int
    var type: String
}

/// A received message whose header parsed: its type, protocol version and raw frames.
public struct WireFrames: Sendable {
    public var type: String
    public var version: Int
    public var header: Data
    public var payloads: [Data]

    public init(_ frames: [Data]) throws(WireError) {
        guard let header = frames.first else { throw WireError("empty message") }
        guard header.count <= WireProtocol.maxHeaderBytes else { throw WireError("header of \(header.count) bytes is too large") }
        guard let head = try? JSONDecoder().decode(WireEnvelopeHead.self, from: header) else {
            throw WireError("header is not a valid message envelope")
        }
        for p in frames.dropFirst() where p.count > WireProtocol.maxPayloadBytes {
            throw WireError("payload of \(p.count) bytes exceeds the limit")
        }
        type = head.type
        version = head.v
        self.header = header
        payloads = Array(frames.dropFirst())
    }

    public func decode<M: WireMessage>(_: M.Type) throws(WireError) -> M {
        guard type == M.type else { throw WireError("expected \(M.type), got \(type)") }
        do { return try JSONDecoder().decode(WireEnvelope<M>.self, from: header).body }
        catch { throw WireError("malformed \(M.type): \(error)") }
    }
}

public struct WireError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension WireMessage {
    /// The frames to send: header, then `payloads`.
    public func frames(payloads: [Data] = [], version: Int = WireProtocol.version) -> [Data] {
        let header = try! JSONEncoder().encode(WireEnvelope(v: version, type: Self.type, body: self))
        return [header] + payloads
    }
}
