import CFFmpeg

/// Owns one `AVBSFContext`: a libavcodec bitstream filter over one input stream's packets
/// (`aac_adtstoasc` takes the ADTS header off every MPEG-TS AAC frame and gives the
/// AudioSpecificConfig an MP4 sample entry wants, as the first packet's new extradata).
public final class BitstreamFilter {
    private var context: UnsafeMutablePointer<AVBSFContext>?
    private let name: String
    private let output = Packet()

    public init(name: String, input: InputContainer, stream index: Int) throws(MediaError) {
        self.name = name
        guard let filter = av_bsf_get_by_name(name) else {
            throw MediaError(.unsupportedCodec, "the bitstream filter '\(name)' is not available in this FFmpeg build")
        }
        try avCheck(av_bsf_alloc(filter, &context), .invalidPayload, "cannot allocate the \(name) bitstream filter")
        let st = input.stream(index)
        try avCheck(avcodec_parameters_copy(context!.pointee.par_in, st.pointee.codecpar), .invalidPayload,
                    "cannot give stream \(index)'s parameters to the \(name) bitstream filter")
        context!.pointee.time_base_in = st.pointee.time_base
        try avCheck(av_bsf_init(context), .invalidPayload, "cannot open the \(name) bitstream filter on stream \(index)")
    }

    deinit { av_bsf_free(&context) }

    /// Filters `packet` (its data is taken; nil: end of stream) and hands every packet that
    /// comes out to `emit`, timestamps unchanged. False when the filter found the packet's data
    /// damaged or beyond it (a broken ADTS header): that packet is left out, the stream goes on.
    @discardableResult
    public func filter(_ packet: Packet?, emit: (Packet) throws(MediaError) -> Void) throws(MediaError) -> Bool {
        try avCheck(av_bsf_send_packet(context, packet?.pointer), .invalidPayload, "the \(name) bitstream filter refused a packet")
        var intact = true
        while true {
            let status = av_bsf_receive_packet(context, output.pointer)
            if status == gf_AVERROR_EAGAIN() || status == gf_AVERROR_EOF() { return intact }
            if status == gf_AVERROR_INVALIDDATA() || status == gf_AVERROR_PATCHWELCOME() {
                intact = false
                continue
            }
            try avCheck(status, .invalidPayload, "the \(name) bitstream filter failed")
            try emit(output)
            output.unref()
        }
    }
}
