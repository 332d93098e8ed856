import GRDB

/// The preset tables (migration "7-c-presets"): named encode settings, farm-wide (`owner` is
/// empty) or a producer's own, and each producer's default preset (by name, resolved when used).
enum PresetTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE presets (
                owner TEXT NOT NULL, name TEXT NOT NULL, settings TEXT NOT NULL, createdBy TEXT NOT NULL,
                createdAt DATETIME NOT NULL, PRIMARY KEY (owner, name));
            CREATE TABLE preset_defaults (owner TEXT PRIMARY KEY, name TEXT NOT NULL);
            """)
    }
}
