/// An encoded segment: the encoded packets (a `PacketStream`) travel in the first payload frame
/// (empty for analysis-only jobs), the `SegmentAnalysis` (JSON) in the second when analyzed.
public struct SegmentResult: WireMessage, Equatable {
    public static let type = "result"
    public var job: String
    public var segment: Int
    public var attempt: Int
    public var frames: Int
    public var firstPTS: Int64
    public var lastPTS: Int64
    /// How many packets at most precede, in decode order, a frame shown before them: the
    /// stitcher derives monotonic decode timestamps across segments from it.
    public var reorderDepth: Int
    public var corruptFrames: [Int64]
    public var payloadSHA256: String
    public var payloadBytes: Int
    public var decodeSeconds: Double
    public var encodeSeconds: Double
    /// Size and SHA-256 of the analysis payload frame, when there is one.
    public var analysisBytes: Int?
    public var analysisSHA256: String?
    public var analysisSeconds: Double?
    public var quality: SegmentQuality?
    /// Free slots the agent asks work for along with this result, instead of a separate
    /// `SegmentRequest` (one message less per segment); nil or 0: none.
    public var requestSlots: Int?
    /// A ladder's renditions, in rung order (the payload is a `RenditionBundle`); nil otherwise.
    public var renditions: [RenditionResult]?

    public init(job: String, segment: Int, attempt: Int, frames: Int, firstPTS: Int64, lastPTS: Int64, reorderDepth: Int,
                corruptFrames: [Int64], payloadSHA256: String, payloadBytes: Int, decodeSeconds: Double, encodeSeconds: Double,
                analysisBytes: Int? = nil, analysisSHA256: String? = nil, analysisSeconds: Double? = nil, quality: SegmentQuality? = nil, requestSlots: Int? = nil,
                renditions: [RenditionResult]? = nil) {
        self.job = job
        self.segment = segment
        self.attempt = attempt
        self.frames = frames
        self.firstPTS = firstPTS
        self.lastPTS = lastPTS
        self.reorderDepth = reorderDepth
        self.corruptFrames = corruptFrames
        self.payloadSHA256 = payloadSHA256
        self.payloadBytes = payloadBytes
        self.decodeSeconds = decodeSeconds
        self.encodeSeconds = encodeSeconds
        self.analysisBytes = analysisBytes
        self.analysisSHA256 = analysisSHA256
        self.analysisSeconds = analysisSeconds
        self.quality = quality
        self.requestSlots = requestSlots
        self.renditions = renditions
    }
}
