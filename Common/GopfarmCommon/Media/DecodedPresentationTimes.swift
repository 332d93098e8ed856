import CFFmpeg

/// Presentation times for a stream that reorders frames by more than the picture type says (H.264
/// or HEVC B-frames) and whose container gives none: H.264 in AVI, a raw `.h264` or `.hevc`
/// stream. Which packet is shown when is the decoder's business (picture order counts), so the
/// probe decodes the stream once, each packet tagged with its number, and gives each shown packet
/// the time FFmpeg's tools give its frame: the dts of the packet that brought it out.
public enum DecodedPresentationTimes {
    /// True when `fill` is needed: some packet has no pts and the decoder reorders by more than
    /// `PresentationTimeFill` can model.
    public static func needed(_ index: VideoPacketIndex, parameters: CodecParameters) -> Bool {
        parameters.videoDelay > 0 && !MPEGPictureType.reads(parameters.codecID) && index.records.contains { $0.pts == noPTS }
    }

    /// An MP4 or Matroska file made by remuxing a raw H.264/HEVC stream with B-frames (`ffmpeg -i
    /// x.hevc -c copy x.mp4`) gives each packet its decode time as its presentation time: frames
    /// came out of the decoder in reverse time, and the job failed ("two decoded frames share or
    /// reverse a timestamp"). Where the decoder reorders and every packet's pts is its dts, those
    /// pts say nothing of when a frame is shown: they are forgotten, for `fill` to find, as for a
    /// stream that has none. Returns whether it did.
    public static func forgetDecodeTimesAsPresentation(_ index: inout VideoPacketIndex, parameters: CodecParameters) -> Bool {
        guard parameters.videoDelay > 0, !MPEGPictureType.reads(parameters.codecID), index.count > 1,
              index.records.allSatisfy({ $0.pts != noPTS && $0.pts == $0.dts }) else { return false }
        for i in index.records.indices { index.records[i].pts = noPTS }
        return true
    }

    /// A raw stream carries no times at all: the ffmpeg CLI times its packets from the frame rate,
    /// the first `delay` of them before zero so that the first frame shown is at zero.
    public static func timeRawPackets(_ index: inout VideoPacketIndex, frameRate: Rational, timeBase: Rational, delay: Int32) {
        guard index.records.allSatisfy({ $0.pts == noPTS && $0.dts == noPTS }), frameRate.num > 0, frameRate.den > 0 else { return }
        let tick = max(1, av_rescale_q(1, AVRational(num: frameRate.den, den: frameRate.num), timeBase.av))
        for i in index.records.indices {
            index.records[i].dts = (Int64(i) - Int64(delay)) * tick
            index.records[i].duration = tick
        }
    }

    /// `progress` hears the share of the packets decoded, at most once per percent.
    public static func fill(_ index: inout VideoPacketIndex, path: String, stream: Int, parameters: CodecParameters,
                            timeBase: Rational, progress: ((Double) -> Void)? = nil) throws(MediaError) {
        var reported = ProgressSteps()
        let input = try InputContainer(path: path)
        let decoder = try Decoder(parameters: parameters, timeBase: timeBase, threads: 0)
        decoder.skipPictureWork()
        let packet = Packet(), frame = Frame()
        var shown: [(packet: Int, time: Int64)] = []
        func drain() throws(MediaError) {
            while try decoder.receive(into: frame) {
                let tag = frame.pts
                if tag >= 0, tag < Int64(index.count) { shown.append((Int(tag), frame.decodeTime)) }
                frame.unref()
            }
        }
        var n = 0
        while n < index.count, try input.read(into: packet) {
            guard packet.streamIndex == stream else { continue }
            packet.setTiming(pts: Int64(n), dts: index.records[n].dts, duration: index.records[n].duration)
            while case .full = try decoder.send(packet) { try drain() }
            try drain()
            n += 1
            if let progress, let f = reported.next(Double(n) / Double(index.count)) { progress(f) }
        }
        _ = try decoder.send(nil)
        try drain()
        // The last frames come out at the end of the stream, with no packet: a frame apart.
        var previous: Int64?
        for (i, time) in shown {
            let t = time != noPTS ? time : previous.map { $0 + max(1, index.records[i].duration) } ?? index.records[i].dts
            if index.records[i].pts == noPTS { index.records[i].pts = t }
            previous = t
        }
    }
}
