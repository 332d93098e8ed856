import Foundation
import GopfarmCommon

/// An automatic ladder's record beside its manifests: `ladder.json` (the probe's measurements
/// and the choice) and `ladder.html` (the rate-quality plot: hull, chosen rungs, the fixed
/// reference ladder).
public enum LadderFiles {
    public static func write(_ choice: LadderChoice, into directory: URL) throws(MediaError) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(choice).write(to: directory.appendingPathComponent("ladder.json"), options: .atomic)
            try Data(choice.plot.html().utf8).write(to: directory.appendingPathComponent("ladder.html"), options: .atomic)
        } catch {
            throw MediaError(.invalidOption, "cannot write the ladder record: \(error.localizedDescription)", path: directory.path)
        }
    }
}
