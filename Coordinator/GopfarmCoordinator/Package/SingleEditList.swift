import Foundation
import GopfarmCommon

/// Rewrites the edit list libavformat's MP4 muxer writes for a track that starts after 0 (an
/// empty edit, then the media edit that takes off the B-frame delay or AAC priming) into the
/// one-entry form every player reads the same way.
///
/// Chromium's MP4 parser (media/formats/mp4/track_run_iterator.cc) honours only the first
/// entry and ignores an empty one, so with two entries it drops the B-frame offset as well
/// and shows the video late by the reorder delay. One entry `media_time = M − E` (E: the empty
/// edit in media ticks, M: the media edit's time) presents every sample where both entries
/// did; when M < E, no entry can, and every fragment's base decode time (tfdt) moves later by
/// E − M instead, with `media_time = 0`. Pure: bytes in, bytes out.
public enum SingleEditList {
    /// The init section with at most one edit, and the ticks (media timescale) to add to
    /// every fragment's tfdt.
    public static func normalize(initSection data: Data) throws(MediaError) -> (initSection: Data, decodeTimeShift: Int64) {
        let unchanged = (data, Int64(0))
        guard let moov = try MP4Boxes.find(["moov"], in: data),
              let mvhd = try MP4Boxes.find(["mvhd"], in: data, range: moov.payload),
              let trak = try MP4Boxes.find(["trak"], in: data, range: moov.payload),
              let edts = try MP4Boxes.find(["edts"], in: data, range: trak.payload),
              let elst = try MP4Boxes.find(["elst"], in: data, range: edts.payload),
              let mdhd = try MP4Boxes.find(["mdia", "mdhd"], in: data, range: trak.payload),
              [moov, trak, edts, elst].allSatisfy({ $0.headerSize == 8 }) else { return unchanged }
        let b = [UInt8](data)
        guard let movieScale = timescale(b, mvhd), let mediaScale = timescale(b, mdhd), movieScale > 0, mediaScale > 0 else { return unchanged }
        let p = elst.payload.lowerBound
        guard elst.payload.count >= 8 else { return unchanged }
        let version = b[p]
        let count = Int(read(b, p + 4, 4))
        let entrySize = version == 1 ? 20 : 12
        guard count == 2, elst.payload.count >= 8 + 2 * entrySize else { return unchanged }
        func entry(_ i: Int) -> (duration: Int64, mediaTime: Int64) {
            let at = p + 8 + i * entrySize
            if version == 1 { return (Int64(bitPattern: read(b, at, 8)), Int64(bitPattern: read(b, at + 8, 8))) }
            return (Int64(read(b, at, 4)), Int64(Int32(bitPattern: UInt32(read(b, at + 4, 4)))))
        }
        let empty = entry(0), media = entry(1)
        guard empty.mediaTime == -1, media.mediaTime >= 0 else { return unchanged }
        let e = (empty.duration * mediaScale + movieScale / 2) / movieScale
        let m = media.mediaTime
        let newTime = m >= e ? m - e : 0
        let shift = m >= e ? 0 : e - m
        let newDuration = media.duration == 0 ? 0 : media.duration + empty.duration
        // The first entry takes the merged values; the second is cut out; the sizes above shrink.
        var out = b
        let first = p + 8
        if version == 1 {
            write(&out, first, 8, UInt64(bitPattern: newDuration))
            write(&out, first + 8, 8, UInt64(bitPattern: newTime))
        } else {
            guard newDuration <= Int64(UInt32.max) else { return unchanged }
            write(&out, first, 4, UInt64(newDuration))
            write(&out, first + 4, 4, UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: newTime))))
        }
        // Rate of the merged entry: the media edit's.
        let rateOffset = version == 1 ? 16 : 8
        for k in 0..<4 { out[first + rateOffset + k] = b[p + 8 + entrySize + rateOffset + k] }
        write(&out, p + 4, 4, 1)
        for box in [moov, trak, edts, elst] { write(&out, box.offset, 4, UInt64(box.size - entrySize)) }
        out.removeSubrange((p + 8 + entrySize)..<(p + 8 + 2 * entrySize))
        return (Data(out), shift)
    }

    /// A media segment (moof + mdat) with its tfdt moved later by `ticks`.
    public static func shiftDecodeTime(segment data: Data, by ticks: Int64) throws(MediaError) -> Data {
        guard ticks != 0 else { return data }
        guard let tfdt = try MP4Boxes.find(["moof", "traf", "tfdt"], in: data), tfdt.payload.count >= 8 else {
            throw MediaError(.muxFailed, "a media segment has no decode time (tfdt) to move")
        }
        var out = [UInt8](data)
        let p = tfdt.payload.lowerBound
        if out[p] == 1, tfdt.payload.count >= 12 {
            write(&out, p + 4, 8, read(out, p + 4, 8) &+ UInt64(ticks))
        } else {
            let moved = read(out, p + 4, 4) + UInt64(ticks)
            guard moved <= UInt64(UInt32.max) else { throw MediaError(.muxFailed, "a media segment's decode time does not fit its tfdt") }
            write(&out, p + 4, 4, moved)
        }
        return Data(out)
    }

    private static func timescale(_ b: [UInt8], _ box: MP4Boxes.Box) -> Int64? {
        let p = box.payload.lowerBound
        guard box.payload.count >= 24 else { return nil }
        return Int64(read(b, p + (b[p] == 1 ? 20 : 12), 4))
    }

    private static func read(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v = v << 8 | UInt64(b[at + i]) }
        return v
    }

    private static func write(_ b: inout [UInt8], _ at: Int, _ n: Int, _ value: UInt64) {
        for i in 0..<n { b[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(n - 1 - i))) }
    }
}
