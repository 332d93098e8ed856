import Foundation
import GopfarmAPI
import GopfarmCommon
@testable import GopfarmService
import Testing

/// What retention removes, decided from rows and file ages alone.
@Suite("Retention plan")
struct RetentionPlanTests {
    typealias Job = RetentionPlan.Job
    let now = Date(timeIntervalSince1970: 1_000_000)
    var policy: RetentionPolicy {
        var p = RetentionPolicy()
        p.keepFailedSeconds = 100
        p.keepUploadsSeconds = 50
        p.orphanSeconds = 30
        return p
    }

    func file(_ name: String, age: Double = 1000) -> RetentionPlan.File { .init(name: name, modified: now.addingTimeInterval(-age)) }

    func plan(_ jobs: [Job], uploads: [RetentionPlan.Upload] = [], spool: [RetentionPlan.File], uploadFiles: [RetentionPlan.File] = []) -> RetentionPlan {
        RetentionPlan(jobs: jobs, uploads: uploads, spool: spool, uploadFiles: uploadFiles, policy: policy, now: now,
                      orphansBefore: now.addingTimeInterval(-policy.orphanSeconds))
    }

    @Test func aDoneJobsSpoolGoesAtOnceARunningJobsStays() {
        let jobs = [Job(id: "done", state: .done, finishedAt: now, input: "/a", spoolFiles: ["d.gfps", "d.gfa", "shared.gfps"]),
                    Job(id: "run", state: .running, finishedAt: nil, input: "/b", spoolFiles: ["r.gfps", "shared.gfps"])]
        let p = plan(jobs, spool: ["d.gfps", "d.gfa", "shared.gfps", "r.gfps"].map { file($0, age: 1) })
        #expect(Set(p.spoolToRemove) == ["d.gfps", "d.gfa"])
    }

    @Test func aJobThatFailedForAFullDiskLeavesItsSpoolAtOnce() {
        var full = Job(id: "f", state: .failed, finishedAt: now, input: "/a",
                       error: DiskFull.jobError(noRoomFor: "the output", in: "/data/outputs/f"), spoolFiles: ["f.gfps"])
        #expect(plan([full], spool: [file("f.gfps")]).spoolToRemove == ["f.gfps"])
        // Any other failure keeps it for the post-mortem.
        full.error = "stitching failed: the segments do not join"
        #expect(plan([full], spool: [file("f.gfps")]).spoolToRemove.isEmpty)
    }

    @Test func aFailedJobsSpoolIsKeptForThePostMortemThenGoes() {
        let failed = Job(id: "f", state: .failed, finishedAt: now.addingTimeInterval(-99), input: "/a", spoolFiles: ["f.gfps"])
        #expect(plan([failed], spool: [file("f.gfps")]).spoolToRemove.isEmpty)
        var old = failed
        old.finishedAt = now.addingTimeInterval(-100)
        old.state = .cancelled
        #expect(plan([old], spool: [file("f.gfps")]).spoolToRemove == ["f.gfps"])
    }

    @Test func filesNoRowNamesGoOnlyOnceOld() {
        let p = plan([], spool: [file("young.gfps", age: 29), file("old.gfps", age: 31), file("old.gfps.partial", age: 31)])
        #expect(Set(p.spoolToRemove) == ["old.gfps", "old.gfps.partial"])
    }

    @Test func anUploadGoesAfterItsLastJobEndedAndTheKeepPeriodPassed() {
        let upload = RetentionPlan.Upload(id: "u", path: "/data/uploads/u-x.mp4", createdAt: now.addingTimeInterval(-1000))
        let running = Job(id: "1", state: .running, finishedAt: nil, input: upload.path, spoolFiles: [])
        let recent = Job(id: "2", state: .done, finishedAt: now.addingTimeInterval(-49), input: upload.path, spoolFiles: [])
        let ended = Job(id: "3", state: .failed, finishedAt: now.addingTimeInterval(-51), input: upload.path, spoolFiles: [])
        #expect(plan([ended, running], uploads: [upload], spool: []).uploadsToRemove.isEmpty)
        #expect(plan([ended, recent], uploads: [upload], spool: []).uploadsToRemove.isEmpty)
        #expect(plan([ended], uploads: [upload], spool: []).uploadsToRemove == [upload])
        // Never used: its keep period runs from the upload.
        var fresh = upload
        fresh.createdAt = now.addingTimeInterval(-10)
        #expect(plan([], uploads: [fresh], spool: []).uploadsToRemove.isEmpty)
        #expect(plan([], uploads: [upload], spool: []).uploadsToRemove == [upload])
    }

    @Test func uploadFilesNoRowNamesAreStrays() {
        let upload = RetentionPlan.Upload(id: "u", path: "/data/uploads/u-x.mp4", createdAt: now)
        let p = plan([], uploads: [upload], spool: [], uploadFiles: [file("u-x.mp4"), file("v-y.mp4.partial"), file("w-z.mp4", age: 1)])
        #expect(p.strayUploads == ["v-y.mp4.partial"])
    }
}
