import GopfarmCommon

extension JobSubmission {
    /// The rules every job request passes, the same for `gopfarm submit` (before it sends
    /// anything) and `POST /v1/jobs` (the coordinator fills in its default segment length
    /// first): encoder settings, segment length, max agents, output name, in that order, so both
    /// refuse a request with the same sentence. The rules themselves are `JobRules`, which
    /// `gopfarm transcode` and `analyze` use too. Where the input is comes later (only the
    /// coordinator can tell).
    public func validate(defaultSegmentSeconds: Double? = nil) throws(MediaError) {
        try settings.validate()
        if let seconds = segmentSeconds ?? defaultSegmentSeconds { try JobRules.checkSegmentSeconds(seconds) }
        if let maxAgents { try JobRules.checkMaxAgents(maxAgents) }
        if let outputName { try JobRules.checkOutputName(outputName, codec: settings.codec) }
        if let webhooks { try WebhookRules.check(webhooks) }
    }
}
