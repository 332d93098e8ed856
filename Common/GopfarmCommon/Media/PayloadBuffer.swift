import Foundation

/// Memory for segment payloads (tens of MB each). Large buffers come from `mmap` with
/// `MAP_POPULATE`, so the kernel maps all pages in one go instead of taking one page fault per
/// 4 KiB on first write, which was the largest cost of cutting segments.
enum PayloadBuffer {
    static let mmapThreshold = 1 << 20

    static func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        if count >= mmapThreshold {
            let p = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
            if let p, p != MAP_FAILED { return p }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
    }

    static func free(_ p: UnsafeMutableRawPointer, _ count: Int) {
        if count >= mmapThreshold {
            munmap(p, count)
        } else {
            p.deallocate()
        }
    }
}
