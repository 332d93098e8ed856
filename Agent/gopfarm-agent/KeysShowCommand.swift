import ArgumentParser
import Foundation
import GopfarmAgentCLI
import GopfarmCommon

/// `gopfarm-agent keys show`: the public key, alone on stdout, for `gopfarm agents allow`.
struct KeysShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print this agent's public key.")

    @OptionGroup var keyFile: KeyFileOption

    func run() throws {
        do {
            Console.line(try CurveKeyPair.load(from: keyFile.url, warning: AgentCLI.warn).publicKey)
        } catch where error.code == .missing {
            throw AgentCLI.fail("\(error.description); make one with: gopfarm-agent keys init", status: 1)
        } catch {
            throw AgentCLI.fail(error.description, status: 1)
        }
    }
}
