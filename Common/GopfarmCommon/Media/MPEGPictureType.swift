import CFFmpeg

/// The picture coding type of an MPEG-1/2 picture or MPEG-4 Part 2 VOP, read from its header.
///
/// Containers without presentation times (AVI) or with gaps in them (MPEG program streams) leave
/// the order in which these decoders show frames to the picture type: a B picture is shown at
/// once, a reference picture when the next reference picture arrives.
public enum MPEGPictureType {
    /// The codecs whose decoders reorder by picture type alone (one picture of delay).
    public static func reads(_ codecID: UInt32) -> Bool {
        codecID == AV_CODEC_ID_MPEG1VIDEO.rawValue || codecID == AV_CODEC_ID_MPEG2VIDEO.rawValue
            || codecID == AV_CODEC_ID_MPEG4.rawValue
    }

    /// True for a B picture (B-VOP), false for any other picture, nil when the packet holds no
    /// picture header this reader knows.
    public static func isBidirectional(_ data: UnsafeRawBufferPointer, codecID: UInt32) -> Bool? {
        let mpeg4 = codecID == AV_CODEC_ID_MPEG4.rawValue
        // MPEG-1/2: picture_start_code 00 00 01 00, temporal_reference (10 bits), then
        // picture_coding_type (3 bits, 3 = B). MPEG-4: vop_start_code 00 00 01 B6, then
        // vop_coding_type (2 bits, 2 = B).
        let code: UInt8 = mpeg4 ? 0xB6 : 0x00
        var bidirectional: Bool?
        MPEGStartCodes.forEach(in: data) { at, found in
            guard found == code, at + 5 < data.count else { return true }
            bidirectional = mpeg4 ? data[at + 4] >> 6 == 2 : (data[at + 5] >> 3) & 7 == 3
            return false
        }
        return bidirectional
    }
}
