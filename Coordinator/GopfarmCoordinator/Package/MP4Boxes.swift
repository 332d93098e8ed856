import Foundation
import GopfarmCommon

/// Reads ISO BMFF (MP4) box headers: enough to cut a fragmented MP4 into its CMAF init
/// section and media segments, and to find a sample entry's codec configuration. Pure: it
/// works on bytes it is given and never reads past them.
public enum MP4Boxes {
    /// One box: its four-character type and where it lies (header included) in the bytes or
    /// file it was read from.
    public struct Box: Equatable, Sendable {
        public var type: String
        public var offset: Int
        public var size: Int
        public var headerSize: Int

        public var end: Int { offset + size }
        public var payload: Range<Int> { (offset + headerSize)..<end }
    }

    /// How a fragmented MP4 splits into CMAF parts: the init section (ftyp + moov) and one
    /// media segment per fragment (moof + mdat), as byte ranges of the file.
    public struct FragmentLayout: Equatable, Sendable {
        public var initSection: Range<Int>
        public var segments: [Range<Int>]
    }

    /// The header of the box at `offset`, given at least 16 bytes from there (fewer at the end
    /// of the data); `limit` is where the enclosing data ends.
    public static func header(_ bytes: Data, at offset: Int, limit: Int) throws(MediaError) -> Box {
        let base = bytes.startIndex
        guard bytes.count >= 8 else { throw MediaError(.muxFailed, "an MP4 box header at byte \(offset) is cut short") }
        let size32 = bytes.bigEndian(UInt32.self, at: base)
        let type = String(decoding: bytes[(base + 4)..<(base + 8)], as: UTF8.self)
        var size = Int(size32), headerSize = 8
        if size32 == 1 {
            guard bytes.count >= 16 else { throw MediaError(.muxFailed, "an MP4 box header at byte \(offset) is cut short") }
            let large = bytes.bigEndian(UInt64.self, at: base + 8)
            guard large <= UInt64(Int.max) else { throw MediaError(.muxFailed, "the MP4 box '\(type)' at byte \(offset) is too large") }
            size = Int(large)
            headerSize = 16
        } else if size32 == 0 {
            size = limit - offset
        }
        guard size >= headerSize, offset + size <= limit else {
            throw MediaError(.muxFailed, "the MP4 box '\(type)' at byte \(offset) claims \(size) bytes, past the end of its data")
        }
        return Box(type: type, offset: offset, size: size, headerSize: headerSize)
    }

    /// The boxes directly inside `range` of `data` (offsets relative to `data.startIndex`).
    public static func children(of data: Data, in range: Range<Int>) throws(MediaError) -> [Box] {
        var boxes: [Box] = []
        var offset = range.lowerBound
        while offset < range.upperBound {
            let start = data.startIndex + offset
            let head = data[start..<min(start + 16, data.startIndex + range.upperBound)]
            let box = try header(head, at: offset, limit: range.upperBound)
            boxes.append(box)
            offset = box.end
        }
        return boxes
    }

    /// The first box along `path` (e.g. ["moov", "trak", "mdia"]) inside `range`.
    public static func find(_ path: [String], in data: Data, range: Range<Int>? = nil) throws(MediaError) -> Box? {
        var current = range ?? 0..<data.count
        var found: Box?
        for type in path {
            guard let box = try children(of: data, in: current).first(where: { $0.type == type }) else { return nil }
            found = box
            current = box.payload
        }
        return found
    }

    /// Cuts the top-level boxes of a fragmented MP4 into the init section (everything before
    /// the first moof) and one segment per moof with the mdat (and any other boxes) after it.
    /// Trailing index boxes (mfra) belong to no segment and are left out.
    public static func fragmentLayout(_ boxes: [Box]) throws(MediaError) -> FragmentLayout {
        guard let firstMoof = boxes.firstIndex(where: { $0.type == "moof" }) else {
            throw MediaError(.muxFailed, "the fragmented MP4 has no fragment (moof)")
        }
        let head = boxes[..<firstMoof]
        guard head.contains(where: { $0.type == "moov" }) else {
            throw MediaError(.muxFailed, "the fragmented MP4 has no moov before its first fragment")
        }
        var segments: [Range<Int>] = []
        var start: Int?
        var end = 0
        for box in boxes[firstMoof...] {
            if box.type == "mfra" { break }
            if box.type == "moof" {
                if let s = start { segments.append(s..<end) }
                start = box.offset
            }
            end = box.end
        }
        if let s = start { segments.append(s..<end) }
        for segment in segments {
            let inside = boxes.filter { $0.offset >= segment.lowerBound && $0.end <= segment.upperBound }
            guard inside.contains(where: { $0.type == "mdat" }) else {
                throw MediaError(.muxFailed, "a fragment of the MP4 at byte \(segment.lowerBound) has no mdat")
            }
        }
        return FragmentLayout(initSection: (head.first?.offset ?? 0)..<(head.last?.end ?? 0), segments: segments)
    }
}

extension Data {
    /// A big-endian integer at absolute index `index` (the caller has checked the bounds).
    func bigEndian<T: FixedWidthInteger>(_: T.Type, at index: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value = value << 8 | T(self[index + i]) }
        return value
    }
}
