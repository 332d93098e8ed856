import Foundation
import GopfarmCommon

/// Weak scaling's inputs: the first part of a file, cut by stream copy (never re-encoded) just
/// before a closed random access point, so the part decodes on its own and holds whole GOPs.
///
/// Size N of a bench up to maxN gets the first N/maxN of the input: the length of video per
/// agent stays the same and the largest size runs the whole file. Cuts land on the key frame
/// nearest to the share, so a part is a little shorter or longer than its share; the speedup
/// counts output frames, which takes the difference out of the figures.
public enum InputCut {
    /// The part of `path` for `share` (0 < share ≤ 1): the file itself when the share is 1 or no
    /// key frame lies after it, else a Matroska copy named `name` in `directory`.
    public static func prefix(of path: String, share: Double, into directory: URL, name: String) throws -> BenchInput {
        let probe: MediaProbe
        do { probe = try MediaProbe(path: path) } catch { throw BenchError.input("\(error)") }
        let records = probe.index.records
        let tb = probe.videoTimeBase
        let firstPTS = records.filter(\.isShown).map(\.pts).min() ?? 0
        let total = probe.info.duration > 0 ? probe.info.duration : Double(records.count) / 25
        guard share < 1 else { return BenchInput(path: path, seconds: total, share: 1) }
        let target = total * share
        // The closed random access point nearest to the share (open GOPs' leading pictures would
        // reference the part's last GOP across the cut).
        let candidates = records.indices.filter { $0 > 0 && records[$0].randomAccess == .closed }
        guard let cut = candidates.min(by: { a, b in
            abs(MediaTime(records[a].pts - firstPTS, tb).seconds - target) < abs(MediaTime(records[b].pts - firstPTS, tb).seconds - target)
        }) else { return BenchInput(path: path, seconds: total, share: 1) }
        let cutTime = MediaTime(records[cut].pts, tb)
        let output = directory.appendingPathComponent(name)
        do {
            try copy(path, video: probe.info.videoStream, audio: probe.info.streams.filter { $0.type == "audio" }.map(\.index),
                     videoPackets: cut, until: cutTime, to: output.path)
        } catch {
            throw BenchError.input("cannot cut \(Int((share * 100).rounded())) % of \(path) for weak scaling: \(error)")
        }
        return BenchInput(path: output.path, seconds: cutTime.seconds - MediaTime(firstPTS, tb).seconds, share: share)
    }

    /// Copies the first `videoPackets` video packets (read order) and the audio packets that
    /// start before `until`.
    static func copy(_ path: String, video: Int, audio: [Int], videoPackets: Int, until: MediaTime, to output: String) throws(MediaError) {
        let input = try InputContainer(path: path)
        let out = try OutputContainer(path: output)
        var map: [Int: Int] = [:]
        for i in [video] + audio { map[i] = try out.addStreamCopy(from: input, stream: i) }
        try out.writeHeader()
        let packet = Packet()
        var videoSeen = 0
        var audioDone = Set<Int>()
        while try input.read(into: packet) {
            let s = packet.streamIndex
            guard let target = map[s] else { continue }
            let tb = input.timeBase(stream: s)
            if s == video {
                videoSeen += 1
                if videoSeen > videoPackets { if audioDone.count == audio.count { break } else { continue } }
            } else {
                let t = packet.pts != noPTS ? packet.pts : packet.dts
                if t != noPTS, MediaTime(t, tb).seconds >= until.seconds {
                    audioDone.insert(s)
                    if videoSeen >= videoPackets && audioDone.count == audio.count { break }
                    continue
                }
            }
            packet.rescaleTimestamps(from: tb, to: out.timeBase(stream: target))
            packet.setStreamIndex(target)
            try out.write(packet)
        }
        try out.finish()
    }
}
