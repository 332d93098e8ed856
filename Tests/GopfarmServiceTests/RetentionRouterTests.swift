import Foundation
import GopfarmAPI
@testable import GopfarmService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TestSupport

/// Retention through the API in process: deleting a job (finished only, its own files), the disk
/// budget refusing uploads and jobs with a 507 sentence, and the disk use in `/v1/coordinator`.
@Suite("Retention through the API")
struct RetentionRouterTests {
    typealias H = APIRouterTests

    @Test("jobs delete: not while it runs (409), another producer's is a 404; a finished one goes with its files")
    func deleteJob() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            let made = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)","settings":{"codec":"libx264"}}"#)
            let id = try #require(made.json()?["id"] as? String)
            let running = try await H.send(client, .delete, "/v1/jobs/\(id)?purge=true", token: h.alice)
            #expect(running.status == 409 && (running.error ?? "").contains("only finished jobs are deleted"), "\(running.text)")
            #expect(try await H.send(client, .delete, "/v1/jobs/\(id)", token: h.alice).status == 200)  // a plain DELETE cancels
            let outputs = h.service.config.outputs.appendingPathComponent(id)
            try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
            try Data(count: 4096).write(to: outputs.appendingPathComponent("clip.mp4"))
            #expect(try await H.send(client, .delete, "/v1/jobs/\(id)?purge=true", token: h.bob).status == 404)
            let deleted = try await H.send(client, .delete, "/v1/jobs/\(id)?purge=true", token: h.alice)
            #expect(deleted.status == 200, "\(deleted.text)")
            #expect(deleted.json()?["job"] as? String == id)
            #expect((deleted.json()?["removedBytes"] as? Int ?? 0) >= 4096)
            #expect(!FileManager.default.fileExists(atPath: outputs.path))
            #expect(try await H.send(client, .get, "/v1/jobs/\(id)", token: h.alice).status == 404)
        }
    }

    @Test("the webhook delivery log: ended deliveries go after --keep-deliveries, due ones stay; a deleted job's webhooks go")
    func webhookLog() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            _ = try await H.send(client, .post, "/v1/webhooks", token: h.alice, json: #"{"url":"http://127.0.0.1:9/alice"}"#)
            let made = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                        json: #"{"input":"\#(h.clip)","settings":{"codec":"libx264"},"webhooks":[{"url":"http://127.0.0.1:9/job"}]}"#)
            let id = try #require(made.json()?["id"] as? String, "\(made.text)")
            #expect(try await H.send(client, .delete, "/v1/jobs/\(id)", token: h.alice).status == 200)
        }
        let store = h.service.store
        #expect(try await store.feedWebhooks() > 0)
        let job = try #require(try await store.webhooks(owner: nil).first { $0.job != nil }?.job)
        let due = try await store.dueDeliveries(limit: 100)
        let delivered = try #require(due.first { $0.url.hasSuffix("/alice") })
        try await store.recordWebhookAttempt(delivered.id, attempt: 1, outcome: .answered(200), seconds: 0.01, decision: .delivered)
        let kept = due.count - 1
        // Within the period nothing goes; past it only the ended delivery does.
        #expect(try await store.pruneWebhookLog(before: Date().addingTimeInterval(-60)) == 0)
        #expect(try await store.pruneWebhookLog(before: Date().addingTimeInterval(60)) == 1)
        #expect(try await store.webhookDeliveries(owner: nil, webhook: nil).count == kept)
        #expect(try await store.dueDeliveries(limit: 100).count == kept, "a delivery still due was removed")
        // Deleting the job takes its own webhook (and that webhook's deliveries) with it.
        #expect(try await store.deleteFinishedJob(job))
        #expect(try await store.webhooks(owner: nil).allSatisfy { $0.url.hasSuffix("/alice") })
        #expect(try await store.dueDeliveries(limit: 100).allSatisfy { !$0.url.hasSuffix("/job") })
    }

    @Test("at the disk budget, uploads and jobs are refused with a 507 sentence; /v1/coordinator shows the use")
    func diskBudget() async throws {
        let dir = TestPaths.scratch("budget")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = ServeConfig(dataDirectory: dir.appendingPathComponent("data"), inputRoots: [try Fixture.h264BFramesMP4.path()])
        config.bind = "tcp://127.0.0.1:0"
        config.insecure = true
        config.retention.diskBudgetBytes = 1 << 20
        let service = try FarmService(config: config, curve: nil, logger: Logger(label: "budget"))
        let token = try await service.store.createToken(name: "p", role: .producer)
        let app = Application(router: APIRouter(service: service).build())
        try await app.test(.router) { client in
            let info = try await H.send(client, .get, "/v1/coordinator", token: token)
            let disk = try #require(try APIJSON.decoder.decode(CoordinatorInfo.self, from: Data(info.text.utf8)).disk, "\(info.text)")
            #expect(disk.budgetBytes == 1 << 20 && disk.databaseBytes > 0 && disk.totalBytes < 1 << 20, "\(disk)")
            // The file system's free space, read when asked.
            let fs = try #require(try? FileManager.default.attributesOfFileSystem(forPath: service.config.dataDirectory.path))
            let size = (fs[.systemSize] as? NSNumber)?.int64Value ?? 0
            #expect(disk.fileSystemBytes == size && (disk.freeBytes ?? 0) > 0 && (disk.freeBytes ?? .max) <= size, "\(disk)")

            let headers: [HTTPField.Name: String] = [.contentType: "application/octet-stream", HTTPField.Name("X-Filename")!: "a.bin"]
            let big = try await H.send(client, .post, "/v1/uploads", token: token, body: Data(count: 1 << 20), headers: headers)
            #expect(big.status == 507, "\(big.text)")
            #expect((big.error ?? "").hasPrefix("the coordinator's data directory is at its disk budget ("), "\(big.text)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: service.config.uploads.path).isEmpty)
            // Filling the directory past the budget: the next measure refuses jobs too.
            try Data(count: 1 << 20).write(to: service.config.outputs.appendingPathComponent("filler"))
            _ = service.disk.measure(service.config)
            let job = try await H.send(client, .post, "/v1/jobs", token: token,
                                       json: #"{"input":"\#(try Fixture.h264BFramesMP4.path())","settings":{"codec":"libx264"}}"#)
            #expect(job.status == 507 && (job.error ?? "").contains("a new job"), "\(job.text)")
            // Space freed since the last measure (a job deleted, a spool gone) counts at once:
            // the check measures again before it refuses.
            try FileManager.default.removeItem(at: service.config.outputs.appendingPathComponent("filler"))
            let again = try await H.send(client, .post, "/v1/jobs", token: token,
                                         json: #"{"input":"\#(try Fixture.h264BFramesMP4.path())","settings":{"codec":"libx264"}}"#)
            #expect(again.status == 201, "\(again.text)")
        }
    }
}
