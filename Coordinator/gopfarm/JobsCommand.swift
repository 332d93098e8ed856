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
            discussion: "Every unfinished job is listed; finished ones (done, failed, cancelled) only with --all-states, newest first, --limit at a time (--before ID lists those older than a job).")

        @Flag(help: "Print the jobs as JSON on stdout.")
        var json = false

        @Flag(help: "Also list done, failed and cancelled jobs.")
        var allStates = false

        @Option(help: "With --all-states: list at most this many jobs (1 to 1000).")
        var limit = 1000

        @Option(help: "With --all-states: list the jobs submitted before this one (the next page).")
        var before: String?

        @OptionGroup var client: ClientOptions

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit takes 1 to 1000 jobs, not \(limit)") }
            if !allStates, before != nil || limit != 1000 { throw ValidationError("--limit and --before page through --all-states") }
        }

        func run() async throws {
            try await ClientRun.run { [self] in
                let api = try client.makeClient()
                // The coordinator's order: newest first (submission times tie within a second).
                let jobs = try await allStates ? api.jobs(limit: limit, before: before) : api.jobs(state: "active")
                if json { return try ClientFormat.printJSON(jobs) }
                Console.out(JobsCommand.table(jobs))
                if allStates, jobs.count == limit, let last = jobs.last {
                    ClientFormat.note("(older jobs not shown; --before \(last.id) lists them)")
                } else if !allStates, !(try await api.jobs(state: "finished", limit: 1)).isEmpty {
                    ClientFormat.note("(finished jobs not shown; --all-states lists them)")
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
