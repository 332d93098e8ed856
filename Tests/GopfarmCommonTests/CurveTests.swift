import Foundation
import GopfarmCommon
import Testing

/// CURVE over real sockets on loopback: only an allowed key gets a message through, the server
/// learns which key sent it, and a refused client can tell from its monitor. Key files round-trip
/// with mode 0600 and refuse to be overwritten or misread.
@Suite("CURVE and ZAP")
struct CurveTests {
    /// A CURVE ROUTER whose ZAP handler allows `allowed` only.
    struct Server {
        let context = ZMQContext()
        let keys: CurveKeyPair
        let zap: ZAPHandler
        let router: ZMQSocket
        let endpoint: String

        init(allowing allowed: String) throws {
            keys = try CurveKeyPair.generate()
            zap = ZAPHandler(context: context) { $0 == allowed }
            try zap.start()
            router = try ZMQSocket(context: context, kind: .router)
            try router.makeCurveServer(secretKey: keys.secretKey)
            endpoint = try router.bind("tcp://127.0.0.1:0")
        }

        /// The first message within `seconds`, with its sender's user id.
        func receive(within seconds: Double) throws -> (frames: [Data], userID: String?)? {
            let deadline = MonotonicClock.now() + seconds
            while MonotonicClock.now() < deadline {
                if try router.poll(milliseconds: 20) { return try router.receiveWithUserID() }
            }
            return nil
        }
    }

    /// A DEALER (CURVE with `keys`, or plain when nil) with a monitor, connected and sending `text`.
    func client(_ server: Server, keys: CurveKeyPair?, sending text: String) throws -> (ZMQSocket, ZMQMonitor) {
        let context = ZMQContext()
        let dealer = try ZMQSocket(context: context, kind: .dealer)
        let monitor = try ZMQMonitor(watching: dealer)
        if let keys { try dealer.makeCurveClient(serverPublicKey: server.keys.publicKey, keyPair: keys) }
        try dealer.connect(server.endpoint)
        try dealer.send([Data(text.utf8)])
        return (dealer, monitor)
    }

    /// Events until `wanted` shows up or `seconds` pass.
    func events(_ monitor: ZMQMonitor, until wanted: ZMQMonitor.Event.Kind, within seconds: Double) -> [ZMQMonitor.Event] {
        var seen: [ZMQMonitor.Event] = []
        let deadline = MonotonicClock.now() + seconds
        while MonotonicClock.now() < deadline, !seen.contains(where: { $0.kind == wanted }) {
            seen += monitor.poll()
            usleep(20_000)
        }
        return seen
    }

    @Test("an allowed key gets through and is named as the user id")
    func allowedKey() throws {
        let a = try CurveKeyPair.generate()
        let server = try Server(allowing: a.publicKey)
        defer { server.zap.stop() }
        let (dealer, monitor) = try client(server, keys: a, sending: "hello from A")
        let received = try #require(try server.receive(within: 5), "nothing arrived from the allowed key")
        #expect(received.frames.count == 2)
        #expect(received.frames.last == Data("hello from A".utf8))
        #expect(received.userID == a.publicKey)
        #expect(events(monitor, until: .handshakeSucceeded, within: 2).contains { $0.kind == .handshakeSucceeded })
        withExtendedLifetime(dealer) {}
    }

    @Test("a key that is not allowed gets nothing through, and its monitor says why")
    func refusedKey() throws {
        let a = try CurveKeyPair.generate()
        let b = try CurveKeyPair.generate()
        let server = try Server(allowing: a.publicKey)
        defer { server.zap.stop() }
        let (dealer, monitor) = try client(server, keys: b, sending: "hello from B")
        #expect(try server.receive(within: 1.5) == nil)
        let seen = events(monitor, until: .authenticationFailed, within: 3)
        let refusal = try #require(seen.first { $0.kind == .authenticationFailed }, "events: \(seen)")
        #expect(refusal.value == 400)
        #expect(!seen.contains { $0.kind == .handshakeSucceeded })
        withExtendedLifetime(dealer) {}
    }

    @Test("a client without CURVE gets nothing through")
    func plainClient() throws {
        let a = try CurveKeyPair.generate()
        let server = try Server(allowing: a.publicKey)
        defer { server.zap.stop() }
        let (dealer, monitor) = try client(server, keys: nil, sending: "plain hello")
        #expect(try server.receive(within: 1.5) == nil)
        #expect(!monitor.poll().contains { $0.kind == .handshakeSucceeded })
        withExtendedLifetime(dealer) {}
    }

    @Test("a second ZAP handler in one context is an error, not a silent bypass")
    func oneHandlerPerContext() throws {
        let context = ZMQContext()
        let first = ZAPHandler(context: context) { _ in true }
        try first.start()
        defer { first.stop() }
        let second = ZAPHandler(context: context) { _ in false }
        #expect(throws: ZMQError.self) { try second.start() }
        second.stop()
    }

