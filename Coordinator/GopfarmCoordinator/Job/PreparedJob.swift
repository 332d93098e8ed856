import Foundation
import CFFmpeg
import GopfarmCommon

/// A job between submission and dispatch: probed, its encoder checked, its segments planned.
/// Shared by the one-shot `transcode` and the service, so both cut, check and stitch the same way.
public struct PreparedJob: Sendable {
    public let input: String
    public private(set) var settings: EncodeSettings
    public let probe: MediaProbe
    /// The plan, with the dispatcher's splits once a job ran (`withPlan`, `splitting`).
    public private(set) var plan: SegmentPlan
    /// The segment length the plan aimed at (seconds).
    public let targetSeconds: Double
    public let frameRate: Rational
    /// Probe warnings (damaged packets, truncation…), more are added after stitching.
    public let warnings: [String]
    /// Reading the input's packet index (with the encoder check), and cutting it into segments.
    public let probeSeconds: Double
    public let planSeconds: Double
    /// The segments at once the plan was cut for.
    public let slots: Int

    /// `checkingEncoder`: false for analysis-only jobs, which encode nothing. `outputPath`: the
    /// container is checked to hold the encoder's codec too, before any agent works for nothing.
    /// `slots`: segments the farm will run at once, so the plan fills its last round (`SegmentPlanner`).
    public init(input: String, settings requested: EncodeSettings, segmentSeconds: Double, slots: Int = 1, checkingEncoder: Bool = true,
                outputPath: String? = nil) throws(MediaError) {
        try self.init(input: input, settings: requested, segmentSeconds: segmentSeconds, slotsWhenProbed: { slots },
                      checkingEncoder: checkingEncoder, outputPath: outputPath)
    }

    /// As above, with the slots asked for once the input is probed and checked (a bad input has
    /// failed by then): `slotsWhenProbed` may wait for agents to connect. The wait is in neither
    /// `probeSeconds` nor `planSeconds`.
    public init(input: String, settings requested: EncodeSettings, segmentSeconds: Double, slotsWhenProbed: () -> Int,
                checkingEncoder: Bool = true, outputPath: String? = nil, probeProgress: MediaProbe.Progress? = nil) throws(MediaError) {
        self.input = input
        let started = MonotonicClock.now()
        probe = try MediaProbe(path: input, progress: probeProgress)
        var settings = requested
        var warnings = probe.info.warnings
        if let ladder = settings.ladder {
            (settings.ladder, warnings) = try Self.fit(ladder, sourceHeight: Int(probe.videoParameters.height), warnings: warnings)
            // Streaming players show progressive frames, and scaling a frame of two fields mixes them.
            let field = AVFieldOrder(rawValue: probe.videoParameters.fieldOrder)
            if [AV_FIELD_TT, AV_FIELD_BB, AV_FIELD_TB, AV_FIELD_BT].contains(field), !settings.deinterlace {
                settings.deinterlace = true
                warnings.append("the source is interlaced: the ladder's renditions are deinterlaced (bwdif), as streaming players expect progressive video")
            }
        }
        (settings, warnings) = Self.sdrOnlyFromHDR(settings, probe: probe, warnings: warnings)
        (settings.quarterTurns, warnings) = Self.uprightTurns(settings, probe: probe, outputPath: checkingEncoder ? outputPath : nil,
                                                              warnings: warnings)
        if checkingEncoder, let dropped = Self.alphaDropped(settings, probe: probe, outputPath: outputPath) { warnings.append(dropped) }
        if checkingEncoder { try Self.checkEncoder(settings, probe: probe, outputPath: settings.ladder == nil ? outputPath : nil) }
        let probed = MonotonicClock.now()
        slots = max(1, slotsWhenProbed())
        let planning = MonotonicClock.now()
        let target = settings.ladder.map { Self.farmSegmentSeconds(segmentSeconds, packaging: $0.segmentSeconds) } ?? segmentSeconds
        targetSeconds = target
        plan = try SegmentPlanner(targetSeconds: target, slots: slots, gridSeconds: settings.ladder?.segmentSeconds)
            .plan(probe.index, timeBase: probe.videoTimeBase)
        // The ladder's key frame grid starts at the first frame every rendition shows.
        settings.ladder?.keyFrameOrigin = plan.segments.first?.firstPTS
        self.settings = settings
        probeSeconds = probed - started
        planSeconds = MonotonicClock.now() - planning
        frameRate = Self.frameRate(of: probe)
        self.warnings = warnings
    }

