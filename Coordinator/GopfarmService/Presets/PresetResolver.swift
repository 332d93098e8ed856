import Foundation
import GopfarmAPI
import NIOCore

/// Applies `PresetRule` to a `POST /v1/jobs` body before it is decoded and validated: the
/// chosen preset's settings go under the given ones, and `preset` names what was used (the
/// caller's default included), so the stored submission says where its settings came from.
struct PresetResolver {
    let store: JobStore

    func apply(_ buffer: ByteBuffer, caller: Caller) async throws(APIError) -> ByteBuffer {
        // Anything that is not a JSON object is StrictJSON's to refuse, with its sentence.
        guard let value = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)), var object = value as? [String: Any] else {
            return buffer
        }
        let preset = object["preset"]
        if preset != nil, !(preset is String) { throw APIError(.badRequest, "field 'preset' has the wrong type") }
        let chosenDefault: String?
        do { chosenDefault = try await store.presetDefault(owner: caller.name) } catch { throw APIError(.unavailable, "\(error)") }
        let choice = PresetRule.choice(preset: preset as? String, hasSettings: object["settings"] != nil, callerDefault: chosenDefault)
        let name: String
        switch choice {
        case .none: return buffer
        case .named(let n), .callerDefault(let n): name = n
        }
        let stored: String?
        do { stored = try await store.presetSettings(name, owner: caller.name) } catch { throw APIError(.unavailable, "\(error)") }
        guard let stored, let settings = (try? JSONSerialization.jsonObject(with: Data(stored.utf8))) as? [String: Any] else {
            let why = choice == .callerDefault(name) ? "your default preset '\(name.prefix(64))' no longer exists (gopfarm presets default --clear)"
                : "no preset '\(name.prefix(64))' (gopfarm presets list shows yours and the farm's)"
            throw APIError(.unprocessable, why)
        }
        if let given = object["settings"], !(given is [String: Any]) {
            throw APIError(.badRequest, "'settings' must be an object such as {\"codec\": \"libx264\", \"crf\": 23}")
        }
        object["settings"] = PresetRule.merge(preset: settings, given: object["settings"] as? [String: Any])
        object["preset"] = name
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return buffer }
        return ByteBuffer(bytes: data)
    }
}
