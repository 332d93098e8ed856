import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

/// The ladder packager's pure parts: box walking, RFC 6381 codec strings, segment bit rates,
/// the HLS playlists, the DASH manifest and WebVTT text.
@Suite("Package writers")
struct PackageWritersTests {
    private func box(_ type: String, _ payload: [UInt8] = []) -> [UInt8] {
        let size = UInt32(8 + payload.count)
        return [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + Array(type.utf8) + payload
    }

    @Test("a fragmented MP4 splits into the init section and one segment per moof, the mfra left out")
    func fragmentLayout() throws {
        let bytes = Data(box("ftyp", [1, 2, 3, 4]) + box("moov", [0]) + box("moof", [0, 0]) + box("mdat", [9, 9, 9])
                         + box("moof") + box("mdat", [7]) + box("mfra", [0, 0, 0, 0]))
        let boxes = try MP4Boxes.children(of: bytes, in: 0..<bytes.count)
        #expect(boxes.map(\.type) == ["ftyp", "moov", "moof", "mdat", "moof", "mdat", "mfra"])
        let layout = try MP4Boxes.fragmentLayout(boxes)
        #expect(layout.initSection == 0..<21)
        #expect(layout.segments == [21..<42, 42..<59])
    }

    @Test("box walking refuses sizes past the data and files without moov or mdat")
    func damagedBoxes() throws {
        var bad = box("ftyp", [1, 2, 3])
        bad[3] = 200
        #expect(throws: MediaError.self) { try MP4Boxes.children(of: Data(bad), in: 0..<bad.count) }
        let noMoov = Data(box("ftyp") + box("moof") + box("mdat"))
        #expect(throws: MediaError.self) { try MP4Boxes.fragmentLayout(try MP4Boxes.children(of: noMoov, in: 0..<noMoov.count)) }
        let noMdat = Data(box("ftyp") + box("moov") + box("moof"))
        #expect(throws: MediaError.self) { try MP4Boxes.fragmentLayout(try MP4Boxes.children(of: noMdat, in: 0..<noMdat.count)) }
        // A 64-bit size is read.
        let large = Data([0, 0, 0, 1] + Array("mdat".utf8) + [0, 0, 0, 0, 0, 0, 0, 17, 5])
        #expect(try MP4Boxes.header(large, at: 0, limit: 17) == MP4Boxes.Box(type: "mdat", offset: 0, size: 17, headerSize: 16))
    }

    @Test("avc1 strings take profile, constraint flags and level from the avcC")
    func avcString() throws {
        #expect(try CodecString.avc(avcC: Data([1, 0x64, 0x00, 0x1F, 0xFF])) == "avc1.64001F")
        #expect(try CodecString.avc(avcC: Data([1, 0x42, 0xC0, 0x0D])) == "avc1.42C00D")
        #expect(throws: MediaError.self) { try CodecString.avc(avcC: Data([0, 0, 0])) }
    }

    @Test("hvc1 strings follow ISO/IEC 14496-15 E.3 (the examples of RFC 6381 practice)")
    func hevcString() throws {
        // Main, Main tier, level 3.1, general_progressive_source + frame_only constraints.
        let main: [UInt8] = [1, 0x01, 0x60, 0, 0, 0, 0xB0, 0, 0, 0, 0, 0, 93, 0xF0]
        #expect(try CodecString.hevc(hvcC: Data(main)) == "hvc1.1.6.L93.B0")
        // Main 10, High tier, level 4.
        let main10: [UInt8] = [1, 0x22, 0x20, 0, 0, 0, 0xB0, 0, 0, 0, 0, 0, 120, 0xF0]
        #expect(try CodecString.hevc("hev1", hvcC: Data(main10)) == "hev1.2.4.H120.B0")
    }

    @Test("av01 strings take profile, level, tier and bit depth from the av1C (AV1-ISOBMFF's examples)")
    func av1String() throws {
        // Main profile, level 4.0 (idx 8), Main tier, 8 bits, 4:2:0.
        #expect(try CodecString.av1(av1C: Data([0x81, 0x08, 0x0C, 0x00])) == "av01.0.08M.08")
        // Main, level 5.1 (idx 13), High tier, 10 bits.
        #expect(try CodecString.av1(av1C: Data([0x81, 0x0D, 0xCC, 0x00])) == "av01.0.13H.10")
        // Professional (2), 12 bits.
        #expect(try CodecString.av1(av1C: Data([0x81, 0x48, 0x60, 0x00])) == "av01.2.08M.12")
        #expect(throws: MediaError.self) { try CodecString.av1(av1C: Data([0x01, 0x08, 0x0C, 0x00])) }
    }

    private func esds(_ asc: [UInt8], objectType: UInt8 = 0x40) -> Data {
        let decoderSpecific: [UInt8] = [0x05, UInt8(asc.count)] + asc
        let config: [UInt8] = [0x04, UInt8(13 + decoderSpecific.count), objectType, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + decoderSpecific
        let es: [UInt8] = [0x03, UInt8(3 + config.count), 0, 1, 0] + config
        return Data([0, 0, 0, 0] + es)
    }

    @Test("mp4a strings take the object type and the AudioSpecificConfig's audio object type")
    func aacString() throws {
        #expect(try CodecString.mp4a(esds: esds([0x12, 0x10])) == "mp4a.40.2")  // AAC-LC 44.1 kHz stereo
        #expect(try CodecString.mp4a(esds: esds([0x2B, 0x92])) == "mp4a.40.5")  // HE-AAC
        #expect(try CodecString.mp4a(esds: esds([0xF8, 0x20])) == "mp4a.40.33")  // escape: 32 + 1
        #expect(try CodecString.mp4a(esds: esds([], objectType: 0x6B)) == "mp4a.6b")  // MP3
        #expect(throws: MediaError.self) { try CodecString.mp4a(esds: Data([0, 0, 0, 0, 0x04])) }
    }

    @Test("peak segment bit rate counts runs of 0.5 to 1.5 target durations; average is all bits over all time")
    func bitrates() {
        #expect(SegmentBitrates.peak(sizes: [1000, 3000, 1000], durations: [2, 2, 2], target: 2) == 12000)
        #expect(abs(SegmentBitrates.average(sizes: [1000, 3000, 1000], durations: [2, 2, 2]) - 40000.0 / 6) < 1e-9)
        // Two 1 s segments of 1000 bytes, 1 s buffered: the pair needs 16000 bits in 3 s.
        #expect(abs(SegmentBitrates.dashBandwidth(sizes: [1000, 1000], durations: [1, 1], minBufferTime: 1) - 16000.0 / 3) < 1e-9)
        // Said in the MPD: never below the average (8000 bit/s here), which the short title's
        // promise alone would undercut.
        #expect(SegmentBitrates.dashAdvertised(sizes: [1000, 1000], durations: [1, 1], minBufferTime: 1) == 8000)
        // A big first segment and little buffer: the promise, above the average (12400).
        #expect(abs(SegmentBitrates.dashAdvertised(sizes: [3000, 100], durations: [1, 1], minBufferTime: 0.1) - 24000 / 1.1) < 1e-6)
        // A track shorter than half the target: its own rate.
        #expect(SegmentBitrates.peak(sizes: [500], durations: [0.5], target: 4) == 8000)
    }

    private func video(_ sizes: [Int], seconds: Double, timescale: Int64 = 1000) -> PackagedTrack {
        let d = Int64(seconds * Double(timescale))
        return PackagedTrack(kind: .video, name: "360p", directory: "video-360p", codecs: "avc1.64001F", timescale: timescale, initBytes: 800,
                             segments: sizes.enumerated().map { PackagedSegment(start: Int64($0.offset) * d, duration: d, bytes: $0.element) },
                             width: 640, height: 360, frameRate: Rational(30000, 1001))
    }

    private func audio() -> PackagedTrack {
        PackagedTrack(kind: .audio, name: "audio-1-eng", directory: "audio-1-eng", codecs: "mp4a.40.2", timescale: 48000, initBytes: 600,
                      segments: [PackagedSegment(start: 0, duration: 96000, bytes: 4000), PackagedSegment(start: 96000, duration: 96000, bytes: 2000)],
                      language: "eng", sampleRate: 48000, channels: 2)
    }

    @Test("media playlists: VOD, EXT-X-MAP, EXTINF with 6 decimals, a target duration no segment exceeds")
    func mediaPlaylist() {
        var track = video([1000, 1000, 1000], seconds: 4)
        track.segments[2].duration = 1500
        let text = HLSPlaylists.media(track)
        #expect(text.hasPrefix("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n"))
        for line in ["#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-MAP:URI=\"init.mp4\"",
                     "#EXTINF:4.000000,\nseg-00001.m4s", "#EXTINF:1.500000,\nseg-00003.m4s"] {
            #expect(text.contains(line + "\n"), "missing \(line)")
        }
        #expect(text.hasSuffix("#EXT-X-ENDLIST\n"))
        track.segments[0].duration = 4001
        #expect(track.targetDuration == 5)
        // One target for every playlist of a package: the largest track's, never below its own.
        track.sharedTargetDuration = 6
        #expect(HLSPlaylists.media(track).contains("#EXT-X-TARGETDURATION:6\n"))
        track.sharedTargetDuration = 2
        #expect(HLSPlaylists.media(track).contains("#EXT-X-TARGETDURATION:5\n"))
    }

    @Test("the master playlist: audio group, BANDWIDTH as video peak plus the audio peak, RESOLUTION, FRAME-RATE, CODECS")
    func masterPlaylist() {
        let v = video([50000, 50000], seconds: 2)
        let text = HLSPlaylists.master(video: [v], audio: [audio()], subtitles: [
            PackagedSubtitles(name: "subs-1", directory: "subs-1", language: nil, cues: 3,
                              segments: [PackagedSegment(start: 0, duration: 4000, bytes: 100)], timescale: 1000)])
        #expect(text.hasPrefix("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"))
        #expect(text.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"audio-1-eng\",LANGUAGE=\"eng\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio-1-eng/playlist.m3u8\"\n"))
        // Subtitles the source does not mark default stay off.
        #expect(text.contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"subs-1\",DEFAULT=NO,AUTOSELECT=YES,URI=\"subs-1/playlist.m3u8\"\n"))
        // Video: 400 kbit per 2 s segment = 200 kbit/s. Audio: 32 kbit then 16 kbit per 2 s.
        #expect(text.contains("#EXT-X-STREAM-INF:BANDWIDTH=216000,AVERAGE-BANDWIDTH=212000,RESOLUTION=640x360,FRAME-RATE=29.970,"
                              + "CODECS=\"avc1.64001F,mp4a.40.2\",AUDIO=\"audio\",SUBTITLES=\"subs\"\nvideo-360p/playlist.m3u8\n"))
        let alone = HLSPlaylists.master(video: [v], audio: [], subtitles: [])
        #expect(alone.contains("BANDWIDTH=200000,AVERAGE-BANDWIDTH=200000,RESOLUTION=640x360,FRAME-RATE=29.970,CODECS=\"avc1.64001F\"\n"))
    }

