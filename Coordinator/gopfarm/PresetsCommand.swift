import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmCommon

/// `gopfarm presets add|list|remove|default`: named encode settings for `submit --use-preset`.
struct PresetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "presets",
        abstract: "Named encode settings: your own, the farm's (ops), and your default.",
        discussion: """
            gopfarm submit --use-preset NAME encodes with a preset; encoding flags given with it override its fields.
            A submission with neither a preset nor encoding flags uses your default preset, when you have one.
            Your own preset hides a farm preset of the same name.
            """,
        subcommands: [Add.self, List.self, Remove.self, Default.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a preset from encoding flags, checked as a submission's settings are.",
            discussion: """
                Example:
                  gopfarm presets add web-1080p --codec libx264 --crf 22 --preset medium \\
                      --scale -2:1080 --farm
                """)

        @Argument(help: "Its name: letters, digits or -_.")
        var name: String

        @OptionGroup var encode: EncodeOptions

        @Flag(help: "A farm-wide preset every producer sees (ops).")
        var farm = false

        @Flag(name: .customLong("default"), help: "Make it your default preset.")
        var makeDefault = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                // The check a job's settings pass, with the same sentence; a value it refuses is a
                // usage error (exit 64 with the hint), as in submit and transcode.
                let settings: EncodeSettings
                do {
                    try PresetRules.check(name: name)
                    settings = try encode.settings(threads: 0)
                    try settings.validate()
                } catch let error as MediaError {
                    throw ValidationError(error.description)
                }
                let view: PresetView? = try await client.makeClient().send(
                    "POST", "/v1/presets", json: PresetRequest(name: name, settings: settings, farm: farm ? true : nil,
                                                               default: makeDefault ? true : nil))
                CLIEnvironment.say("added \(farm ? "farm" : "personal") preset \(name)\(makeDefault ? " (your default)" : "")"
                                   + (view?.shadowed == true ? "; your own preset of that name hides it from you" : ""))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the presets you can use; the default.")

        @Flag(help: "Every producer's presets too (ops).")
        var all = false

        @Flag(help: "Print the presets as JSON on stdout.")
        var json = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let presets: [PresetView] = try await client.makeClient().send("GET", "/v1/presets" + (all ? "?all=true" : ""))
                if json { return try ClientFormat.printJSON(presets) }
                var t = TextTable("NAME", "SCOPE", "DEFAULT", "SETTINGS")
                for p in presets {
                    let scope = p.scope == .farm ? (p.shadowed ? "farm (hidden by yours)" : "farm") : p.owner.map { "personal (\($0))" } ?? "personal"
                    t.add(p.name, scope, p.isDefault ? "yes" : "", Self.describe(p.settings))
                }
                Console.out(t.text)
            }
        }

        static func describe(_ s: EncodeSettings) -> String {
            var parts = [s.codec]
            if let crf = s.crf { parts.append("crf \(crf.formatted())") }
            if let bitrate = s.bitrate { parts.append("\(bitrate / 1000)k") }
            if let preset = s.preset { parts.append("preset \(preset)") }
            if let gop = s.gop { parts.append("gop \(gop)") }
            if let pixelFormat = s.pixelFormat { parts.append(pixelFormat) }
            if let scale = s.scale { parts.append("scale \(scale)") }
            if s.deinterlace { parts.append("deinterlace") }
            if s.sdr { parts.append("sdr") }
            if let audio = s.audioBitrate { parts.append("audio \(audio / 1000)k") }
            return parts.joined(separator: ", ")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove one of your presets (with --farm: a farm preset, ops).")

        @Argument(help: "The preset's name.")
        var name: String

        @Flag(help: "The farm-wide preset of that name (ops).")
        var farm = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let _: [String: String] = try await client.makeClient().send(
                    "DELETE", "/v1/presets/\(APIClient.escape(name))" + (farm ? "?farm=true" : ""))
                CLIEnvironment.say("removed \(farm ? "farm" : "personal") preset \(name)")
            }
        }
    }

    struct Default: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "default",
            abstract: "Choose your default preset (used when a submission gives neither a preset nor encoding flags).")

        @Argument(help: "The preset's name (yours, else the farm's).")
        var name: String?

        @Flag(help: "No default preset.")
        var clear = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                guard (name == nil) == clear else { throw ValidationError("give a preset name, or --clear") }
                let _: PresetDefaultRequest = try await client.makeClient().send("PUT", "/v1/presets/default", json: PresetDefaultRequest(name: name))
                CLIEnvironment.say(name.map { "your default preset is \($0)" } ?? "no default preset")
            }
        }
    }
}
