import Foundation
import GopfarmCommon
import Testing

@Suite("PacketStream payloads")
struct PacketStreamTests {
    func sample() throws -> (Data, CodecParameters) {
        let probe = try MediaProbe(path: try TestFixturePath.small())
        var writer = PacketStreamWriter()
        let bytes: [UInt8] = [0, 0, 0, 1, 0x65, 0x88]
        bytes.withUnsafeBytes { writer.append(pts: 3003, dts: -1001, duration: 1001, flags: 1, data: $0) }
        [UInt8]().withUnsafeBytes { writer.append(pts: Int64.min, dts: Int64.max, duration: 0, flags: 0, data: $0) }
        return (try writer.finish(parameters: probe.videoParameters, timeBase: Rational(1, 30000)), probe.videoParameters)
    }

    @Test func roundTripKeepsEveryField() throws {
        let (data, params) = try sample()
        let reader = try PacketStreamReader(data)
        #expect(reader.header.parameters == params)
        #expect(reader.header.timeBase == Rational(1, 30000))
        #expect(reader.records.count == 2)
        #expect(reader.records[0].pts == 3003 && reader.records[0].dts == -1001 && reader.records[0].duration == 1001)
        #expect(reader.records[1].pts == Int64.min && reader.records[1].dts == Int64.max)
        let packet = Packet()
        try reader.load(0, into: packet)
        #expect(Array(packet.bytes) == [0, 0, 0, 1, 0x65, 0x88])
        #expect(packet.isKey)
    }

    @Test func truncatedOrForgedPayloadsAreRejected() throws {
        let (data, _) = try sample()
        for cut in [0, 3, 10, data.count - 1] {
            #expect(throws: MediaError.self) { try PacketStreamReader(data.prefix(cut)) }
        }
        #expect(throws: MediaError.self) { try PacketStreamReader(data + Data([0])) }
        var forged = data
        forged[0] = UInt8(ascii: "X")
        #expect(throws: MediaError.self) { try PacketStreamReader(forged) }
        // Version 3 (an earlier release's spool) reads; 2 and 5 do not.
        for (version, readable) in [(UInt16(3), true), (2, false), (5, false)] {
            var other = data
            other[4] = UInt8(version & 0xFF)
            other[5] = UInt8(version >> 8)
            #expect(((try? PacketStreamReader(other)) != nil) == readable, "version \(version)")
        }
    }

    /// libvpx keeps VP9's alpha in each packet's Matroska BlockAdditional: it travels with the
    /// packet, and a packet without one gets none back.
    @Test func blockAdditionalTravelsWithItsPacket() throws {
        let (_, params) = try sample()
        let additional: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1, 0x82, 0x49, 0x83]
        var writer = PacketStreamWriter()
        [UInt8]([1, 2, 3]).withUnsafeBytes { data in
            additional.withUnsafeBytes { writer.append(pts: 0, dts: 0, duration: 40, flags: 1, data: data, blockAdditional: $0) }
        }
        [UInt8]([4, 5]).withUnsafeBytes { writer.append(pts: 40, dts: 40, duration: 40, flags: 0, data: $0) }
        let data = try writer.finish(parameters: params, timeBase: Rational(1, 1000))
        let reader = try PacketStreamReader(data)
        #expect(reader.records.map(\.flags) == [1, 0], "the marker bit is not a packet flag")
        #expect(try PacketStreamReader.presentationTimes(data) == [0, 40])
        let packet = Packet()
        try reader.load(0, into: packet)
        #expect(Array(packet.bytes) == [1, 2, 3] && packet.isKey)
        #expect(packet.blockAdditional.map(Array.init) == additional)
        // Through a second payload, as an agent's encoded packet goes back to the coordinator.
        var again = PacketStreamWriter()
        again.append(packet)
        let copied = Packet()
        try PacketStreamReader(try again.finish(parameters: params, timeBase: Rational(1, 1000))).load(0, into: copied)
        #expect(copied.blockAdditional.map(Array.init) == additional)
        try reader.load(1, into: packet)
        #expect(Array(packet.bytes) == [4, 5] && packet.blockAdditional == nil)
        // A BlockAdditional two bytes shorter than its record says: refused, not misread.
        let firstRecordEnd = 6 + PacketStreamWriter.recordOverhead + 3 + 4 + additional.count
        let cut = Data(data.prefix(firstRecordEnd - 2)) + Data(data.suffix(from: firstRecordEnd))
        #expect(throws: MediaError.self) { try PacketStreamReader(cut) }
    }
}