    /// The source's own choices carry over: its default audio track plays first (the French one
    /// here, not the first), its titles are the names players show, a subtitle track is on only
    /// where marked default, and a forced one is FORCED=YES. (Every track was named by its
    /// directory, the first audio and the first subtitles were DEFAULT=YES.)
    @Test("default, forced and titled source tracks: DEFAULT, FORCED, NAME and the DASH Role follow the source")
    func trackFlags() {
        let v = video([50000, 50000], seconds: 2)
        var english = audio(), french = audio()
        english.title = "English"
        french.name = "audio-2-fra"; french.directory = "audio-2-fra"; french.language = "fra"
        french.title = "Français"; french.isDefault = true
        var subsEnglish = PackagedSubtitles(name: "subs-1-eng", directory: "subs-1-eng", language: "eng", cues: 3,
                                            segments: [PackagedSegment(start: 0, duration: 4000, bytes: 100)], timescale: 1000)
        subsEnglish.title = "English"
        var subsForced = PackagedSubtitles(name: "subs-2-fra", directory: "subs-2-fra", language: "fra", cues: 1,
                                           segments: [PackagedSegment(start: 0, duration: 4000, bytes: 40)], timescale: 1000)
        subsForced.isForced = true
        let text = HLSPlaylists.master(video: [v], audio: [english, french], subtitles: [subsEnglish, subsForced])
        #expect(text.contains("NAME=\"English\",LANGUAGE=\"eng\",DEFAULT=NO,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio-1-eng/playlist.m3u8\""), "\(text)")
        #expect(text.contains("NAME=\"Français\",LANGUAGE=\"fra\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio-2-fra/playlist.m3u8\""), "\(text)")
        #expect(text.contains("TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"eng\",DEFAULT=NO,AUTOSELECT=YES,URI="), "\(text)")
        #expect(text.contains("NAME=\"subs-2-fra\",LANGUAGE=\"fra\",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES,URI=\"subs-2-fra/playlist.m3u8\""), "\(text)")
        #expect(HLSPlaylists.uniqueNames(["a", "a", "b", "a"]) == ["a", "a (2)", "b", "a (3)"])
        let mpd = DASHManifest.mpd(video: [v], audio: [english, french], minBufferTime: 4)
        #expect(mpd.contains("lang=\"fra\">\n      <Label>Français</Label>\n      <Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"main\"/>"), "\(mpd)")
        #expect(mpd.contains("lang=\"eng\">\n      <Label>English</Label>\n      <Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"alternate\"/>"), "\(mpd)")
    }

