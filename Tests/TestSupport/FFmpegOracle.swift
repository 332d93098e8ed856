import Foundation

/// The ffmpeg/ffprobe CLIs as an independent oracle: what a player decodes from a file.
public enum FFmpegOracle {
    public struct DecodedFrame: Equatable, Sendable {
        public var hash: String
        /// Presentation time in seconds, relative to the first video frame's.
        public var time: Double
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Every frame of the first video stream, decoded, in order: MD5 of the pixels and time.
    /// Rotation is not applied (`-noautorotate`): the pixels are compared as stored.
    public static func frames(_ path: String) throws -> [DecodedFrame] {
        let md5 = try Subprocess.run("ffmpeg", ["-v", "error", "-noautorotate", "-i", path, "-map", "0:v:0",
                                                "-fps_mode", "passthrough", "-f", "framemd5", "-"], timeout: 300)
        guard md5.status == 0 else { throw Failure(description: "ffmpeg framemd5 failed on \(path): \(md5.stderr)") }
        let hashes = md5.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
            $0.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let times = try frameTimes(path)
        guard times.count == hashes.count else {
            throw Failure(description: "ffprobe saw \(times.count) frames, ffmpeg \(hashes.count), in \(path)")
        }
        return zip(hashes, times).map { DecodedFrame(hash: $0, time: $1) }
    }

    /// What the issue's oracle gives: `ffmpeg -i FILE -map 0:v:0 -f framemd5 -` with ffmpeg's
    /// default flags. Unlike `frames(_:)` there is no `-fps_mode passthrough`: the CLI's default
    /// for framemd5 is `vfr`, which puts every frame on a grid of the frame rate it guesses from
    /// the stream (r_frame_rate, or avg_frame_rate when that is close) and drops a frame that
    /// lands on the same tick as the one before, as any ffmpeg re-encode with default flags does.
    /// Times are the output's pts × its `#tb`, relative to the first frame. Rotation is applied
    /// (`autorotate` is a default) unless `autorotate` is false.
    public struct OracleRun: Sendable {
        public var frames: [DecodedFrame]
        /// The `#tb 0:` line: the grid the times are on (1/frame rate as the CLI guessed it).
        public var timeBase: String
        public var dimensions: String
    }

    public static func defaultOracle(_ path: String, autorotate: Bool = true, inputFlags: [String] = []) throws -> OracleRun {
        let md5 = try Subprocess.run("ffmpeg", ["-v", "error"] + (autorotate ? [] : ["-noautorotate"]) + inputFlags
                                     + ["-i", path, "-map", "0:v:0", "-f", "framemd5", "-"], timeout: 300)
        guard md5.status == 0 else { throw Failure(description: "ffmpeg framemd5 failed on \(path): \(md5.stderr.suffix(600))") }
        var num = 1.0, den = 1.0, timeBase = "?", dimensions = "?"
        var frames: [DecodedFrame] = []
        var first: Double?
        for line in md5.stdout.split(separator: "\n") {
            if line.hasPrefix("#tb 0:") {
                timeBase = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                let parts = timeBase.split(separator: "/").compactMap { Double($0) }
                if parts.count == 2, parts[1] != 0 { (num, den) = (parts[0], parts[1]) }
            } else if line.hasPrefix("#dimensions 0:") {
                dimensions = line.dropFirst(14).trimmingCharacters(in: .whitespaces)
            } else if !line.hasPrefix("#") {
                // stream#, dts, pts, duration, size, hash
                let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard fields.count >= 6, let pts = Double(fields[2]) else { continue }
                let t = pts * num / den
                if first == nil { first = t }
                frames.append(DecodedFrame(hash: fields[5], time: t - first!))
            }
        }
        return OracleRun(frames: frames, timeBase: timeBase, dimensions: dimensions)
    }

