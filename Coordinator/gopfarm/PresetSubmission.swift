import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmService

/// How `gopfarm submit` sends its job when presets are involved. With `--use-preset`, only the
/// encoding flags given go in `settings` (they override the preset's fields). Without it and
/// without any encoding flag, a producer with a default preset sends no `settings`, so the
/// coordinator applies that default. Otherwise the submission goes as it is.
struct PresetSubmission {
    let submission: JobSubmission
    let encode: EncodeOptions

    func send(_ api: APIClient) async throws -> JobView {
        var given: [String: Any]?
        if submission.preset != nil {
            given = try encode.givenSettings()
        } else if !encode.anyGiven {
            let presets: [PresetView] = try await api.send("GET", "/v1/presets")
            if presets.contains(where: \.isDefault) { given = [:] }
        }
        guard let given else { return try await api.submit(submission) }
        return try await api.send("POST", "/v1/jobs", jsonData: try body(given: given))
    }

    /// The request body with only the `given` settings (the coordinator merges the preset).
    func body(given: [String: Any]) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: try APIJSON.encoder.encode(submission)) as? [String: Any] else {
            return try APIJSON.encoder.encode(submission)
        }
        object["settings"] = given.isEmpty && submission.preset == nil ? nil : given
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
