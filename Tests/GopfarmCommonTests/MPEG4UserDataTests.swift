import Foundation
import GopfarmCommon
import Testing

/// The DivX/Xvid user data of an MPEG-4 Part 2 stream's first frame, which every segment's
/// decoder must see (it picks FFmpeg's bug workarounds).
@Suite("MPEG-4 encoder user data")
struct MPEG4UserDataTests {
    @Test func theDivXUnitIsFoundAndAddedOnce() {
        let unit: [UInt8] = [0, 0, 1, 0xB2] + Array("DivX503b1900".utf8)
        let frame: [UInt8] = [0, 0, 1, 0xB0, 0xF5] + unit + [0, 0, 1, 0xB6, 0x10, 0x20]
        let found = frame.withUnsafeBytes { MPEG4UserData.encoderUnit(in: $0) }
        #expect(found == unit)
        #expect(!MPEG4UserData.isPacked(unit))
        #expect(MPEG4UserData.isPacked([0, 0, 1, 0xB2] + Array("DivX503b1900p".utf8)))
        let other: [UInt8] = [0, 0, 1, 0xB2] + Array("Lavc58.134.100".utf8) + [0, 0, 1, 0xB6]
        #expect(other.withUnsafeBytes { MPEG4UserData.encoderUnit(in: $0) } == nil)
        let extradata = Data([0, 0, 1, 0xB0, 0xF5])
        let once = MPEG4UserData.extradata(extradata, adding: unit)
        #expect(once == extradata + Data(unit) && MPEG4UserData.extradata(once, adding: unit) == once)
    }
}
