import GopfarmCommon
import Testing

@Suite("HDR10 metadata")
struct HDRMetadataTests {
    /// BT.2020 primaries, D65, 0.0001-1000 cd/m², MaxCLL 1000, MaxFALL 400, as FFmpeg reads
    /// an HEVC SEI (chromaticities in 1/50000, luminances in 1/10000).
    static let hdr10 = HDRMetadata(
        masteringDisplay: .init(red: .init(x: Rational(34000, 50000), y: Rational(16000, 50000)),
                                green: .init(x: Rational(13250, 50000), y: Rational(34500, 50000)),
                                blue: .init(x: Rational(7500, 50000), y: Rational(3000, 50000)),
                                whitePoint: .init(x: Rational(15635, 50000), y: Rational(16450, 50000)),
                                minLuminance: Rational(1, 10000), maxLuminance: Rational(10_000_000, 10000)),
        contentLight: .init(maxCLL: 1000, maxFALL: 400))!

    @Test func x265GetsItsOwnUnitsGreenFirst() {
        #expect(Self.hdr10.encoderParameters(codec: "libx265")
                == "master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400")
    }

    @Test func svtAV1GetsDecimals() {
        #expect(Self.hdr10.encoderParameters(codec: "libsvtav1")
                == "mastering-display=G(0.265000,0.690000)B(0.150000,0.060000)R(0.680000,0.320000)WP(0.312700,0.329000)L(1000.000000,0.000100):content-light=1000,400")
    }

    @Test func encodersWithoutAPlaceGetNone() {
        for codec in ["libvpx-vp9", "libx264", "ffv1"] { #expect(Self.hdr10.encoderParameters(codec: codec) == nil) }
    }

    @Test func onlyWhatIsThere() {
        let light = HDRMetadata(masteringDisplay: nil, contentLight: .init(maxCLL: 600, maxFALL: 120))
        #expect(light?.encoderParameters(codec: "libx265") == "max-cll=600,120")
        #expect(light?.description == "MaxCLL 600, MaxFALL 120 cd/m²")
        #expect(HDRMetadata(masteringDisplay: nil, contentLight: nil) == nil)
    }
}
