import CFFmpeg

/// Owns one `AVPacket`. The pointer never escapes except through `withPointer`-style access by
/// the media types of this module, which are the only ones that call libav.
public final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    public init() {
        guard let p = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
        pointer = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&p)
    }

    public var streamIndex: Int { Int(pointer.pointee.stream_index) }
    public var pts: Int64 { pointer.pointee.pts }
    public var dts: Int64 { pointer.pointee.dts }
    public var duration: Int64 { pointer.pointee.duration }
    public var position: Int64 { pointer.pointee.pos }
    public var flags: Int32 { pointer.pointee.flags }
    public var size: Int { Int(pointer.pointee.size) }
    public var isKey: Bool { flags & gf_AV_PKT_FLAG_KEY() != 0 }
    public var isDiscard: Bool { flags & gf_AV_PKT_FLAG_DISCARD() != 0 }
    public var isCorrupt: Bool { flags & gf_AV_PKT_FLAG_CORRUPT() != 0 }

    public var bytes: UnsafeRawBufferPointer {
        guard let data = pointer.pointee.data, pointer.pointee.size > 0 else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: data, count: Int(pointer.pointee.size))
    }

    /// The Matroska BlockAdditional the packet carries, if any: an 8-byte big-endian id, then
    /// its data. libvpx's VP9 keeps transparency there, as a second VP9 frame beside this one.
    public var blockAdditional: UnsafeRawBufferPointer? {
        var size = 0
        guard let data = av_packet_get_side_data(pointer, AV_PKT_DATA_MATROSKA_BLOCKADDITIONAL, &size), size > 0 else { return nil }
        return UnsafeRawBufferPointer(start: data, count: size)
    }

    /// Codec configuration that changes from this packet on (a bitstream filter's first output:
    /// `aac_adtstoasc` gives the AudioSpecificConfig here), if any.
    public var newExtradata: UnsafeRawBufferPointer? {
        var size = 0
        guard let data = av_packet_get_side_data(pointer, AV_PKT_DATA_NEW_EXTRADATA, &size), size > 0 else { return nil }
        return UnsafeRawBufferPointer(start: data, count: size)
    }

    public func unref() { av_packet_unref(pointer) }

    /// A new packet sharing this one's data (reference counted) with the same properties.
    public func clone() -> Packet {
        let copy = Packet()
        guard av_packet_ref(copy.pointer, pointer) >= 0 else { fatalError("av_packet_ref: out of memory") }
        return copy
    }

    /// Replaces the content with a copy of `data` and the given timing.
    public func fill(data: UnsafeRawBufferPointer, pts: Int64, dts: Int64, duration: Int64,
                     flags: Int32, streamIndex: Int = 0, blockAdditional: UnsafeRawBufferPointer? = nil) throws(MediaError) {
        av_packet_unref(pointer)
        try avCheck(av_new_packet(pointer, Int32(data.count)), .invalidPayload, "cannot allocate a packet")
        if data.count > 0, let dst = pointer.pointee.data, let src = data.baseAddress {
            dst.update(from: src.assumingMemoryBound(to: UInt8.self), count: data.count)
        }
        if let blockAdditional, blockAdditional.count > 0, let src = blockAdditional.baseAddress {
            guard let dst = av_packet_new_side_data(pointer, AV_PKT_DATA_MATROSKA_BLOCKADDITIONAL, blockAdditional.count) else {
                throw MediaError(.invalidPayload, "cannot allocate a packet's side data")
            }
            dst.update(from: src.assumingMemoryBound(to: UInt8.self), count: blockAdditional.count)
        }
        pointer.pointee.pts = pts
        pointer.pointee.dts = dts
        pointer.pointee.duration = duration
        pointer.pointee.flags = flags
        pointer.pointee.stream_index = Int32(streamIndex)
    }

    public func setTiming(pts: Int64, dts: Int64, duration: Int64) {
        pointer.pointee.pts = pts
        pointer.pointee.dts = dts
        pointer.pointee.duration = duration
    }

    public func setStreamIndex(_ index: Int) { pointer.pointee.stream_index = Int32(index) }

    public func rescaleTimestamps(from: Rational, to: Rational) {
        av_packet_rescale_ts(pointer, from.av, to.av)
    }
}
