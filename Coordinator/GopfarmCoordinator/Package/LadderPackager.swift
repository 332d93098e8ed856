import CFFmpeg
import Foundation
import GopfarmCommon

/// The stitcher's ladder sibling: packages a ladder job's renditions as CMAF tracks with HLS
/// playlists and a DASH manifest over the same files.
///
/// One pass over the spool: each segment's `RenditionBundle` is read once and feeds every
/// rung's track writer, which cuts a media segment before each packaging segment's IDR (the
/// same source frames in every rung, `Ladder.startsPackagingSegment`). Timestamps follow the
/// stitcher's rules: the source's presentation times shifted by the input's start time,
/// decode times re-derived per rung (`DecodeTimestamps`), frame counts checked against the
/// plan. Audio is encoded once over the whole file in a second, source-only pass.
public struct LadderPackager {
    public var sourcePath: String
    public var probe: MediaProbe
    public var plan: SegmentPlan
    public var ladder: Ladder
    public var segments: [CompletedSegment]
    public var outputDirectory: URL
    /// `EncodeSettings.audioBitrate`: every audio track encoded to AAC at this rate, none copied.
    public var audioBitrate: Int?

    public static let masterName = "master.m3u8"
    public static let manifestName = "manifest.mpd"

    public init(sourcePath: String, probe: MediaProbe, plan: SegmentPlan, ladder: Ladder, segments: [CompletedSegment], outputDirectory: URL,
                audioBitrate: Int? = nil) {
        self.audioBitrate = audioBitrate
        self.sourcePath = sourcePath
        self.probe = probe
        self.plan = plan
        self.ladder = ladder
        self.segments = segments
        self.outputDirectory = outputDirectory
    }

    public func run() throws(MediaError) -> PackageReport {
        guard segments.count == plan.segments.count, !segments.isEmpty else {
            throw MediaError(.segmentMismatch, "\(segments.count) of \(plan.segments.count) segments are done")
        }
        guard !ladder.rungs.isEmpty else { throw MediaError(.invalidOption, "the ladder has no rungs to package") }
        do {
            try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw MediaError(.muxFailed, "cannot create the output directory: \(OutputPlace.reason(error))", path: outputDirectory.path)
        }
        let source = try InputContainer(path: sourcePath)
        let startOffset = source.startTimeMicroseconds == noPTS ? 0 : source.startTimeMicroseconds
        let video = try packageVideo(source: source, startOffset: startOffset)
        let sourceTracks = SourceTracksPackager(source: source, videoStream: probe.info.videoStream, videoTimeBase: probe.videoTimeBase,
                                                ladder: ladder, outputDirectory: outputDirectory, startOffset: startOffset,
                                                videoLastPTS: plan.segments.last?.lastPTS, audioBitrate: audioBitrate)
        guard let grid = video.tracks.first else { throw MediaError(.segmentMismatch, "the ladder's segments hold no video track") }
        let (audio, subtitles) = try sourceTracks.run(grid: grid)
        var files: [String] = []
        var videoTracks = video.tracks, audioTracks = audio.map(\.track)
        var subtitleTracks = subtitles.map(\.track)
        let target = (videoTracks + audioTracks).map(\.targetDuration).max()
        // The peaks over that target, the ones BANDWIDTH gives and the report lists.
        var renditions = video.renditions, audioReports = audio.map(\.report)
        for i in videoTracks.indices {
            videoTracks[i].sharedTargetDuration = target
            if renditions.indices.contains(i) { renditions[i].peakBitrate = videoTracks[i].peakBitrate }
        }
        for i in audioTracks.indices {
            audioTracks[i].sharedTargetDuration = target
            audioReports[i].peakBitrate = audioTracks[i].peakBitrate
        }
        for i in subtitleTracks.indices { subtitleTracks[i].sharedTargetDuration = target }
        if ladder.packages.contains(.hls) {
            try write(HLSPlaylists.master(video: videoTracks, audio: audioTracks, subtitles: subtitleTracks), Self.masterName, into: &files)
            for track in videoTracks + audioTracks {
                try write(HLSPlaylists.media(track), "\(track.directory)/\(PackagedTrack.playlistName)", into: &files)
            }
            for subs in subtitleTracks {
                try write(HLSPlaylists.media(subs), "\(subs.directory)/\(PackagedTrack.playlistName)", into: &files)
            }
        }
        if ladder.packages.contains(.dash) {
            let mpd = DASHManifest.mpd(video: videoTracks, audio: audioTracks,
                                       minBufferTime: Self.minBufferTime(videoTracks + audioTracks))
            try write(mpd, Self.manifestName, into: &files)
        }
        let dashNotes = ladder.packages.contains(.dash) && !subtitleTracks.isEmpty
            ? ["the WebVTT subtitles are in the HLS playlists only; the DASH manifest offers none"] : []
        files += video.files + audio.flatMap(\.files) + subtitles.flatMap(\.files)
        var total = 0
        for file in files {
            let attributes = try? FileManager.default.attributesOfItem(atPath: outputDirectory.appendingPathComponent(file).path)
            total += (attributes?[.size] as? Int) ?? 0
        }
        return PackageReport(videoFrames: video.frames, renditions: renditions, audioTracks: audioReports,
                             subtitleTracks: subtitles.map(\.report), packages: ladder.packages.map(\.rawValue),
                             segmentSeconds: ladder.segmentSeconds, totalBytes: total, files: files,
                             warnings: video.warnings + sourceTracks.warnings + dashNotes)
    }

    /// DASH @minBufferTime: the longest segment, so a player that buffered one segment never
    /// waits when every segment arrives at the Representation's @bandwidth.
    static func minBufferTime(_ tracks: [PackagedTrack]) -> Double {
        let longest = tracks.flatMap(\.segmentSeconds).max() ?? 2
        return (longest * 1000).rounded(.up) / 1000
    }

    private func write(_ text: String, _ relativePath: String, into files: inout [String]) throws(MediaError) {
        let url = outputDirectory.appendingPathComponent(relativePath)
        do { try Data(text.utf8).write(to: url) } catch {
            throw MediaError(.muxFailed, "cannot write \(relativePath): \(OutputPlace.reason(error))", path: url.path)
        }
        files.append(relativePath)
    }
}