    @Test("HDR renditions say so: HLS VIDEO-RANGE, DASH's H.273 code points; SDR ones say nothing")
    func hdrSignalling() {
        var pq = video([1000], seconds: 4)
        pq.colour = .init(primaries: 9, transfer: 16, matrix: 9)
        var hlg = pq
        hlg.colour?.transfer = 18
        var sdr = pq
        sdr.colour = .init(primaries: 1, transfer: 1, matrix: 1)
        for (track, range) in [(pq, "PQ"), (hlg, "HLG")] {
            #expect(HLSPlaylists.master(video: [track], audio: [], subtitles: []).contains(",VIDEO-RANGE=\(range)\n"))
            let mpd = DASHManifest.mpd(video: [track], audio: [], minBufferTime: 4)
            #expect(mpd.contains("<SupplementalProperty schemeIdUri=\"urn:mpeg:mpegB:cicp:TransferCharacteristics\" value=\"\(track.colour!.transfer)\"/>"))
            #expect(mpd.contains("<SupplementalProperty schemeIdUri=\"urn:mpeg:mpegB:cicp:ColourPrimaries\" value=\"9\"/>"))
            #expect(mpd.contains("<SupplementalProperty schemeIdUri=\"urn:mpeg:mpegB:cicp:MatrixCoefficients\" value=\"9\"/>"))
        }
        #expect(!HLSPlaylists.master(video: [sdr], audio: [], subtitles: []).contains("VIDEO-RANGE"))
        #expect(!DASHManifest.mpd(video: [sdr], audio: [], minBufferTime: 4).contains("cicp"))
    }

