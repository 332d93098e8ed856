/// Reads just enough of H.264's parameter sets and slice headers to tell what a packet's picture
/// is: a frame, or the top or bottom field of a field pair (PAFF), and its `frame_num`.
///
/// Field coding is signalled per slice (`field_pic_flag`), and only when the sequence parameter
/// set allows it (`frame_mbs_only_flag` = 0), so the reader keeps the SPS and PPS it has seen
/// (from the extradata and in-band) by id. Syntax: ITU-T H.264 7.3.2.1.1, 7.3.2.2, 7.3.3.
struct H264SyntaxReader: Sendable {
    struct SequenceParameters: Sendable {
        var separateColourPlanes = false
        var log2MaxFrameNum = 4
        var frameMBsOnly = true
    }

    enum Structure: Sendable, Equatable { case frame, top, bottom }

    struct Slice: Sendable, Equatable {
        var structure: Structure
        var frameNum: Int
        var isIntra: Bool
    }

    private var sequences: [Int: SequenceParameters] = [:]
    /// PPS id → SPS id.
    private var pictures: [Int: Int] = [:]

    /// Learns the parameter sets in `extradata` (avcC or Annex B).
    mutating func learn(extradata: [UInt8]) {
        if extradata.count >= 7, extradata[0] == 1 {
            var remaining = Int(extradata[5] & 0x1F)  // SPS count; the PPS count follows the SPSs
            var offset = 6
            var pass = 0
            while pass < 2 {
                for _ in 0..<remaining {
                    guard offset + 2 <= extradata.count else { return }
                    let length = Int(extradata[offset]) << 8 | Int(extradata[offset + 1])
                    offset += 2
                    guard offset + length <= extradata.count else { return }
                    extradata[offset..<(offset + length)].withUnsafeBytes { readParameterSet($0) }
                    offset += length
                }
                pass += 1
                guard pass < 2, offset < extradata.count else { return }
                remaining = Int(extradata[offset])
                offset += 1
            }
        } else {
            extradata.withUnsafeBytes { bytes in
                NALUnits.forEach(in: bytes, lengthSize: nil) { readParameterSet($0); return true }
            }
        }
    }

    /// Reads a parameter set NAL (type 7 or 8); ignores anything else.
    mutating func readParameterSet(_ nal: UnsafeRawBufferPointer) {
        guard nal.count > 1 else { return }
        switch nal[0] & 0x1F {
        case 7: readSPS(nal)
        case 8: readPPS(nal)
        default: break
        }
    }

    /// The first slice header of a coded picture, or nil when its parameter sets are unknown.
    func slice(_ nal: UnsafeRawBufferPointer) -> Slice? {
        let rbsp = NALUnits.rbsp(nal, limit: 48)
        return rbsp.withUnsafeBytes { bytes -> Slice? in
            var r = BitReader(UnsafeRawBufferPointer(rebasing: bytes[1...]))
            guard r.readUE() != nil, let sliceType = r.readUE(), let ppsID = r.readUE(),
                  let spsID = pictures[ppsID], let sps = sequences[spsID] else { return nil }
            if sps.separateColourPlanes { _ = r.readBits(2) }
            guard let frameNum = r.readBits(sps.log2MaxFrameNum) else { return nil }
            var structure = Structure.frame
            if !sps.frameMBsOnly, let field = r.readBit(), field == 1 {
                guard let bottom = r.readBit() else { return nil }
                structure = bottom == 1 ? .bottom : .top
            }
            return Slice(structure: structure, frameNum: frameNum, isIntra: sliceType % 5 == 2 || sliceType % 5 == 4)
        }
    }

    private mutating func readSPS(_ nal: UnsafeRawBufferPointer) {
        let rbsp = NALUnits.rbsp(nal, limit: 512)
        rbsp.withUnsafeBytes { bytes in
            guard bytes.count > 4 else { return }
            let profile = Int(bytes[1])
            var r = BitReader(UnsafeRawBufferPointer(rebasing: bytes[4...]))
            guard let id = r.readUE(), id < 32 else { return }
            var sps = SequenceParameters()
            if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
                guard let chroma = r.readUE() else { return }
                if chroma == 3 { sps.separateColourPlanes = r.readBit() == 1 }
                _ = r.readUE()  // bit_depth_luma_minus8
                _ = r.readUE()  // bit_depth_chroma_minus8
                _ = r.readBit()  // qpprime_y_zero_transform_bypass_flag
                if r.readBit() == 1 {  // seq_scaling_matrix_present_flag
                    for i in 0..<(chroma == 3 ? 12 : 8) where r.readBit() == 1 {
                        guard Self.skipScalingList(&r, size: i < 6 ? 16 : 64) else { return }
                    }
                }
            }
            guard let log2MaxFrameNum = r.readUE(), log2MaxFrameNum <= 12 else { return }
            sps.log2MaxFrameNum = log2MaxFrameNum + 4
            guard let pocType = r.readUE() else { return }
            if pocType == 0 {
                _ = r.readUE()
            } else if pocType == 1 {
                _ = r.readBit()
                _ = r.readUE()  // offset_for_non_ref_pic (se, same length)
                _ = r.readUE()  // offset_for_top_to_bottom_field
                guard let cycle = r.readUE(), cycle <= 255 else { return }
                for _ in 0..<cycle { _ = r.readUE() }
            }
            _ = r.readUE()  // max_num_ref_frames
            _ = r.readBit()  // gaps_in_frame_num_value_allowed_flag
            _ = r.readUE()  // pic_width_in_mbs_minus1
            _ = r.readUE()  // pic_height_in_map_units_minus1
            guard let frameMBsOnly = r.readBit() else { return }
            sps.frameMBsOnly = frameMBsOnly == 1
            sequences[id] = sps
        }
    }

    private mutating func readPPS(_ nal: UnsafeRawBufferPointer) {
        let rbsp = NALUnits.rbsp(nal, limit: 16)
        rbsp.withUnsafeBytes { bytes in
            var r = BitReader(UnsafeRawBufferPointer(rebasing: bytes[1...]))
            guard let id = r.readUE(), id < 256, let sps = r.readUE(), sps < 32 else { return }
            pictures[id] = sps
        }
    }

    private static func skipScalingList(_ r: inout BitReader, size: Int) -> Bool {
        var last = 8, next = 8
        for _ in 0..<size {
            if next != 0 {
                guard let delta = r.readSE() else { return false }
                next = (last + delta + 256) % 256
            }
            if next != 0 { last = next }
        }
        return true
    }
}
