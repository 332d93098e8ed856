import Foundation
import GopfarmAPI
import GopfarmCommon
import NIOCore

/// Decodes request bodies strictly: malformed JSON, unknown fields and wrong types are 400s
/// with a sentence that names the problem, so a typo is never silently ignored.
enum StrictJSON {
    static func object(_ buffer: ByteBuffer) throws(APIError) -> [String: Any] {
        let data = Data(buffer: buffer)
        guard !data.isEmpty else { throw APIError(.badRequest, "the request needs a JSON body") }
        guard let value = try? JSONSerialization.jsonObject(with: data), let object = value as? [String: Any] else {
            throw APIError(.badRequest, "the request body is not a JSON object")
        }
        return object
    }

    static func checkFields(_ object: [String: Any], allowed: Set<String>, in place: String = "the request") throws(APIError) {
        if let unknown = object.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw APIError(.badRequest, "unknown field '\(unknown.prefix(60))' in \(place); known fields: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, fields: Set<String>, from buffer: ByteBuffer) throws(APIError) -> T {
        let object = try object(buffer)
        try checkFields(object, allowed: fields)
        return try typed(type, fields.contains("settings") ? try normalizingLadder(object, buffer) : buffer)
    }

    static func decodeSubmission(_ buffer: ByteBuffer) throws(APIError) -> JobSubmission {
        let object = try object(buffer)
        try checkFields(object, allowed: JobSubmission.fields)
        guard let settings = object["settings"] as? [String: Any] else {
            throw APIError(.badRequest, "'settings' must be an object such as {\"codec\": \"libx264\", \"crf\": 23}")
        }
        try checkFields(settings, allowed: JobSubmission.settingsFields, in: "settings")
        return try typed(JobSubmission.self, try normalizingLadder(object, buffer))
    }

    /// The body with `settings.ladder`, given as the CLI's text or a partial object, as `Ladder`
    /// encodes it (job requests and presets take the same shapes).
    static func normalizingLadder(_ object: [String: Any], _ buffer: ByteBuffer) throws(APIError) -> ByteBuffer {
        guard var settings = object["settings"] as? [String: Any], let ladder = settings["ladder"], !(ladder is NSNull) else { return buffer }
        var normalized = object
        settings["ladder"] = try LadderJSON.normalized(ladder)
        normalized["settings"] = settings
        guard let data = try? JSONSerialization.data(withJSONObject: normalized) else {
            throw APIError(.badRequest, "the request body could not be read")
        }
        return ByteBuffer(bytes: data)
    }

    private static func typed<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws(APIError) -> T {
        do { return try APIJSON.decoder.decode(T.self, from: Data(buffer: buffer)) } catch let error as DecodingError {
            throw APIError(.badRequest, describe(error))
        } catch {
            throw APIError(.badRequest, "the request body could not be read: \(error)")
        }
    }

    static func describe(_ error: DecodingError, prefix: String? = nil) -> String {
        func path(_ c: [CodingKey]) -> String { ((prefix.map { [$0] } ?? []) + c.map { $0.intValue.map(String.init) ?? $0.stringValue }).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let ctx): return "missing field '\(path(ctx.codingPath + [key]))'"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx): return "field '\(path(ctx.codingPath))' has the wrong type"
        case .dataCorrupted(let ctx):
            // No path: the text itself. The body parsed as JSON before it got here, so this is a
            // number no field's type can hold (1e300 for an integer); Foundation calls it "not
            // valid JSON".
            guard !ctx.codingPath.isEmpty || prefix != nil else {
                return "a number in the request does not fit its field (too large, or a fraction where a whole number goes)"
            }
            return "field '\(path(ctx.codingPath))' has an invalid value"
        @unknown default: return "the request body has the wrong shape"
        }
    }
}
