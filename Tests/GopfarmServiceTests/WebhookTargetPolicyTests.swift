import Foundation
@testable import GopfarmService
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TestSupport

/// Webhooks never reach inside the farm's network unless ops allow it: the address classes, and
/// the sentence a refused URL gets.
@Suite("Webhook targets")
struct WebhookTargetPolicyTests {
    @Test("inside addresses are named by kind; public ones pass", arguments: [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("10.0.0.7", "private"), ("172.16.0.1", "private"),
        ("172.31.255.255", "private"), ("192.168.1.20", "private"), ("100.64.0.1", "private"), ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("::1", "loopback"), ("::", "unspecified"),
        ("fe80::1", "link-local"), ("fe80::1%eth0", "link-local"), ("fd00::5", "unique-local"), ("::ffff:10.1.2.3", "private"),
        ("ff02::1", "multicast"), ("93.184.216.34", nil), ("172.32.0.1", nil), ("2606:4700::1111", nil),
        ("not an address", nil),
        // The benchmarking range (the emulated hosts' addresses) and the IETF's block.
        ("198.18.0.1", "benchmarking"), ("198.19.255.1", "benchmarking"), ("198.20.0.1", nil), ("192.0.0.1", "reserved"),
        // IPv4 inside IPv6 is judged by the IPv4 address: compatible, NAT64, 6to4.
        ("::127.0.0.1", "loopback"), ("64:ff9b::7f00:1", "loopback"), ("64:ff9b::a00:7", "private"), ("2002:7f00:1::", "loopback"),
        ("2002:5db8:d822::1", nil), ("64:ff9b::5db8:d822", nil),
    ] as [(String, String?)])
    func kinds(_ address: String, _ kind: String?) {
        #expect(WebhookTargetPolicy.internalKind(of: address) == kind, "\(address)")
    }

    @Test("a URL to an inside host is refused with a sentence, by address or by name; allowed when ops say so, but never link-local")
    func refusals() throws {
        let policy = WebhookTargetPolicy()
        let metadata = try #require(policy.refusal(for: "http://169.254.169.254/latest/meta-data/"))
        #expect(metadata == "the webhook host 169.254.169.254 is a link-local address, where clouds serve instance metadata, which the coordinator never calls", "\(metadata)")
        #expect(policy.refusal(for: "http://[::1]:8080/hook")?.contains("loopback") == true)
        #expect(policy.refusal(for: "https://10.2.3.4/hook")?.contains("private") == true)
        let byName = try #require(policy.refusal(for: "http://localhost:8080/v1/tokens"))
        #expect(byName.hasPrefix("the webhook host localhost ("), "\(byName)")
        #expect(policy.refusal(for: "https://93.184.216.34/hook") == nil)
        let allowing = WebhookTargetPolicy(allowPrivate: true)
        #expect(allowing.refusal(for: "http://127.0.0.1:9/hook") == nil)
        #expect(allowing.refusal(for: "https://10.2.3.4/hook") == nil)
        // Link-local stays refused: the metadata service is no LAN receiver.
        #expect(allowing.refusal(for: "http://169.254.169.254/latest/meta-data/")?.contains("instance metadata") == true)
        #expect(allowing.refusal(for: "http://[fe80::1]:8080/hook")?.contains("link-local") == true)
        #expect(allowing.refusal(for: "http://[fd00:ec2::254]/latest/meta-data/")?.contains("instance metadata") == true)
        #expect(allowing.refusal(for: "http://100.100.100.200/latest/meta-data/")?.contains("instance metadata") == true)
        #expect(allowing.refusal(for: "http://[fd00::5]/hook") == nil)
        #expect(policy.refusal(for: "http://10.2.3.4/hook")?.contains("serve --webhook-allow-private") == true)
    }

    @Test("through the API (default rule): adding such a webhook, or submitting a job with one, is a 422 with the sentence")
    func api() async throws {
        let dir = TestPaths.scratch("targets")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = try Fixture.h264BFramesMP4.path()
        var config = ServeConfig(dataDirectory: dir.appendingPathComponent("data"), inputRoots: [clip])
        config.bind = "tcp://127.0.0.1:0"
        config.insecure = true
        let service = try FarmService(config: config, curve: nil, logger: Logger(label: "targets"))
        let token = try await service.store.createToken(name: "p", role: .producer)
        let app = Application(router: APIRouter(service: service).build())
        try await app.test(.router) { client in
            let hook = try await APIRouterTests.send(client, .post, "/v1/webhooks", token: token, json: #"{"url":"http://127.0.0.1:8080/v1/tokens"}"#)
            #expect(hook.status == 422 && (hook.error ?? "").contains("loopback address"), "\(hook.text)")
            let job = try await APIRouterTests.send(client, .post, "/v1/jobs", token: token,
                                                    json: #"{"input":"\#(clip)","settings":{"codec":"libx264"},"webhooks":[{"url":"http://169.254.169.254/x"}]}"#)
            #expect(job.status == 422 && (job.error ?? "").contains("link-local address"), "\(job.text)")
            let ok = try await APIRouterTests.send(client, .post, "/v1/webhooks", token: token, json: #"{"url":"https://93.184.216.34/hook"}"#)
            #expect(ok.status == 201, "\(ok.text)")
        }
    }
}
