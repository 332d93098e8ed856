import Foundation
import GopfarmCommon

/// The files around a job's analysis: its scene thumbnails live in one directory, next to
/// which the contact sheet is written; the HTML report is rendered from both.
public enum ReportFiles {
    public static let contactSheetName = "contact-sheet.jpg"

    /// The picture of scene `k` (counted from 0) in the thumbnails directory.
    public static func scenePictureName(_ k: Int) -> String { String(format: "scene-%04d.jpg", k) }

    /// Removes the pictures an earlier run wrote in `thumbnails` (scene pictures, the contact
    /// sheet); the user's own files there stay.
    public static func removePictures(in thumbnails: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: thumbnails.path) else { return }
        for name in names where name == contactSheetName || isScenePicture(name) {
            OutputPlace.removeFile(thumbnails.appendingPathComponent(name).path)
        }
    }

    private static func isScenePicture(_ name: String) -> Bool {
        guard name.hasPrefix("scene-"), name.hasSuffix(".jpg") else { return false }
        let digits = name.dropFirst(6).dropLast(4)
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }

    /// Makes `contact-sheet.jpg` in `thumbnails` from the scenes' pictures (nothing when there
    /// are none).
    public static func writeContactSheet(_ analysis: JobAnalysis, thumbnails: URL) throws {
        let sheet = try ContactSheet().render(analysis: analysis) { try? Data(contentsOf: thumbnails.appendingPathComponent($0)) }
        try sheet?.write(to: thumbnails.appendingPathComponent(contactSheetName), options: .atomic)
    }

    /// The self-contained HTML report, with the thumbnails and contact sheet of `thumbnails`.
    public static func html(_ analysis: JobAnalysis, title: String, thumbnails: URL?) -> String {
        AnalysisReport(title: title, analysis: analysis, thumbnail: { name in
            thumbnails.flatMap { try? Data(contentsOf: $0.appendingPathComponent(name)) }
        }, contactSheet: thumbnails.flatMap { try? Data(contentsOf: $0.appendingPathComponent(contactSheetName)) }).html()
    }
}
