/// A table of text cells, escaped when rendered. Numeric columns align right so digits line up.
public struct HTMLTable {
    public struct Column {
        public var title: String
        public var numeric: Bool
        public init(_ title: String, numeric: Bool = true) {
            self.title = title
            self.numeric = numeric
        }
    }

    public var columns: [Column]
    public var rows: [[String]] = []

    public init(_ columns: [Column]) { self.columns = columns }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table; long ones scroll inside a box so the sections after them stay in reach.
    public func html() -> String {
        var out = rows.count > 20 ? "<div class=\"scroll\"><table>" : "<table>"
        out += "<thead><tr>"
        for c in columns { out += c.numeric ? "<th class=\"num\">\(c.title.htmlEscaped)</th>" : "<th>\(c.title.htmlEscaped)</th>" }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for (i, cell) in row.enumerated() {
                out += i < columns.count && columns[i].numeric ? "<td class=\"num\">\(cell.htmlEscaped)</td>" : "<td>\(cell.htmlEscaped)</td>"
            }
            out += "</tr>"
        }
        return out + "</tbody></table>" + (rows.count > 20 ? "</div>" : "")
    }
}
