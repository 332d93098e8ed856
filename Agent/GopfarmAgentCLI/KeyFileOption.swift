import ArgumentParser
import Foundation
import GopfarmAgent

/// `--key-file`, shared by the agent and `keys init|show`, so each finds the same file.
public struct KeyFileOption: ParsableArguments {
    public init() {}

    @Option(name: .customLong("key-file"),
            help: "This agent's CURVE key pair (default: $GOPFARM_AGENT_KEY_FILE, else ~/.config/gopfarm/agent.key).")
    public var path: String?

    public var url: URL {
        guard let path = path ?? ProcessInfo.processInfo.environment["GOPFARM_AGENT_KEY_FILE"] else {
            return AgentSecurity.defaultKeyFile
        }
        return URL(fileURLWithPath: NSString(string: path).expandingTildeInPath)
    }
}
