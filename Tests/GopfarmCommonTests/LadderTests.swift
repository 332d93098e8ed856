import Foundation
import GopfarmCommon
import Testing

@Suite struct LadderTests {
    @Test func parsesTheIssuesLadder() throws {
        let ladder = try Ladder(parsing: "1080p:6M,720p:3M,480p:1.2M,360p:700k")
        #expect(ladder.rungs.map(\.name) == ["1080p", "720p", "480p", "360p"])
        #expect(ladder.rungs.map(\.height) == [1080, 720, 480, 360])
        #expect(ladder.rungs.map(\.bitrate) == [6_000_000, 3_000_000, 1_200_000, 700_000])
        #expect(!ladder.auto)
        #expect(ladder.packages == [.hls, .dash])
        try EncodeSettings(codec: "libx264", ladder: ladder).validate()
    }

    @Test func rungOptionsChooseCodecAndRateControl() throws {
        let ladder = try Ladder(parsing: "720p:3M:libx265, 720p:4M, 480p:1.5M:abr, 360p:800k:crf=26")
        #expect(ladder.rungs.map(\.name) == ["720p-hevc", "720p", "480p", "360p"])
        let settings = ladder.renditionSettings(base: EncodeSettings(codec: "libx264", crf: 21, preset: "fast"))
        #expect(settings[0].codec == "libx265" && settings[0].crf == 21 && settings[0].maxRate == 3_000_000 && settings[0].bufferSize == 6_000_000)
        #expect(settings[1].codec == "libx264" && settings[1].scale == ScaleSpec(width: -2, height: 720))
        #expect(settings[2].bitrate == 1_500_000 && settings[2].crf == nil && settings[2].maxRate == nil)
        #expect(settings[3].crf == 26)
        #expect(settings.allSatisfy { $0.onlyForcedKeyFrames && $0.ladder == nil && $0.preset == "fast" })
        // Without a job CRF each codec gets its own default.
        let defaults = ladder.renditionSettings(base: EncodeSettings(codec: "libx264"))
        #expect(defaults[0].crf == 28 && defaults[1].crf == 23)
    }

    /// SVT-AV1 rungs beside H.264 ones: the job's x264 preset means nothing to SVT-AV1, so such a
    /// rung takes its own `preset=` or SVT-AV1's default; its CRF default is SVT-AV1's scale.
    @Test func av1RungsTakeTheirOwnPresetAndDefaults() throws {
        let ladder = try Ladder(parsing: "720p:3M, 720p:2M:libsvtav1, 360p:600k:libsvtav1:preset=10")
        #expect(ladder.rungs.map(\.name) == ["720p", "720p-av1", "360p-av1"])
        let base = EncodeSettings(codec: "libx264", preset: "veryfast")
        try EncodeSettings(codec: "libx264", preset: "veryfast", ladder: ladder).validate()
        let settings = ladder.renditionSettings(base: base)
        #expect(settings.map(\.preset) == ["veryfast", nil, "10"])
        #expect(settings[1].codec == "libsvtav1" && settings[1].crf == 35 && settings[1].maxRate == 2_000_000)
        // A job on SVT-AV1 hands its numeric preset to its AV1 rungs, not to an x265 one.
        let mixed = try Ladder(parsing: "720p:2M, 360p:600k:libx265").renditionSettings(base: EncodeSettings(codec: "libsvtav1", preset: "12"))
        #expect(mixed.map(\.preset) == ["12", nil])
    }

    /// Two rates at one size are a ladder too (`--ladder auto` picks such pairs): the second is
    /// named like auto names it.
    @Test func twoRatesAtOneSizeAreNamedApart() throws {
        let ladder = try Ladder(parsing: "360p:1M,360p:500k,360p:300k:libx265,360p:200k:libx265")
        #expect(ladder.rungs.map(\.name) == ["360p", "360p-2", "360p-hevc", "360p-hevc-2"])
        // The API's rungs the same way; a name given stays, a default one moves aside.
        let given = Ladder.namedApart([LadderRung(height: 360, bitrate: 1_000_000), LadderRung(name: "360p", height: 240, bitrate: 500_000)], given: [1])
        #expect(given.map(\.name) == ["360p-2", "360p"])
        try EncodeSettings(codec: "libx264", ladder: ladder).validate()
    }

