import GopfarmCommon

/// One rung of a per-title ladder: the size and CRF to encode at, and the rate to cap it at
/// (`maxrate`; the agent's rung sets `bufsize` from it), with the PSNR the probe predicts.
public struct ChosenRung: Codable, Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Bits per second: the cap of the capped-CRF encode.
    public var maxrate: Int
    public var crf: Double
    /// The hull's PSNR at `maxrate` (dB, display-size upscale): what the probe expects.
    public var expectedPSNR: Double

    public init(width: Int, height: Int, maxrate: Int, crf: Double, expectedPSNR: Double) {
        self.width = width
        self.height = height
        self.maxrate = maxrate
        self.crf = crf
        self.expectedPSNR = expectedPSNR
    }

    /// The rung as the farm's ladder carries it (capped CRF).
    public func ladderRung(codec: String? = nil) -> LadderRung {
        LadderRung(height: height, bitrate: maxrate, codec: codec, crf: crf)
    }
}
