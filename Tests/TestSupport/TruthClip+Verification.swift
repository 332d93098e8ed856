import Foundation

extension TruthClip {
    /// What ffmpeg's own detectors find in the encoded clip, set against the declared truth.
    public struct Verification: Sendable, CustomStringConvertible {
        /// blackdetect (d=0, pix_th=0.10, pic_th=0.98): every black frame, however short the run.
        public var black: [Range<Int>]
        /// freezedetect (n=0.001, d=0.2): any run of 5 or more frames that barely change.
        public var frozen: [Range<Int>]
        /// scdet (t=10): frames its scene score flags. It scores the change of luma difference
        /// only, so it cannot see some cuts between shots of similar brightness whose colours
        /// differ, or out of a noisy shot (in the 10-block clip it misses 8 of 179); its misses
        /// are listed, not problems. PySceneDetect (bench/compare_peers.py --truth) judges cuts.
        public var sceneChanges: [Int]
        /// Each disagreement with the truth, as one sentence; empty when the truth holds.
        public var problems: [String]
        var truth: TruthClip

        public var description: String {
            func list(_ r: [Range<Int>]) -> String { "[" + r.map { "\($0.lowerBound)..<\($0.upperBound)" }.joined(separator: ", ") + "]" }
            let extra = sceneChanges.filter { !truth.hardCuts.contains($0) }
            let missed = truth.hardCuts.filter { !sceneChanges.contains($0) }
            return """
                truth clip \(truth.path): \(truth.frames) frames at \(truth.fps) fps, \(truth.width)x\(truth.height)
                hard cuts   truth \(truth.hardCuts)
                            scdet finds \(truth.hardCuts.count - missed.count) of \(truth.hardCuts.count), misses \(missed), flags elsewhere \(extra)
                transitions truth \(truth.transitions.map { "\($0.kind.rawValue) \($0.frames.lowerBound)..<\($0.frames.upperBound)" })
                black       truth \(list(truth.black))
                            blackdetect \(list(black))
                frozen      truth \(list(truth.frozen))
                            freezedetect \(list(frozen))
                \(problems.isEmpty ? "truth confirmed" : "PROBLEMS:\n  " + problems.joined(separator: "\n  "))
                """
        }
    }

    /// Runs blackdetect, freezedetect and scdet over the decoded clip in one pass and compares:
    /// black and frozen stretches must match frame for frame, and scdet may flag nothing but
    /// hard cuts and the frames where brightness ramps (in fades and dissolves, and where a fade
    /// meets black).
    public func verify() throws -> Verification {
        let filters = "blackdetect=d=0:pix_th=0.10:pic_th=0.98,freezedetect=n=0.001:d=0.2,scdet=t=10,"
            + "metadata=mode=print:key=lavfi.scd.time"
        let out = try Subprocess.run("ffmpeg", ["-hide_banner", "-nostdin", "-nostats", "-i", path, "-vf", filters, "-f", "null", "-"],
                                     timeout: 60 + seconds)
        guard out.status == 0 else { throw FFmpegOracle.Failure(description: "ffmpeg detectors failed on \(path): \(out.stderr.suffix(1000))") }
        let log = out.stderr
        let frame = { (text: Substring) -> Int? in Double(text).map { Int(($0 * Double(fps)).rounded()) } }
        func values(after key: String) -> [Int] {
            log.components(separatedBy: key).dropFirst().compactMap { rest in
                let number = rest.drop { $0 == " " }.prefix { "0123456789.-".contains($0) }
                return frame(number)
            }
        }
        let black = zip(values(after: "black_start:"), values(after: "black_end:")).map { $0..<$1 }
        let starts = values(after: "freeze_start:"), ends = values(after: "freeze_end:")
        let frozen = starts.enumerated().map { $1..<(($0 < ends.count) ? ends[$0] : frames) }
        let changes = values(after: "lavfi.scd.time=")

        var problems: [String] = []
        if black != self.black { problems.append("blackdetect finds black at \(black), the truth says \(self.black)") }
        if frozen != self.frozen { problems.append("freezedetect finds frozen runs at \(frozen), the truth says \(self.frozen)") }
        let ramps = transitions.map { ($0.frames.lowerBound - 1)..<($0.frames.upperBound + 1) }
        for change in changes where !hardCuts.contains(change) && !ramps.contains(where: { $0.contains(change) }) {
            let shot = shots.last { $0.start <= change }
            problems.append("scdet flags frame \(change), inside \(shot?.source ?? "?") (starting at \(shot?.start ?? 0)), where the truth has no change")
        }
        return Verification(black: black, frozen: frozen, sceneChanges: changes, problems: problems, truth: self)
    }
}
