import ArgumentParser
import GopfarmCommon

/// `--log-level` on gopfarm's commands (`serve`); the agent takes the same names.
extension LogLevelName: ExpressibleByArgument {}
