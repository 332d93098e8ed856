import ArgumentParser
import Foundation
import GopfarmAgentCLI
import GopfarmCommon

/// `gopfarm-agent keys init`: makes the key pair once per machine; the public key goes to
/// stdout alone (for scripts), the next step for ops to stderr.
struct KeysInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make this agent's key pair and print its public key.",
        discussion: "The key file is written with mode 0600. Exit status: 0 done, 1 the file exists (see --force) or cannot be written.")

    @OptionGroup var keyFile: KeyFileOption

    @Flag(help: "Replace an existing key pair (the coordinator must then allow the new key).")
    var force = false

    func run() throws {
        let url = keyFile.url
        do {
            let pair = try CurveKeyPair.generate()
            try pair.save(to: url, overwrite: force)
            Console.line(pair.publicKey)
            Console.error("""
                wrote \(url.path); allow it on the coordinator with: gopfarm agents allow --name \(ProcessInfo.processInfo.hostName) '\(pair.publicKey)'

                """)
        } catch let error as KeyFileError {
            throw AgentCLI.fail(error.description, status: 1)
        } catch {
            throw AgentCLI.fail("cannot make a CURVE key pair: \(error) (is libzmq built with CURVE?)", status: 1)
        }
    }
}
