import Foundation

/// How a submission's encode settings come from presets, in one place:
/// 1. `"preset": NAME` takes that preset (the caller's own, else the farm's of that name);
/// 2. without `preset` and without `settings`, the caller's default preset, if one is set;
/// 3. fields given in `settings` override the preset's, one by one (`"settings": {"crf": 18}`
///    with a preset keeps the preset's codec, preset, scale … and changes the CRF).
/// The merged settings are then validated like any submission. Pure: JSON objects in and out.
enum PresetRule {
    enum Choice: Equatable {
        /// No preset applies: the submission stands as given.
        case none
        case named(String)
        case callerDefault(String)
    }

    /// Which preset a submission asks for.
    static func choice(preset: String?, hasSettings: Bool, callerDefault: String?) -> Choice {
        if let preset { return .named(preset) }
        if !hasSettings, let callerDefault { return .callerDefault(callerDefault) }
        return .none
    }

    /// The preset's settings with the given fields on top.
    static func merge(preset: [String: Any], given: [String: Any]?) -> [String: Any] {
        preset.merging(given ?? [:]) { _, explicit in explicit }
    }
}
