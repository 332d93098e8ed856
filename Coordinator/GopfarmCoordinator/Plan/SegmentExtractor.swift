import Foundation
import GopfarmCommon

/// Stream-copies the packets of a planned segment out of the source into a `PacketStream`,
/// lazily, when an agent asks for work: the coordinator holds only in-flight segments.
///
/// Reads sequentially when segments are asked for in order (the common case) and seeks
/// otherwise; every packet read is checked against the probe's index, so a demuxer that lands
/// somewhere else after a seek is caught and the file re-read from the start.
public final class SegmentExtractor {
    /// The demuxer, opened at the first segment that is not a plain byte range: an MP4's holds
    /// its whole sample table (an hour of 30 fps video with AAC: some 10 MB), which a job cut by
    /// byte ranges never reads.
    private var opened: InputContainer?
    private let path: String
    private let stream: Int
    private let index: VideoPacketIndex
    /// Codec parameters and time base, encoded once for every payload.
    private let header: PacketStreamHeaderTemplate
    /// Index of the packet held in `pending` (read but not yet used), or nil.
    private var pendingIndex: Int?
    private let pending = Packet()
    /// Set when every packet is a plain byte range of the file (MP4/MOV, checked by the probe).
    private let raw: RawFile?
    private let packet = Packet()

    public init(path: String, probe: MediaProbe) throws(MediaError) {
        self.path = path
        raw = probe.index.directlyReadable ? RawFile(path: path) : nil
        if raw == nil { opened = try InputContainer(path: path) }
        stream = probe.info.videoStream
        index = probe.index
        header = PacketStreamHeaderTemplate(parameters: probe.videoParameters, timeBase: probe.videoTimeBase)
    }

    public func extract(_ segment: PlannedSegment) throws(MediaError) -> Data {
        if let raw { return try extractDirectly(segment, from: raw) }
        let bytes = index.records[segment.primingPacket..<segment.endPacket].reduce(0) {
            $0 + Int($1.size) + PacketStreamWriter.recordOverhead
        }
        var writer = PacketStreamWriter(reservingCapacity: bytes)
        var next = segment.primingPacket
        if pendingIndex != segment.primingPacket {
            try position(at: segment.primingPacket)
        }
        // `pending` now holds packet `primingPacket`.
        retime(pending, segment.primingPacket)
        writer.append(pending)
        next += 1
        pendingIndex = nil
        while next < segment.endPacket {
            guard try readVideo(into: pending) else {
                throw MediaError(.demuxFailed, "the file ended before packet \(next) of \(index.count); was it changed while the job ran?", path: path)
            }
            guard matches(pending, next) else {
                throw MediaError(.demuxFailed, "packet \(next) differs from the index; was the file changed while the job ran?", path: path)
            }
            retime(pending, next)
            writer.append(pending)
            next += 1
        }
        if next < index.count, try readVideo(into: pending), matches(pending, next) { pendingIndex = next }
        return try writer.finish(header: header)
    }

    /// The fast path: each packet read with `pread` straight into the payload buffer.
    private func extractDirectly(_ segment: PlannedSegment, from file: RawFile) throws(MediaError) -> Data {
        let records = index.records[segment.primingPacket..<segment.endPacket]
        let layout = records.map {
            PacketStreamWriter.RecordLayout(pts: $0.pts, dts: $0.dts, duration: $0.duration, flags: $0.packetFlags, size: Int($0.size))
        }
        return try PacketStreamWriter.assemble(header: header, records: layout) { (i, destination) throws(MediaError) in
            let r = records[records.startIndex + i]
            try file.read(into: destination, count: Int(r.size), at: r.position)
        }
    }

    /// Leaves packet `target` in `pending`: seek near it, then read forward; re-read from the
    /// start when the seek landed past it.
    private func position(at target: Int) throws(MediaError) {
        let r = index.records[target]
        let ts = r.dts != noPTS ? r.dts : r.pts
        if target > 0 {
            try? input().seek(stream: stream, to: ts)
            if try scan(to: target) { return }
        }
        opened = try InputContainer(path: path)  // from the first byte: slower, always right
        if try scan(to: target) { return }
        throw MediaError(.demuxFailed, "cannot find video packet \(target) again in the file", path: path)
    }

    private func scan(to target: Int) throws(MediaError) -> Bool {
        let want = index.records[target]
        while try readVideo(into: pending) {
            if matches(pending, target) {
                pendingIndex = target
                return true
            }
            if want.position >= 0, pending.position > want.position { return false }
        }
        return false
    }

    private func input() throws(MediaError) -> InputContainer {
        if let opened { return opened }
        let input = try InputContainer(path: path)
        opened = input
        return input
    }

    private func readVideo(into p: Packet) throws(MediaError) -> Bool {
        let input = try input()
        while try input.read(into: p) {
            if p.streamIndex == stream { return true }
        }
        return false
    }

    /// The index's timing, which the probe completed (a field pair's first field lasts the
    /// whole frame; a missing pts is filled from the dts).
    private func retime(_ p: Packet, _ i: Int) {
        let r = index.records[i]
        p.setTiming(pts: r.pts, dts: r.dts, duration: r.duration)
    }

    private func matches(_ p: Packet, _ i: Int) -> Bool {
        let r = index.records[i]
        // An ASF packet holds several frames, all at its position: two of one size there were
        // taken for each other (QA: WMV key frames 25 and 26), so the decode time decides too.
        let sameDecodeTime = r.dts == noPTS || p.dts == noPTS || r.dts == p.dts
        if r.position >= 0, p.position >= 0 { return r.position == p.position && r.size == Int32(p.size) && sameDecodeTime }
        // The index's pts may be one the probe filled in (`PresentationTimeFill`).
        return (p.pts == noPTS || r.pts == p.pts) && r.dts == p.dts && r.size == Int32(p.size)
    }
}
