import CFFmpeg
import Foundation
import GopfarmCommon

/// Scene thumbnails in a grid, as one JPEG picture: a whole film at a glance, for the report and
/// for anything that wants a single image (a job list, a chat message).
///
/// Tiles take the size of the first thumbnail that decodes; others are scaled to it. With more
/// thumbnails than `maxTiles`, an even spread from first to last is shown. A thumbnail that does
/// not decode leaves its tile in the background grey rather than losing the sheet.
public struct ContactSheet: Sendable {
    public var columns: Int
    public var maxTiles: Int
    /// Pixels between tiles and around the grid (rounded to even, for the chroma planes).
    public var gap: Int
    /// mjpeg's qscale, 2 (best) to 31.
    public var quality: Int

    public init(columns: Int = 6, maxTiles: Int = 60, gap: Int = 4, quality: Int = 4) {
        self.columns = max(1, columns)
        self.maxTiles = max(1, maxTiles)
        self.gap = max(0, gap)
        self.quality = quality
    }

    /// The background: a dark grey (full-range Y, Cb, Cr), so black scenes still show as tiles.
    public static let background: [UInt8] = [38, 128, 128]

    /// The sheet for the scenes of `analysis` that have thumbnails; nil when none can be read.
    /// `thumbnail` loads a picture by its file name, and is asked only for the tiles shown.
    public func render(analysis: JobAnalysis, thumbnail: (String) -> Data?) throws(MediaError) -> Data? {
        let names = analysis.scenes.compactMap(\.thumbnail)
        return try render(EvenSpread.indices(count: names.count, limit: maxTiles).map { thumbnail(names[$0]) ?? Data() })
    }

    /// The sheet for `thumbnails` (JPEG, in scene order); nil when none of them decodes. An empty
    /// or unreadable picture leaves its tile in the background grey.
    public func render(_ thumbnails: [Data]) throws(MediaError) -> Data? {
        let picks = EvenSpread.indices(count: thumbnails.count, limit: maxTiles).map { thumbnails[$0] }
        let decoder = try JPEGDecoder()
        let picture = Frame()
        guard let firstReadable = picks.firstIndex(where: { (try? decoder.decode($0, into: picture)) != nil }) else { return nil }
        let layout = Layout(tiles: picks.count, columns: columns, tileWidth: picture.width, tileHeight: picture.height, gap: gap)
        let sheet = Frame()
        try sheet.allocate(width: layout.width, height: layout.height, format: AV_PIX_FMT_YUVJ420P)
        try sheet.fill(planeValues: Self.background)
        let tile = Frame()
        var scaler: Scaler?
        for i in firstReadable..<picks.count {
            if i != firstReadable {
                do { try decoder.decode(picks[i], into: picture) } catch { continue }
            }
            let source = AVPixelFormat(rawValue: picture.pixelFormat)
            if scaler == nil || scaler!.sourceWidth != Int32(picture.width) || scaler!.sourceHeight != Int32(picture.height) || scaler!.sourceFormat != source {
                scaler = try Scaler(fromWidth: Int32(picture.width), fromHeight: Int32(picture.height), from: source,
                                    toWidth: Int32(layout.tileWidth), toHeight: Int32(layout.tileHeight), to: AV_PIX_FMT_YUVJ420P,
                                    flags: gf_SWS_AREA())
            }
            try scaler!.convert(picture, into: tile)
            let origin = layout.origin(ofTile: i)
            try sheet.draw(tile, atX: origin.x, y: origin.y)
        }
        return try JPEGEncoder(width: layout.width, height: layout.height, quality: quality).encode(sheet)
    }
}