    @Test("HDR and SDR rungs of one codec are two DASH AdaptationSets; the HDR one alone has the code points")
    func hdrBesideSDR() {
        var pq = video([1000], seconds: 4)
        pq.name = "720p"
        pq.colour = .init(primaries: 9, transfer: 16, matrix: 9)
        var sdr = video([800], seconds: 4)
        sdr.name = "720p-sdr"
        sdr.colour = .init(primaries: 1, transfer: 1, matrix: 1)
        var pq2 = pq
        pq2.name = "360p"
        let mpd = DASHManifest.mpd(video: [pq, sdr, pq2], audio: [], minBufferTime: 4)
        let sets = mpd.components(separatedBy: "<AdaptationSet").dropFirst()
        #expect(sets.count == 2, "\(mpd)")
        let hdrSet = sets.first { $0.contains("id=\"720p\"") } ?? ""
        let sdrSet = sets.first { $0.contains("id=\"720p-sdr\"") } ?? ""
        #expect(hdrSet.contains("id=\"360p\"") && hdrSet.contains("TransferCharacteristics\" value=\"16\""), "\(mpd)")
        #expect(!sdrSet.contains("cicp") && !sdrSet.contains("id=\"360p\""), "\(mpd)")
        let master = HLSPlaylists.master(video: [pq, sdr, pq2], audio: [], subtitles: [])
        #expect(master.components(separatedBy: "VIDEO-RANGE=PQ").count == 3, "\(master)")
    }

