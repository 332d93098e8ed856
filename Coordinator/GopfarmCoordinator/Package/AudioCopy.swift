import CFFmpeg
import GopfarmCommon

/// A source AAC stream a ladder package keeps as it is: no second lossy generation, no decode
/// and encode, and the source's own timing. AAC needs no priming before 0 when its source had
/// none, so a package of such a source reads at the source's times through `master.m3u8` and
/// the MPD too (FFmpeg 5.1's HLS and DASH readers count priming cut by an edit list as time
/// before 0; a fresh AAC encode always has it).
///
/// Packets are shifted by the input's start time like every stream's and put on the sample
/// clock: a container that rounds times to the millisecond (Matroska) would otherwise give
/// frames of 1024 samples durations of 1008 or 1056 in the track's timescale.
final class AudioCopy {
    let inputTimeBase: Rational
    /// Samples per AAC frame at the stream's rate (1024, 2048 for HE-AAC); 0 where unknown.
    private let frameSamples: Int64
    private let sampleRate: Int32
    private var lastDTS: Int64?
    /// Packets left out because their timestamps go back in time (a damaged source).
    private(set) var dropped = 0

    /// Whether the packager copies an audio stream rather than encoding it to AAC-LC: AAC-LC,
    /// HE-AAC and HE-AAC v2 (what HLS and DASH players decode) at up to 48 kHz and 8 channels,
    /// with its AudioSpecificConfig at hand (MP4, MOV, Matroska). ADTS AAC (MPEG-TS, .aac)
    /// carries it in every frame's header, which FFmpeg 5.1's fragmenting MP4 muxer does not
    /// take off (it refuses the first packet), so that is encoded.
    static func keeps(_ p: CodecParameters) -> Bool {
        p.codecID == AV_CODEC_ID_AAC.rawValue && !p.extradata.isEmpty
            && [FF_PROFILE_AAC_LOW, FF_PROFILE_AAC_HE, FF_PROFILE_AAC_HE_V2].contains(p.profile)
            && (1...48_000).contains(p.sampleRate) && (1...8).contains(p.channels)
    }

    init(parameters p: CodecParameters, inputTimeBase: Rational) {
        self.inputTimeBase = inputTimeBase
        frameSamples = Int64(max(0, p.frameSize))
        sampleRate = p.sampleRate
    }

    /// Shifts `packet` by `shift` (input ticks) and rescales it to `outputTimeBase`; false when
    /// it is left out. A frame within a tick of where the previous one ends is put exactly there.
    func prepare(_ packet: Packet, shift: Int64, outputTimeBase out: Rational) -> Bool {
        guard packet.dts != noPTS || packet.pts != noPTS else { dropped += 1; return false }
        let time = (packet.dts != noPTS ? packet.dts : packet.pts) - shift
        var dts = av_rescale_q(time, inputTimeBase.av, out.av)
        var duration = packet.duration > 0 ? av_rescale_q(packet.duration, inputTimeBase.av, out.av) : 0
        if frameSamples > 0, sampleRate > 0 {
            // Every AAC frame lasts its samples, whatever the container rounded its duration to.
            let step = av_rescale_q(frameSamples, AVRational(num: 1, den: sampleRate), out.av)
            duration = step
            let tolerance = max(1, av_rescale_q(1, inputTimeBase.av, out.av)) + 1
            if let last = lastDTS, abs(dts - (last + step)) <= tolerance { dts = last + step }
        }
        if let last = lastDTS, dts <= last { dropped += 1; return false }
        lastDTS = dts
        // AAC frames present in decode order: pts is dts.
        packet.setTiming(pts: dts, dts: dts, duration: duration)
        return true
    }
}
