import CFFmpeg
import Foundation
import GopfarmCommon

/// A source AAC stream a ladder package keeps as it is: no second lossy generation, no decode
/// and encode, and the source's own timing. AAC needs no priming before 0 when its source had
/// none, so a package of such a source reads at the source's times through `master.m3u8` and
/// the MPD too (FFmpeg 5.1's HLS and DASH readers count priming cut by an edit list as time
/// before 0; a fresh AAC encode always has it).
///
/// ADTS AAC (MPEG-TS, .aac) loses its per-frame headers to libavcodec's `aac_adtstoasc`, which
/// gives the AudioSpecificConfig the track's sample entry wants (FFmpeg 5.1's fragmenting MP4
/// muxer does not do it on its own: it refuses the first frame). Packets are shifted by the
/// input's start time like every stream's and put on the sample clock: a container that rounds
/// times (Matroska to the millisecond, MPEG-TS at 44.1 kHz to 90 kHz ticks) would otherwise give
/// frames of 1024 samples durations such as 1008 or 1056 in the track's timescale.
final class AudioCopy {
    let inputTimeBase: Rational
    /// The time base packets come out in: the sample clock, an MP4 audio track's timescale.
    let outputTimeBase: Rational
    /// The stream's parameters; ADTS AAC gets its AudioSpecificConfig with the first packet.
    private(set) var parameters: CodecParameters
    private let adts: BitstreamFilter?
    /// Samples per AAC frame at the stream's rate (1024, 2048 for HE-AAC); 0 where unknown.
    private let frameSamples: Int64
    private var lastDTS: Int64?
    /// Packets left out because their timestamps go back in time (a damaged source).
    private(set) var dropped = 0
    /// ADTS frames left out because their header is broken (a damaged broadcast capture).
    private(set) var damaged = 0

    /// Whether the packager copies an audio stream rather than encoding it to AAC-LC: AAC-LC,
    /// HE-AAC and HE-AAC v2 (what HLS and DASH players decode) at up to 48 kHz and 8 channels.
    static func keeps(_ p: CodecParameters) -> Bool {
        p.codecID == AV_CODEC_ID_AAC.rawValue
            && [FF_PROFILE_AAC_LOW, FF_PROFILE_AAC_HE, FF_PROFILE_AAC_HE_V2].contains(p.profile)
            && (1...48_000).contains(p.sampleRate) && (1...8).contains(p.channels)
    }

    convenience init(source: InputContainer, stream: Int) throws(MediaError) {
        let p = source.codecParameters(stream: stream)
        let filter = p.extradata.isEmpty ? try BitstreamFilter(name: "aac_adtstoasc", input: source, stream: stream) : nil
        self.init(parameters: p, inputTimeBase: source.timeBase(stream: stream), adts: filter)
    }

    init(parameters p: CodecParameters, inputTimeBase: Rational, adts: BitstreamFilter? = nil) {
        parameters = p
        self.inputTimeBase = inputTimeBase
        self.adts = adts
        outputTimeBase = Rational(1, max(1, p.sampleRate))
        frameSamples = Int64(max(0, p.frameSize))
    }

    /// Takes a source packet (timestamps in `inputTimeBase`, less `shift`) and hands what goes
    /// into the track to `emit`, in `outputTimeBase`.
    func take(_ packet: Packet, shift: Int64, emit: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        guard let adts else {
            if prepare(packet, shift: shift) { try emit(packet) }
            return
        }
        let intact = try adts.filter(packet) { p throws(MediaError) in
            if let config = p.newExtradata { parameters.extradata = Data(config) }
            guard !parameters.extradata.isEmpty else {
                throw MediaError(.invalidPayload, "its AAC carries no configuration, neither in the container nor in ADTS headers")
            }
            if prepare(p, shift: shift) { try emit(p) }
        }
        if !intact { damaged += 1 }
    }

    /// Shifts `packet` by `shift` (input ticks) and rescales it to `outputTimeBase`; false when
    /// it is left out. A frame within a tick of where the previous one ends is put exactly there.
    func prepare(_ packet: Packet, shift: Int64) -> Bool {
        guard packet.dts != noPTS || packet.pts != noPTS else { dropped += 1; return false }
        let out = outputTimeBase
        let time = (packet.dts != noPTS ? packet.dts : packet.pts) - shift
        var dts = av_rescale_q(time, inputTimeBase.av, out.av)
        var duration = packet.duration > 0 ? av_rescale_q(packet.duration, inputTimeBase.av, out.av) : 0
        if frameSamples > 0 {
            // Every AAC frame lasts its samples, whatever the container rounded its duration to.
            duration = frameSamples
            let tolerance = max(1, av_rescale_q(1, inputTimeBase.av, out.av)) + 1
            if let last = lastDTS, abs(dts - (last + frameSamples)) <= tolerance { dts = last + frameSamples }
        }
        // Frames the source's edit list cuts (a trimmed MP4 keeps seconds of them before 0) go,
        // but for the one that ends the priming and the one before it, which the first frame
        // shown needs to decode (AAC overlaps each frame with the one before).
        let length = frameSamples > 0 ? frameSamples : duration
        if lastDTS == nil, dts + 2 * length <= 0 { return false }
        if let last = lastDTS, dts <= last { dropped += 1; return false }
        lastDTS = dts
        // AAC frames present in decode order: pts is dts.
        packet.setTiming(pts: dts, dts: dts, duration: duration)
        return true
    }
}
