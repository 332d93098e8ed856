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
    }
}
