@testable import GopfarmCommon
import Testing

/// The probe's index is sized once (an hour at 30 fps is 108,000 records of 48 bytes), from the
/// container's count or its duration, instead of grown by copying.
@Suite("The probe index's room")
struct MediaProbeCapacityTests {
    @Test func theContainersCountWins() {
        #expect(MediaProbe.expectedPackets(declared: 108_000, microseconds: 7_200_000_000, frameRate: Rational(30, 1)) == 108_000)
    }

    @Test func withoutACountTheDurationAtTheFrameRateAndATenthMore() {
        #expect(MediaProbe.expectedPackets(declared: 0, microseconds: 3_600_000_000, frameRate: Rational(30000, 1001)) == 118_682)
        #expect(MediaProbe.expectedPackets(declared: 0, microseconds: 10_000_000, frameRate: Rational(25, 1)) == 275)
    }

    @Test func nothingKnownOrAbsurdIsNotBelieved() {
        #expect(MediaProbe.expectedPackets(declared: 0, microseconds: noPTS, frameRate: Rational(25, 1)) == 0)
        #expect(MediaProbe.expectedPackets(declared: 0, microseconds: 0, frameRate: Rational(25, 1)) == 0)
        #expect(MediaProbe.expectedPackets(declared: 0, microseconds: 60_000_000, frameRate: Rational(0, 1)) == 0)
        #expect(MediaProbe.expectedPackets(declared: Int64(Int32.max), microseconds: 0, frameRate: Rational(25, 1)) == 10_000_000)
        #expect(MediaProbe.expectedPackets(declared: 0, microseconds: Int64.max / 2, frameRate: Rational(120, 1)) == 10_000_000)
    }
}
