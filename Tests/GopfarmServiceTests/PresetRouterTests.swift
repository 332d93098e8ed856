import Foundation
import GopfarmAPI
@testable import GopfarmService
import HummingbirdTesting
import Testing

/// Presets through the HTTP API in process: who may add, see and remove which, a personal
/// preset hiding a farm one, the default, fields given overriding a preset's, and a preset
/// refused with the very sentence a submission with its settings gets.
@Suite("Presets in the API router")
struct PresetRouterTests {
    typealias H = APIRouterTests

    /// The settings a submitted job was stored with.
    static func stored(_ h: H.Harness, _ answer: H.Answer) throws -> JobSubmission {
        let id = try #require(answer.json()?["id"] as? String, "\(answer.text)")
        return try #require(try h.service.store.job(id)?.decodedSubmission)
    }

    @Test("add, list, remove: personal presets are their owner's, farm presets are ops' and everyone sees them")
    func ownership() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            var r = try await H.send(client, .post, "/v1/presets", token: h.alice,
                                     json: #"{"name":"fast","settings":{"codec":"libx264","preset":"veryfast","crf":26}}"#)
            #expect(r.status == 201 && r.json()?["scope"] as? String == "personal", "\(r.text)")
            r = try await H.send(client, .post, "/v1/presets", token: h.alice, json: #"{"name":"fast","settings":{"codec":"libx264"}}"#)
            #expect(r.status == 409 && r.error == "a personal preset 'fast' exists; remove it first", "\(r.text)")
            r = try await H.send(client, .post, "/v1/presets", token: h.alice, json: #"{"name":"web","settings":{"codec":"libx264"},"farm":true}"#)
            #expect(r.status == 403, "\(r.text)")
            r = try await H.send(client, .post, "/v1/presets", token: h.ops,
                                 json: #"{"name":"web-1080p","settings":{"codec":"libx264","crf":22,"preset":"medium","scale":{"width":-2,"height":1080}},"farm":true}"#)
            #expect(r.status == 201 && r.json()?["scope"] as? String == "farm", "\(r.text)")

            func names(_ token: String, _ query: String = "") async throws -> [String] {
                let r = try await H.send(client, .get, "/v1/presets" + query, token: token)
                let list = try APIJSON.decoder.decode([PresetView].self, from: Data(r.text.utf8))
                return list.map { "\($0.name)/\($0.scope.rawValue)" }
            }
            #expect(try await names(h.alice) == ["fast/personal", "web-1080p/farm"])
            #expect(try await names(h.bob) == ["web-1080p/farm"])
            #expect(try await names(h.ops, "?all=true") == ["fast/personal", "web-1080p/farm"])
            #expect(try await H.send(client, .get, "/v1/presets?all=true", token: h.bob).status == 403)
            // The dashboard's read: what one producer may use.
            #expect(try await h.service.store.presets(for: "bob").map(\.name) == ["web-1080p"])

            #expect(try await H.send(client, .delete, "/v1/presets/fast", token: h.bob).status == 404)
            #expect(try await H.send(client, .delete, "/v1/presets/web-1080p?farm=true", token: h.alice).status == 403)
            #expect(try await H.send(client, .delete, "/v1/presets/fast", token: h.alice).status == 200)
            #expect(try await names(h.alice) == ["web-1080p/farm"])
            #expect(try await H.send(client, .delete, "/v1/presets/web-1080p?farm=true", token: h.ops).status == 200)
            #expect(try await names(h.bob).isEmpty)
        }
    }

    @Test("a preset's settings are refused with the sentence a submission with them gets")
    func validationParity() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            for settings in [#"{"codec":"libx264","crf":60}"#, #"{"codec":"libxvid"}"#, #"{"codec":"libx264","preset":"ludicrous"}"#,
                             #"{"codec":"libx264","crf":20,"bitrate":5000000}"#] {
                let job = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)","settings":\#(settings)}"#)
                let preset = try await H.send(client, .post, "/v1/presets", token: h.alice, json: #"{"name":"p","settings":\#(settings)}"#)
                #expect(job.status == 422 && preset.status == 422 && preset.error != nil && preset.error == job.error,
                        "\(settings): job \(job.text) preset \(preset.text)")
            }
            let sixty = try await H.send(client, .post, "/v1/presets", token: h.alice, json: #"{"name":"p","settings":{"codec":"libx264","crf":60}}"#)
            #expect(sixty.error == "crf for libx264 must be between 0 and 51, not 60", "\(sixty.text)")
            for name in ["", "default", "a b", String(repeating: "x", count: 65), "ü"] {
                let r = try await H.send(client, .post, "/v1/presets", token: h.alice, json: #"{"name":"\#(name)","settings":{"codec":"libx264"}}"#)
                #expect(r.status == 422 && (r.error ?? "").hasPrefix("a preset name has 1 to 64"), "\(name): \(r.text)")
            }
            let unknown = try await H.send(client, .post, "/v1/presets", token: h.alice, json: #"{"name":"p","settings":{"codec":"libx264"},"x":1}"#)
            #expect(unknown.status == 400, "\(unknown.text)")
        }
    }

    @Test("a submission takes its preset's settings, fields it gives win, a personal preset hides the farm's")
    func submitWithPreset() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            _ = try await H.send(client, .post, "/v1/presets", token: h.ops,
                                 json: #"{"name":"web","settings":{"codec":"libx264","crf":22,"preset":"medium","scale":{"width":-2,"height":1080}},"farm":true}"#)
            _ = try await H.send(client, .post, "/v1/presets", token: h.alice,
                                 json: #"{"name":"web","settings":{"codec":"libx265","crf":30}}"#)
            // Bob sees the farm's.
            var r = try await H.send(client, .post, "/v1/jobs", token: h.bob, json: #"{"input":"\#(h.clip)","preset":"web"}"#)
            #expect(r.status == 201, "\(r.text)")
            var s = try Self.stored(h, r)
            #expect(s.preset == "web" && s.settings.codec == "libx264" && s.settings.crf == 22 && s.settings.preset == "medium"
                    && s.settings.scale?.description == "-2x1080", "\(s)")
            // Fields given override the preset's, one by one.
            r = try await H.send(client, .post, "/v1/jobs", token: h.bob, json: #"{"input":"\#(h.clip)","preset":"web","settings":{"crf":18}}"#)
            s = try Self.stored(h, r)
            #expect(s.settings.codec == "libx264" && s.settings.crf == 18 && s.settings.preset == "medium", "\(s)")
            // ... and the result is checked like any submission.
            r = try await H.send(client, .post, "/v1/jobs", token: h.bob, json: #"{"input":"\#(h.clip)","preset":"web","settings":{"crf":70}}"#)
            #expect(r.status == 422 && r.error == "crf for libx264 must be between 0 and 51, not 70", "\(r.text)")
            // Alice's own "web" hides the farm's.
            r = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)","preset":"web"}"#)
            s = try Self.stored(h, r)
            #expect(s.settings.codec == "libx265" && s.settings.crf == 30 && s.settings.preset == nil, "\(s)")
            let list = try APIJSON.decoder.decode([PresetView].self, from: Data(try await H.send(client, .get, "/v1/presets", token: h.alice).text.utf8))
            #expect(list.map { "\($0.scope.rawValue):\($0.shadowed)" } == ["personal:false", "farm:true"], "\(list)")
            r = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)","preset":"nope"}"#)
            #expect(r.status == 422 && r.error == "no preset 'nope' (gopfarm presets list shows yours and the farm's)", "\(r.text)")
            r = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)","preset":7}"#)
            #expect(r.status == 400, "\(r.text)")
        }
    }

    @Test("the default preset applies when a submission names neither a preset nor settings")
    func defaultPreset() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            _ = try await H.send(client, .post, "/v1/presets", token: h.ops,
                                 json: #"{"name":"archive","settings":{"codec":"ffv1"},"farm":true}"#)
            var r = try await H.send(client, .post, "/v1/presets", token: h.alice,
                                     json: #"{"name":"mine","settings":{"codec":"libx264","crf":28},"default":true}"#)
            #expect(r.json()?["isDefault"] as? Bool == true, "\(r.text)")
            r = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)"}"#)
            var s = try Self.stored(h, r)
            #expect(s.preset == "mine" && s.settings.crf == 28, "\(s)")
            // Settings given: no preset.
            r = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)","settings":{"codec":"libx265"}}"#)
            s = try Self.stored(h, r)
            #expect(s.preset == nil && s.settings.codec == "libx265" && s.settings.crf == nil, "\(s)")
            // A farm preset can be one's default; a missing one cannot.
            #expect(try await H.send(client, .put, "/v1/presets/default", token: h.bob, json: #"{"name":"nope"}"#).status == 404)
            #expect(try await H.send(client, .put, "/v1/presets/default", token: h.bob, json: #"{"name":"archive"}"#).status == 200)
            r = try await H.send(client, .post, "/v1/jobs", token: h.bob, json: #"{"input":"\#(h.clip)","outputName":"a.mkv"}"#)
            s = try Self.stored(h, r)
            #expect(s.preset == "archive" && s.settings.codec == "ffv1", "\(r.text)")
            // Without a default, settings are required as before.
            #expect(try await H.send(client, .put, "/v1/presets/default", token: h.bob, json: #"{}"#).status == 200)
            r = try await H.send(client, .post, "/v1/jobs", token: h.bob, json: #"{"input":"\#(h.clip)"}"#)
            #expect(r.status == 400 && (r.error ?? "").contains("'settings' must be an object"), "\(r.text)")
            // A default whose preset was removed says so.
            #expect(try await H.send(client, .delete, "/v1/presets/mine", token: h.alice).status == 200)
            r = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)"}"#)
            #expect(r.status == 422 && (r.error ?? "").hasPrefix("your default preset 'mine' no longer exists"), "\(r.text)")
        }
    }
}
