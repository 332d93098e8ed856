import CFFmpeg

/// libav* print to stderr by default; the product reports problems itself, one sentence each.
public enum LibavLogging {
    public static func quiet() { av_log_set_level(gf_AV_LOG_QUIET()) }
    public static func errorsOnly() { av_log_set_level(gf_AV_LOG_ERROR()) }
}