    /// One Z85 key in 85 begins with `-`, which a command line reads as an option; 3,000 draws
    /// without the redraw would have one such key with a probability of 1 − (84/85)^3000 ≈ 1.
    @Test("no new public key begins with '-'")
    func noLeadingDash() throws {
        for _ in 0..<3000 {
            let pair = try CurveKeyPair.generate()
            #expect(!pair.publicKey.hasPrefix("-"), "\(pair.publicKey)")
            #expect(CurveKeyPair.isValidKey(pair.publicKey))
        }
    }

    @Test("keys are 40 Z85 characters; a secret key gives back its public key")
    func keyValidation() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.count == 40 && pair.secretKey.count == 40)
        #expect(CurveKeyPair.isValidKey(pair.publicKey) && CurveKeyPair.isValidKey(pair.secretKey))
        #expect(CurveKeyPair.publicKey(forSecretKey: pair.secretKey) == pair.publicKey)
        #expect(!CurveKeyPair.isValidKey(String(pair.publicKey.dropLast())))
        #expect(!CurveKeyPair.isValidKey(String(pair.publicKey.dropLast()) + " "))
        #expect(!CurveKeyPair.isValidKey(String(pair.publicKey.dropLast()) + "~"))
        #expect(!CurveKeyPair.isValidKey(""))
        #expect(throws: ZMQError.self) {
            try ZMQSocket(context: ZMQContext(), kind: .router).makeCurveServer(secretKey: "not a key")
        }
    }

    @Test("key file: round trip, mode 0600, no silent overwrite")
    func keyFileRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gopfarm-keys-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("config/agent.key")
        let pair = try CurveKeyPair.generate()
        try pair.save(to: url)
        let mode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        var warnings: [String] = []
        #expect(try CurveKeyPair.load(from: url) { warnings.append($0) } == pair)
        #expect(warnings.isEmpty)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("public-key = \(pair.publicKey)\n") && text.contains("secret-key = \(pair.secretKey)\n"))

        let other = try CurveKeyPair.generate()
        #expect { try other.save(to: url) } throws: { ($0 as? KeyFileError)?.code == .exists }
        #expect(try CurveKeyPair.load(from: url) == pair, "a refused save must leave the old key")
        try other.save(to: url, overwrite: true)
        #expect(try CurveKeyPair.load(from: url) == other)
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["agent.key"],
                "no temporary file is left behind")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
        #expect(try CurveKeyPair.load(from: url) { warnings.append($0) } == other)
        #expect(warnings.count == 1 && warnings[0].contains("chmod 600"), "\(warnings)")
    }

    @Test("key file: missing or malformed files are one-sentence errors")
    func keyFileErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gopfarm-keys-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func code(_ text: String?) -> KeyFileError.Code? {
            let url = dir.appendingPathComponent("k-\(UUID().uuidString.prefix(6))")
            if let text { _ = FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) }
            do { _ = try CurveKeyPair.load(from: url); return nil } catch { return error.code }
        }
        let pair = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()
        #expect(code(nil) == .missing)
        #expect(code("") == .malformed)
        #expect(code("public-key = \(pair.publicKey)\n") == .malformed)
        #expect(code("public-key = \(pair.publicKey)\nsecret-key = \(pair.secretKey.dropLast())\n") == .malformed)
        #expect(code("public-key = \(other.publicKey)\nsecret-key = \(pair.secretKey)\n") == .malformed, "halves of two pairs")
        #expect(code("public_key = \(pair.publicKey)\nsecret-key = \(pair.secretKey)\n") == .malformed)
        #expect(code("# comment\n\n  public-key=\(pair.publicKey)  \r\nsecret-key =\(pair.secretKey)\n") == nil)
        do {
            _ = try CurveKeyPair.load(from: dir.appendingPathComponent("none.key"))
        } catch {
            #expect(error.description == "\(dir.path)/none.key: there is no key file")
        }
    }

    @Test("a peer's public key from the key itself, a key file, or a file holding only the key")
    func publicKeyArgument() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gopfarm-keys-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pair = try CurveKeyPair.generate()
        #expect(try CurveKeyPair.loadPublicKey(from: " \(pair.publicKey)\n") == pair.publicKey)
        let keyFile = dir.appendingPathComponent("coordinator.key")
        try pair.save(to: keyFile)
        #expect(try CurveKeyPair.loadPublicKey(from: keyFile.path) == pair.publicKey)
        let bare = dir.appendingPathComponent("coordinator.pub")
        try Data("# the coordinator\n\(pair.publicKey)\n".utf8).write(to: bare)
        #expect(try CurveKeyPair.loadPublicKey(from: bare.path) == pair.publicKey)
        #expect { try CurveKeyPair.loadPublicKey(from: "tooshort") } throws: { ($0 as? KeyFileError)?.code == .malformed }
        #expect { try CurveKeyPair.loadPublicKey(from: dir.path + "/absent.pub") } throws: { ($0 as? KeyFileError)?.code == .missing }
    }
}
