import ArgumentParser
import GopfarmCommon
import GopfarmCoordinator

/// Where a one-shot job's agents come from and how its input is cut: shared by `transcode` and
/// `analyze`.
struct FarmOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Local agent processes to start, by default one per core up to 8 (0: wait for remote agents).")
    var agents: Int = TranscodeOptions.defaultAgents

    @Option(parsing: .unconditional, help: "Encoder (or decoder) threads per agent (0: cores / agents).")
    var threads: Int = 0

    @Option(parsing: .unconditional, help: "Target segment length in seconds (cut at the nearest key frame).")
    var segmentSeconds: Double = 10

    @Option(help: "Agent endpoint, e.g. tcp://0.0.0.0:5555 so agents on other machines can join.")
    var bind: String = "tcp://127.0.0.1:0"

    @Flag(help: "Allow plain-TCP agents on a non-loopback --bind (trusted networks only; gopfarm serve has CURVE).")
    var insecure = false

    /// Remote agents are expected: say where they should connect.
    var expectsRemoteAgents: Bool { agents == 0 || !bind.contains("127.0.0.1") }

    func validate() throws {
        if let why = ZMQEndpoint.refusal(bind) { throw ValidationError(why) }
        let loopback = ["tcp://127.0.0.1:", "tcp://localhost:", "tcp://[::1]:", "ipc://"].contains { bind.hasPrefix($0) }
        if !loopback && !insecure {
            throw ValidationError("--bind \(bind) would accept plain-TCP agents from the network; add --insecure to allow it, or run gopfarm serve (CURVE)")
        }
    }
}
