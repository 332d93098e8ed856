import ArgumentParser
import Foundation
import GopfarmCommon

/// `gopfarm keys init|show`: the coordinator's CURVE key pair in the data directory.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make or show the coordinator's CURVE key pair (agents need its public key).",
        subcommands: [Init.self, Show.self])

    struct Location: ParsableArguments {
        @Option(help: "Data directory of the coordinator (default ./gopfarm-data, or GOPFARM_DATA_DIR).")
        var dataDir: String?

        var keyFile: URL {
            let dir = dataDir ?? ProcessInfo.processInfo.environment["GOPFARM_DATA_DIR"] ?? "gopfarm-data"
            return URL(fileURLWithPath: dir).appendingPathComponent("coordinator.key")
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make the coordinator's key pair; prints the public key.")
        @OptionGroup var location: Location
        @Flag(help: "Replace an existing key pair (every agent then needs the new public key).")
        var force = false

        func run() throws {
            do {
                try FileManager.default.createDirectory(at: location.keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
                let pair = try CurveKeyPair.generate()
                try pair.save(to: location.keyFile, overwrite: force)
                CLIEnvironment.say(pair.publicKey)
                Console.error("wrote \(location.keyFile.path) (mode 0600); give agents the public key: gopfarm-agent --coordinator-key '\(pair.publicKey)'\n")
            } catch { throw CLIEnvironment.fail(error) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the coordinator's public key.")
        @OptionGroup var location: Location

        func run() throws {
            do { CLIEnvironment.say(try CurveKeyPair.load(from: location.keyFile).publicKey) } catch { throw CLIEnvironment.fail(error) }
        }
    }
}
