import Foundation
import GopfarmAPI
import GopfarmCommon

/// Reads `settings.ladder` of a job request leniently in shape and strictly in fields: the
/// CLI's text (`"1080p:6M,720p:3M"` or `"auto"`), or an object whose fields default as the CLI's
/// flags do (`packages`: hls and dash, `segmentSeconds`: 4) and whose rungs are objects or the
/// CLI's text (`"720p:3M"`). Unknown fields are 400s, as everywhere in the API; the rules
/// (heights, rates, codecs) are `Ladder.validate`'s, checked with the rest of the settings.
enum LadderJSON {
    static let fields: Set<String> = ["rungs", "auto", "packages", "segmentSeconds"]
    static let rungFields: Set<String> = ["name", "height", "bitrate", "codec", "crf", "averageBitrate", "preset", "sdr"]

    /// The request's ladder as `Ladder` encodes it, so the submission then decodes as usual.
    static func normalized(_ value: Any) throws(APIError) -> Any {
        let ladder = try ladder(value)
        guard let data = try? JSONEncoder().encode(ladder), let object = try? JSONSerialization.jsonObject(with: data) else {
            throw APIError(.badRequest, "field 'settings.ladder' could not be read")
        }
        return object
    }

    static func ladder(_ value: Any) throws(APIError) -> Ladder {
        if let text = value as? String {
            do { return try Ladder(parsing: text) } catch { throw APIError(.unprocessable, error.description) }
        }
        guard let object = value as? [String: Any] else {
            throw APIError(.badRequest, "'settings.ladder' must be rungs such as \"1080p:6M,720p:3M\", \"auto\" or an object with 'rungs'")
        }
        try StrictJSON.checkFields(object, allowed: fields, in: "settings.ladder")
        for case (let i, let rung as [String: Any]) in ((object["rungs"] as? [Any]) ?? []).enumerated() {
            try StrictJSON.checkFields(rung, allowed: rungFields, in: "settings.ladder.rungs.\(i)")
        }
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: try JSONSerialization.data(withJSONObject: object))
        } catch let error as APIError { throw error } catch let error as DecodingError {
            throw APIError(.badRequest, StrictJSON.describe(error, prefix: "settings.ladder"))
        } catch {
            throw APIError(.badRequest, "field 'settings.ladder' could not be read")
        }
        var packages = PackageFormat.allCases
        if let given = request.packages {
            do { packages = try PackageFormat.parseList(given.joined(separator: ",")) } catch { throw APIError(.unprocessable, error.description) }
        }
        var rungs: [LadderRung] = []
        var named = Set<Int>()
        for rung in request.rungs ?? [] {
            switch rung {
            case .text(let text):
                do { rungs.append(try LadderRung(parsing: text)) } catch { throw APIError(.unprocessable, error.description) }
            case .object(let r):
                let bitrate: Int
                switch r.bitrate {
                case .number(let n): bitrate = n
                case .text(let text):
                    guard let rate = LadderRung.parseRate(text) else {
                        throw APIError(.unprocessable, "the rate '\(JobRules.quote(text))' is not a bit rate such as 3M, 1.2M or 700k")
                    }
                    bitrate = rate
                }
                var made = LadderRung(height: r.height, bitrate: bitrate, codec: r.codec, crf: r.crf, averageBitrate: r.averageBitrate ?? false,
                                      preset: r.preset, sdr: r.sdr ?? false)
                if let name = r.name {
                    made.name = name
                    named.insert(rungs.count)
                }
                rungs.append(made)
            }
        }
        // As the CLI names them: two rates at one size are 360p and 360p-2.
        rungs = Ladder.namedApart(rungs, given: named)
        return Ladder(rungs: rungs, auto: request.auto ?? false, packages: packages,
                      segmentSeconds: request.segmentSeconds ?? Ladder.defaultSegmentSeconds)
    }

    private struct Request: Decodable {
        var rungs: [Rung]?
        var auto: Bool?
        var packages: Packages?
        var segmentSeconds: Double?
    }

    /// `["hls", "dash"]` or `"hls,dash"`.
    private struct Packages: Decodable {
        var list: [String]
        func joined(separator: String) -> String { list.joined(separator: separator) }
        init(from decoder: any Swift.Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let text = try? c.decode(String.self) { list = [text] } else { list = try c.decode([String].self) }
        }
    }

    private enum Rung: Decodable {
        case text(String)
        case object(RungObject)
        init(from decoder: any Swift.Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let text = try? c.decode(String.self) { self = .text(text) } else { self = .object(try c.decode(RungObject.self)) }
        }
    }

    private struct RungObject: Decodable {
        var name: String?
        var height: Int
        var bitrate: Rate
        var codec: String?
        var crf: Double?
        var averageBitrate: Bool?
        var preset: String?
        var sdr: Bool?
    }

    /// Bits per second, or text such as `3M`.
    private enum Rate: Decodable {
        case number(Int)
        case text(String)
        init(from decoder: any Swift.Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
        }
    }
}
