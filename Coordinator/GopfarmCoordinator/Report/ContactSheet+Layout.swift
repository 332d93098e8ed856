extension ContactSheet {
    /// Where each tile goes: a grid of `columns` (fewer when there are fewer tiles), filled row
    /// by row, with `gap` pixels between tiles and around them. All sizes are even.
    public struct Layout: Sendable, Equatable {
        public let tiles: Int
        public let columns: Int
        public let rows: Int
        public let tileWidth: Int
        public let tileHeight: Int
        public let gap: Int

        public init(tiles: Int, columns: Int, tileWidth: Int, tileHeight: Int, gap: Int) {
            self.tiles = max(0, tiles)
            self.columns = max(1, min(columns, tiles))
            rows = max(1, (self.tiles + self.columns - 1) / self.columns)
            self.tileWidth = max(2, (tileWidth + 1) & ~1)
            self.tileHeight = max(2, (tileHeight + 1) & ~1)
            self.gap = (max(0, gap) + 1) & ~1
        }

        public var width: Int { columns * tileWidth + (columns + 1) * gap }
        public var height: Int { rows * tileHeight + (rows + 1) * gap }

        /// Top-left corner of tile `i`.
        public func origin(ofTile i: Int) -> (x: Int, y: Int) {
            (gap + (i % columns) * (tileWidth + gap), gap + (i / columns) * (tileHeight + gap))
        }
    }
}
