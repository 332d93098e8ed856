import Foundation

/// Gives freed heap memory back to the system (glibc's `malloc_trim`, looked up at run time:
/// Swift's Glibc module does not export it). glibc keeps what a process freed for reuse, so a
/// coordinator that stitched and analysed a long title stayed at that peak for good.
public enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    /// Whether memory was released.
    @discardableResult
    public static func now() -> Bool {
        (trim?(0) ?? 0) == 1
    }
}
