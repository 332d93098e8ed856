import ArgumentParser
import Foundation
import GopfarmCommon

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Print what the coordinator learns about a file: streams, frames, key frames, GOP structure.")

    @Argument(help: "Video file.")
    var file: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        CLIEnvironment.bootstrap(verbose: false)
        do {
            let info = try MediaProbe(path: file).info
            if json { try CLIEnvironment.printJSON(info); return }
            var t = "\(info.path): \(info.containerLongName), \(String(format: "%.3f", info.duration)) s, \(info.sizeBytes) bytes\n"
            for s in info.streams {
                t += "  stream \(s.index): \(s.type) \(s.codec)"
                if let w = s.width, let h = s.height { t += " \(w)x\(h) \(s.pixelFormat ?? "?")" }
                if let r = s.averageFrameRate, r.isValid { t += String(format: " %.3f fps", r.doubleValue) }
                if let range = s.colorRange, range != "unknown" { t += " range=\(range)" }
                if let p = s.colorPrimaries, p != "unknown" { t += " primaries=\(p)" }
                if let rot = s.rotation, rot != 0 { t += " rotation=\(rot)" }
                if let sr = s.sampleRate { t += " \(sr) Hz \(s.channels ?? 0) ch" }
                if let l = s.language { t += " [\(l)]" }
                t += "\n"
            }
            t += "  video frames: \(info.frameCount)"
            if let d = info.declaredFrameCount { t += " (index declares \(d))" }
            t += info.variableFrameRate ? ", variable frame rate" : ", constant frame rate"
            t += "\n  key frames: \(info.keyFrames.count)\(info.openGOP ? " (open GOP, * = open)" : " (closed GOP)") at "
            t += info.keyFrames.prefix(12).map { String(format: "%.3fs%@", $0.time, $0.kind == "open" ? "*" : "") }.joined(separator: " ")
            t += info.keyFrames.count > 12 ? " …\n" : "\n"
            for w in info.warnings { t += "  warning: \(w)\n" }
            FileHandle.standardOutput.write(Data(t.utf8))
        } catch {
            throw CLIEnvironment.fail(error)
        }
    }
}
