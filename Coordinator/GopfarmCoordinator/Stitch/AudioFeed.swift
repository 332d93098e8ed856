import CFFmpeg
import GopfarmCommon

/// Reads the source once, in file order, and writes its audio and subtitle packets into the
/// output interleaved with the video by decode time.
struct AudioFeed {
    let source: InputContainer
    let streamMap: [Int: Int]
    let offset: (Rational) -> Int64
    /// Per input stream, ticks to add on the way out (see the note in `Stitcher`).
    let extraDelay: [Int: Int64]
    /// Input streams that are re-encoded instead of copied.
    let transcoders: [Int: AudioTranscoder]
    /// Input text subtitle streams converted to the container's subtitle format.
    let converters: [Int: SubtitleConverter]
    private let pending = Packet()
    private var hasPending = false
    private var exhausted: Bool
    private(set) var written = 0
    /// Copied packets left out because their timestamps go back in time (a damaged source):
    /// per input stream. A muxer refuses them, and a player would skip them.
    private(set) var dropped: [Int: Int] = [:]
    private var lastDTS: [Int: Int64] = [:]
    private let audioInputs: Set<Int>

    init(source: InputContainer, streamMap: [Int: Int], offset: @escaping (Rational) -> Int64, extraDelay: [Int: Int64] = [:],
         transcoders: [Int: AudioTranscoder] = [:], converters: [Int: SubtitleConverter] = [:]) {
        self.source = source
        self.streamMap = streamMap
        self.offset = offset
        self.extraDelay = extraDelay
        self.transcoders = transcoders
        self.converters = converters
        exhausted = streamMap.isEmpty
        audioInputs = Set(streamMap.keys.filter { source.codecParameters(stream: $0).mediaType == AVMEDIA_TYPE_AUDIO.rawValue })
    }

    /// Writes every pending packet whose decode time is at or before `limit` (nil: all).
    mutating func write(upTo limit: Int64?, timeBase: Rational, into out: OutputContainer) throws(MediaError) {
        while true {
            if !hasPending {
                guard !exhausted else { return }
                hasPending = try readNext()
                if !hasPending {
                    exhausted = true
                    for t in transcoders.values.sorted(by: { $0.inputStream < $1.inputStream }) {
                        try t.feed(nil, shift: offset(t.inputTimeBase)) { p throws(MediaError) in try emit(p, from: t, into: out) }
                    }
                    return
                }
            }
            let inTB = source.timeBase(stream: pending.streamIndex)
            let t = pending.dts != noPTS ? pending.dts : pending.pts
            if let limit, t != noPTS, av_compare_ts(t, inTB.av, limit, timeBase.av) > 0 { return }
            if let t = transcoders[pending.streamIndex] {
                try t.feed(pending, shift: offset(inTB)) { p throws(MediaError) in try emit(p, from: t, into: out) }
                hasPending = false
                continue
            }
            let outIndex = streamMap[pending.streamIndex]!
            if let converter = converters[pending.streamIndex] {
                if let p = try converter.convert(pending, shift: offset(inTB)) {
                    p.rescaleTimestamps(from: converter.timeBase, to: out.timeBase(stream: outIndex))
                    p.setStreamIndex(outIndex)
                    try out.write(p)
                    written += 1
                }
                hasPending = false
                continue
            }
            let shift = offset(inTB) - (extraDelay[pending.streamIndex] ?? 0)
            pending.setTiming(pts: pending.pts == noPTS ? noPTS : pending.pts - shift,
                              dts: pending.dts == noPTS ? noPTS : pending.dts - shift, duration: pending.duration)
            pending.rescaleTimestamps(from: inTB, to: out.timeBase(stream: outIndex))
            let input = pending.streamIndex
            if audioInputs.contains(input), pending.dts != noPTS,
               (lastDTS[outIndex].map { pending.dts <= $0 } ?? false) || (pending.pts != noPTS && pending.pts < pending.dts) {
                dropped[input, default: 0] += 1
                hasPending = false
                continue
            }
            if pending.dts != noPTS { lastDTS[outIndex] = pending.dts }
            pending.setStreamIndex(outIndex)
            try out.write(pending)
            written += 1
            hasPending = false
        }
    }

    /// Writes an encoded audio packet (timestamps in the encoder's time base).
    private mutating func emit(_ p: Packet, from t: AudioTranscoder, into out: OutputContainer) throws(MediaError) {
        if t.outputDelay != 0 {
            p.setTiming(pts: p.pts == noPTS ? noPTS : p.pts + t.outputDelay, dts: p.dts == noPTS ? noPTS : p.dts + t.outputDelay, duration: p.duration)
        }
        p.rescaleTimestamps(from: t.encoder.timeBase, to: out.timeBase(stream: t.outputStream))
        p.setStreamIndex(t.outputStream)
        try out.write(p)
        written += 1
    }

    private func readNext() throws(MediaError) -> Bool {
        while try source.read(into: pending) {
            if streamMap[pending.streamIndex] != nil { return true }
        }
        return false
    }
}
