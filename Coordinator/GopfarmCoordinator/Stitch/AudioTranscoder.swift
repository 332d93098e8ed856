import CFFmpeg
import GopfarmCommon

/// One audio stream the output container cannot take as it is: decoded once over the whole
/// file and encoded once (AAC for MP4/MOV, Opus for WebM), never cut with the video.
final class AudioTranscoder {
    let inputStream: Int
    /// Set once the output stream exists.
    var outputStream = -1
    let inputTimeBase: Rational
    private let decoder: Decoder
    let encoder: AudioEncoder
    /// Ticks of the encoder's time base added to every packet on the way out (Opus priming in
    /// Matroska, see `Stitcher`).
    var outputDelay: Int64 = 0
    /// Said when the asked rate is more than the encoder can spend, and the track was encoded at
    /// the most it can.
    let warning: String?
    private let frame = Frame()

    /// The encoder a container wants for audio it cannot copy.
    static func encoderName(forFormat format: String) -> String {
        format == "webm" || format == "matroska" ? "libopus" : "aac"
    }

    /// `bitRate`: the job's `audioBitrate`, else 96 kbit/s a channel (Opus 64), up to 8 channels' worth.
    init(source: InputContainer, stream: Int, encoder name: String, bitRate: Int? = nil) throws(MediaError) {
        let p = source.codecParameters(stream: stream)
        inputStream = stream
        inputTimeBase = source.timeBase(stream: stream)
        decoder = try Decoder(input: source, stream: stream)
        var rate = bitRate.map(Int64.init) ?? Int64(min(max(p.channels, 1), 8)) * (name == "libopus" ? 64_000 : 96_000)
        let sampleRate = AudioEncoder.sampleRate(codec: name, source: p.sampleRate)
        var warning: String?
        if let most = AudioEncoder.maxBitRate(codec: name, sampleRate: sampleRate, channels: p.channels), rate > most {
            let codec = name == "libopus" ? "opus" : name
            warning = "audio stream \(stream): \(LadderRung.rateText(Int(rate))) is more than \(codec) can spend on \(p.channels) channel(s) at "
                + "\(LadderRung.trimmed(Double(sampleRate) / 1000, decimals: 3)) kHz; it is encoded at \(LadderRung.rateText(Int(most))), the most it takes"
            rate = most
        }
        self.warning = warning
        encoder = try AudioEncoder(codec: name, sampleRate: p.sampleRate, channels: p.channels, bitRate: rate)
    }

    /// Decodes `packet` (nil: end) and encodes what it yields; `shift` is the input start offset
    /// in the input time base, subtracted like every other stream's.
    func feed(_ packet: Packet?, shift: Int64, emit: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        var outcome = try decoder.send(packet)
        while true {
            while try decoder.receive(into: frame) {
                let t = frame.presentationTime
                try encoder.push(frame, pts: t == noPTS ? noPTS : t - shift, timeBase: inputTimeBase, emit: emit)
                frame.unref()
            }
            guard case .full = outcome else { break }
            outcome = try decoder.send(packet)
        }
        if packet == nil { try encoder.finish(emit: emit) }
    }
}
