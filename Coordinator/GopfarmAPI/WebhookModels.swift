import Foundation

/// What a webhook can be told. Producers' webhooks get job events of their own jobs; farm-wide
/// webhooks (ops) also get `agent.lost`. `ping` is what `POST /v1/webhooks/{id}/test` sends.
public enum WebhookEvent: String, Codable, Sendable, CaseIterable {
    case jobQueued = "job.queued"
    case jobStarted = "job.started"
    case jobDone = "job.done"
    case jobFailed = "job.failed"
    case jobCancelled = "job.cancelled"
    case agentLost = "agent.lost"
    case ping

    public static let jobEvents: [WebhookEvent] = [.jobQueued, .jobStarted, .jobDone, .jobFailed, .jobCancelled]
}

/// Who a webhook is for: its owner's jobs, one job (given in the submission), or the whole farm.
public enum WebhookScope: String, Codable, Sendable {
    case producer, job, farm
}

/// `POST /v1/webhooks`: a URL told of the caller's job events (or, with `farm` and the ops role,
/// of every job's and agent's). Without `events`, every event the scope can see; without
/// `secret`, one is made and shown once in the answer.
public struct WebhookRequest: Codable, Sendable {
    public var url: String
    public var events: [WebhookEvent]?
    public var secret: String?
    public var farm: Bool?

    public init(url: String, events: [WebhookEvent]? = nil, secret: String? = nil, farm: Bool? = nil) {
        self.url = url
        self.events = events
        self.secret = secret
        self.farm = farm
    }

    public static let fields: Set<String> = ["url", "events", "secret", "farm"]
}

/// A webhook as listed (its secret is never shown again after it is made).
public struct WebhookView: Codable, Sendable, Equatable {
    public var id: String
    public var owner: String
    public var scope: WebhookScope
    public var job: String?
    public var url: String
    /// Empty: every event its scope sees.
    public var events: [WebhookEvent]
    public var createdAt: Date
    public var signed: Bool
    /// When its receiver answered 410 Gone: the webhook hears nothing after (remove it, or add it again).
    public var goneAt: Date?

    public init(id: String, owner: String, scope: WebhookScope, job: String?, url: String, events: [WebhookEvent], createdAt: Date, signed: Bool) {
        self.id = id
        self.owner = owner
        self.scope = scope
        self.job = job
        self.url = url
        self.events = events
        self.createdAt = createdAt
        self.signed = signed
    }
}

/// The answer to `POST /v1/webhooks`: the only time the secret is shown.
public struct WebhookCreated: Codable, Sendable {
    public var webhook: WebhookView
    public var secret: String

    public init(webhook: WebhookView, secret: String) {
        self.webhook = webhook
        self.secret = secret
    }
}

/// One entry of the delivery log, with every try.
public struct WebhookDeliveryView: Codable, Sendable {
    public struct Attempt: Codable, Sendable {
        public var attempt: Int
        public var at: Date
        /// The receiver's HTTP status; nil when it did not answer.
        public var status: Int?
        public var error: String?
        public var seconds: Double

        public init(attempt: Int, at: Date, status: Int?, error: String?, seconds: Double) {
            self.attempt = attempt
            self.at = at
            self.status = status
            self.error = error
            self.seconds = seconds
        }
    }

    public var id: String
    public var webhook: String
    public var event: WebhookEvent
    public var job: String?
    public var createdAt: Date
    /// pending (another try is due at `nextAttemptAt`), delivered or failed (no more tries).
    public var state: String
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    public var attempts: [Attempt]

    public init(id: String, webhook: String, event: WebhookEvent, job: String?, createdAt: Date, state: String,
                nextAttemptAt: Date?, deliveredAt: Date?, attempts: [Attempt]) {
        self.id = id
        self.webhook = webhook
        self.event = event
        self.job = job
        self.createdAt = createdAt
        self.state = state
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.attempts = attempts
    }
}

/// The body of every delivery: `{"id", "event", "createdAt", "job" | "agent"}`. The id is the
/// delivery's, the same on every retry (receivers drop duplicates by it).
public struct WebhookPayload: Codable, Sendable {
    public struct Job: Codable, Sendable {
        public var id: String
        public var owner: String
        /// The state the event is about (the job may have moved on since).
        public var state: String
        public var input: String
        public var outputName: String
        /// Where the output downloads from (`GET` with a token), once the job is done; for a
        /// ladder job its master playlist (or DASH manifest), beside the rest of its files.
        public var output: String?
        public var frames: Int?
        public var framesTotal: Int
        public var error: String?
        public var submittedAt: Date
        public var startedAt: Date?
        public var finishedAt: Date?

        public init(id: String, owner: String, state: String, input: String, outputName: String, output: String?, frames: Int?,
                    framesTotal: Int, error: String?, submittedAt: Date, startedAt: Date?, finishedAt: Date?) {
            self.id = id
            self.owner = owner
            self.state = state
            self.input = input
            self.outputName = outputName
            self.output = output
            self.frames = frames
            self.framesTotal = framesTotal
            self.error = error
            self.submittedAt = submittedAt
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }

    public struct Agent: Codable, Sendable {
        public var name: String
        public var reason: String

        public init(name: String, reason: String) {
            self.name = name
            self.reason = reason
        }
    }

    public var id: String
    public var event: WebhookEvent
    public var createdAt: Date
    public var job: Job?
    public var agent: Agent?

    public init(id: String, event: WebhookEvent, createdAt: Date, job: Job? = nil, agent: Agent? = nil) {
        self.id = id
        self.event = event
        self.createdAt = createdAt
        self.job = job
        self.agent = agent
    }
}

/// The answer to `POST /v1/webhooks/{id}/test`: how the receiver answered a `ping`.
public struct WebhookTestResult: Codable, Sendable {
    public var delivery: String
    public var status: Int?
    public var error: String?
    public var seconds: Double

    public init(delivery: String, status: Int?, error: String?, seconds: Double) {
        self.delivery = delivery
        self.status = status
        self.error = error
        self.seconds = seconds
    }
}

/// A webhook given with one job (`"webhooks"` in the submission): told of that job's events.
/// Without a secret its deliveries are not signed (as GitHub does for a webhook without one).
public struct JobWebhook: Codable, Sendable, Equatable {
    public var url: String
    public var secret: String?
    public var events: [WebhookEvent]?

    public init(url: String, secret: String? = nil, events: [WebhookEvent]? = nil) {
        self.url = url
        self.secret = secret
        self.events = events
    }
}
