import Foundation
import Logging

extension FarmService {
    /// Something a person did to the farm (a token created or revoked, an agent key allowed, a
    /// preset or webhook added, an agent drained, a job deleted, a log-in): kept in the events
    /// table and logged at info, so ops see it where they look (it was in the table only).
    func audit(_ kind: String, _ message: String) async {
        await store.event(job: nil, kind: kind, message)
        logger.info("\(message)", metadata: ["event": "\(kind)"])
    }
}
