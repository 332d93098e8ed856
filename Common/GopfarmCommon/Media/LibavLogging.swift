import CFFmpeg
import Foundation

/// libav* print to stderr by default; the product reports problems itself, one sentence each.
public enum LibavLogging {
    public static func quiet() {
        av_log_set_level(gf_AV_LOG_QUIET())
        // Nothing is printed; the callback only keeps what x264 reports about its output.
        EncoderStatistics.installCapture()
        // SVT-AV1 prints a banner to stderr on every encoder open; keep its errors only.
        setenv("SVT_LOG", "1", 0)
    }
}
