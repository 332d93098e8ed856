import Foundation
import GopfarmCommon

/// How an agent talks to its coordinator. There is no default: plain TCP has to be asked for
/// (`--insecure`), since anyone who can reach the port could read the segments or pose as
/// the coordinator.
public enum AgentSecurity: Sendable, Equatable {
    /// Plain TCP, for a trusted loopback (the agents `gopfarm transcode` starts itself).
    case insecure
    /// Encrypted, talks only to the holder of `coordinatorKey`'s secret, and proves to the
    /// coordinator that it holds `keyPair`'s secret (which ops allow with `gopfarm agents allow`).
    case curve(coordinatorKey: String, keyPair: CurveKeyPair)

    /// `~/.config/gopfarm/agent.key`: where `gopfarm-agent keys init` puts the key pair. `~` is
    /// `$HOME` when set (as for the shell), so a service account's unit file can move it.
    public static var defaultKeyFile: URL {
        let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".config/gopfarm/agent.key")
    }

    /// The choice the command line made: `coordinatorKey` (a key or a file holding it) and the
    /// agent's own `keyFile`, or `insecure`. `warning` hears about a key file others can read.
    public static func resolve(coordinatorKey: String?, keyFile: URL, insecure: Bool,
                               warning: (String) -> Void) throws(AgentSetupError) -> AgentSecurity {
        if insecure {
            guard coordinatorKey == nil else {
                throw AgentSetupError(usage: true, "--insecure and --coordinator-key exclude each other; pick one")
            }
            return .insecure
        }
        guard let coordinatorKey else {
            throw AgentSetupError(usage: true, """
                no coordinator key: run `gopfarm keys show` on the coordinator and pass its output with \
                --coordinator-key 'KEY' (or GOPFARM_COORDINATOR_KEY), or pass --insecure for a trusted loopback
                """)
        }
        let serverKey: String
        do { serverKey = try CurveKeyPair.loadPublicKey(from: coordinatorKey) } catch {
            throw AgentSetupError(usage: true, "--coordinator-key: \(error.description)")
        }
        do {
            return .curve(coordinatorKey: serverKey, keyPair: try CurveKeyPair.load(from: keyFile, warning: warning))
        } catch where error.code == .missing {
            throw AgentSetupError(usage: false, "\(error.description); make this agent's key pair with: gopfarm-agent keys init"
                                  + (keyFile == defaultKeyFile ? "" : " --key-file \(keyFile.path)"))
        } catch {
            throw AgentSetupError(usage: false, error.description)
        }
    }

    /// For logs: the mode, and with CURVE the agent's public key (what ops allow).
    public var summary: String {
        switch self {
        case .insecure: "plain TCP (--insecure)"
        case .curve(_, let keyPair): "CURVE, agent key \(keyPair.publicKey)"
        }
    }
}
