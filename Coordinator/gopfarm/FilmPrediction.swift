import Foundation
import GopfarmCoordinator

/// `gopfarm simulate --film`: one row per cluster size, and where the coordinator's measured
/// limits put the ceiling.
struct FilmPrediction: Encodable {
    var rows: [FilmRow]
    var limits: FilmLimits
}

struct FilmRow: Encodable {
    var agents: Int
    var segments: Int
    var makespan: Double
    var efficiency: Double
    var utilization: Double
    /// Fractions of the parallel part the coordinator's loop and network interface were busy.
    var coordinatorLoad: Double
    var nicLoad: Double
    var simulatorSeconds: Double
    /// Segments handed out again (an agent lost, a lease taken back) and straggler copies.
    var requeues: Int
    var speculative: Int
}

/// The most agents the coordinator can keep busy, by each measured limit: agents finish a
/// segment every `segmentSeconds × secondsPerFrame × fps` seconds each, and every segment costs
/// the coordinator one extraction, its bytes through the NIC, and a few messages.
struct FilmLimits: Encodable {
    var agentSecondsPerSegment: Double
    var bytesPerSegment: Double
    var extractBytesPerSecond: Double
    var controlPlaneSegmentsPerSecond: Double
    var nicBitsPerSecond: Double
    var agentsByExtraction: Double
    var agentsByControlPlane: Double
    var agentsByNIC: Double

    init(model: CostModel, segmentSeconds: Double, fps: Double, linkBitsPerSecond: Double, nicBitsPerSecond: Double = 10e9) {
        let frames = segmentSeconds * fps
        let perFrame = model.secondsPerFrame.reduce(0, +) / Double(max(1, model.secondsPerFrame.count))
        agentSecondsPerSegment = perFrame * frames
        bytesPerSegment = (model.sentBytesPerFrame + model.returnedBytesPerFrame) * frames
        extractBytesPerSecond = model.extractBytesPerSecond
        // Each segment: an assignment, a result, and the heartbeats of its agent meanwhile.
        let messages = 2 + agentSecondsPerSegment
        controlPlaneSegmentsPerSecond = 1 / (model.secondsPerMessage * messages)
        self.nicBitsPerSecond = nicBitsPerSecond
        let extractSeconds = model.sentBytesPerFrame * frames / model.extractBytesPerSecond
        agentsByExtraction = agentSecondsPerSegment / max(extractSeconds, 1e-12)
        agentsByControlPlane = agentSecondsPerSegment * controlPlaneSegmentsPerSecond
        agentsByNIC = agentSecondsPerSegment * nicBitsPerSecond / max(bytesPerSegment * 8, 1)
    }

    var text: String {
        String(format: """
            the coordinator's ceilings (one segment takes an agent %.0f s and puts %.1f MB on the links):
              segment extraction at %.0f MB/s (measured): %.0f agents
              control plane at %.0f segments/s (bench/control-plane.sh, with heartbeats): %.0f agents
              a 10gbit network interface: %.0f agents
            the first of these is where adding agents stops shortening the job.

            """, agentSecondsPerSegment, bytesPerSegment / 1e6, extractBytesPerSecond / 1e6, agentsByExtraction,
               controlPlaneSegmentsPerSecond, agentsByControlPlane, agentsByNIC)
    }
}
