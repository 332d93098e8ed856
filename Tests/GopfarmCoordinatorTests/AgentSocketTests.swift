import Dispatch
import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

/// The dispatcher's socket never waits for one agent: a segment input larger than the agent's
/// queue (1000 parts of 64 KiB) is sent as far as the queue takes it and the rest as the agent
/// reads, while the loop goes on. Before, the send blocked until that agent had read enough,
/// and the dispatcher answered no other agent meanwhile (seconds for 100 MB on a slow link).
@Suite("Agent socket")
struct AgentSocketTests {
    /// @unchecked Sendable: written before the semaphore is signalled, read after it.
    final class Box<T>: @unchecked Sendable { var value: T?; init() {} }

    @Test("a message larger than an agent's queue does not block the send; it arrives whole, then what followed it")
    func largeMessageDoesNotBlock() throws {
        let context = ZMQContext()
        let socket = try AgentSocket(context: context, bind: "tcp://127.0.0.1:0", security: .insecure,
                                     spillDirectory: FileManager.default.temporaryDirectory.path)
        let agent = try ZMQSocket(context: context, kind: .dealer)
        try agent.connect(socket.endpoint)
        try agent.send([Data("hello".utf8)])
        var identity: Data?
        for _ in 0..<500 where identity == nil {
            if try socket.poll(milliseconds: 10) { identity = try socket.next(at: 0)?.identity }
        }
        let agentID = try #require(identity)

        // 200 MiB while the agent reads nothing: 3200 parts, more than both ends' queues (1000 each) and the
        // loopback's buffers hold.
        var payload = Data(capacity: 200 << 20)
        for n in 0..<200 { payload.append(Data(repeating: UInt8(n), count: 1 << 20)) }
        let big = [Data(#"{"type":"segment"}"#.utf8), payload]
        let done = DispatchSemaphore(value: 0)
        let sent = Box<Bool>()
        // On its own thread: the old blocking send would hold it until the agent reads.
        nonisolated(unsafe) let unsafeSocket = socket
        Thread.detachNewThread {
            sent.value = unsafeSocket.send(big, to: agentID) && unsafeSocket.send([Data("after".utf8)], to: agentID)
            done.signal()
        }
        let returned = done.wait(timeout: .now() + 10) == .success
        try #require(returned, "the send waited for the agent to read")
        #expect(sent.value == true && socket.hasBacklog)

        var reassembly = WireReassembly()
        var messages: [[Data]] = [], broken: [String] = []
        let deadline = Date().addingTimeInterval(60)
        while messages.count < 2, Date() < deadline {
            socket.flush { $0 == agentID }
            guard try agent.poll(milliseconds: 5) else { continue }
            switch reassembly.accept(try agent.receive()) {
            case .part: break
            case .broken(let why): broken.append(why)
            case .message(let whole): messages.append(whole)
            }
        }
        #expect(broken.isEmpty, "\(broken.prefix(3))")
        try #require(messages.count == 2, "\(messages.count) messages")
        #expect(messages[0] == big, "the large message did not arrive intact")
        #expect(messages[1] == [Data("after".utf8)])
        #expect(!socket.hasBacklog)

        // An agent the dispatcher no longer knows loses what waits for it.
        #expect(socket.send(big, to: agentID) && socket.hasBacklog)
        socket.flush { _ in false }
        #expect(!socket.hasBacklog)
    }
}
