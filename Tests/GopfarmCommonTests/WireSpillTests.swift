import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// A large message being joined goes to an unnamed file (`WireReassembly.Spill`, `SpillFile`):
/// the joined frames are slices of that file mapped, nothing is left in the directory, and a
/// directory that cannot take the file leaves the message in memory, still joined.
@Suite("Wire spill")
struct WireSpillTests {
    /// The mapping of `/proc/self/maps` that holds `data`'s first byte, as its line.
    static func mapping(of data: Data) throws -> String? {
        let address = data.withUnsafeBytes { UInt(bitPattern: $0.baseAddress!) }
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        return maps.split(separator: "\n").first { line in
            let range = line.prefix { $0 != " " }.split(separator: "-")
            guard range.count == 2, let low = UInt(range[0], radix: 16), let high = UInt(range[1], radix: 16) else { return false }
            return (low..<high).contains(address)
        }.map(String.init)
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wire-spill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a message past the spill size is gathered in a file and read back mapped from it, byte for byte")
    func spilled() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let frames = WirePartsTests.message(payloadBytes: 3 << 20)
        let parts = WireParts.split(frames, id: 5)
        var joiner = WireReassembly(spill: .init(directory: dir.path, bytes: 1 << 20))
        var spilledAt: Int?
        for (i, part) in parts.dropLast().enumerated() {
            #expect(joiner.accept(part) == .part)
            if spilledAt == nil, joiner.isSpilled { spilledAt = i }
        }
        // 1 MiB in memory, then the file: the 17th part of 64 KiB passes it.
        #expect(spilledAt == 16)
        #expect(joiner.joinedBytes == parts.dropLast().reduce(0) { $0 + $1[1].count })
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty, "the file has no name")
        guard case .message(let joined) = joiner.accept(parts.last!) else {
            Issue.record("the last part did not complete the message")
            return
        }
        #expect(joined == frames)
        #expect(!joiner.isJoining && !joiner.isSpilled)
        let line = try #require(try Self.mapping(of: joined[1]))
        #expect(line.contains(".gopfarm-spill-"), "the payload lies in \(line)")
    }

    /// Joins a message of `payloadBytes` with `spill`, checking it never went to a file.
    static func joinsInMemory(payloadBytes: Int, spill: WireReassembly.Spill) {
        let frames = WirePartsTests.message(payloadBytes: payloadBytes)
        var joiner = WireReassembly(spill: spill)
        var last: WireReassembly.Outcome?
        for part in WireParts.split(frames, id: 6) {
            last = joiner.accept(part)
            #expect(!joiner.isSpilled)
        }
        #expect(last == .message(frames))
    }

    @Test("a message under the spill size stays in memory")
    func underTheSize() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        Self.joinsInMemory(payloadBytes: 600_000, spill: .init(directory: dir.path, bytes: 1 << 20))
    }

    @Test("a directory that cannot take the file leaves the message in memory, joined all the same")
    func noDirectory() {
        Self.joinsInMemory(payloadBytes: 2 << 20, spill: .init(directory: "/nonexistent/gopfarm-spill", bytes: 256 << 10))
    }

    @Test("a part out of order drops the file; the next message joins, spilled again")
    func brokenThenWhole() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = WireParts.split(WirePartsTests.message(payloadBytes: 2 << 20), id: 1)
        let frames = WirePartsTests.message(payloadBytes: 2 << 20, seed: 4)
        let second = WireParts.split(frames, id: 2)
        var joiner = WireReassembly(spill: .init(directory: dir.path, bytes: 256 << 10))
        for part in first.prefix(10) { #expect(joiner.accept(part) == .part) }
        #expect(joiner.isSpilled)
        guard case .broken = joiner.accept(first[12]) else { Issue.record("a skipped part was taken"); return }
        #expect(!joiner.isSpilled && !joiner.isJoining)
        var last: WireReassembly.Outcome?
        for part in second { last = joiner.accept(part) }
        #expect(last == .message(frames))
    }

    @Test("a payload held for later goes to a file past the threshold, stays as it is under it or without a directory")
    func held() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let large = Data((0..<(SpillFile.threshold + 1)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let kept = SpillFile.hold(large, in: dir.path)
        #expect(kept == large)
        #expect(try Self.mapping(of: kept)?.contains(".gopfarm-spill-") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        let small = large.prefix(SpillFile.threshold)
        #expect(try Self.mapping(of: SpillFile.hold(small, in: dir.path))?.contains(".gopfarm-spill-") == false)
        #expect(try Self.mapping(of: SpillFile.hold(large, in: "/nonexistent/gopfarm"))?.contains(".gopfarm-spill-") == false)
    }

    /// A writer's payload of `packets` packets of 100 KB (with `directory`), read back packet by packet.
    static func written(packets: Int, directory: String?) throws -> (Data, [UInt8]) {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        var writer = PacketStreamWriter(spillDirectory: directory)
        for i in 0..<packets {
            bytes.withUnsafeBytes { writer.append(pts: Int64(i), dts: Int64(i), duration: 1, flags: i == 0 ? 1 : 0, data: $0) }
        }
        let payload = try writer.finish(parameters: try MediaProbe(path: try TestFixturePath.small()).videoParameters, timeBase: Rational(1, 25))
        let reader = try PacketStreamReader(payload)
        #expect(reader.records.count == packets)
        let packet = Packet()
        for i in [0, packets / 2, packets - 1] {
            try reader.load(i, into: packet)
            #expect(Array(packet.bytes) == bytes && packet.pts == Int64(i))
        }
        return (payload, bytes)
    }

    @Test("an encoded payload past the threshold goes to a file as it grows and reads back whole")
    func writerSpills() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (payload, _) = try Self.written(packets: 80, directory: dir.path)
        #expect(try Self.mapping(of: payload)?.contains(".gopfarm-spill-") == true)
        let (small, _) = try Self.written(packets: 20, directory: dir.path)
        #expect(try Self.mapping(of: small)?.contains(".gopfarm-spill-") == false)
    }

    @Test("a disk that fills up while a payload goes to it leaves the payload in memory, whole",
          .enabled(if: Tmpfs.available, "needs root to mount a tmpfs"))
    func writerOnAFullDisk() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mount = try Tmpfs(at: dir, size: "6m")
        defer { mount.remove() }
        // 8 MB: past the threshold, then past the disk.
        let (payload, _) = try Self.written(packets: 80, directory: dir.path)
        #expect(try Self.mapping(of: payload)?.contains(".gopfarm-spill-") == false)
    }
}
