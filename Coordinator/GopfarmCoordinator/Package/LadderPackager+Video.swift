import CFFmpeg
import Foundation
import GopfarmCommon

extension LadderPackager {
    struct VideoResult {
        var tracks: [PackagedTrack]
        var renditions: [PackageReport.Rendition]
        var frames: Int
        var files: [String]
        var warnings: [String]
    }

    /// Reads each spooled bundle once and writes every rung's CMAF track.
    func packageVideo(source: InputContainer, startOffset: Int64) throws(MediaError) -> VideoResult {
        let rungs = ladder.rungs
        let videoIn = probe.info.videoStream
        let tb = probe.videoTimeBase
        let videoOffset = av_rescale_q(startOffset, gf_AV_TIME_BASE_Q(), tb.av)
        let frameRate = source.guessedFrameRate(stream: videoIn)
        let language = SourceTracksPackager.language(source.metadata(stream: videoIn, key: "language"))
        var readers: [PacketStreamReader?] = Array(repeating: nil, count: rungs.count)
        var firstParameters: [CodecParameters] = []
        var writers: [CMAFTrackWriter] = []
        var timestamps = Array(repeating: DecodeTimestamps(depth: segments.map(\.result.reorderDepth).max() ?? 0), count: rungs.count)
        var frames = Array(repeating: 0, count: rungs.count)
        var warnings: [String] = []
        let packet = Packet()
        for (n, segment) in segments.enumerated() {
            let streams = try RenditionBundle.unpack(try segment.payload())
            guard streams.count == rungs.count else {
                throw MediaError(.segmentMismatch, "segment \(n) holds \(streams.count) renditions, the ladder has \(rungs.count) rungs")
            }
            var current: [PacketStreamReader] = []
            for r in rungs.indices {
                let reader = try PacketStreamReader(streams[r], previous: readers[r])
                readers[r] = reader
                current.append(reader)
            }
            if n == 0 {
                for (r, rung) in rungs.enumerated() {
                    let p = current[r].header.parameters
                    firstParameters.append(p)
                    writers.append(try CMAFTrackWriter(outputDirectory: outputDirectory, relativeDirectory: "video-\(rung.name)",
                                                       parameters: p, timeBase: tb, language: language, frameRate: frameRate,
                                                       codecTag: p.codecID == AV_CODEC_ID_HEVC.rawValue ? "hvc1" : nil,
                                                       displayMatrix: source.displayMatrix(stream: videoIn)))
                }
            }
            let planned = plan.segments[n]
            let presentation = current[0].records.map(\.pts).sorted()
            for (r, rung) in rungs.enumerated() {
                let count = current[r].records.count
                if !planned.containsCorruptPackets, count != planned.expectedFrames {
                    throw MediaError(.segmentMismatch, "rung \(rung.name): segment \(n) has \(count) frames, the plan \(planned.expectedFrames)")
                }
                guard current[r].records.map(\.pts).sorted() == presentation else {
                    throw MediaError(.segmentMismatch, "rung \(rung.name): segment \(n)'s frames are not at the times of rung \(rungs[0].name)'s")
                }
            }
            // The packaging segments this farm segment starts: the same source frames in every rung.
            var starts = Set<Int64>()
            var previous: Int64?
            for pts in presentation {
                if ladder.startsPackagingSegment(pts: pts, previous: previous, timeBase: tb,
                                                 farmStart: presentation.first, farmEnd: planned.endPTS) { starts.insert(pts) }
                previous = pts
            }
            for (r, rung) in rungs.enumerated() {
                let reader = current[r]
                if n > 0, reader.header.parameters.extradata != firstParameters[r].extradata {
                    warnings.append("rung \(rung.name): segment \(n)'s encoder headers differ from segment 0's; some players may not decode it")
                }
                let decodeTimes = timestamps[r].next(segmentPTS: reader.records.map(\.pts))
                let outTB = writers[r].timeBase
                for i in reader.records.indices {
                    let record = reader.records[i]
                    if starts.contains(record.pts) {
                        guard record.flags & gf_AV_PKT_FLAG_KEY() != 0 else {
                            let seconds = Double(record.pts - videoOffset) * tb.doubleValue
                            throw MediaError(.segmentMismatch, "rung \(rung.name): the frame at \(JobRules.show(seconds)) s starts a packaging segment but is not a key frame")
                        }
                        writers[r].beginSegment()
                    }
                    try reader.load(i, into: packet)
                    packet.setTiming(pts: record.pts - videoOffset, dts: decodeTimes[i] - videoOffset, duration: record.duration)
                    packet.rescaleTimestamps(from: tb, to: outTB)
                    try writers[r].write(packet)
                }
                frames[r] += reader.records.count
            }
        }
        guard Set(frames).count == 1 else {
            let list = zip(rungs, frames).map { "\($0.name): \($1)" }.joined(separator: ", ")
            throw MediaError(.segmentMismatch, "the renditions have different frame counts (\(list))")
        }
        var tracks: [PackagedTrack] = []
        var renditions: [PackageReport.Rendition] = []
        var files: [String] = []
        // The size a player shows (RFC 8216's RESOLUTION, DASH's width and height): a phone clip
        // stored 426x240 with a quarter turn in its display matrix shows as 240x426.
        let sideways = Int((probe.info.streams[videoIn].rotation ?? 0).rounded()).magnitude % 180 == 90
        for (r, rung) in rungs.enumerated() {
            let written = try writers[r].finish()
            let p = firstParameters[r]
            let (width, height) = sideways ? (Int(p.height), Int(p.width)) : (Int(p.width), Int(p.height))
            var track = PackagedTrack(kind: .video, name: rung.name, directory: writers[r].relativeDirectory, codecs: written.codecs,
                                      timescale: written.timescale, initBytes: written.initBytes, segments: written.segments,
                                      width: width, height: height, frameRate: frameRate,
                                      sampleAspectRatio: p.sampleAspectRatio, language: language)
            track.colour = .init(primaries: Int(p.colorPrimaries), transfer: Int(p.colorTransfer), matrix: Int(p.colorSpace))
            tracks.append(track)
            renditions.append(PackageReport.Rendition(
                name: rung.name, codec: p.codecName, codecs: written.codecs, width: width, height: height,
                frames: frames[r], bytes: track.bytes, peakBitrate: track.peakBitrate, averageBitrate: track.averageBitrate,
                segments: track.segments.count, dynamicRange: HDRMetadata.rangeNote(source: probe.videoParameters, output: p)))
            files += written.files
        }
        return VideoResult(tracks: tracks, renditions: renditions, frames: frames[0], files: files, warnings: warnings)
    }
}
