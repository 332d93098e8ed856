import ArgumentParser
import GopfarmCommon

/// Analysis thresholds shared by `analyze`, `transcode` and `submit`.
struct AnalysisOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Content score (0–255, mean HSV change) that makes a cut.")
    var sceneThreshold: Double = AnalysisSettings().sceneThreshold

    @Option(parsing: .unconditional, help: "Shortest scene in frames (no two cuts closer).")
    var minScene: Int = AnalysisSettings().minSceneFrames

    @Option(parsing: .unconditional, help: "Shortest black interval reported, in seconds.")
    var blackMin: Double = AnalysisSettings().blackMinSeconds

    @Option(parsing: .unconditional, help: "Shortest frozen interval reported, in seconds.")
    var freezeMin: Double = AnalysisSettings().freezeMinSeconds

    var settings: AnalysisSettings {
        var s = AnalysisSettings()
        s.sceneThreshold = sceneThreshold
        s.minSceneFrames = minScene
        s.blackMinSeconds = blackMin
        s.freezeMinSeconds = freezeMin
        return s
    }
}
