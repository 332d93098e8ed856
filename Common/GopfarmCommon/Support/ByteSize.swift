import Foundation

/// How gopfarm writes a size for people, in every CLI line and dashboard page: binary units, as
/// `--max-upload 64G` and `--data-budget` take them (`3.0 KiB`, `12.3 MiB`, `1.25 GiB`), so one
/// file is one size wherever it is shown.
public enum ByteSize {
    public static func text(_ n: Int64) -> String {
        switch n {
        case (1 << 30)...: String(format: "%.2f GiB", Double(n) / 1_073_741_824)
        case (1 << 20)...: String(format: "%.1f MiB", Double(n) / 1_048_576)
        default: String(format: "%.1f KiB", Double(n) / 1024)
        }
    }
}
