import GopfarmCommon
import Testing

/// ArgumentParser's messages in, the house style out: one `PROGRAM: error:` clause, at most one
/// hint line, and nothing of the `Help:`/`Usage:` blocks.
@Suite("Usage error text")
struct UsageErrorTextTests {
    @Test("ArgumentParser's blocks become one error line and one hint")
    func blocks() {
        let full = """
            Error: Missing value for '--crf <crf>'
            Help:  --crf <crf>  Constant rate factor (quality; lower is better).
            Usage: gopfarm submit [<options>] <input> --output <output>
              See 'gopfarm submit --help' for more information.
            """
        #expect(UsageErrorText.lines(program: "gopfarm", fullMessage: full)
                == ["gopfarm: error: missing value for '--crf <crf>'", "hint: see 'gopfarm submit --help'"])
        let choice = "Error: The value 'x' is invalid for '--priority <priority>'. Please provide one of 'low', 'normal' or 'high'.\n"
        #expect(UsageErrorText.lines(program: "gopfarm", fullMessage: choice)
                == ["gopfarm: error: the value 'x' is invalid for '--priority <priority>'; use one of 'low', 'normal' or 'high'"])
    }

    @Test("a command's own sentence keeps its case when it starts with an initialism or a flag")
    func ownSentences() {
        #expect(UsageErrorText.lines(program: "gopfarm-agent", fullMessage: "Error: URL must be http")
                == ["gopfarm-agent: error: URL must be http"])
        #expect(UsageErrorText.lines(program: "gopfarm", fullMessage: "Error: --fleet must be between 1 and 10000\n  See 'x --help' for more information.")
                == ["gopfarm: error: --fleet must be between 1 and 10000", "hint: see 'x --help'"])
        #expect(UsageErrorText.lines(program: "gopfarm", fullMessage: "") == ["gopfarm: error: the command line is not valid"])
    }
}