    @Test("the MPD: static, SegmentTemplate with a run-length SegmentTimeline, one AdaptationSet per audio track")
    func mpd() {
        var v = video([1000, 1000, 1000, 1000], seconds: 4)
        v.segments[3].duration = 1000
        let text = DASHManifest.mpd(video: [v], audio: [audio()], minBufferTime: 4)
        #expect(text.contains("type=\"static\""))
        #expect(text.contains("profiles=\"urn:mpeg:dash:profile:isoff-live:2011\""))
        #expect(text.contains("mediaPresentationDuration=\"PT13.000S\" minBufferTime=\"PT4.000S\""))
        #expect(text.contains("<Representation id=\"360p\" bandwidth=\""))
        #expect(text.contains("codecs=\"avc1.64001F\" width=\"640\" height=\"360\""))
        #expect(text.contains("<SegmentTemplate timescale=\"1000\" initialization=\"video-360p/init.mp4\" media=\"video-360p/seg-$Number%05d$.m4s\" startNumber=\"1\">"))
        #expect(text.contains("<S t=\"0\" d=\"4000\" r=\"2\"/>\n") && text.contains("<S d=\"1000\"/>\n"))
        #expect(text.contains("contentType=\"audio\" mimeType=\"audio/mp4\" segmentAlignment=\"true\" startWithSAP=\"1\" lang=\"eng\""))
        #expect(text.contains("audioSamplingRate=\"48000\""))
        var hevc = video([1000], seconds: 4)
        hevc.name = "360p-hevc"
        hevc.codecs = "hvc1.1.6.L90.90"
        let mixed = DASHManifest.mpd(video: [v, hevc], audio: [], minBufferTime: 4)
        #expect(mixed.components(separatedBy: "contentType=\"video\"").count == 3, "H.264 and HEVC renditions need an AdaptationSet each")
        let runs = DASHManifest.timeline([PackagedSegment(start: 10, duration: 5, bytes: 1), PackagedSegment(start: 20, duration: 5, bytes: 1)])
        #expect(runs.map(\.t) == [10, 20], "a gap starts a new run with its own t")
    }

