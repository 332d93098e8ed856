import ArgumentParser
import Foundation
import GopfarmAgent

/// `--key-file`, shared by the agent and `keys init|show`, so each finds the same file.
struct KeyFileOption: ParsableArguments {
    @Option(name: .customLong("key-file"),
            help: "This agent's CURVE key pair (default: $GOPFARM_AGENT_KEY_FILE, else ~/.config/gopfarm/agent.key).")
    var path: String?

    var url: URL {
        guard let path = path ?? ProcessInfo.processInfo.environment["GOPFARM_AGENT_KEY_FILE"] else {
            return AgentSecurity.defaultKeyFile
        }
        return URL(fileURLWithPath: NSString(string: path).expandingTildeInPath)
    }
}
