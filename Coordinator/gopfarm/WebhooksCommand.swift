import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmCommon

extension WebhookEvent: ExpressibleByArgument {}

/// `gopfarm webhooks add|list|test|remove|deliveries`: URLs told of job (and, farm-wide, agent)
/// events, signed with HMAC-SHA256 (`X-Gopfarm-Signature: t=…,v1=…`).
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Be told of job events by HTTP POST: add, list, test and remove webhooks; read their delivery log.",
        discussion: """
            Events: job.queued, job.started, job.done, job.failed, job.cancelled; agent.lost (farm-wide webhooks, ops).
            Each delivery is a JSON body signed with the webhook's secret in the header X-Gopfarm-Signature: t=UNIX,v1=HEX, where HEX is the HMAC-SHA256 of "UNIX.BODY". Failed deliveries are tried again with exponential back-off.
            """,
        subcommands: [Add.self, List.self, Test.self, Remove.self, Deliveries.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a webhook for your jobs (with --farm: every job's and agent's, ops); prints its id and secret.")

        @Argument(help: "The http:// or https:// URL to POST to.")
        var url: String

        @Option(parsing: .upToNextOption, help: ArgumentHelp("Only these events, comma-separated (default: all).", valueName: "events"))
        var events: [String] = []

        @Option(help: "The signing secret, 16 to 200 characters (default: a new one, printed once).")
        var secret: String?

        @Flag(help: "Farm-wide: every producer's job events and agent.lost (ops).")
        var farm = false

        @Flag(help: "Print the webhook and its secret as JSON on stdout.")
        var json = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let events = try Self.parse(events)
                let secret = secret ?? ProcessInfo.processInfo.environment["GOPFARM_WEBHOOK_SECRET"]
                // The coordinator's own rules, before anything is sent.
                try WebhookRules.check(url: url)
                if let secret { try WebhookRules.check(secret: secret) }
                try WebhookRules.check(events: events, farm: farm)
                let created: WebhookCreated = try await client.makeClient().send(
                    "POST", "/v1/webhooks", json: WebhookRequest(url: url, events: events.isEmpty ? nil : events, secret: secret,
                                                                  farm: farm ? true : nil))
                if json { return try ClientFormat.printJSON(created) }
                CLIEnvironment.say("\(created.webhook.id) \(created.secret)")
                ClientFormat.note("webhook \(created.webhook.id) for \(created.webhook.url); its secret is shown only this once")
            }
        }

        static func parse(_ values: [String]) throws -> [WebhookEvent] {
            try values.flatMap { $0.split(separator: ",") }.map { name in
                guard let event = WebhookEvent(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    let known = WebhookEvent.allCases.filter { $0 != .ping }.map(\.rawValue).joined(separator: ", ")
                    throw MediaError(.invalidOption, "'\(JobRules.quote(String(name)))' is not a webhook event; events: \(known)")
                }
                return event
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List your webhooks (ops: everyone's); the default.")

        @Flag(help: "Print the webhooks as JSON on stdout.")
        var json = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let hooks: [WebhookView] = try await client.makeClient().send("GET", "/v1/webhooks")
                if json { return try ClientFormat.printJSON(hooks) }
                var t = TextTable("ID", "OWNER", "SCOPE", "EVENTS", "URL")
                for h in hooks {
                    t.add(h.id, h.owner, h.scope == .job ? "job \(h.job ?? "?")" : h.scope.rawValue,
                          h.events.isEmpty ? "all" : h.events.map(\.rawValue).joined(separator: ","),
                          h.url + (h.goneAt.map { " (off: 410 Gone at \(ClientFormat.time($0)))" } ?? ""))
                }
                Console.out(t.text)
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Send a ping to a webhook and print how it answered.")

        @Argument(help: "The webhook's id (see webhooks list).", transform: NamedArgument.nonEmpty("a webhook id"))
        var id: String

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let r: WebhookTestResult = try await client.makeClient().send("POST", "/v1/webhooks/\(APIClient.escape(id))/test")
                let took = String(format: "%.0f ms", r.seconds * 1000)
                if let status = r.status {
                    CLIEnvironment.say("ping \(r.delivery): HTTP \(status) in \(took)")
                    guard (200..<300).contains(status) else { throw ClientError.jobEnded("the webhook answered HTTP \(status)") }
                } else {
                    throw ClientError.jobEnded("ping \(r.delivery): \(r.error ?? "no answer") after \(took)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a webhook and its delivery log.")

        @Argument(help: "The webhook's id.", transform: NamedArgument.nonEmpty("a webhook id"))
        var id: String

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let _: [String: String] = try await client.makeClient().send("DELETE", "/v1/webhooks/\(APIClient.escape(id))")
                CLIEnvironment.say("removed \(id)")
            }
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deliveries",
            abstract: "The delivery log, newest first: each delivery with every attempt (status or error, when, how long).")

        @Argument(help: "Only this webhook's deliveries.")
        var id: String?

        @Option(parsing: .unconditional, help: "At most this many deliveries (1 to 1000).")
        var limit = 50

        @Flag(help: "Print the deliveries as JSON on stdout.")
        var json = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                guard (1...1000).contains(limit) else { throw ValidationError("--limit is a number from 1 to 1000, not \(limit)") }
                var path = "/v1/webhooks/deliveries?limit=\(limit)"
                if let id { path += "&webhook=\(APIClient.escape(id))" }
                let log: [WebhookDeliveryView] = try await client.makeClient().send("GET", path)
                if json { return try ClientFormat.printJSON(log) }
                var t = TextTable("DELIVERY", "WEBHOOK", "EVENT", "JOB", "STATE", "ATTEMPT", "AT", "RESULT", "TOOK", rightAligned: [5, 8])
                let time = Date.ISO8601FormatStyle().dateSeparator(.dash).timeSeparator(.colon)
                for d in log {
                    if d.attempts.isEmpty { t.add(d.id, d.webhook, d.event.rawValue, d.job ?? "-", d.state, "-", "-", "-", "-") }
                    for a in d.attempts {
                        let first = a.attempt == d.attempts.first?.attempt
                        t.add(first ? d.id : "", first ? d.webhook : "", first ? d.event.rawValue : "", first ? d.job ?? "-" : "",
                              first ? d.state : "", "\(a.attempt)", a.at.formatted(time),
                              a.status.map { "HTTP \($0)" } ?? a.error ?? "-", String(format: "%.0f ms", a.seconds * 1000))
                    }
                }
                Console.out(t.text)
            }
        }
    }
}
