@testable import GopfarmService
import Testing

/// A download's file name can hold anything a producer typed: it never ends the header value
/// early, and a non-ASCII name goes as RFC 6266's `filename*`.
@Suite("Content-Disposition")
struct ContentDispositionTests {
    @Test("plain names as they are; quotes and backslashes cannot break out; UTF-8 as filename*")
    func names() {
        #expect(ContentDisposition.attachment("talk.mp4") == "attachment; filename=\"talk.mp4\"")
        #expect(ContentDisposition.attachment("a\";b=c.mp4") == "attachment; filename=\"a_;b=c.mp4\"; filename*=UTF-8''a%22%3Bb%3Dc.mp4")
        #expect(ContentDisposition.attachment("a\\b.mp4").hasPrefix("attachment; filename=\"a_b.mp4\"; filename*=UTF-8''a%5Cb.mp4"))
        #expect(ContentDisposition.attachment("café.mp4") == "attachment; filename=\"caf_.mp4\"; filename*=UTF-8''caf%C3%A9.mp4")
    }
}
