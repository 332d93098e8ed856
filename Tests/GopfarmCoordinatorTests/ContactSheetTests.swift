import CFFmpeg
import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

@Suite("Contact sheet")
struct ContactSheetTests {
    /// Flat thumbnails, each its own grey: decoding the sheet and sampling each tile's centre
    /// tells which thumbnail landed where.
    static func lumas(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(60 + $0 * 9) } }

    static func luma(of frame: Frame, x: Int, y: Int) -> Int {
        frame.withPlane(0) { bytes, stride in Int(bytes[y * stride + x]) }
    }

    @Test func tilesLandInTheGrid() throws {
        let lumas = Self.lumas(8)
        let thumbnails = try lumas.enumerated().map { try ReportFixture.thumbnail(scene: $0, width: 160, height: 90, flatLuma: $1) }
        let sheet = try #require(try ContactSheet(columns: 3, gap: 4).render(thumbnails))
        let layout = ContactSheet.Layout(tiles: 8, columns: 3, tileWidth: 160, tileHeight: 90, gap: 4)
        #expect(layout.width == 3 * 160 + 4 * 4 && layout.height == 3 * 90 + 4 * 4)

        let picture = try JPEGDecoder().decode(sheet)
        #expect(picture.width == layout.width && picture.height == layout.height)
        for (i, expected) in lumas.enumerated() {
            let o = layout.origin(ofTile: i)
            let centre = Self.luma(of: picture, x: o.x + 80, y: o.y + 45)
            #expect(abs(centre - Int(expected)) <= 3, "tile \(i): \(centre), expected \(expected)")
        }
        // The gap and the unused ninth cell are background.
        let background = Int(ContactSheet.background[0])
        #expect(abs(Self.luma(of: picture, x: 1, y: 1) - background) <= 3)
        let empty = layout.origin(ofTile: 8)
        #expect(abs(Self.luma(of: picture, x: empty.x + 80, y: empty.y + 45) - background) <= 3)
    }

    /// More thumbnails than tiles: an even spread from the first to the last; a thumbnail that
    /// does not decode leaves its tile empty; thumbnails of another size are scaled to the first.
    @Test func spreadsAndSurvivesBadPictures() throws {
        let lumas = Self.lumas(20)
        var thumbnails = try lumas.enumerated().map { try ReportFixture.thumbnail(scene: $0, width: 96, height: 54, flatLuma: $1) }
        thumbnails[19] = try ReportFixture.thumbnail(scene: 19, width: 320, height: 180, flatLuma: lumas[19])
        thumbnails[8] = Data("not a jpeg".utf8)
        let sheet = try #require(try ContactSheet(columns: 6, maxTiles: 6).render(thumbnails))
        let picks = EvenSpread.indices(count: 20, limit: 6)
        #expect(picks == [0, 4, 8, 11, 15, 19])
        let layout = ContactSheet.Layout(tiles: 6, columns: 6, tileWidth: 96, tileHeight: 54, gap: 4)
        let picture = try JPEGDecoder().decode(sheet)
        #expect(picture.width == layout.width && picture.height == layout.height)
        for (tile, pick) in picks.enumerated() {
            let o = layout.origin(ofTile: tile)
            let expected = pick == 8 ? Int(ContactSheet.background[0]) : Int(lumas[pick])
            #expect(abs(Self.luma(of: picture, x: o.x + 48, y: o.y + 27) - expected) <= 3, "tile \(tile) (thumbnail \(pick))")
        }
    }

    @Test func nothingToShow() throws {
        #expect(try ContactSheet().render([]) == nil)
        #expect(try ContactSheet().render([Data("junk".utf8)]) == nil)
        #expect(throws: MediaError.self) { try JPEGDecoder().decode(Data("junk".utf8)) }
    }
}
