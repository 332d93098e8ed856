/// How frames are analyzed: the agent measures with it, the coordinator decides with it.
/// Defaults follow PySceneDetect's content detector (threshold 27, 15-frame minimum scene)
/// and FFmpeg's blackdetect (pixel 0.10, picture 0.98) and freezedetect (noise 0.001).
public struct AnalysisSettings: Codable, Sendable, Equatable {
    /// Width of the small plane every measure is taken on (height keeps the aspect ratio).
    public var planeWidth: Int
    /// A frame whose content score (mean HSV change, 0–255) reaches this is a cut candidate.
    public var sceneThreshold: Double
    /// No two cuts closer than this many frames (a flash is not two scenes).
    public var minSceneFrames: Int
    /// A fade: mean luma falling into (or rising out of) a black frame, one step per frame, for
    /// at least `fadeMinFrames` frames and by at least `fadeMinLumaChange` (0–255) in all.
    public var fadeMinFrames: Int
    public var fadeMinLumaChange: Double
    /// A pixel is black at or below this fraction of the luma range (blackdetect's pix_th).
    public var blackPixelThreshold: Double
    /// A frame is black when at least this fraction of its pixels are (picture_black_ratio_th).
    public var blackPictureRatio: Double
    public var blackMinSeconds: Double
    /// A frame is frozen when its mean absolute difference to the previous one, as a fraction
    /// of the luma range, is at most this (freezedetect's noise).
    public var freezeNoise: Double
    public var freezeMinSeconds: Double
    /// Width of thumbnails (JPEG); candidates are cut frames and one every `thumbnailSeconds`.
    public var thumbnailWidth: Int
    public var thumbnailSeconds: Double
    /// Measure PSNR and SSIM of the encoded frames (decodes the agent's own output).
    public var quality: Bool
    /// SSIM is computed on every n-th frame (it costs more than PSNR).
    public var ssimEvery: Int

    public init(planeWidth: Int = 256, sceneThreshold: Double = 27, minSceneFrames: Int = 15,
                fadeMinFrames: Int = 5, fadeMinLumaChange: Double = 12,
                blackPixelThreshold: Double = 0.10, blackPictureRatio: Double = 0.98, blackMinSeconds: Double = 0.5,
                freezeNoise: Double = 0.001, freezeMinSeconds: Double = 1.0,
                thumbnailWidth: Int = 320, thumbnailSeconds: Double = 2, quality: Bool = true, ssimEvery: Int = 8) {
        self.planeWidth = planeWidth
        self.sceneThreshold = sceneThreshold
        self.minSceneFrames = minSceneFrames
        self.fadeMinFrames = fadeMinFrames
        self.fadeMinLumaChange = fadeMinLumaChange
        self.blackPixelThreshold = blackPixelThreshold
        self.blackPictureRatio = blackPictureRatio
        self.blackMinSeconds = blackMinSeconds
        self.freezeNoise = freezeNoise
        self.freezeMinSeconds = freezeMinSeconds
        self.thumbnailWidth = thumbnailWidth
        self.thumbnailSeconds = thumbnailSeconds
        self.quality = quality
        self.ssimEvery = ssimEvery
    }

    /// Checks the options a user can get wrong, with one sentence each.
    public func validate() throws(MediaError) {
        guard (16...1920).contains(planeWidth) else { throw MediaError(.invalidOption, "the analysis width must be between 16 and 1920 pixels") }
        guard (0...255).contains(sceneThreshold) else { throw MediaError(.invalidOption, "--scene-threshold must be between 0 and 255") }
        guard (1...100_000).contains(minSceneFrames) else { throw MediaError(.invalidOption, "--min-scene must be between 1 and 100000 frames") }
        guard (0...1).contains(blackPixelThreshold), (0...1).contains(blackPictureRatio) else {
            throw MediaError(.invalidOption, "black thresholds are fractions between 0 and 1")
        }
        guard (0...1).contains(freezeNoise) else { throw MediaError(.invalidOption, "--freeze-noise is a fraction between 0 and 1") }
        guard blackMinSeconds >= 0, freezeMinSeconds >= 0, blackMinSeconds <= 86_400, freezeMinSeconds <= 86_400 else {
            throw MediaError(.invalidOption, "--black-min and --freeze-min are seconds between 0 and 86400")
        }
        guard (16...1920).contains(thumbnailWidth) else { throw MediaError(.invalidOption, "--thumbnail-width must be between 16 and 1920") }
        guard thumbnailSeconds > 0, ssimEvery >= 1, fadeMinFrames >= 2 else {
            throw MediaError(.invalidOption, "thumbnail interval, SSIM step and fade length must be positive")
        }
    }
}