    /// Tone mapping to SDR (the job's or a rung's) only where the source is HDR (PQ or HLG): an
    /// SDR source is SDR already, and tone-mapping it as if it were PQ would darken every picture.
    static func sdrOnlyFromHDR(_ settings: EncodeSettings, probe: MediaProbe, warnings: [String]) -> (EncodeSettings, [String]) {
        let asked = settings.sdr || settings.ladder?.rungs.contains(where: \.sdr) == true
        let transfer = probe.videoParameters.colorTransfer
        guard asked, !HDRMetadata.isHDRTransfer(transfer) else { return (settings, warnings) }
        var settings = settings
        settings.sdr = false
        if var ladder = settings.ladder {
            for i in ladder.rungs.indices { ladder.rungs[i].sdr = false }
            settings.ladder = ladder
        }
        let said = transfer == AVCOL_TRC_UNSPECIFIED.rawValue ? nil : av_color_transfer_name(AVColorTransferCharacteristic(rawValue: transfer))
        let why = said.map { "the source is SDR (transfer \(String(cString: $0)))" } ?? "the source declares no transfer and is taken as SDR"
        return (settings, warnings + ["\(why): there is nothing to tone-map, and it is encoded as it is"])
    }

    /// The video's frame rate as declared (average, else real), 25 when it declares none.
    public static func frameRate(of probe: MediaProbe) -> Rational {
        let stream = probe.info.streams[probe.info.videoStream]
        return [stream.averageFrameRate, stream.realFrameRate].compactMap { $0 }.first { $0.isValid } ?? Rational(25, 1)
    }

    /// The quarter turns that put a rotated source upright where the output's container cannot
    /// store its display matrix (FFmpeg 5.1's Matroska and WebM muxers), as the ffmpeg CLI turns
    /// it when it transcodes; 0 where the container keeps the matrix (MP4, MOV, CMAF) or nothing
    /// is written. A source that cannot be turned keeps its pictures as stored, with a warning.
    static func uprightTurns(_ settings: EncodeSettings, probe: MediaProbe, outputPath: String?,
                             warnings: [String]) -> (Int, [String]) {
        let degrees = probe.info.streams[probe.info.videoStream].rotation ?? 0
        guard let outputPath, settings.ladder == nil, degrees != 0,
              ["mkv", "webm"].contains((outputPath as NSString).pathExtension.lowercased()) else { return (0, warnings) }
        let turns = FrameTurner.quarterTurns(displayRotation: degrees)
        let field = AVFieldOrder(rawValue: probe.videoParameters.fieldOrder)
        let why: String?
        if turns == 0 {
            why = "it is not a quarter turn"
        } else if [AV_FIELD_TT, AV_FIELD_BB, AV_FIELD_TB, AV_FIELD_BT].contains(field), !settings.deinterlace {
            why = "its pictures are interlaced (--deinterlace first makes them turnable)"
        } else {
            why = FrameTurner.refusal(format: PixelFormatChoice.unJ(AVPixelFormat(rawValue: probe.videoParameters.format)), quarterTurns: turns)
        }
        guard let why else { return (turns, warnings) }
        return (0, warnings + ["the source is rotated \(Int(degrees))°, which FFmpeg 5.1's Matroska muxer cannot store, and gopfarm cannot turn the pictures upright (\(why)); players will show them unrotated (use .mp4 or .mov to keep the rotation)"])
    }

