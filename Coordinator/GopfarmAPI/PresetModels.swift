import Foundation
import GopfarmCommon

/// `POST /v1/presets`: named encode settings. A producer's own preset, or with `farm` (ops) one
/// every producer sees; a producer's preset shadows a farm one of the same name. `default` makes
/// it the caller's default, used by a submission that names neither a preset nor settings.
public struct PresetRequest: Codable, Sendable {
    public var name: String
    public var settings: EncodeSettings
    public var farm: Bool?
    public var `default`: Bool?

    public init(name: String, settings: EncodeSettings, farm: Bool? = nil, default isDefault: Bool? = nil) {
        self.name = name
        self.settings = settings
        self.farm = farm
        self.default = isDefault
    }

    public static let fields: Set<String> = ["name", "settings", "farm", "default"]
}

/// A preset as a caller sees it.
public struct PresetView: Codable, Sendable, Equatable {
    public enum Scope: String, Codable, Sendable { case farm, personal }
    public var name: String
    public var scope: Scope
    /// The producer a personal preset belongs to (ops see everyone's).
    public var owner: String?
    public var settings: EncodeSettings
    /// The caller's default.
    public var isDefault: Bool
    /// A farm preset the caller's own preset of the same name hides.
    public var shadowed: Bool
    public var createdBy: String
    public var createdAt: Date

    public init(name: String, scope: Scope, owner: String?, settings: EncodeSettings, isDefault: Bool, shadowed: Bool,
                createdBy: String, createdAt: Date) {
        self.name = name
        self.scope = scope
        self.owner = owner
        self.settings = settings
        self.isDefault = isDefault
        self.shadowed = shadowed
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// `PUT /v1/presets/default`: the caller's default preset, or none.
public struct PresetDefaultRequest: Codable, Sendable {
    public var name: String?
    public init(name: String?) { self.name = name }
    public static let fields: Set<String> = ["name"]
}

/// What a preset's name must be, the same for the CLI and the API.
public enum PresetRules {
    public static func check(name: String) throws(MediaError) {
        guard (1...64).contains(name.count), name != "default",
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw MediaError(.invalidOption, "a preset name has 1 to 64 letters, digits or -_. (and is not 'default'), not '\(JobRules.quote(name))'")
        }
    }
}
