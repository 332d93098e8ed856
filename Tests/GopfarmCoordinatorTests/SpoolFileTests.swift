import Foundation
import Testing
@testable import GopfarmCoordinator

/// Two jobs whose segments encode to the same bytes share one spool file. A QA run of 2,800
/// identical jobs lost 10 at the stitch ("cannot read segment 0 from the spool"): the retention
/// sweep removed a finished job's file in the moment a running job's result reused it, before
/// that job's row named it.
@Suite("Spool files")
struct SpoolFileTests {
    @Test("a file a result just reused is not removed by the sweep; one nobody reused is")
    func reusedFilesStay() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gopfarm-spoolfile-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let shared = dir.appendingPathComponent("aa.gfps").path, alone = dir.appendingPathComponent("bb.gfps").path
        try SpoolFile.write(Data([1, 2, 3]), to: shared)
        try SpoolFile.write(Data([4, 5, 6]), to: alone)
        // A second job's result with the same bytes: the file is there, and is reused.
        try SpoolFile.write(Data([1, 2, 3]), to: shared)
        #expect(!SpoolFile.remove(shared), "a reused file was removed")
        #expect(FileManager.default.fileExists(atPath: shared))
        #expect(SpoolFile.remove(alone))
        #expect(!FileManager.default.fileExists(atPath: alone))
        // Removed before the reuse: the result writes the file again.
        #expect(!SpoolFile.remove(alone))
        try SpoolFile.write(Data([4, 5, 6]), to: alone)
        #expect(try Data(contentsOf: URL(fileURLWithPath: alone)) == Data([4, 5, 6]))
    }
}