    /// A ladder's rungs that fit the source: a rung taller than the source would only upscale
    /// (more bits, no detail) and is left out with a warning; none left is an error.
    static func fit(_ ladder: Ladder, sourceHeight: Int, warnings: [String]) throws(MediaError) -> (Ladder, [String]) {
        guard !ladder.auto else { return (ladder, warnings) }
        var fitted = ladder, warnings = warnings
        fitted.rungs = ladder.rungs.filter { $0.height <= sourceHeight }
        let dropped = ladder.rungs.filter { $0.height > sourceHeight }.map(\.name)
        guard !fitted.rungs.isEmpty else {
            throw MediaError(.invalidOption, "every rung of the ladder has more lines than the source's \(sourceHeight) (rungs never upscale); give rungs of at most \(sourceHeight)p")
        }
        if !dropped.isEmpty {
            warnings.append("rung\(dropped.count == 1 ? "" : "s") \(dropped.joined(separator: ", ")) left out: more lines than the source's \(sourceHeight) (rungs never upscale)")
        }
        return (fitted, warnings)
    }

    /// Farm segments of a ladder are a whole number of packaging segments long (as near the
    /// asked length as that allows), so packaging segments rarely end early at a farm cut.
    static func farmSegmentSeconds(_ asked: Double, packaging: Double) -> Double {
        max(1, (asked / packaging).rounded()) * packaging
    }

    /// The job with an automatic ladder's chosen rungs (their encoders checked).
    public func choosingRungs(_ rungs: [LadderRung]) throws(MediaError) -> PreparedJob {
        var job = self
        job.settings.ladder?.rungs = rungs
        job.settings.ladder?.auto = false
        try job.settings.validate()
        try Self.checkEncoder(job.settings, probe: probe, outputPath: nil)
        return job
    }

    public func dispatchJob(id: String, spool: URL, priority: JobPriority = .normal, owner: String = "local",
                            analysis: AnalysisSettings? = nil, mode: SegmentMode = .encode) -> DispatchJob {
        var job = DispatchJob(id: id, plan: plan, settings: settings, frameRate: frameRate, spool: spool, priority: priority, owner: owner,
                              analysis: analysis, mode: mode, startSeconds: probe.info.streams.compactMap(\.startTime).min() ?? 0)
        job.splitter = splitter
        return job
    }

    /// The dispatcher may split this job's segments where the video can be cut at any frame and
    /// no ladder grid holds the cuts to key frames; parts stay at least a quarter of the target.
    var splitter: DispatchSplitter? {
        guard settings.ladder == nil, plan.disorderedFrames == nil, SegmentPlanner.cutsAtAnyFrame(probe.index) else { return nil }
        let index = probe.index
        let minimum = DispatchSplitter.minimumFrames(targetSeconds: targetSeconds, framesPerSecond: frameRate.doubleValue)
        return DispatchSplitter(minimumFrames: minimum) { plan, split in
            try? SegmentPlanner.split(plan, split, index: index)
        }
    }

    /// The job with the plan a dispatcher ran it by (its splits made).
    public func withPlan(_ plan: SegmentPlan) -> PreparedJob {
        var job = self
        job.plan = plan
        return job
    }

    /// The job with the splits a dispatcher made before a restart (in order), so the segments
    /// it finished keep their places.
    public func splitting(_ splits: [PlanSplit]) throws(MediaError) -> PreparedJob {
        withPlan(try SegmentPlanner.splitting(plan, splits, index: probe.index))
    }

    public func makeExtractor() throws(MediaError) -> SegmentExtractor {
        try SegmentExtractor(path: input, probe: probe)
    }

    /// Stitches the encoded segments into `outputPath`; returns what was written and every warning.
    public func stitch(_ completed: [CompletedSegment], outputPath: String) throws(MediaError) -> (StitchReport, [String]) {
        let stitched = try Stitcher(sourcePath: input, probe: probe, plan: plan, segments: completed, outputPath: outputPath,
                                    audioBitrate: settings.audioBitrate).run()
        return (stitched, outputWarnings(completed, written: stitched.videoFrames, writerWarnings: stitched.warnings))
    }