    /// The rotation of the first video stream's display matrix, in degrees (0 when none).
    public static func rotation(_ path: String) throws -> Double {
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                 "stream_side_data=rotation", "-of", "csv=p=0", path], timeout: 60)
        return out.stdout.split(whereSeparator: { $0 == "\n" || $0 == "," }).compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.first ?? 0
    }

    /// Stream-level facts of the first video stream: r/avg frame rate and field order.
    public static func videoStream(_ path: String) throws -> [String: String] {
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                 "stream=r_frame_rate,avg_frame_rate,field_order,width,height,sample_aspect_ratio,display_aspect_ratio", "-of", "default=nw=1", path], timeout: 60)
        var facts: [String: String] = [:]
        for line in out.stdout.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2, facts[String(kv[0])] == nil { facts[String(kv[0])] = String(kv[1]) }
        }
        return facts
    }

    /// Presentation times of the decoded frames of the first video stream, relative to the
    /// first one (containers may shift a whole file, e.g. Matroska cannot store negative times).
    public static func frameTimes(_ path: String) throws -> [Double] {
        let times = try absoluteFrameTimes(path)
        return times.map { $0 - (times.first ?? 0) }
    }

    /// Presentation times of the decoded video frames as the file stores them.
    public static func absoluteFrameTimes(_ path: String) throws -> [Double] {
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                 "frame=best_effort_timestamp_time", "-of", "csv=p=0", path], timeout: 300)
        guard out.status == 0 else { throw Failure(description: "ffprobe failed on \(path): \(out.stderr)") }
        return out.stdout.split(separator: "\n").compactMap { Double($0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ","))) }
    }


    public struct AudioTrack: Sendable {
        /// First packet's presentation time relative to the first video frame, and the time covered.
        public var start: Double
        public var duration: Double
        public var frameDuration: Double
        public var codec: String
    }

    /// The audio streams: index, codec name and sample rate, each once (MPEG-TS lists its streams
    /// again under their program).
    static func audioStreams(_ path: String) throws -> [(index: Int, codec: String, sampleRate: Double)] {
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "a", "-show_entries",
                                                 "stream=index,codec_name,sample_rate", "-of", "csv=p=0", path], timeout: 60)
        var seen = Set<Int>()
        return out.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ",")
            guard fields.count >= 3, let index = Int(fields[0]), seen.insert(index).inserted else { return nil }
            return (index, String(fields[1]), Double(fields[2]) ?? 0)
        }
    }

    /// Each audio stream's start and covered duration, from its packets.
    public static func audioTracks(_ path: String) throws -> [AudioTrack] {
        let videoStart = try absoluteFrameTimes(path).first ?? 0
        var tracks: [AudioTrack] = []
        for (index, codec, _) in try audioStreams(path) {
            let packets = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "\(index)", "-show_entries",
                                                         "packet=pts_time,duration_time", "-of", "csv=p=0", path], timeout: 120)
            // Matroska stores no duration for most audio blocks: take it from the next packet.
            let rows = packets.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) } }
            let times = rows.compactMap { $0.first ?? nil }.sorted()
            guard let firstTime = times.first else { continue }
            let deltas = zip(times.dropFirst(), times).map { $0 - $1 }.sorted()
            let typical = deltas.isEmpty ? 0 : deltas[deltas.count / 2]
            let lastDuration = rows.last.flatMap { $0.count > 1 ? $0[1] : nil } ?? typical
            let first = firstTime, end = times.last! + lastDuration, frame = typical
            tracks.append(AudioTrack(start: first - videoStart, duration: end - first, frameDuration: frame, codec: codec))
        }
        return tracks
    }

    /// Each audio stream's start and covered duration, from its *decoded* frames: what a
    /// player hears. Packet times would also count encoder priming, which MP4 edit lists and
    /// Matroska's CodecDelay hide from the decoder's output (an AAC re-encode's first packet is
    /// one frame before the sound it carries).
    public static func decodedAudioTracks(_ path: String) throws -> [AudioTrack] {
        let videoStart = try absoluteFrameTimes(path).first ?? 0
        var tracks: [AudioTrack] = []
        for (index, codec, rate) in try audioStreams(path) where rate > 0 {
            let decoded = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "\(index)", "-show_entries",
                                                         "frame=best_effort_timestamp_time,nb_samples", "-of", "csv=p=0", path], timeout: 120)
            let rows: [(time: Double, length: Double)] = decoded.stdout.split(separator: "\n").compactMap { row in
                let v = row.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard v.count >= 2, let t = Double(v[0]), let samples = Double(v[1]) else { return nil }
                return (t, samples / rate)
            }
            guard let first = rows.first, let last = rows.last else { continue }
            let lengths = rows.map(\.length).sorted()
            tracks.append(AudioTrack(start: first.time - videoStart, duration: last.time + last.length - first.time,
                                     frameDuration: lengths[lengths.count / 2], codec: codec))
        }
        return tracks
    }

    /// Frames ffprobe counts by decoding the first video stream.
    public static func countFrames(_ path: String) throws -> Int {
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                                                 "stream=nb_read_frames", "-of", "csv=p=0", path], timeout: 300)
        return Int(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ","))) ?? -1
    }

    /// Average PSNR (all planes) of `distorted` against `reference`.
    public static func psnr(_ distorted: String, reference: String) throws -> Double {
        let out = try Subprocess.run("ffmpeg", ["-v", "info", "-nostats", "-i", distorted, "-i", reference,
                                                "-lavfi", "[0:v][1:v]psnr", "-f", "null", "-"], timeout: 600)
        guard let range = out.stderr.range(of: "average:") else { throw Failure(description: "no PSNR in ffmpeg output: \(out.stderr.suffix(400))") }
        let value = out.stderr[range.upperBound...].prefix { !$0.isWhitespace }
        guard let v = Double(value) else { throw Failure(description: "cannot parse PSNR '\(value)'") }
        return v
    }

    /// MD5 of every encoded video packet (stream copy): equal when two files hold the same bitstream.
    public static func packetHashes(_ path: String) throws -> [String] {
        let out = try Subprocess.run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:v:0", "-c", "copy", "-f", "framemd5", "-"], timeout: 120)
        return out.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.split(separator: ",").last.map(String.init) }
    }
}
