import Foundation

/// Plain aligned columns for `gopfarm jobs` and `gopfarm agents`: easy to read, easy to `awk`.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    /// Columns aligned to the right (numbers).
    var rightAligned: Set<Int> = []

    init(_ header: String..., rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func add(_ cells: String...) { rows.append(cells) }

    var text: String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.indices.map { c in
                let cell = row[c]
                let pad = String(repeating: " ", count: max(0, widths[c] - cell.count))
                if c == row.count - 1 && !rightAligned.contains(c) { return cell }
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
