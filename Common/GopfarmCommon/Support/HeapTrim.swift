import Foundation

/// Gives freed heap memory back to the system (glibc's `malloc_trim` and `mallopt`, looked up at
/// run time: Swift's Glibc module exports neither). glibc keeps what a process freed for reuse,
/// so a coordinator that stitched and analysed a long title stayed at that peak for good.
public enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32
    private static let trim: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
    private static let option: Option? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt").map { unsafeBitCast($0, to: Option.self) }

    /// Whether memory was released.
    @discardableResult
    public static func now() -> Bool {
        (trim?(0) ?? 0) == 1
    }

    /// Blocks of 128 KiB and more that the heap's free memory cannot hold get pages of their
    /// own, returned when freed, for the rest of the process. By default glibc raises that
    /// threshold to the size of each large block freed (up to 32 MiB), and blocks below it then
    /// come from the heap, where what is freed stays: the indexes libavformat grows over a long input and the payloads of every
    /// segment left a coordinator's resident memory far above what it held (3 hours of input:
    /// 143 MiB while dispatching and a 287 MiB peak, against 96 and 203 with this).
    /// Whether glibc took the setting.
    @discardableResult
    public static func returnLargeBlocks() -> Bool {
        let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>
        return (option?(mmapThreshold, 128 * 1024) ?? 0) == 1
    }
}
