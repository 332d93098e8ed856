import GopfarmCoordinator

/// A job with `--ladder auto` while the agents encode its probe: the dispatcher runs the probe
/// as a job of its own (`PipelineService.probeID`), and its outcome resumes this job's preparation
/// with the rungs chosen from it (or fails the job).
struct LadderProbeWait: Sendable {
    var row: JobRow
    var probe: LadderProbe
    var maxAgents: Int?
}
