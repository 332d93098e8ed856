import CFFmpeg
import Foundation
import Synchronization

/// What libx264 measures about its own output while encoding, so an agent need not decode it
/// again: with PSNR and SSIM switched on, x264 logs one debug line per frame ("… PSNR Y:41.23
/// U:44.10 V:44.87 SSIM Y:0.98765"), which libavcodec passes to the process-wide libav log
/// callback with the codec context. `LibavLogging.quiet()` installs `installCapture`'s callback:
/// it prints nothing and sums those lines per context.
///
/// FFmpeg 5.1 offers nothing better: no reconstructed frames (`AV_CODEC_FLAG_RECON_FRAME` is 6.0)
/// and no per-frame errors on libx264's packets. Per-frame PSNR has two decimals, so a
/// segment's PSNR from them is within 0.005 dB of the exact one.
public enum EncoderStatistics {
    /// Sums over the frames an encoder logged.
    public struct Totals: Sendable, Equatable {
        public var frames = 0
        /// Σ 10^(−PSNR/10) per plane (Y, U, V): the mean squared error over peak².
        public var relativeErrors: [Double] = [0, 0, 0]
        public var ssimSum = 0.0
        public var ssimFrames = 0
    }

    private static let totals = Mutex<[UInt: Totals]>([:])

    /// The codecs whose libavcodec wrapper reports them (libx264).
    public static func isReported(by codec: String) -> Bool { codec == "libx264" }

    /// Takes (and forgets) what the encoder of `context` logged.
    static func take(_ context: UnsafeMutableRawPointer) -> Totals? {
        totals.withLock { $0.removeValue(forKey: UInt(bitPattern: context)) }
    }

    /// Installs the process-wide libav log callback: prints nothing, keeps x264's frame lines.
    static func installCapture() {
        av_log_set_callback { context, _, format, arguments in
            guard let context, let format, let arguments, strncmp(format, "frame=", 6) == 0 else { return }
            var buffer = [CChar](repeating: 0, count: 320)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            EncoderStatistics.record(String(cString: buffer), context: context)
        }
    }

    /// Adds one frame line (`… PSNR Y:a U:b V:c SSIM Y:d`) to the context's totals.
    static func record(_ line: String, context: UnsafeMutableRawPointer) {
        func value(after key: String) -> Double? {
            guard let range = line.range(of: key) else { return nil }
            return Double(line[range.upperBound...].drop { $0 == " " }.prefix { !$0.isWhitespace })
        }
        guard let y = value(after: " PSNR Y:"), let u = value(after: " U:"), let v = value(after: " V:") else { return }
        let ssim = value(after: " SSIM Y:")
        totals.withLock { all in
            var t = all[UInt(bitPattern: context)] ?? Totals()
            t.frames += 1
            for (i, psnr) in [y, u, v].enumerated() { t.relativeErrors[i] += psnr.isFinite ? pow(10, -psnr / 10) : 0 }
            if let ssim {
                t.ssimSum += ssim
                t.ssimFrames += 1
            }
            all[UInt(bitPattern: context)] = t
        }
    }
}
