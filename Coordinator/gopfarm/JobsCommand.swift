import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmCommon
import GopfarmService

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List jobs on the coordinator (a producer sees its own; ops and admins see all), or delete one.",
        subcommands: [List.self, JobsDeleteCommand.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List jobs (the default).",
            discussion: "Finished jobs (done, failed, cancelled) are listed only with --all-states.")

        @Flag(help: "Print the jobs as JSON on stdout.")
        var json = false

        @Flag(help: "Also list done, failed and cancelled jobs.")
        var allStates = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                // The coordinator's order: newest first (submission times tie within a second).
                let all = try await client.makeClient().jobs()
                let jobs = allStates ? all : all.filter { !$0.state.isFinal }
                if json { return try ClientFormat.printJSON(jobs) }
                Console.out(JobsCommand.table(jobs))
                let hidden = all.count - jobs.count
                if hidden > 0 {
                    ClientFormat.note("(\(hidden) finished job\(hidden == 1 ? "" : "s") not shown; --all-states lists them)")
                }
            }
        }
    }

    static func table(_ jobs: [JobView]) -> String {
        var t = TextTable("ID", "STATE", "PRIORITY", "OWNER", "PROGRESS", "AGENTS", "INPUT", "SUBMITTED", rightAligned: [4, 5])
        for j in jobs {
            // Agents working on it now while it runs; those that encoded it once it is over.
            let agents = j.state.isFinal ? j.agents.count : max(j.progress.agents, j.ladder?.probe?.agents ?? 0)
            t.add(j.id, j.state.rawValue, j.priority.rawValue, j.owner, j.percent, "\(agents)", j.inputName,
                  ClientFormat.time(j.submittedAt))
        }
        return t.text
    }
}
