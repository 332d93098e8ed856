import Foundation
import GopfarmAPI
@testable import GopfarmService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// A ladder job's page on the dashboard: its renditions with sizes and rates, links to the
/// manifests, which the dashboard serves with the session (and only to the job's owner).
@Suite("Ladder jobs on the dashboard")
struct LadderDashboardTests {
    typealias D = DashboardRouterTests

    @Test("the job page lists the renditions and links master.m3u8 and manifest.mpd, served with the session")
    func jobPage() async throws {
        let h = try await APIRouterTests.Harness()
        defer { h.remove() }
        let (id, _) = try await LadderRouterTests.doneLadder(h)
        try await h.test { client in
            let alice = try await D.logIn(client, h.alice)
            let page = try await D.send(client, .get, "/jobs/\(id)", cookie: alice.cookie)
            #expect(page.status == 200)
            let table = try #require(page.text.range(of: #"<table class="attempts" id="renditions">"#).map { String(page.text[$0.lowerBound...]) })
            // Each track's row: name, size, bytes, average and peak rate.
            #expect(table.contains(#"<td class="mono">240p</td><td>h264</td><td>426x240</td><td class="num">2.9 KiB</td><td class="num">380 kbit/s</td><td class="num">420 kbit/s</td>"#), "\(table.prefix(1500))")
            #expect(table.contains(#"<td class="mono">160p</td>"#) && table.contains(#"<td class="mono">audio-und</td>"#))
            #expect(page.text.contains(#"href="/jobs/\#(id)/files/master.m3u8" id="hls-link""#))
            #expect(page.text.contains(#"href="/jobs/\#(id)/files/manifest.mpd" id="dash-link""#))
            #expect(!page.text.contains(#"id="download-link""#), "a ladder has no single file to download")

            let master = try await D.send(client, .get, "/jobs/\(id)/files/master.m3u8", cookie: alice.cookie)
            #expect(master.status == 200 && master.headers[.contentType] == "application/vnd.apple.mpegurl", "\(master.status)")
            let bob = try await D.logIn(client, h.bob)
            #expect(try await D.send(client, .get, "/jobs/\(id)/files/master.m3u8", cookie: bob.cookie).status == 404)
            #expect(try await D.send(client, .get, "/jobs/\(id)/files/%2e%2e/x", cookie: alice.cookie).status == 400)
        }
    }

    @Test("while an automatic ladder probes, its card says how far")
    func probing() {
        let probe = JobLadder(requested: "auto", packages: ["hls"], segmentSeconds: 4,
                              probe: JobLadder.Probe(segmentsDone: 3, segmentsTotal: 8, agents: 1))
        #expect(DashboardRows.ladder(probe, job: "j").probe == "Choosing the rungs: 3 of 8 probe encodes done, 1 agent")
        #expect(DashboardRows.ladder(JobLadder(requested: "auto", packages: ["hls"], segmentSeconds: 4), job: "j").probe == nil)
        #expect(DashboardTemplates.job.contains(#"{{#probe}}<p id="ladder-probe">{{probe}}</p>{{/probe}}"#))
    }

    @Test("the submit form takes a ladder: the job's output is a directory with those rungs; a bad rung is the CLI's sentence")
    func submitForm() async throws {
        let h = try await APIRouterTests.Harness()
        defer { h.remove() }
        try await h.test { client in
            let alice = try await D.logIn(client, h.alice)
            let form = try await D.send(client, .get, "/submit", cookie: alice.cookie)
            #expect(form.text.contains(#"name="ladder""#))
            let made = try await D.send(client, .post, "/submit", cookie: alice.cookie, form: [
                "csrf": alice.csrf, "source": "path", "path": h.clip, "codec": "libx264", "ladder": "240p:400k,160p:200k", "outputName": "film.mp4"])
            let id = try #require(made.location?.split(separator: "/").last.map(String.init), "\(made.status) \(made.text)")
            let row = try #require(try await h.service.store.job(id))
            #expect(row.outputName == "film")
            #expect(row.decodedSubmission?.settings.ladder?.rungs.map(\.name) == ["240p", "160p"])
            let page = try await D.send(client, .get, "/jobs/\(id)", cookie: alice.cookie)
            #expect(page.text.contains("The renditions are listed once the job is packaged."))

            let bad = try await D.send(client, .post, "/submit", cookie: alice.cookie, form: [
                "csrf": alice.csrf, "source": "path", "path": h.clip, "codec": "libx264", "ladder": "720p:fast"])
            #expect(bad.status == 422 && bad.text.contains("the rate of rung &#39;720p:fast&#39;"), "\(bad.status)")
            #expect(bad.text.contains(#"value="720p:fast""#), "the form keeps what was typed")
        }
    }
}