    /// Packages a ladder's encoded segments into `directory` (CMAF tracks, HLS and DASH).
    public func package(_ completed: [CompletedSegment], directory: URL) throws(MediaError) -> (PackageReport, [String]) {
        guard let ladder = settings.ladder, !ladder.auto else { throw MediaError(.invalidOption, "the job has no ladder with rungs to package") }
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw MediaError(.invalidOption, "cannot create the output directory: \(error.localizedDescription)", path: directory.path)
        }
        let packaged = try LadderPackager(sourcePath: input, probe: probe, plan: plan, ladder: ladder, segments: completed,
                                          outputDirectory: directory, audioBitrate: settings.audioBitrate).run()
        return (packaged, outputWarnings(completed, written: packaged.videoFrames, writerWarnings: packaged.warnings))
    }

    /// The probe's warnings, then what the agents and the stitcher or packager found.
    private func outputWarnings(_ completed: [CompletedSegment], written: Int, writerWarnings: [String]) -> [String] {
        var warnings = self.warnings
        for c in completed where !c.result.corruptFrames.isEmpty {
            warnings.append("segment \(c.result.segment): \(c.result.corruptFrames.count) frame(s) decoded with errors at source times \(c.result.corruptFrames.map { String(format: "%.3f s", MediaTime($0, probe.videoTimeBase).seconds) }.joined(separator: ", ")); they cannot be exact")
        }
        warnings += writerWarnings
        if let disordered = plan.disorderedFrames {
            warnings.append("the video's timestamps are damaged (\(disordered) of its \(plan.totalFrames) frames repeat or jump back in time): it was decoded in one piece, every frame in the order the decoder shows it, one that does not move forward in time timed a frame after the one before, as FFmpeg's tools do")
        }
        if plan.skippedLeadingFrames > 0 {
            warnings.append("\(plan.skippedLeadingFrames) frame(s) before the first decodable key frame are not in the output")
        }
        let lost = plan.expectedFrames - written
        if lost > 0, plan.disorderedFrames != nil {
            warnings.append("\(lost) of the \(plan.expectedFrames) frames could not be decoded (damaged packets) and are missing from the output")
        } else if lost > 0 {
            warnings.append("\(lost) frame(s) of damaged packets could not be decoded and are missing from the output")
        }
        return warnings
    }

    /// The job's content record: the segments' analyses merged, with the input's metadata (the
    /// output's is added once the output is written: `JobPipeline.finish`). With `thumbnails`,
    /// that directory gets one picture per scene and `contact-sheet.jpg`. Shared by transcode,
    /// analyze and the service.
    public func mergeAnalyses(_ completed: [CompletedSegment], settings: AnalysisSettings, thumbnails: URL?) throws -> JobAnalysis {
        var analysis = try AnalysisMerger(settings: settings, timeBase: probe.videoTimeBase).merge(completed, thumbnails: thumbnails)
        analysis.source = probe.info
        if let thumbnails { try ReportFiles.writeContactSheet(analysis, thumbnails: thumbnails) }
        return analysis
    }

    /// The sentence when the source's transparency does not reach the output: its pixel format
    /// has alpha, the one the encoder gets has none (x264, x265 and SVT-AV1 have no alpha), or
    /// VP9's alpha (beside each frame) goes into MP4 or MOV, which have no place for it.
    static func alphaDropped(_ settings: EncodeSettings, probe: MediaProbe, outputPath: String?) -> String? {
        let source = PixelFormatChoice.unJ(AVPixelFormat(rawValue: probe.videoParameters.format))
        guard let s = av_pix_fmt_desc_get(source), s.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0 else { return nil }
        let name = String(cString: s.pointee.name)
        let codecs = settings.ladder.map { $0.renditionSettings(base: settings).map(\.codec) } ?? [settings.codec]
        let matroska = ["mkv", "webm"].contains(((outputPath ?? "") as NSString).pathExtension.lowercased())
        for codec in Set(codecs).sorted() {
            guard let target = try? PixelFormatChoice.choose(codec: codec, source: source, requested: settings.pixelFormat),
                  let t = av_pix_fmt_desc_get(target) else { continue }
            if t.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) == 0 {
                return "the source has an alpha channel (\(name)) and \(codec) encodes none: the output is opaque (ffv1 and libvpx-vp9 keep it)"
            }
            if codec == "libvpx-vp9", !matroska {
                return "the source has an alpha channel (\(name)) and libvpx-vp9 keeps it only in Matroska or WebM: the output is opaque (write an .mkv or .webm output to keep it)"
            }
        }
        return nil
    }

    /// Opens the encoder once here and encodes one frame, so a bad codec, preset or pixel
    /// format is one sentence before any agent starts.
    static func checkEncoder(_ requested: EncodeSettings, probe: MediaProbe, outputPath: String?) throws(MediaError) {
        if let ladder = requested.ladder, !ladder.auto {
            for rung in ladder.renditionSettings(base: requested) { try checkEncoder(rung, probe: probe, outputPath: nil) }
            return
        }
        let p = probe.videoParameters
        // Tone-mapped pictures come to the encoder in the tone mapping's format, not the source's.
        let format = try PixelFormatChoice.choose(codec: requested.codec,
                                                  source: requested.sdr ? ToneMapper.outputFormat(requested)
                                                                        : PixelFormatChoice.unJ(.init(rawValue: p.format)),
                                                  requested: requested.pixelFormat)
        let (upright, across) = requested.quarterTurns % 2 == 1 ? (Int(p.height), Int(p.width)) : (Int(p.width), Int(p.height))
        var size = requested.scale?.resolve(sourceWidth: upright, sourceHeight: across) ?? (upright, across)
        // `--ladder auto` encodes at the probe's even sizes, never the source's odd one.
        if requested.ladder?.auto == true { size = (max(2, size.0 & ~1), max(2, size.1 & ~1)) }
        // x264, x265 and SVT-AV1 cannot code an odd side in subsampled chroma (libx264 says only
        // "Generic error in an external library", libsvtav1 "Invalid argument"); VP9 and FFV1 can.
        if ["libx264", "libx265", "libsvtav1"].contains(requested.codec), let desc = av_pix_fmt_desc_get(format),
           (desc.pointee.log2_chroma_w > 0 && size.0 % 2 == 1) || (desc.pointee.log2_chroma_h > 0 && size.1 % 2 == 1) {
            let name = String(cString: desc.pointee.name)
            let fullChroma = requested.codec == "libsvtav1" ? "" : ", a 4:4:4 --pix-fmt"
            throw MediaError(.invalidOption, "the video is \(size.0)x\(size.1) and \(requested.codec) cannot code an odd side in \(name); give --scale with even sides (-2 keeps the aspect)\(fullChroma), or another codec (libvpx-vp9, ffv1)")
        }
        // SVT-AV1 1.4 codes no picture under 64 pixels a side, and says so on stderr only.
        if requested.codec == "libsvtav1", size.0 < 64 || size.1 < 64 {
            throw MediaError(.invalidOption, "the video is \(size.0)x\(size.1) and libsvtav1 codes pictures of at least 64x64; give --scale to at least 64 on each side, or another codec (libx264, libvpx-vp9, ffv1)")
        }
        var settings = requested
        settings.threads = 1
        let encoder = try Encoder(settings: settings, source: Encoder.Source(
            width: Int32(size.0), height: Int32(size.1), pixelFormat: format, timeBase: probe.videoTimeBase, frameRate: Rational(25, 1)))
        try encoder.selfTest(width: size.0, height: size.1, pixelFormat: format)
        if let outputPath {
            let out = try OutputContainer(path: outputPath, videoCodecID: encoder.parameters.codecID)
            guard out.accepts(codecID: encoder.parameters.codecID) else {
                let ext = (outputPath as NSString).pathExtension
                throw MediaError(.unsupportedContainer, "\(requested.codec) video cannot be stored in a .\(ext) file by this FFmpeg; choose another container (.mkv holds every codec) or codec", path: outputPath)
            }
        }
    }
}