    /// HDR rungs beside SDR ones: `:sdr` tone-maps that rung only, `--sdr` (the job's) every rung.
    @Test func sdrRungsAreTheirOwnRenditions() throws {
        let ladder = try Ladder(parsing: "1080p:6M:libx265,1080p:5M:sdr,720p:3M:libx265:sdr")
        #expect(ladder.rungs.map(\.name) == ["1080p-hevc", "1080p-sdr", "720p-hevc-sdr"])
        #expect(ladder.rungs.map(\.sdr) == [false, true, true])
        #expect(ladder.rungs[2].text(rate: "3M") == "720p:3M:libx265:sdr")
        try EncodeSettings(codec: "libx264", ladder: ladder).validate()
        #expect(ladder.renditionSettings(base: EncodeSettings(codec: "libx264")).map(\.sdr) == [false, true, true])
        var base = EncodeSettings(codec: "libx264")
        base.sdr = true
        #expect(ladder.renditionSettings(base: base).allSatisfy { $0.sdr })
        // The same size, rate and codec once HDR and once SDR are two renditions, not one given twice.
        try EncodeSettings(codec: "libx264", ladder: try Ladder(parsing: "720p:3M,720p:3M:sdr")).validate()
    }

    @Test func sdrSurvivesJSONAndOldJSONHasNone() throws {
        var settings = EncodeSettings(codec: "libx265", ladder: try Ladder(parsing: "720p:3M:sdr,360p:800k"))
        settings.sdr = true
        let json = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(EncodeSettings.self, from: json) == settings)
        // Settings and rungs stored before `sdr` existed decode as HDR kept, and SDR ones write nothing new.
        let old = #"{"codec":"libx264","threads":0,"deinterlace":false,"onlyForcedKeyFrames":false,"ladder":{"rungs":[{"name":"720p","height":720,"bitrate":3000000,"averageBitrate":false}],"auto":false,"packages":["hls"],"segmentSeconds":4}}"#
        let decoded = try JSONDecoder().decode(EncodeSettings.self, from: Data(old.utf8))
        #expect(!decoded.sdr && decoded.ladder?.rungs.first?.sdr == false)
        let plain = String(decoding: try JSONEncoder().encode(EncodeSettings(codec: "libx264", ladder: try Ladder(parsing: "720p:3M"))), as: UTF8.self)
        #expect(!plain.contains("sdr"), "\(plain)")
    }

    @Test func autoHasNoRungs() throws {
        let ladder = try Ladder(parsing: "auto", packages: [.hls])
        #expect(ladder.auto && ladder.rungs.isEmpty && ladder.packages == [.hls])
        try EncodeSettings(codec: "libx264", ladder: ladder).validate()
    }

    @Test(arguments: [
        ("720p", "a rung is HEIGHTp:RATE such as 720p:3M, not '720p'"),
        ("720:3M", "a rung is HEIGHTp:RATE such as 720p:3M, not '720:3M'"),
        ("720p:fast", "the rate of rung '720p:fast' is not a bit rate such as 3M, 1.2M or 700k"),
        ("720p:3M:turbo", "rung '720p:3M:turbo': 'turbo' is not a codec, abr, crf=N, preset=P or sdr"),
        ("720p:3M:preset=", "rung '720p:3M:preset=': 'preset=' is not a codec, abr, crf=N, preset=P or sdr"),
        ("720p:-3M", "the rate of rung '720p:-3M' is not a bit rate such as 3M, 1.2M or 700k"),
        ("360p:800k:crf=20:crf=22", "rung '360p:800k:crf=20:crf=22' gives crf twice; give it once"),
        ("360p:800k:abr:abr", "rung '360p:800k:abr:abr' gives abr twice; give it once"),
        ("360p:800k:sdr:sdr", "rung '360p:800k:sdr:sdr' gives sdr twice; give it once"),
    ])
    func refusesBadRungsInOneSentence(text: String, sentence: String) {
        #expect(throws: MediaError.self) { try Ladder(parsing: text) }
        do { _ = try Ladder(parsing: text) } catch { #expect(error.message == sentence) }
    }

    @Test(arguments: [
        ("721p:3M", "rung 721p: the height must be even and between 16 and 4320, not 721"),
        ("720p:3M:libvpx-vp9", "rung 720p-libvpx-vp9: a ladder encodes libx264, libx265 or libsvtav1 (CMAF tracks), not libvpx-vp9"),
        ("720p:3M:crf=70", "rung 720p: crf for libx264 must be between 0 and 51, not 70"),
        ("720p:3M:libsvtav1:preset=14", "rung 720p-av1: preset for libsvtav1 is a number from 0 (slowest) to 13 (fastest), not '14'"),
        ("360p:1M:crf=0", "rung 360p: crf 0 is lossless, which no rate can cap; give a crf above 0, or abr"),
        ("360p:500k:abr:crf=30", "rung 360p: abr encodes to the rate on average and takes no crf"),
        ("360p:800k,360p:800k", "rung 360p:800k is given twice; give each once"),
        ("360p:800k,360p:800k:libx264", "rungs 360p:800k and 360p:800k:libx264 are the same rendition; give each once"),
        // Not a bufsize the user never gave (2 × RATE).
        ("120p:1.2G", "rung 120p: the rate must be between 1k and 1G bits per second, not 1200000000"),
        ("720p:3M:preset=7", "rung 720p: preset '7' is not a libx264 preset; use one of ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo"),
    ])
    func refusesBadLaddersInOneSentence(text: String, sentence: String) throws {
        let settings = EncodeSettings(codec: "libx264", ladder: try Ladder(parsing: text))
        do { try settings.validate(); Issue.record("accepted \(text)") } catch { #expect(error.message == sentence) }
    }

    @Test func refusesLaddersThatContradictTheJob() throws {
        var settings = EncodeSettings(codec: "libx264", scale: ScaleSpec(width: 640, height: 360), ladder: try Ladder(parsing: "720p:3M"))
        #expect(throws: MediaError.self) { try settings.validate() }
        settings.scale = nil
        settings.ladder?.segmentSeconds = 0.5
        do { try settings.validate() } catch { #expect(error.message == "the packaging segment length must be between 1 and 20 seconds, not 0.5") }
        settings.ladder = try Ladder(parsing: "auto")
        settings.codec = "libvpx-vp9"
        #expect(throws: MediaError.self) { try settings.validate() }
        // Options a ladder sets per rung were taken and ignored: refused now.
        for (job, sentence) in [
            (EncodeSettings(codec: "libx264", gop: 10, ladder: try Ladder(parsing: "360p:1M")), "give no gop with it"),
            (EncodeSettings(codec: "libx264", maxRate: 1_000_000, bufferSize: 2_000_000, ladder: try Ladder(parsing: "360p:1M")), "give no maxrate or bufsize with it"),
            // Not "maxrate needs bufsize too", which sent the user to give one more refused option.
            (EncodeSettings(codec: "libx264", maxRate: 1_000_000, ladder: try Ladder(parsing: "360p:1M")), "give no maxrate or bufsize with it"),
            (EncodeSettings(codec: "libx264", crf: 0, ladder: try Ladder(parsing: "360p:1M")), "crf 0 is lossless"),
        ] {
            do { try job.validate(); Issue.record("accepted \(sentence)") } catch { #expect(error.message.contains(sentence), "\(error.message)") }
        }
        // Names apart only by case are one directory on a case-insensitive file system.
        let cased = EncodeSettings(codec: "libx264", ladder: Ladder(rungs: [LadderRung(name: "A", height: 360, bitrate: 1_000_000),
                                                                            LadderRung(name: "a", height: 240, bitrate: 500_000)]))
        do { try cased.validate(); Issue.record("A and a accepted") } catch { #expect(error.message == "the ladder has two rungs named a; give each its own name") }
        // Names only the API can give: none at all, or one of the source tracks' (a DASH
        // Representation id twice, a directory named video-).
        for (name, sentence) in [("", "rung name '' must be 1 to 32 letters, digits, - or _"),
                                 ("audio-1", "rung name 'audio-1' is taken: names starting with audio- are the audio and subtitle tracks'"),
                                 ("Subs-2", "rung name 'Subs-2' is taken: names starting with subs- are the audio and subtitle tracks'")] {
            let named = EncodeSettings(codec: "libx264", ladder: Ladder(rungs: [LadderRung(name: name, height: 360, bitrate: 1_000_000)]))
            do { try named.validate(); Issue.record("'\(name)' accepted") } catch { #expect(error.message == sentence) }
        }
        do { _ = try Ladder(parsing: "360p:500k:libx265:libx264"); Issue.record("two codecs accepted") } catch {
            #expect(error.message == "rung '360p:500k:libx265:libx264' names two codecs, libx265 and libx264; give one")
        }
        #expect(throws: MediaError.self) { try PackageFormat.parseList("hls,smooth") }
        #expect(try PackageFormat.parseList("DASH, hls,dash") == [.dash, .hls])
    }

    @Test func keyFrameGridCountsFromTheOrigin() {
        let ladder = Ladder(rungs: [LadderRung(height: 360, bitrate: 800_000)], segmentSeconds: 2, keyFrameOrigin: 1000)
        let tb = Rational(1, 1000)
        #expect(ladder.startsPackagingSegment(pts: 5000, previous: nil, timeBase: tb))
        #expect(!ladder.startsPackagingSegment(pts: 2960, previous: 2920, timeBase: tb))
        #expect(ladder.startsPackagingSegment(pts: 3000, previous: 2960, timeBase: tb))
        #expect(ladder.startsPackagingSegment(pts: 5010, previous: 4970, timeBase: tb))
        #expect(!ladder.startsPackagingSegment(pts: 5050, previous: 5010, timeBase: tb))
    }

    /// A grid point a frame away from a farm cut does not start a segment of one frame (QA: a
    /// 0.033 s segment between a grid IDR at 3.012 s and a farm cut at 3.045 s): within a quarter
    /// of the length of either cut, the sliver joins its neighbour.
    @Test func aGridPointBesideAFarmCutMakesNoSliver() {
        let ladder = Ladder(rungs: [LadderRung(height: 360, bitrate: 800_000)], segmentSeconds: 1, keyFrameOrigin: 0)
        let tb = Rational(1, 1000)
        // Farm segment [2.008, 3.045): the grid point 3 s (frame 3.012) is one frame before the next cut.
        #expect(!ladder.startsPackagingSegment(pts: 3012, previous: 2979, timeBase: tb, farmStart: 2008, farmEnd: 3045))
        #expect(ladder.startsPackagingSegment(pts: 3012, previous: 2979, timeBase: tb, farmStart: 2008, farmEnd: 3300))
        // Farm segment from 2.98 s: the grid point 3 s (frame 3.012) is one frame after its cut.
        #expect(!ladder.startsPackagingSegment(pts: 3012, previous: 2979, timeBase: tb, farmStart: 2979, farmEnd: nil))
        #expect(ladder.startsPackagingSegment(pts: 3012, previous: 2979, timeBase: tb, farmStart: 2700, farmEnd: nil))
        // The farm segment's own first frame always starts one.
        #expect(ladder.startsPackagingSegment(pts: 3045, previous: nil, timeBase: tb, farmStart: 3045, farmEnd: 3100))
    }

    @Test func bundleRoundTripsAndRefusesDamage() throws {
        let streams = [Data([1, 2, 3]), Data(), Data(repeating: 7, count: 1000)]
        let packed = try RenditionBundle.pack(streams)
        #expect(try RenditionBundle.unpack(packed).map { Data($0) } == streams)
        #expect(throws: MediaError.self) { try RenditionBundle.unpack(packed.dropLast()) }
        #expect(throws: MediaError.self) { try RenditionBundle.unpack(packed + Data([0])) }
        #expect(throws: MediaError.self) { try RenditionBundle.unpack(Data("GFPS".utf8) + packed.dropFirst(4)) }
    }

    @Test func settingsWithALadderSurviveJSON() throws {
        let settings = EncodeSettings(codec: "libx264", crf: 22, ladder: try Ladder(parsing: "720p:3M,360p:800k:abr", packages: [.dash], segmentSeconds: 2))
        let decoded = try JSONDecoder().decode(EncodeSettings.self, from: JSONEncoder().encode(settings))
        #expect(decoded == settings)
    }
}
