import Foundation
import GopfarmAPI
import GopfarmCommon

extension DashboardRows {
    /// A ladder job's card: its tracks with sizes and rates, and links to the manifests, which
    /// the dashboard serves under `/jobs/{id}/files/` with the session (players fetch the
    /// playlists' relative URIs from there).
    static func ladder(_ l: JobLadder, job: String) -> DashboardModels.Ladder {
        let renditions = l.renditions.map { r in
            var quality = r.psnr.map { String(format: "%.2f dB", $0) } ?? "–"
            if let ssim = r.ssim { quality += String(format: " · SSIM %.4f", ssim) }
            return DashboardModels.Rendition(
                kind: r.kind.rawValue, name: r.name, codec: r.codec, size: r.size ?? r.language ?? "–",
                bytes: ByteSize.text(Int64(r.bytes)), average: r.averageBitrate.map(JobLadder.bitRate) ?? "–",
                peak: r.peakBitrate.map(JobLadder.bitRate) ?? "–", quality: r.kind == .video ? quality : "–")
        }
        let files = Set(l.files ?? [])
        func link(_ name: String) -> String? { files.contains(name) ? "/jobs/\(job)/files/\(name)" : nil }
        return DashboardModels.Ladder(
            summary: "\(l.requested) · \(l.packages.joined(separator: ", ")) · \(JobRules.show(l.segmentSeconds)) s segments",
            renditions: renditions, hasRenditions: !renditions.isEmpty, hlsLink: link("master.m3u8"), dashLink: link("manifest.mpd"),
            plotLink: link("ladder.html"),
            probe: l.probe.map { "Choosing the rungs: \($0.segmentsDone) of \($0.segmentsTotal) probe encodes done, \($0.agents) agent\($0.agents == 1 ? "" : "s")" })
    }
}
