import GRDB

/// A ladder job's records (issue 15): `ladders`, one row per ladder job (the automatic
/// ladder's choice once its probe ran, so a restart dispatches the same rungs; then the
/// packages and every file of the output directory), and `renditions`, one row per packaged
/// track (video renditions first, then audio and subtitle tracks) with its measured rates.
enum LadderTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE ladders (
                jobId TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
                choice BLOB, packages TEXT, segmentSeconds DOUBLE, files TEXT);
            CREATE TABLE renditions (
                jobId TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
                kind TEXT NOT NULL, name TEXT NOT NULL, codec TEXT NOT NULL, codecs TEXT,
                width INTEGER, height INTEGER, frames INTEGER, bytes INTEGER NOT NULL,
                averageBitrate INTEGER, peakBitrate INTEGER, psnr DOUBLE, ssim DOUBLE, language TEXT,
                PRIMARY KEY (jobId, idx));
            """)
    }
}
