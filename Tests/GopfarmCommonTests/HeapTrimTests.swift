import Foundation
import GopfarmCommon
import Testing

/// A coordinator that stitched a long title stayed at its peak memory for good (a QA pass: 83
/// MiB at start, 292 after an 80-minute job, idle): glibc keeps freed heap. The retention sweep
/// now hands it back.
@Suite("Heap trim", .serialized)
struct HeapTrimTests {
    static func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    @Test func freedHeapGoesBackToTheSystem() throws {
        // 128 MiB in 2 KiB blocks, touched; all freed but the last, which pins the heap's top so
        // free() alone cannot shrink it.
        let blocks = (0..<65_536).map { _ -> UnsafeMutableRawPointer in
            let p = malloc(2048)!
            memset(p, 1, 2048)
            return p
        }
        let before = Self.residentKiB()
        for p in blocks.dropLast() { free(p) }
        defer { free(blocks.last!) }
        let freed = Self.residentKiB()
        #expect(HeapTrim.now())
        let trimmed = Self.residentKiB()
        #expect(freed - trimmed > 64 * 1024, "RSS \(before) KiB allocated, \(freed) KiB freed, \(trimmed) KiB trimmed")
    }

    /// glibc's default raises its mmap threshold to each large block freed: after one 4 MiB
    /// block, blocks of 1 MiB came from the heap and stayed in the process when freed.
    @Test func largeBlocksGoBackWhenFreed() throws {
        #expect(HeapTrim.returnLargeBlocks())
        free(malloc(4 << 20))
        var blocks: [UnsafeMutableRawPointer] = []
        var pins: [UnsafeMutableRawPointer] = []
        for _ in 0..<32 {
            let p = malloc(1 << 20)!
            memset(p, 1, 1 << 20)
            blocks.append(p)
            pins.append(malloc(100 << 10)!)  // after each block (too large for the free lists of small blocks), so freeing it cannot just lower the heap's top
        }
        defer { for p in pins { free(p) } }
        let held = Self.residentKiB()
        for p in blocks { free(p) }
        let freed = Self.residentKiB()
        #expect(held - freed > 24 * 1024, "RSS \(held) KiB with 32 MiB held, \(freed) KiB after freeing it")
    }
}
