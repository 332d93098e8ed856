import Foundation
import GopfarmCommon
import Testing

/// Every wire message survives encode → decode unchanged, and malformed frames are errors.
@Suite("Wire protocol")
struct WireRoundTripTests {
    func roundTrip<M: WireMessage & Equatable>(_ message: M, payloads: [Data] = []) throws {
        let frames = message.frames(payloads: payloads)
        let parsed = try WireFrames(frames)
        #expect(parsed.type == M.type)
        #expect(parsed.version == WireProtocol.version)
        #expect(parsed.payloads == payloads)
        #expect(try parsed.decode(M.self) == message)
    }

    @Test func allMessages() throws {
        try roundTrip(AgentHello(name: "render-07", slots: 2, threads: 4, cores: 8, agentVersion: "0.1.0", encoders: ["libx264"], pid: 42))
        try roundTrip(AgentWelcome(accepted: false, reason: "nope", heartbeatMilliseconds: 1000))
        try roundTrip(SegmentRequest(slots: 3))
        try roundTrip(SegmentAssignment(job: "j", segment: 4, attempt: 2, startPTS: -1024, endPTS: nil, expectedFrames: 250,
                                        settings: EncodeSettings(codec: "libx265", crf: 26, preset: "slow", scale: ScaleSpec(width: -2, height: 720)),
                                        frameRate: Rational(30000, 1001), payloadSHA256: "ab", leaseMilliseconds: 30000),
                      payloads: [Data([1, 2, 3])])
        try roundTrip(AgentHeartbeat(inProgress: [.init(job: "j", segment: 1, attempt: 1, frames: 17),
                                                  .init(job: "j", segment: 2, attempt: 1, frames: 0, queued: true)], receiving: 65_536))
        try roundTrip(SegmentRevoke(job: "j", segment: 2, attempt: 1))
        try roundTrip(HeartbeatAck())
        try roundTrip(SegmentResult(job: "j", segment: 1, attempt: 1, frames: 10, firstPTS: 0, lastPTS: 9, reorderDepth: 2,
                                    corruptFrames: [3], payloadSHA256: "cd", payloadBytes: 5, decodeSeconds: 0.1, encodeSeconds: 0.2, requestSlots: 1),
                      payloads: [Data([9, 9, 9, 9, 9])])
        try roundTrip(SegmentFailure(job: "j", segment: 1, attempt: 1, message: "bad", permanent: true))
        try roundTrip(SegmentFailure(job: "j", segment: 1, attempt: 1, message: "bad", permanent: false, code: "decodeFailed"))
        try roundTrip(AgentGoodbye(reason: "bye"))
    }

    @Test func malformedFramesAreErrors() throws {
        #expect(throws: WireError.self) { try WireFrames([]) }
        #expect(throws: WireError.self) { try WireFrames([Data("not json".utf8)]) }
        #expect(throws: WireError.self) { try WireFrames([Data(#"{"v":1}"#.utf8)]) }
        let hello = try WireFrames(SegmentRequest(slots: 1).frames())
        #expect(throws: WireError.self) { try hello.decode(AgentHello.self) }
        let wrongBody = try WireFrames([Data(#"{"v":1,"type":"request","body":{"slots":"many"}}"#.utf8)])
        #expect(throws: WireError.self) { try wrongBody.decode(SegmentRequest.self) }
    }

    /// A failure from an agent that predates `code` still reads (as a failure without a code), and
    /// a code this build does not know is kept as text instead of making the message unreadable.
    @Test func failureCodeIsOptionalBothWays() throws {
        let old = try WireFrames([Data(#"{"v":1,"type":"failure","body":{"job":"j","segment":2,"attempt":3,"message":"m","permanent":false}}"#.utf8)])
        #expect(try old.decode(SegmentFailure.self) == SegmentFailure(job: "j", segment: 2, attempt: 3, message: "m", permanent: false))
        let newer = try WireFrames([Data(#"{"v":1,"type":"failure","body":{"job":"j","segment":2,"attempt":3,"message":"m","permanent":false,"code":"fromTheFuture"}}"#.utf8)])
        #expect(try newer.decode(SegmentFailure.self).code == "fromTheFuture")
    }

    @Test func sha256MatchesKnownVector() {
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
