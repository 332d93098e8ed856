import Foundation
import GopfarmCommon

extension CompletedSegment {
    /// The spooled payload, checked against the SHA-256 its agent reported. The file is mapped,
    /// not read: a stitch or a packaging holds one or two segments of hundreds of MB (lossless,
    /// long segments) as page cache the kernel can take back, not as the coordinator's own
    /// memory. Spool files are written once, under a temporary name, and never changed.
    func payload() throws(MediaError) -> Data {
        let data: Data
        do { data = try Data(contentsOf: path, options: .alwaysMapped) } catch {
            throw MediaError(.segmentMismatch, "cannot read segment \(result.segment) from the spool: \(OutputPlace.reason(error))")
        }
        guard SHA256.hex(data) == result.payloadSHA256 else {
            throw MediaError(.segmentMismatch, "segment \(result.segment) in the spool is damaged (SHA-256 mismatch)")
        }
        return data
    }
}
