import CFFmpeg

extension CodecParameters {
    /// The parameters of an opened encoder's stream (with extradata), for a muxer.
    init(encoder context: UnsafeMutablePointer<AVCodecContext>) {
        guard let par = avcodec_parameters_alloc() else { fatalError("avcodec_parameters_alloc: out of memory") }
        var owner: UnsafeMutablePointer<AVCodecParameters>? = par
        defer { avcodec_parameters_free(&owner) }
        avcodec_parameters_from_context(par, context)
        self.init(par)
    }
}
