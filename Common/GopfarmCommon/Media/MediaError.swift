import CFFmpeg

/// An error from the media layer, shown to users as one sentence (`description`).
///
/// Every libav* return code passes through `avCheck`, which keeps the code, what we were doing
/// and on which file, so that "why did my job fail" has an answer without a debugger.
public struct MediaError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable, Codable {
        case openFailed, notFound, emptyFile, noVideoStream, unsupportedCodec, demuxFailed
        case decodeFailed, encodeFailed, encoderNotFound, invalidOption, scaleFailed
        case muxFailed, unsupportedContainer, invalidPayload, planFailed, segmentMismatch
        case truncated, absurdDimensions
        /// The work was given up on request (the coordinator revoked a running segment).
        case cancelled
    }

    public var code: Code
    public var message: String
    public var path: String?
    public var averror: Int32?

    public init(_ code: Code, _ message: String, path: String? = nil, averror: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.averror = averror
    }

    public var description: String {
        var text = message
        if let path { text = "\(path): " + text }
        if let averror { text += " (\(MediaError.string(for: averror)))" }
        return text
    }

    /// A write failed because the disk is full.
    public var isDiskFull: Bool { averror == gf_AVERROR(ENOSPC) }

    /// libav's own text for an AVERROR code.
    public static func string(for averror: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        av_strerror(averror, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The outcome of a libav call that may legitimately ask for more input or signal the end.
public enum AVStep: Equatable, Sendable {
    case ok(Int32)
    case again
    case endOfStream
}

/// The one place C return codes from libav* are interpreted: `EAGAIN` and `EOF` become values,
/// other negative codes a `MediaError` carrying `code` and `what`.
@discardableResult
public func avCheck(_ ret: Int32, _ code: MediaError.Code, _ what: @autoclosure () -> String,
                    path: String? = nil) throws(MediaError) -> AVStep {
    if ret >= 0 { return .ok(ret) }
    if ret == gf_AVERROR_EAGAIN() { return .again }
    if ret == gf_AVERROR_EOF() { return .endOfStream }
    throw MediaError(code, what(), path: path, averror: ret)
}
