import Foundation
import GopfarmAPI
import GopfarmCommon
@testable import GopfarmService
import Testing

/// The back-off and give-up rules of webhook deliveries, as plain sequences.
@Suite("Webhook retry policy")
struct WebhookRetryPolicyTests {
    @Test("delays double from the base up to the cap")
    func backOff() {
        let policy = WebhookRetryPolicy(baseSeconds: 1, capSeconds: 30, maxAttempts: 10)
        #expect((1...7).map { policy.delay(afterAttempt: $0) } == [1, 2, 4, 8, 16, 30, 30])
        #expect(WebhookRetryPolicy(baseSeconds: 0.05).delay(afterAttempt: 3) == 0.2)
        // A huge attempt number neither overflows nor passes the cap.
        #expect(policy.delay(afterAttempt: 10_000) == 30)
    }

    @Test("a 2xx delivers; other answers and no answer are tried again")
    func outcomes() {
        let policy = WebhookRetryPolicy(baseSeconds: 1, capSeconds: 60, maxAttempts: 5)
        #expect(policy.decide(attempt: 1, .answered(200)) == .delivered)
        #expect(policy.decide(attempt: 1, .answered(204)) == .delivered)
        #expect(policy.decide(attempt: 1, .answered(500)) == .retry(after: 1))
        #expect(policy.decide(attempt: 2, .answered(500)) == .retry(after: 2))
        #expect(policy.decide(attempt: 3, .answered(302)) == .retry(after: 4))
        #expect(policy.decide(attempt: 1, .failed("connection refused")) == .retry(after: 1))
        #expect(policy.decide(attempt: 4, .answered(429)) == .retry(after: 8))
    }

    @Test("it gives up after the last attempt, or at once on 410 Gone")
    func givesUp() {
        let policy = WebhookRetryPolicy(baseSeconds: 1, capSeconds: 60, maxAttempts: 3)
        #expect(policy.decide(attempt: 3, .answered(503)) == .giveUp("no success after 3 attempts"))
        #expect(policy.decide(attempt: 3, .answered(200)) == .delivered)
        #expect(policy.decide(attempt: 1, .answered(410)) == .giveUp("the receiver answered 410 Gone"))
        // A ping (one attempt) is decided at once.
        #expect(WebhookRetryPolicy(maxAttempts: 1).decide(attempt: 1, .failed("x")) == .giveUp("no success after 1 attempts"))
    }

    /// The webhook pump may read a job's log line after the job moved on: each event's body is
    /// the job as of that event, the same whenever it is read.
    @Test("a job's body is as of its event: a queued job has no start or frame count, a running one no end")
    func bodyAsOfItsEvent() {
        var row = JobStoreTests().job("j1")
        row.state = .done
        row.startedAt = Date(timeIntervalSince1970: 100)
        row.finishedAt = Date(timeIntervalSince1970: 200)
        row.framesTotal = 250
        row.outputFrames = 250
        row.input = "/srv/gopfarm/uploads/af8a99e7e31f4383-outside.mp4"
        row.submission = JobStore.json(JobSubmission(upload: "af8a99e7e31f4383", settings: EncodeSettings()))
        let queued = JobStore.payloadJob(row, event: .jobQueued, state: "queued")
        #expect(queued.startedAt == nil && queued.finishedAt == nil && queued.framesTotal == 0 && queued.frames == nil && queued.output == nil)
        #expect(queued.input == "outside.mp4", "an upload by its name, not the coordinator's path")
        let started = JobStore.payloadJob(row, event: .jobStarted, state: "running")
        #expect(started.startedAt == row.startedAt && started.finishedAt == nil && started.framesTotal == 250 && started.frames == nil)
        let done = JobStore.payloadJob(row, event: .jobDone, state: "done")
        #expect(done.finishedAt == row.finishedAt && done.frames == 250 && done.output == "/v1/jobs/j1/output")
        row.state = .failed
        row.error = "\(row.input): not a video file libavformat can read (Invalid data found when processing input)"
        let failed = JobStore.payloadJob(row, event: .jobFailed, state: "failed")
        #expect(failed.error == "outside.mp4: not a video file libavformat can read (Invalid data found when processing input)")
    }

    @Test("event log lines become the webhook events they are")
    func triggers() {
        #expect(WebhookTrigger.from(kind: "submitted", job: "j1", message: "submitted by alice") == .job("j1", .jobQueued, state: "queued"))
        #expect(WebhookTrigger.from(kind: "state", job: "j1", message: "running") == .job("j1", .jobStarted, state: "running"))
        #expect(WebhookTrigger.from(kind: "state", job: "j1", message: "done") == .job("j1", .jobDone, state: "done"))
        #expect(WebhookTrigger.from(kind: "state", job: "j1", message: "failed: no video: x") == .job("j1", .jobFailed, state: "failed"))
        #expect(WebhookTrigger.from(kind: "state", job: "j1", message: "cancelled") == .job("j1", .jobCancelled, state: "cancelled"))
        #expect(WebhookTrigger.from(kind: "state", job: "j1", message: "planning") == nil)
        #expect(WebhookTrigger.from(kind: "state", job: "j1", message: "stitching") == nil)
        #expect(WebhookTrigger.from(kind: "agent", job: nil, message: "a1 gone: no heartbeat for 4 s") == .agentLost(name: "a1", reason: "no heartbeat for 4 s"))
        #expect(WebhookTrigger.from(kind: "agent", job: nil, message: "a1 gone: key revoked") == .agentLost(name: "a1", reason: "key revoked"))
        // Stopped by its operator (it said goodbye), or reconnected: not lost.
        #expect(WebhookTrigger.from(kind: "agent", job: nil, message: "a1 gone: left") == nil)
        #expect(WebhookTrigger.from(kind: "agent", job: nil, message: "a1 gone: said hello again") == nil)
        #expect(WebhookTrigger.from(kind: "agent", job: nil, message: "a1 joined") == nil)
        #expect(WebhookTrigger.from(kind: "agent", job: nil, message: "a1 drained") == nil)
        #expect(WebhookTrigger.from(kind: "requeued", job: "j1", message: "segment 3: agent lost") == nil)
    }
}
