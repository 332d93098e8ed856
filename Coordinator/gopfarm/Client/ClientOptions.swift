import ArgumentParser
import Foundation
import GopfarmClient

/// Where the coordinator is and who we are to it: `--url`, `--token`, `--config`, shared by every
/// command that talks to `gopfarm serve`.
///
/// Each value is taken from the first place that has it: the flag, then `GOPFARM_URL` /
/// `GOPFARM_TOKEN`, then the config file (`--config PATH`, else `GOPFARM_CONFIG`, else
/// `~/.config/gopfarm/config.json`, JSON `{"url": …, "token": …}`). An empty value counts as absent.
struct ClientOptions: ParsableArguments {
    static let defaultURL = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("Coordinator URL (default: GOPFARM_URL, the config file, or \(ClientOptions.defaultURL)).",
                               valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("API token (default: GOPFARM_TOKEN or the config file).", valueName: "token"))
    var token: String?

    @Option(help: ArgumentHelp("Config file with {\"url\": …, \"token\": …} (default: GOPFARM_CONFIG or ~/.config/gopfarm/config.json).",
                               valueName: "path"))
    var config: String?

    /// The config file's contents.
    struct ConfigFile: Decodable {
        var url: String?
        var token: String?
    }

    /// The resolved settings: a base URL and a token.
    struct Resolved: Equatable {
        var url: URL
        var token: String
    }

    /// Resolves the URL and token, or fails with one sentence.
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ClientError) -> Resolved {
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        var urlText = nonEmpty(url) ?? nonEmpty(environment["GOPFARM_URL"])
        var tokenText = nonEmpty(token) ?? nonEmpty(environment["GOPFARM_TOKEN"])
        // The file is read only when something is still missing, or when it was named explicitly
        // (a file the user named that cannot be read is worth a sentence even if unused).
        let explicit = nonEmpty(config) ?? nonEmpty(environment["GOPFARM_CONFIG"])
        if urlText == nil || tokenText == nil || explicit != nil {
            let path = explicit ?? Self.defaultConfigPath(environment: environment)
            if let file = try Self.readConfig(path: path, required: explicit != nil) {
                urlText = urlText ?? nonEmpty(file.url)
                tokenText = tokenText ?? nonEmpty(file.token)
            }
        }
        let base = try Self.parseURL(urlText ?? Self.defaultURL)
        guard let tokenText else { throw .noToken }
        return Resolved(url: base, token: tokenText)
    }

    /// `~/.config/gopfarm/config.json`, with `~` from `HOME`.
    static func defaultConfigPath(environment: [String: String]) -> String {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".config/gopfarm/config.json").path
    }

    /// Reads a config file; a missing default file is not an error, a missing named one is.
    static func readConfig(path: String, required: Bool) throws(ClientError) -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else {
            if required { throw .config(path: path, reason: "no such file") }
            return nil
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .config(path: path, reason: "cannot be read")
        }
        do { return try JSONDecoder().decode(ConfigFile.self, from: data) } catch {
            throw .config(path: path, reason: #"is not JSON of the form {"url": "http://host:8080", "token": "…"}"#)
        }
    }

    /// Accepts `http(s)://host[:port][/prefix]`; drops a trailing slash so paths can be appended.
    static func parseURL(_ text: String) throws(ClientError) -> URL {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else { throw .badURL(text) }
        return url
    }
}
