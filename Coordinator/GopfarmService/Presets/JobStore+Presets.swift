import Foundation
import GopfarmAPI
import GopfarmCommon
import GRDB

/// Presets in the store: farm-wide ones have an empty owner. Reads return what one producer
/// sees, so the API, `gopfarm presets` and the dashboard's submit form list the same thing.
extension JobStore {
    /// Every preset `owner` can use: its own, then the farm's (a farm one hidden by its own of the
    /// same name is marked `shadowed`), with its default marked. Sorted by name.
    public func presets(for owner: String) async throws -> [PresetView] {
        try await pool.read { db in
            let chosen = try String.fetchOne(db, sql: "SELECT name FROM preset_defaults WHERE owner = ?", arguments: [owner])
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM presets WHERE owner IN ('', ?) ORDER BY name, owner DESC",
                                        arguments: [owner])
            let own = Set(rows.filter { ($0["owner"] as String) == owner }.map { $0["name"] as String })
            return rows.compactMap { row in
                Self.presetView(row, personal: (row["owner"] as String) == owner, chosen: chosen, own: own)
            }
        }
    }

    /// Every preset of every producer and the farm (ops), defaults as `viewer` has them.
    func allPresets(viewer: String) async throws -> [PresetView] {
        try await pool.read { db in
            let chosen = try String.fetchOne(db, sql: "SELECT name FROM preset_defaults WHERE owner = ?", arguments: [viewer])
            let own = Set(try String.fetchAll(db, sql: "SELECT name FROM presets WHERE owner = ?", arguments: [viewer]))
            return try Row.fetchAll(db, sql: "SELECT * FROM presets ORDER BY name, owner DESC").compactMap { row in
                Self.presetView(row, personal: (row["owner"] as String) == viewer, chosen: chosen, own: own)
            }
        }
    }

    private static func presetView(_ row: Row, personal: Bool, chosen: String?, own: Set<String>) -> PresetView? {
        let owner: String = row["owner"]
        let name: String = row["name"]
        guard let settings = try? JSONDecoder().decode(EncodeSettings.self, from: Data((row["settings"] as String).utf8)) else { return nil }
        let farm = owner.isEmpty
        let shadowed = farm && own.contains(name)
        return PresetView(name: name, scope: farm ? .farm : .personal, owner: farm ? nil : owner, settings: settings,
                          isDefault: name == chosen && !shadowed && (personal || farm), shadowed: shadowed,
                          createdBy: row["createdBy"], createdAt: row["createdAt"])
    }

    /// The stored settings (a JSON object) of the preset `owner` means by `name`: its own, else the farm's.
    func presetSettings(_ name: String, owner: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT settings FROM presets WHERE name = ? AND owner IN ('', ?) ORDER BY owner DESC LIMIT 1",
                                arguments: [name, owner])
        }
    }

    func presetDefault(owner: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT name FROM preset_defaults WHERE owner = ?", arguments: [owner]) }
    }

    /// Adds a preset (`owner` empty: farm-wide); false when one of that name and scope exists.
    func addPreset(name: String, owner: String, settings: EncodeSettings, by creator: String) async throws -> Bool {
        let json = String(decoding: try APIJSON.encoder.encode(settings), as: UTF8.self)
        return try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO presets (owner, name, settings, createdBy, createdAt) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [owner, name, json, creator, Date()])
            return db.changesCount == 1
        }
    }

    func removePreset(name: String, owner: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM presets WHERE owner = ? AND name = ?", arguments: [owner, name])
            return db.changesCount == 1
        }
    }

    /// Sets (or with nil clears) `owner`'s default preset.
    func setPresetDefault(_ name: String?, owner: String) async throws {
        try await pool.write { db in
            if let name {
                try db.execute(sql: "INSERT INTO preset_defaults (owner, name) VALUES (?, ?) ON CONFLICT(owner) DO UPDATE SET name = excluded.name",
                               arguments: [owner, name])
            } else {
                try db.execute(sql: "DELETE FROM preset_defaults WHERE owner = ?", arguments: [owner])
            }
        }
    }
}
