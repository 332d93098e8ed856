import CFFmpeg

/// Presentation times for the packets a container gives only a decoding time (AVI has none,
/// an MPEG program stream leaves some out), equal to the ones FFmpeg's decoder gives those
/// frames: its best-effort timestamp, the decoding time of the packet that brings the frame out.
public enum PresentationTimeFill {
    /// Without reordering a frame comes out with its own packet. With the one picture of delay of
    /// MPEG-1/2/4 (`MPEGPictureType`, `reorderDelay` 1), a B picture comes out at once and a reference picture when
    /// the next reference picture is decoded (the last one at the end, a frame later).
    /// `bidirectional` holds the packets without a pts that carry a B picture; a packet with one
    /// is a reference picture when its pts is not its dts (a B picture is shown as it is decoded).
    /// Other codecs' packets take their dts (right without reordering; H.264 with B-frames in AVI
    /// comes out shifted, and the planner then finds its timestamps damaged).
    public static func fill(_ index: inout VideoPacketIndex, reorderDelay: Int32, bidirectional: Set<Int>) {
        var records = index.records
        guard records.contains(where: { $0.pts == noPTS && $0.dts != noPTS }) else { return }
        guard reorderDelay > 0 else {
            for i in records.indices where records[i].pts == noPTS { records[i].pts = records[i].dts }
            index.records = records
            return
        }
        let last = records.last { $0.dts != noPTS }
        var nextReference: Int64?
        for i in records.indices.reversed() where records[i].dts != noPTS {
            let r = records[i]
            let isReference = r.pts == noPTS ? !bidirectional.contains(i) : r.pts != r.dts
            if r.pts == noPTS {
                if !isReference {
                    records[i].pts = r.dts
                } else if let next = nextReference {
                    records[i].pts = next
                } else if let last {
                    records[i].pts = last.dts + max(1, last.duration, r.duration)
                }
            }
            if isReference { nextReference = r.dts }
        }
        index.records = records
    }
}
