import Foundation
import GopfarmAgent
import GopfarmCommon
import Testing

/// A result larger than the socket's send queue (1000 parts of 64 KiB) goes out whole, once:
/// the link keeps the parts the socket could not take yet and sends them as it drains. Before,
/// a send that filled the queue reported failure and the agent sent the whole result again from
/// its first part under a new id: the coordinator dropped each half-joined copy for the next,
/// and a 1080p segment of ~150 MB never arrived (an agent at full CPU for good, the job stuck).
@Suite("Coordinator link")
struct CoordinatorLinkTests {
    @Test("a message larger than the send queue arrives whole, its parts once each, and what follows it after it")
    func largeMessageIsNotRestarted() throws {
        let context = ZMQContext()
        let router = try ZMQSocket(context: context, kind: .router)
        let endpoint = try router.bind("tcp://127.0.0.1:0")
        let link = try CoordinatorLink(context: context, endpoint: endpoint, security: .insecure)
        // Connected: a small message arrives.
        var connected = false
        for _ in 0..<200 where !connected {
            _ = try link.send([Data("hello".utf8)])
            if try router.poll(milliseconds: 10) { connected = try router.receive().last == Data("hello".utf8) }
        }
        try #require(connected)

        // 100 MiB: 1600 parts, more than the queue and the loopback's buffers hold while nobody reads.
        let mebibyte = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
        var payload = Data(capacity: 100 << 20)
        for n in 0..<100 {
            var chunk = mebibyte
            chunk[0] = UInt8(n)
            payload.append(chunk)
        }
        let big = [Data(#"{"type":"result"}"#.utf8), payload]
        let expectedParts = WireParts.split(big, id: 0).count
        // As the agent's loop does: send until the link takes it, then a heartbeat behind it.
        var tries = 0
        while try !link.send(big) {
            tries += 1
            try #require(tries < 500, "the link never took the message")
            usleep(10_000)
        }
        #expect(tries == 0, "the first send of a large message should be taken, the rest kept for later")
        #expect(try link.send([Data("after".utf8)]))

        var reassembly = WireReassembly()
        var parts = 0, broken: [String] = [], messages: [[Data]] = []
        let deadline = Date().addingTimeInterval(60)
        while messages.count < 2, Date() < deadline {
            try link.flush()
            guard try router.poll(milliseconds: 5) else { continue }
            let frames = Array(try router.receive().dropFirst())  // the router's identity frame
            switch reassembly.accept(frames) {
            case .part: parts += 1
            case .broken(let why): broken.append(why)
            case .message(let whole):
                // A second hello of the connecting loop may arrive late on a loaded machine.
                if whole == [Data("hello".utf8)] { continue }
                if whole.count == 2 { parts += 1 }  // the last part's joined message
                messages.append(whole)
            }
        }
        #expect(broken.isEmpty, "\(broken.prefix(3))")
        #expect(parts == expectedParts, "\(parts) parts for a message of \(expectedParts)")
        try #require(messages.count == 2, "\(messages.count) messages")
        #expect(messages[0] == big, "the large message did not arrive intact")
        #expect(messages[1] == [Data("after".utf8)])

        // An agent that leaves drops what still waits: its goodbye goes as soon as the socket's
        // queue takes it, and no part of the dropped rest follows it.
        let taken = try link.send(big)
        #expect(taken && link.hasBacklog)
        link.discardBacklog()
        #expect(!link.hasBacklog)
        let goodbye = [Data("goodbye".utf8)]
        var goodbyeSent = false, goodbyeArrived = false, partsBefore = 0
        let byeDeadline = Date().addingTimeInterval(30)
        while !goodbyeArrived, Date() < byeDeadline {
            if !goodbyeSent { goodbyeSent = try link.send(goodbye) }
            try link.flush()
            guard try router.poll(milliseconds: 5) else { continue }
            goodbyeArrived = Array(try router.receive().dropFirst()) == goodbye
            if !goodbyeArrived { partsBefore += 1 }
        }
        #expect(goodbyeArrived)
        #expect(partsBefore < expectedParts, "the goodbye waited for the whole result (\(partsBefore) parts)")
        #expect(try !router.poll(milliseconds: 300), "something followed the goodbye")
    }
}