    private func be(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64(n - 1 - $0))) } }

    /// moov with a movie timescale of 1000, a media timescale of 16000 and a two-entry edit list.
    private func initSection(emptyMs: UInt64, mediaTime: UInt64) -> Data {
        let mvhd = box("mvhd", [0, 0, 0, 0] + be(0, 8) + be(1000, 4) + be(0, 4) + [UInt8](repeating: 0, count: 80))
        let elst = box("elst", [0, 0, 0, 0] + be(2, 4) + be(emptyMs, 4) + be(0xFFFF_FFFF, 4) + [0, 1, 0, 0]
                               + be(0, 4) + be(mediaTime, 4) + [0, 1, 0, 0])
        let mdhd = box("mdhd", [0, 0, 0, 0] + be(0, 8) + be(16000, 4) + be(0, 4) + [0, 0, 0, 0])
        return Data(box("ftyp", Array("isom".utf8)) + box("moov", mvhd + box("trak", box("edts", elst) + box("mdia", mdhd))))
    }

    private func edits(_ data: Data) throws -> [[UInt64]] {
        let elst = try #require(try MP4Boxes.find(["moov", "trak", "edts", "elst"], in: data))
        let b = [UInt8](data), p = elst.payload.lowerBound
        let n = Int(b[p + 7])
        func field(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for byte in b[at..<(at + 4)] { v = v << 8 | UInt64(byte) }
            return v
        }
        let rows = (0..<n).map { i in [field(p + 8 + 12 * i), field(p + 12 + 12 * i)] }
        // The sizes along the path still add up.
        #expect(try MP4Boxes.children(of: data, in: 0..<data.count).map(\.type) == ["ftyp", "moov"])
        return rows
    }

    @Test("an empty edit and a media edit become one edit (Chromium reads only the first)")
    func singleEdit() throws {
        // 14 ms empty = 224 ticks; media edit at 1056: one edit at 832, fragments unmoved.
        let (merged, shift) = try SingleEditList.normalize(initSection: initSection(emptyMs: 14, mediaTime: 1056))
        #expect(shift == 0)
        #expect(try edits(merged) == [[0, 832]])
        // 500 ms empty = 8000 ticks, more than the media edit's 1056: media time 0, fragments 6944 later.
        let (late, lateShift) = try SingleEditList.normalize(initSection: initSection(emptyMs: 500, mediaTime: 1056))
        #expect(lateShift == 6944)
        #expect(try edits(late) == [[0, 0]])
        let segment = Data(box("moof", box("traf", box("tfdt", [1, 0, 0, 0] + be(16000, 8)))) + box("mdat", [1]))
        let moved = try SingleEditList.shiftDecodeTime(segment: segment, by: lateShift)
        #expect(moved.count == segment.count)
        let bytes = [UInt8](moved)
        var decodeTime: UInt64 = 0
        for b in bytes[(bytes.count - 17)..<(bytes.count - 9)] { decodeTime = decodeTime << 8 | UInt64(b) }
        #expect(decodeTime == 16000 + 6944)
        // One edit already: nothing to do.
        let one = Data(box("moov", box("mvhd", [UInt8](repeating: 0, count: 100))))
        #expect(try SingleEditList.normalize(initSection: one).initSection == one)
    }

    @Test("WebVTT cue text from SubRip, ASS and mov_text; the document sorted by start")
    func webVTT() {
        #expect(WebVTT.cueText(codec: "subrip", payload: Data("<font color=\"red\">Red</font> & <3".utf8)) == "Red &amp; &lt;3")
        #expect(WebVTT.cueText(codec: "ass", payload: Data("0,0,Default,,0,0,0,,{\\i1}Hi{\\i0}\\Nthere, you".utf8)) == "<i>Hi</i>\nthere, you")
        #expect(WebVTT.cueText(codec: "mov_text", payload: Data([0, 5] + Array("Hello".utf8) + [0, 0, 0, 12])) == "Hello")
        #expect(WebVTT.cueText(codec: "subrip", payload: Data(" \n".utf8)) == nil)
        #expect(WebVTT.cueText(codec: "subrip", payload: Data("a --> b\n\n\nc".utf8)) == "a -> b\nc")
        #expect(WebVTT.timestamp(3661.5) == "01:01:01.500")
        let doc = WebVTT.document([WebVTT.Cue(start: 2, end: 3, text: "two"), WebVTT.Cue(start: 0.5, end: 1, text: "one")])
        #expect(doc == "WEBVTT\n\n00:00:00.500 --> 00:00:01.000\none\n\n00:00:02.000 --> 00:00:03.000\ntwo\n")
    }

    /// RFC 8216 3.5: each WebVTT segment holds every cue shown during it; one over a cut is in
    /// both segments, one before the first cut in the first, one after the last in the last.
    @Test("WebVTT segments follow the video's cuts; their playlist shares the package's target duration")
    func subtitleSegments() {
        let cues = [WebVTT.Cue(start: 0.5, end: 1, text: "one"), WebVTT.Cue(start: 3.5, end: 4.5, text: "over"),
                    WebVTT.Cue(start: 9, end: 9.5, text: "late"), WebVTT.Cue(start: 2, end: 2, text: "empty")]
        let docs = WebVTT.documents(cues, starts: [0, 2, 4, 6])
        #expect(docs.count == 4)
        #expect(docs[0] == "WEBVTT\n\n00:00:00.500 --> 00:00:01.000\none\n")
        #expect(docs[1] == "WEBVTT\n\n00:00:03.500 --> 00:00:04.500\nover\n")
        #expect(docs[2] == docs[1])
        #expect(docs[3] == "WEBVTT\n\n00:00:09.000 --> 00:00:09.500\nlate\n")
        #expect(WebVTT.documents([WebVTT.Cue(start: -1, end: 0.2, text: "early")], starts: [0, 2]) == [
            "WEBVTT\n\n00:00:00.000 --> 00:00:00.200\nearly\n", "WEBVTT\n"])

        var subs = PackagedSubtitles(name: "subs-1", directory: "subs-1", language: nil, cues: 3, segments: [
            PackagedSegment(start: 0, duration: 24000, bytes: 40), PackagedSegment(start: 24000, duration: 12500, bytes: 10)], timescale: 12000)
        subs.sharedTargetDuration = 4
        let text = HLSPlaylists.media(subs)
        #expect(text == "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                + "#EXTINF:2.000000,\nseg-00001.vtt\n#EXTINF:1.041667,\nseg-00002.vtt\n#EXT-X-ENDLIST\n", "\(text)")
    }
}
