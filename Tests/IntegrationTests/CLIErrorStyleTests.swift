import Foundation
import Testing
import TestSupport

/// Every error of `gopfarm` and `gopfarm-agent`, usage errors included, is one line
/// `PROGRAM: error: …` on stderr plus at most one `hint:` line, nothing on stdout, exit 64 for
/// usage; `--help` still prints the full help on stdout with status 0. Real processes.
@Suite("CLI error style")
struct CLIErrorStyleTests {
    /// Runs the program and returns its stderr lines after checking the shape.
    static func usageError(_ program: String, _ arguments: [String], name: String) throws -> [String] {
        let out = try Subprocess.run(program, arguments, timeout: 30, environment: ["GOPFARM_TOKEN": "", "GOPFARM_URL": ""])
        let lines = out.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(out.status == 64, "\(arguments): status \(out.status), \(out.stderr)")
        #expect(out.stdout.isEmpty, "\(arguments): \(out.stdout)")
        #expect(out.stderr.hasSuffix("\n"))
        #expect((1...2).contains(lines.count), "\(arguments): \(lines)")
        #expect(lines.first?.hasPrefix("\(name): error: ") == true, "\(arguments): \(lines)")
        if lines.count == 2 { #expect(lines[1].hasPrefix("hint: "), "\(arguments): \(lines)") }
        return lines
    }

    @Test("gopfarm: unknown option, missing value, bad enum value, missing argument, unknown command")
    func gopfarmUsageErrors() throws {
        let g = TestPaths.gopfarm
        #expect(try Self.usageError(g, ["submit", "in.mp4", "-o", "out.mp4", "--bogus"], name: "gopfarm")
                == ["gopfarm: error: unknown option '--bogus'", "hint: see 'gopfarm submit --help'"])
        #expect(try Self.usageError(g, ["submit", "in.mp4", "-o", "out.mp4", "--crf"], name: "gopfarm")
                == ["gopfarm: error: missing value for '--crf <crf>'", "hint: see 'gopfarm submit --help'"])
        #expect(try Self.usageError(g, ["submit", "in.mp4", "-o", "out.mp4", "--priority", "urgent"], name: "gopfarm")
                == ["gopfarm: error: the value 'urgent' is invalid for '--priority <priority>'; use one of 'low', 'normal' or 'high'",
                    "hint: see 'gopfarm submit --help'"])
        // A negative number is the option's value, refused by its rule (QA: "missing value for
        // '--segment-seconds'", and probe's refusal exited 1).
        for command in [["submit", "in.mp4", "-o", "out.mp4"], ["bench", "in.mp4"], ["probe", "in.mp4", "--plan"]] {
            #expect(try Self.usageError(g, command + ["--segment-seconds", "-1"], name: "gopfarm")
                    == ["gopfarm: error: segment length must be between 0.04 and 3600 seconds, not -1", "hint: see 'gopfarm \(command[0]) --help'"])
        }
        #expect(try Self.usageError(g, ["status"], name: "gopfarm")
                == ["gopfarm: error: missing expected argument '<id>'", "hint: see 'gopfarm status --help'"])
        #expect(try Self.usageError(g, ["frobnicate"], name: "gopfarm")
                == ["gopfarm: error: unexpected argument 'frobnicate'", "hint: see 'gopfarm --help'"])
        // A check of the command's own (ValidationError), not ArgumentParser's.
        let own = try Self.usageError(g, ["bench", "in.mp4", "--agents", "0,2"], name: "gopfarm")
        #expect(own.first?.contains("--agents takes a list") == true, "\(own)")
        // An endpoint ZeroMQ would take and wrap (99999 listens on 34463): refused with the rule.
        #expect(try Self.usageError(g, ["transcode", "in.mp4", "-o", "out.mp4", "--bind", "tcp://127.0.0.1:99999"], name: "gopfarm")
                == ["gopfarm: error: --bind tcp://127.0.0.1:99999: the port must be a number from 0 to 65535 (0 or * for any free port), not '99999'",
                    "hint: see 'gopfarm transcode --help'"])
        // An empty id is no request for the list of jobs.
        #expect(try Self.usageError(g, ["status", ""], name: "gopfarm")
                == ["gopfarm: error: the value '' is invalid for '<id>': give a job id, not an empty string", "hint: see 'gopfarm status --help'"])
        // One its run throws points at its own help, not gopfarm's.
        #expect(try Self.usageError(g, ["serve", "--keep-failed", "forever"], name: "gopfarm")
                == ["gopfarm: error: --keep-failed: 'forever' is not a duration such as 30d, 12h, 90m or 45s", "hint: see 'gopfarm serve --help'"])
    }

    @Test("gopfarm-agent: the same style; --help still prints help")
    func agentUsageErrors() throws {
        let a = TestPaths.agent
        #expect(try Self.usageError(a, ["--bogus"], name: "gopfarm-agent")
                == ["gopfarm-agent: error: unknown option '--bogus'", "hint: see 'gopfarm-agent --help'"])
        #expect(try Self.usageError(a, ["--slots"], name: "gopfarm-agent")
                == ["gopfarm-agent: error: missing value for '--slots <slots>'", "hint: see 'gopfarm-agent --help'"])
        #expect(try Self.usageError(a, ["--slots", "many"], name: "gopfarm-agent")
                == ["gopfarm-agent: error: the value 'many' is invalid for '--slots <slots>'", "hint: see 'gopfarm-agent --help'"])
        #expect(try Self.usageError(a, ["--coordinator", "tcp://127.0.0.1:99999", "--insecure"], name: "gopfarm-agent")
                == ["gopfarm-agent: error: --coordinator tcp://127.0.0.1:99999: the port must be a number from 1 to 65535, not '99999'",
                    "hint: see 'gopfarm-agent --help'"])
        #expect(try Self.usageError(a, ["keys", "rotate"], name: "gopfarm-agent")
                == ["gopfarm-agent: error: unexpected argument 'rotate'", "hint: see 'gopfarm-agent keys --help'"])

        for (program, arguments, text) in [(a, ["--help"], "--coordinator"), (TestPaths.gopfarm, ["submit", "--help"], "--priority"),
                                           (TestPaths.gopfarm, ["--help"], "SUBCOMMANDS")] {
            let help = try Subprocess.run(program, arguments, timeout: 30)
            #expect(help.status == 0 && help.stdout.contains("USAGE:") && help.stdout.contains(text) && help.stderr.isEmpty, "\(arguments)")
        }
    }
}
