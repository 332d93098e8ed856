import Foundation
@testable import GopfarmCommon
import Testing

/// The start-code scanner (memchr for each `01`) finds what a byte-by-byte reading of the
/// definition finds: every `00 00 01`, in order, none overlapping the one before.
@Suite("MPEG start codes")
struct MPEGStartCodesTests {
    /// The definition, one byte at a time (the scanner before memchr).
    static func bytewise(_ bytes: [UInt8]) -> [Int] {
        var found: [Int] = [], i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0, bytes[i + 1] == 0, bytes[i + 2] == 1 {
                found.append(i)
                i += 3
            } else {
                i += 1
            }
        }
        return found
    }

    static func scanned(_ bytes: [UInt8]) -> [Int] {
        bytes.withUnsafeBytes { data in
            var found: [Int] = [], from = 0
            while let at = MPEGStartCodes.next(in: data, from: from) {
                found.append(at)
                from = at + 3
            }
            return found
        }
    }

    @Test func findsWhatTheDefinitionFinds() {
        var generator = SystemRandomNumberGenerator()
        // Mostly zeros and ones, so start codes, near misses and runs of zeros are frequent.
        for length in [0, 1, 2, 3, 4, 5, 17, 64, 1000] {
            for _ in 0..<200 {
                let bytes = (0..<length).map { _ in [0, 0, 0, 1, 2, 0xFF][Int(generator.next() % 6)] as UInt8 }
                #expect(Self.scanned(bytes) == Self.bytewise(bytes), "\(bytes)")
            }
        }
        #expect(Self.scanned([0, 0, 1, 0, 0, 1]) == [0, 3])
        #expect(Self.scanned([0, 0, 0, 1, 0x65, 0, 0, 1]) == [1, 5])
        #expect(Self.scanned([1, 0, 1, 0, 0]) == [])
    }

    @Test func annexBUnitsAreSplitAtStartCodesWithTrailingZerosTrimmed() {
        let stream: [UInt8] = [9, 9, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 0, 0, 1, 0x68, 3, 0, 0, 1, 0x65, 4, 5, 0]
        var units: [[UInt8]] = []
        stream.withUnsafeBytes { data in
            NALUnits.forEach(in: data, lengthSize: nil) { units.append(Array($0)); return true }
        }
        #expect(units == [[0x67, 1, 2], [0x68, 3], [0x65, 4, 5, 0]])
    }
}
