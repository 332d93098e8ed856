import Foundation

/// What the templates render: plain values, already formatted (Mustache reads stored
/// properties by reflection, so nothing here computes).
enum DashboardModels {
    /// The frame around every page: who is logged in, the CSRF token, the current section.
    struct Layout {
        var title: String
        var user: String?
        var role: String?
        var isOps = false
        var csrf: String?
        var section: String
        var onJobs = false, onSubmit = false, onAgents = false
        var flash: String?

        init(title: String, section: String, session: DashboardSession?) {
            self.title = title
            self.section = section
            user = session?.caller.name
            role = session?.caller.role.rawValue
            isOps = session.map { $0.caller.role >= .ops } ?? false
            csrf = session?.csrf
            onJobs = section == "jobs"
            onSubmit = section == "submit"
            onAgents = section == "agents"
        }
    }

    struct Login {
        var layout: Layout
        var csrf: String
        var error: String?
    }

    struct StateCount {
        var state: String
        var count: String
    }

    struct JobRow: Codable {
        var id: String
        var name: String
        var owner: String
        var state: String
        var live: Bool
        var percent: String
        var percentValue: String
        var segments: String
        var agents: String
        var eta: String
        var submitted: String
        var submittedISO: String
        /// The page's own flag, copied into each row: Mustache then finds it on the row instead
        /// of reflecting the whole page once a row (a 200-row page took 116 ms that way).
        var showOwner = false
    }

    struct Jobs {
        var layout: Layout
        var counts: [StateCount]
        var jobs: [JobRow]
        var empty: Bool
        var showOwner: Bool
        var range: String
        var newer: String?
        var older: String?
    }

    struct Fact: Codable {
        var label: String
        var value: String
    }

    struct Attempt {
        var segment: Int
        var attempt: Int
        var agent: String
        var outcome: String
        var start: String
        var took: String
    }

    struct Job {
        var layout: Layout
        var id: String
        var name: String
        var state: String
        var live: Bool
        var percent: String
        var percentValue: String
        var progressText: String
        var eta: String
        var facts: [Fact]
        var error: String?
        var warnings: [String]
        var hasWarnings: Bool
        var done: Bool
        var hasReport: Bool
        var hasContactSheet: Bool
        var timeline: String?
        var attempts: [Attempt]
        var hasAttempts: Bool
        var moreAttempts: String?
        /// A ladder job: what it asked for, and once done its tracks and manifests.
        var ladder: Ladder?
    }

    struct Ladder {
        var summary: String
        var renditions: [Rendition]
        var hasRenditions: Bool
        var hlsLink: String?
        var dashLink: String?
        var plotLink: String?
        /// While `--ladder auto` probes: "Choosing the rungs: 3 of 8 probe encodes done, 2 agents".
        var probe: String?
    }

    struct Rendition {
        var kind: String
        var name: String
        var codec: String
        var size: String
        var bytes: String
        var average: String
        var peak: String
        var quality: String
    }

    struct Agent: Codable {
        var name: String
        var state: String
        var busy: Int
        var slots: Int
        var slotPercent: String
        var fps: String
        var segments: String
        var heartbeat: String
        var connected: String
        var version: String
        var draining: Bool
        var path: String
        /// Copied into each row, as `JobRow.showOwner`.
        var canManage = false
        var csrf: String?
    }

    struct Agents {
        var layout: Layout
        var canManage: Bool
        var agents: [Agent]
        var empty: Bool
        var summary: [Fact]
        /// What the data directory holds, part by part, and when it was measured.
        var diskNote: String?
        var throughput: String
        var throughputNote: String
    }

    /// The agents page's live part, as `GET /live/agents` sends it to the script (no CSRF
    /// token in the rows: the page has it).
    struct AgentsLive: Codable {
        var agents: [Agent]
        var summary: [Fact]
        var diskNote: String?
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Submit {
        var layout: Layout
        var error: String?
        var codecs: [Option]
        var presets: [Option]
        /// `DashboardPages.codecChoices`: JSON for the form's script.
        var codecChoices: String
        /// Named presets (farm-wide and the producer's own), when the farm has any.
        var namedPresets: [Option]
        var hasNamedPresets: Bool
        var priorities: [Option]
        var path: String
        var outputName: String
        var crf: String
        var fromPath: Bool
        var maxUpload: String
        var maxUploadBytes: String
        /// An ABR ladder as `--ladder` takes it (empty: one output file).
        var ladder: String
    }

    struct Problem {
        var layout: Layout
        var status: Int
        var message: String
    }
}
