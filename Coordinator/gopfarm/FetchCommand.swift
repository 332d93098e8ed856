import ArgumentParser
import Foundation
import GopfarmClient
import GopfarmCommon

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a finished job's output (written as FILE.partial, renamed when complete); a ladder job's whole directory.")

    @Argument(help: "Job id.", transform: NamedArgument.nonEmpty("a job id"))
    var id: String

    @Option(name: [.short, .long], help: "Where to write the output (a ladder's: a directory); - writes a file's bytes to stdout.", transform: NamedArgument.nonEmpty("an output path"))
    var output: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientRun.run { [self] in
            let toStdout = output == "-"
            if toStdout {
                guard isatty(STDOUT_FILENO) == 0 else {
                    throw ClientError.file("not writing a video to a terminal; redirect stdout (-o - > FILE, -o - | PROGRAM) or give -o FILE")
                }
            } else {
                try SubmitCommand.checkWritable(output)
            }
            let api = try client.makeClient()
            let job = try await api.job(id)
            // Where the output may go is a usage error (exit 64 with the hint), as in transcode.
            if job.ladder != nil {
                if toStdout { throw ValidationError("job \(job.id) is a ladder: its output is a directory of files; give -o DIR") }
                do { try JobRules.checkOutputDirectory(output) } catch { throw ValidationError("\(error)") }
            } else if !toStdout, !OutputPlace.writesInPlace(output), let why = OutputPlace.refusal(output: output, input: nil) {
                throw ValidationError(why)
            }
            let target = toStdout ? "/dev/stdout" : output
            let bytes = try await SubmitCommand.download(job, api: api, to: target)
            // Bytes went to stdout or a device: the summary goes to stderr, out of their way.
            if toStdout || OutputPlace.writesInPlace(target) {
                Console.error("\(toStdout ? "stdout" : output): \(ByteSize.text(bytes))\n")
            } else {
                CLIEnvironment.say("\(output): \(ByteSize.text(bytes))")
            }
        }
    }
}
