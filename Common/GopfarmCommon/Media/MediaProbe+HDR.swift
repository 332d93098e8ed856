extension MediaProbe {
    /// Packets decoded, from the first key frame, to find the HDR metadata of a source whose
    /// container declares none.
    static let hdrPacketLimit = 32

    /// The HDR10 metadata the first decoded frame comes with; nil when it has none, or when
    /// no frame decodes from `packets`.
    static func firstFrameHDR(_ packets: [Packet], parameters: CodecParameters, timeBase: Rational) -> HDRMetadata? {
        guard !packets.isEmpty, let decoder = try? Decoder(parameters: parameters, timeBase: timeBase, threads: 1) else { return nil }
        let frame = Frame()
        for packet in packets.map(Optional.some) + [nil] {
            guard (try? decoder.send(packet)) != nil else { return nil }
            if (try? decoder.receive(into: frame)) == true { return frame.hdrMetadata }
        }
        return nil
    }
}
