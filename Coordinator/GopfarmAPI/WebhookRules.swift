import GopfarmCommon

/// What a webhook must be, the same for `gopfarm webhooks add`, `gopfarm submit --webhook` and
/// the API: an http(s) URL, a secret of 16 to 200 printable characters, events its scope hears.
public enum WebhookRules {
    public static let maxPerJob = 5
    /// Webhooks one name may keep (its own, and farm-wide ones apart): each job event is a
    /// delivery per webhook, tried up to ten times, so a thousand made every job a thousand.
    public static let maxPerOwner = 20

    public static func check(url: String) throws(MediaError) {
        let lower = url.lowercased()
        guard url.count <= 2000, lower.hasPrefix("http://") || lower.hasPrefix("https://"),
              url.dropFirst(lower.hasPrefix("https://") ? 8 : 7).first.map({ $0 != "/" }) == true,
              !url.contains(where: { $0.isWhitespace }), !JobRules.hasControlCharacters(url) else {
            throw MediaError(.invalidOption, "a webhook URL is http:// or https:// with a host, at most 2000 characters, not '\(JobRules.quote(url))'")
        }
    }

    public static func check(secret: String) throws(MediaError) {
        guard (16...200).contains(secret.count), secret.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            throw MediaError(.invalidOption, "a webhook secret has 16 to 200 printable ASCII characters without spaces")
        }
    }

    public static func check(events: [WebhookEvent], farm: Bool) throws(MediaError) {
        if events.contains(.ping) { throw MediaError(.invalidOption, "'ping' is sent by 'webhooks test', not subscribed to") }
        if !farm, events.contains(.agentLost) {
            throw MediaError(.invalidOption, "agent.lost goes to farm-wide webhooks only (ops: --farm)")
        }
    }

    /// A submission's webhooks.
    public static func check(_ hooks: [JobWebhook]) throws(MediaError) {
        guard hooks.count <= maxPerJob else { throw MediaError(.invalidOption, "a job has at most \(maxPerJob) webhooks") }
        for hook in hooks {
            try check(url: hook.url)
            if let secret = hook.secret { try check(secret: secret) }
            try check(events: hook.events ?? [], farm: false)
        }
    }
}
