import Foundation
import GopfarmCommon
import Testing

/// Large messages as parts (`WireParts`, `WireReassembly`): small ones travel unchanged, large
/// ones come back byte for byte, and a part out of order, of another message or past the limits
/// is refused without taking the receiver down.
@Suite("Wire parts")
struct WirePartsTests {
    static func message(payloadBytes: Int, seed: UInt8 = 1) -> [Data] {
        let payload = Data((0..<payloadBytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
        return SegmentRequest(slots: 2).frames(payloads: [payload, Data(), Data("tail".utf8)])
    }

    @Test("a small message goes as it is and passes the reassembly untouched")
    func smallUnchanged() {
        let frames = Self.message(payloadBytes: 1000)
        #expect(WireParts.split(frames, id: 1) == [frames])
        var joiner = WireReassembly()
        #expect(joiner.accept(frames) == .message(frames))
        #expect(!joiner.isJoining)
    }

    @Test("a large message is cut into parts and joined again, frames and empty frames kept", arguments: [300_000, 1 << 20, 3 * (1 << 20) + 7])
    func roundTrip(_ bytes: Int) throws {
        let frames = Self.message(payloadBytes: bytes)
        let parts = WireParts.split(frames, id: 42)
        #expect(parts.count == (bytes + 8 * 4 + frames[0].count + 4 + WireParts.partBytes - 1) / WireParts.partBytes)
        #expect(parts.allSatisfy { $0.count == 2 && $0[1].count <= WireParts.partBytes })
        var joiner = WireReassembly()
        for part in parts.dropLast() { #expect(joiner.accept(part) == .part) }
        #expect(joiner.isJoining)
        #expect(joiner.accept(parts.last!) == .message(frames))
        #expect(!joiner.isJoining)
        let parsed = try WireFrames(frames)
        #expect(try parsed.decode(SegmentRequest.self).slots == 2)
    }

    @Test("a part inside one frame shares that frame's bytes; only parts over a frame's edge are copies")
    func partsAreSlices() throws {
        let frames = Self.message(payloadBytes: 1 << 20)
        let payload = frames[1]
        let parts = WireParts.split(frames, id: 3)
        let base = payload.withUnsafeBytes { UInt(bitPattern: $0.baseAddress!) }
        let inside = parts.filter { part in
            part[1].withUnsafeBytes { buffer in
                let at = UInt(bitPattern: buffer.baseAddress!)
                return at >= base && at + UInt(buffer.count) <= base + UInt(payload.count)
            }
        }
        // The header and the first length share the first part, the last part holds the rest.
        #expect(inside.count == parts.count - 2, "\(inside.count) of \(parts.count) parts point into the payload")
    }

    @Test("a small message between parts is read; the message being joined goes on")
    func interleaved() {
        let big = Self.message(payloadBytes: 600_000), small = Self.message(payloadBytes: 10, seed: 9)
        let parts = WireParts.split(big, id: 7, partBytes: WireParts.acceptedPartBytes)  // three
        var joiner = WireReassembly()
        #expect(joiner.accept(parts[0]) == .part)
        #expect(joiner.accept(small) == .message(small))
        #expect(joiner.accept(parts[1]) == .part)
        #expect(joiner.accept(parts[2]) == .message(big))
    }

    @Test("a part out of order or of another message drops what was gathered; the next message joins")
    func outOfOrder() {
        let first = Self.message(payloadBytes: 600_000)
        let a = WireParts.split(first, id: 1, partBytes: WireParts.acceptedPartBytes)
        let b = WireParts.split(Self.message(payloadBytes: 600_000, seed: 3), id: 2, partBytes: WireParts.acceptedPartBytes)
        var joiner = WireReassembly()
        #expect(joiner.accept(a[0]) == .part)
        guard case .broken = joiner.accept(a[2]) else { Issue.record("a skipped part was taken"); return }
        #expect(!joiner.isJoining)
        #expect(joiner.accept(a[0]) == .part)
        guard case .broken = joiner.accept(b[1]) else { Issue.record("another message's part was taken"); return }
        // A sender that gives up and starts again: the first part starts afresh.
        #expect(joiner.accept(b[0]) == .part)
        #expect(joiner.accept(a[0]) == .part)
        #expect(joiner.accept(a[1]) == .part)
        #expect(joiner.accept(a[2]) == .message(first))
    }

    @Test("parts past the limits are refused in one sentence", arguments: [
        #"{"v":2,"type":"part","body":{"id":1,"index":0,"count":1}}"#,
        #"{"v":2,"type":"part","body":{"id":1,"index":5,"count":3}}"#,
        #"{"v":2,"type":"part","body":{"id":1,"index":0,"count":99999999}}"#,
        #"{"v":2,"type":"part","body":{"id":1,"index":"zero","count":3}}"#,
    ])
    func limits(_ header: String) {
        var joiner = WireReassembly()
        guard case .broken(let reason) = joiner.accept([Data(header.utf8), Data([1, 2, 3])]) else {
            Issue.record("\(header) was taken")
            return
        }
        #expect(!reason.isEmpty && !reason.contains("\n"))
    }

    @Test("a part larger than a part may be is refused")
    func oversizedPart() {
        var joiner = WireReassembly()
        let header = WirePart(id: 1, index: 0, count: 2).frames()[0]
        guard case .broken = joiner.accept([header, Data(count: WireParts.acceptedPartBytes + 1)]) else {
            Issue.record("an oversized part was taken")
            return
        }
    }

    @Test("a message in parts may not outgrow the largest message, however many parts it claims")
    func joinedLimit() {
        var joiner = WireReassembly(maxBytes: 1 << 20)
        let big = Data(count: WireParts.acceptedPartBytes)  // an earlier sender's part size
        for index in 0..<4 {
            #expect(joiner.accept(WirePart(id: 5, index: index, count: 8).frames(payloads: [big])) == .part, "part \(index)")
        }
        guard case .broken(let reason) = joiner.accept(WirePart(id: 5, index: 4, count: 8).frames(payloads: [big])) else {
            Issue.record("a fifth 256 KiB part was gathered past 1 MiB")
            return
        }
        #expect(reason.contains("outgrows") && !joiner.isJoining)
        #expect(WireParts.maxJoinedBytes >= WireProtocol.maxPayloadBytes + WireProtocol.maxHeaderBytes)
    }

    /// Parts are 64 KiB now (1 s at 512 kbit/s, within the silence limits); a sender of an
    /// earlier version still sends 256 KiB parts, which are joined.
    @Test("parts of an earlier version's size are joined")
    func earlierPartSize() throws {
        let frames = [Data("{\"type\":\"result\"}".utf8), Data((0..<600_000).map { UInt8($0 % 251) })]
        let parts = WireParts.split(frames, id: 9, partBytes: WireParts.acceptedPartBytes)
        #expect(parts.count == 3 && WireParts.split(frames, id: 9).count == 10)
        var joiner = WireReassembly()
        var joined: [Data]?
        for part in parts { if case .message(let whole) = joiner.accept(part) { joined = whole } }
        #expect(joined == frames)
    }
}
