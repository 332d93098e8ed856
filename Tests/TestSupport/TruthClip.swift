import Foundation

/// A generated clip whose content is known frame by frame (hard cuts, fades, dissolves, black
/// and frozen stretches), so scene, black and freeze detection can be scored against truth
/// instead of against another detector. Made with the ffmpeg CLI, which is allowed here as a
/// fixture maker and never in the product.
///
/// The clip is a sequence of ~60 s blocks (1,500 frames at 25 fps) that hold the same kinds of
/// events with other hues and seeds, so a benchmark clip is just more blocks. Every shot moves
/// (scrolling, zooming, evolving or temporal noise) so nothing but the declared stretches is
/// frozen, black stretches carry luma noise so they are black but not frozen, and consecutive
/// shots differ in source and hue so every cut is large on the HSV content score.
///
/// Frames are counted from 0 in presentation order; ranges are half-open. The truth is derived
/// from the construction, not measured; `verify()` checks it against ffmpeg's own detectors.
public struct TruthClip: Codable, Sendable {
    public struct Transition: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case fadeIn = "fade-in", fadeOut = "fade-out", dissolve }
        public var kind: Kind
        /// The frames that are neither the old picture nor the new one (a fade's frames are its
        /// picture at 1/12…11/12 brightness; a dissolve's are blends). The next scene starts at
        /// `frames.upperBound` after a fade-in or a dissolve.
        public var frames: Range<Int>
    }

    /// One shot as it appears in the clip (for messages: what was on screen where).
    public struct Shot: Codable, Sendable {
        public var start: Int
        public var frames: Int
        public var source: String
    }

    public var path: String
    public var fps: Int
    public var width: Int
    public var height: Int
    public var frames: Int
    /// First frame of each scene that begins with a hard cut (cuts into and out of black
    /// stretches included: a content detector sees those as cuts too).
    public var hardCuts: [Int]
    /// Gradual transitions: no hard cut may be reported inside them.
    public var transitions: [Transition]
    /// Frames blackdetect (pix_th 0.10, pic_th 0.98) calls black: the black stretches, plus the
    /// darkest frame (1/12 brightness) of a fade that touches one.
    public var black: [Range<Int>]
    /// Runs of one repeated picture (the first frame and its copies), each at least 1.8 s.
    public var frozen: [Range<Int>]
    /// A key frame every `keyFrameInterval` frames (one second), frozen stretches included, so
    /// short segments split scenes, fades, black and frozen stretches across agents.
    public var keyFrameInterval: Int
    public var shots: [Shot]

    public var seconds: Double { Double(frames) / Double(fps) }
    public func time(_ frame: Int) -> Double { Double(frame) / Double(fps) }

    /// Frames in one block.
    public static let blockFrames = Layout.block.reduce(0) { $0 + $1.frames }

    /// The clip of `blocks` blocks (1 block = 60 s), generated on first use and cached in the
    /// fixture directory under a name that changes whenever the recipe does. Writes the truth
    /// beside it as `<clip>.truth.json` (read by bench/compare_peers.py).
    public static func make(blocks: Int = 1, width: Int = 640, height: Int = 360,
                            directory: URL = TestPaths.fixtures) throws -> TruthClip {
        precondition(blocks >= 1 && width % 2 == 0 && height % 2 == 0)
        var (clip, arguments) = plan(blocks: blocks, width: width, height: height)
        let url = directory.appendingPathComponent("truth-\(blocks)b-\(width)x\(height)-\(fingerprint(arguments)).mp4")
        clip.path = url.path
        if !FileManager.default.fileExists(atPath: url.path) {
            let partial = url.path + ".\(UUID().uuidString.prefix(6)).tmp.mp4"
            let out = try Subprocess.run("ffmpeg", arguments + [partial], timeout: 120 + 60 * Double(blocks))
            guard out.status == 0 else {
                try? FileManager.default.removeItem(atPath: partial)
                throw FFmpegOracle.Failure(description: "cannot make the truth clip: \(out.stderr.suffix(2000))")
            }
            _ = try Fixture.publish(partial, at: url)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(clip).write(to: URL(fileURLWithPath: url.path + ".truth.json"), options: .atomic)
        return clip
    }

    /// A clip of about `seconds` (whole blocks, at least one).
    public static func make(seconds: Double, width: Int = 640, height: Int = 360) throws -> TruthClip {
        let blocks = max(1, Int((seconds * 25 / Double(blockFrames)).rounded()))
        return try make(blocks: blocks, width: width, height: height)
    }

    /// The truth and the ffmpeg arguments (without the output path) that make the clip.
    static func plan(blocks: Int, width: Int, height: Int) -> (TruthClip, [String]) {
        var builder = Layout.Builder(fps: 25, width: width, height: height)
        for block in 0..<blocks {
            for (index, item) in Layout.block.enumerated() {
                builder.add(item, hueShift: (block * 67) % 360, seed: block * 1000 + index)
            }
        }
        return builder.finish()
    }

    /// FNV-1a of the arguments: a cached clip is reused only when made by the same recipe.
    static func fingerprint(_ arguments: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in arguments.joined(separator: "\u{1}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return String(hash & 0xffff_ffff, radix: 16)
    }
}

extension TruthClip {
    /// What the clip is made of: one block's shots, black stretches and dissolves, in order.
    enum Layout {
        /// Each content source, with the filters that give it motion and the colours it starts
        /// from. Measured on the encoded 10-block clip: PySceneDetect's score stays under 17
        /// within a shot and is over 33 at every cut (threshold 27; over 49 in the first block),
        /// and luma changes by more than 0.0035 of its range from frame to frame on a 256-px
        /// plane outside frozen stretches (under 0.0004 inside; freeze threshold 0.001).
        enum Source: String {
            case testsrc2, mandelbrot, smptebars, life, cellauto, gradients, sierpinski, rgbtestsrc, field

            /// The source filter, frames to skip at its start, and the filters after it, ending in
            /// yuv420p rotated by `hue` degrees.
            func filters(width w: Int, height h: Int, fps: Int, seed: Int, hue: Int) -> (source: String, skip: Int, post: [String]) {
                let (source, skip, post) = picture(width: w, height: h, fps: fps, seed: seed, hue: hue)
                return (source, skip, post + ["format=yuv420p"] + (self == .field ? [] : ["hue=h=\(hue)"]))
            }

            private func picture(width w: Int, height h: Int, fps: Int, seed: Int, hue: Int) -> (String, Int, [String]) {
                let size = "s=\(w)x\(h):r=\(fps)"
                switch self {
                case .testsrc2:
                    return ("testsrc2=\(size)", 0, [])
                case .mandelbrot:
                    return ("mandelbrot=\(size):start_scale=\(2.4 + Double(seed % 3) * 0.3):end_scale=0.05:end_pts=400", 0, [])
                case .smptebars:
                    return ("smptebars=\(size)", 0, ["scroll=h=0.004"])
                case .life:
                    // Its first generations change most of the picture; start once it has settled.
                    return ("life=\(size):mold=10:ratio=0.25:seed=\(seed):life_color=#ffd040:death_color=#102080:mold_color=#c03010", 100, [])
                case .cellauto:
                    return ("cellauto=\(size):rule=110:seed=\(seed)", 0, ["gblur=sigma=2", "colorchannelmixer=rr=1:gg=0.6:bb=0.2"])
                case .gradients:
                    return ("gradients=\(size):speed=0.06:seed=\(seed):c0=0xff2000:c1=0x0040ff:c2=0x20ff40:nb_colors=3", 0, [])
                case .sierpinski:
                    // One still carpet, scrolled a pixel a frame (its own motion jumps and stops).
                    return ("sierpinski=\(size):seed=\(seed):type=carpet,trim=end_frame=1,tpad=stop=-1:stop_mode=clone", 0,
                            ["scroll=h=\(1.0 / Double(w))", "gblur=sigma=1", "colorchannelmixer=rr=1:gg=0.9:bb=0.2"])
                case .rgbtestsrc:
                    return ("rgbtestsrc=\(size)", 0, ["scroll=h=0.004", "noise=alls=10:allf=t+u"])
                case .field:
                    // Blue (220°) rotated, but moved 80° on when that lands within 40° of red:
                    // noise on a colour near hue 0/360 flips OpenCV's hue between 0 and 179 and
                    // scored 23 (threshold 27) within the shot.
                    let rotated = (220 + hue) % 360
                    let safe = rotated > 320 || rotated < 40 ? (rotated + 80) % 360 : rotated
                    return ("color=c=\(Layout.rgb(hue: safe, saturation: 0.75, value: 0.75)):\(size)", 0, ["noise=alls=20:allf=t+u"])
                }
            }
        }

        /// 0xRRGGBB of a colour given in HSV (hue in degrees).
        static func rgb(hue: Int, saturation s: Double, value v: Double) -> String {
            let h = Double(hue % 360) / 60, c = v * s, x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
            let (r, g, b): (Double, Double, Double) = switch Int(h) {
            case 0: (c, x, 0)
            case 1: (x, c, 0)
            case 2: (0, c, x)
            case 3: (0, x, c)
            case 4: (x, 0, c)
            default: (c, 0, x)
            }
            let byte = { (f: Double) in Int(((f + v - c) * 255).rounded()) }
            return "0x" + [r, g, b].map { String(format: "%02X", byte($0)) }.joined()
        }

        struct Freeze { var at: Int; var frames: Int }

        enum Item {
            /// `frames` counts what the shot puts on screen, its share of a dissolve included.
            case shot(Source, hue: Int, frames: Int, freeze: Freeze? = nil, fadeIn: Bool = false, fadeOut: Bool = false)
            case black(Int)
            /// Cross-dissolve of this many frames between the shots either side.
            case dissolve(Int)

            var frames: Int {
                switch self {
                case .shot(_, _, let frames, _, _, _): return frames
                case .black(let frames): return frames
                case .dissolve(let frames): return -frames
                }
            }
        }

        /// Fades last 11 frames: brightness 11/12 down to 1/12 (or up). Only the 1/12 frame is
        /// black to blackdetect; the 2/12 one is not, as long as 2 % of the shot is brighter than
        /// luma 147, which is why fades only touch testsrc2 and smptebars.
        static let fadeFrames = 11

        /// One block: 17 hard cuts (one on a key frame, at 100), 2 dissolves, 2 fades to black
        /// (one back in by a fade, one by a cut), a black stretch between cuts, and 2 frozen
        /// stretches that span key frames.
        static let block: [Item] = [
            .shot(.testsrc2, hue: 0, frames: 100),
            .shot(.mandelbrot, hue: 0, frames: 110, freeze: Freeze(at: 30, frames: 50)),
            .shot(.smptebars, hue: 0, frames: 75),
            .black(40),
            .shot(.life, hue: 0, frames: 90),
            .dissolve(25),
            .shot(.gradients, hue: 0, frames: 100),
            .shot(.testsrc2, hue: 180, frames: 80, fadeOut: true),
            .black(25),
            .shot(.smptebars, hue: 120, frames: 100, fadeIn: true),
            .shot(.cellauto, hue: 0, frames: 70),
            .shot(.rgbtestsrc, hue: 0, frames: 60),
            .shot(.field, hue: 0, frames: 60),
            .shot(.sierpinski, hue: 0, frames: 110, freeze: Freeze(at: 42, frames: 45)),
            .shot(.testsrc2, hue: 90, frames: 60, fadeOut: true),
            .black(20),
            .shot(.mandelbrot, hue: 200, frames: 80),
            .dissolve(20),
            .shot(.smptebars, hue: 240, frames: 70),
            .shot(.life, hue: 180, frames: 50),
            .shot(.gradients, hue: 120, frames: 45),
            .shot(.testsrc2, hue: 270, frames: 55),
            .shot(.field, hue: 180, frames: 50),
            .shot(.cellauto, hue: 200, frames: 50),
            .shot(.rgbtestsrc, hue: 90, frames: 45),
        ]

        /// Turns items into one filter graph (a chain per item, xfade for dissolves, one concat)
        /// and the truth, frame by frame.
        struct Builder {
            let fps: Int, width: Int, height: Int
            var chains: [String] = []
            /// Labels to concatenate, with how many frames each holds.
            var pieces: [(label: String, frames: Int)] = []
            var position = 0
            var pendingDissolve: Int?
            var previous: (isBlack: Bool, fadesOut: Bool)?
            var clip: TruthClip

            init(fps: Int, width: Int, height: Int) {
                self.fps = fps
                self.width = width
                self.height = height
                clip = TruthClip(path: "", fps: fps, width: width, height: height, frames: 0, hardCuts: [], transitions: [],
                                 black: [], frozen: [], keyFrameInterval: fps, shots: [])
            }

            var tail: String { "setsar=1,settb=1/\(fps),setpts=N" }

            mutating func add(_ item: Item, hueShift: Int, seed: Int) {
                let label = "i\(chains.count)"
                switch item {
                case .dissolve(let frames):
                    precondition(previous.map { !$0.isBlack && !$0.fadesOut } ?? false, "a dissolve follows a shot")
                    pendingDissolve = frames

                case .black(let frames):
                    if let previous {
                        precondition(!previous.isBlack, "two black stretches in a row")
                        if !previous.fadesOut { clip.hardCuts.append(position) }
                    }
                    let darkest = previous?.fadesOut == true ? 1 : 0  // the fade's 1/12 frame is black too
                    clip.black.append((position - darkest)..<(position + frames))
                    // Luma-only noise around luma 21: black (≤ 37) yet never the same picture twice,
                    // and grey, so hue and saturation stay 0 and the content score stays low.
                    chains.append("color=c=0x060606:s=\(width)x\(height):r=\(fps),trim=end_frame=\(frames),format=yuv420p,"
                                  + "noise=c0s=12:c0f=t+u,\(tail)[\(label)]")
                    pieces.append((label, frames))
                    clip.shots.append(Shot(start: position, frames: frames, source: "black"))
                    position += frames
                    previous = (true, false)

                case .shot(let source, let hue, let frames, let freeze, let fadeIn, let fadeOut):
                    let fade = Layout.fadeFrames
                    let dissolve = pendingDissolve ?? 0
                    let (graph, skip, post) = source.filters(width: width, height: height, fps: fps, seed: seed, hue: (hue + hueShift) % 360)
                    let extra = (freeze?.frames ?? 1) - 1
                    let lead = fadeIn ? 1 : 0  // a fade-in starts at 0 brightness: made one frame early, dropped
                    var filters = [graph, "trim=start_frame=\(skip):end_frame=\(skip + frames - extra + lead)", "setpts=PTS-STARTPTS"]
                    filters += post
                    if let freeze {
                        precondition(freeze.at >= dissolve + (fadeIn ? fade : 0) && freeze.at + freeze.frames <= frames - (fadeOut ? fade : 0))
                        // Frame `at` is shown `frames` times: later frames move later and fps= fills the gap.
                        filters += ["setpts='if(lte(N,\(freeze.at + lead)),N,N+\(extra))/(\(fps)*TB)'", "fps=\(fps)"]
                    }
                    if fadeIn { filters += ["fade=t=in:s=0:n=\(fade + 1)", "trim=start_frame=1"] }
                    if fadeOut { filters.append("fade=t=out:s=\(frames - fade - 1):n=\(fade + 1)") }
                    chains.append(filters.joined(separator: ",") + ",\(tail)[\(label)]")

                    let start: Int
                    if let d = pendingDissolve {
                        // xfade keeps the first shot up to `offset`, blends `d` frames (the first of
                        // them is still all the first shot), then shows the second from its frame d.
                        let first = pieces.removeLast()
                        let out = "x\(chains.count)"
                        chains.append("[\(first.label)][\(label)]xfade=transition=fade:duration=\(Double(d) / Double(fps))"
                                      + ":offset=\(Double(first.frames - d) / Double(fps)),\(tail)[\(out)]")
                        pieces.append((out, first.frames + frames - d))
                        start = position - d
                        clip.transitions.append(Transition(kind: .dissolve, frames: (start + 1)..<position))
                        pendingDissolve = nil
                    } else {
                        start = position
                        pieces.append((label, frames))
                        if let previous {
                            precondition(!previous.fadesOut, "a fade-out leads into black")
                            if previous.isBlack && fadeIn {
                                clip.black[clip.black.count - 1] = clip.black.last!.lowerBound..<(start + 1)
                            } else {
                                clip.hardCuts.append(start)
                            }
                        }
                    }
                    if fadeIn { clip.transitions.append(Transition(kind: .fadeIn, frames: start..<(start + fade))) }
                    if fadeOut { clip.transitions.append(Transition(kind: .fadeOut, frames: (start + frames - fade)..<(start + frames))) }
                    if let freeze {
                        // x264 does not apply a zone's QP to a key frame that opens it: that frame
                        // would be coded lossy and the next ones not, a visible step.
                        precondition((start + freeze.at) % fps != 0, "a frozen stretch starts between key frames")
                        clip.frozen.append((start + freeze.at)..<(start + freeze.at + freeze.frames))
                    }
                    clip.shots.append(Shot(start: start, frames: frames, source: "\(source.rawValue) hue \((hue + hueShift) % 360)"))
                    position = start + frames
                    previous = (false, fadeOut)
                }
            }

            /// The truth and the arguments: H.264 at constant 25 fps, a key frame every second
            /// and no others; frozen stretches coded at QP 0 (x264 zones) so a key frame inside
            /// one repeats the picture (measured: 0.0004 of the luma range) instead of
            /// re-quantising it into a change of 0.008, which would split the stretch in two.
            func finish() -> (TruthClip, [String]) {
                precondition(pendingDissolve == nil && previous?.fadesOut != true)
                var clip = clip
                clip.frames = position
                clip.transitions.sort { $0.frames.lowerBound < $1.frames.lowerBound }
                let graph = (chains + [pieces.map { "[\($0.label)]" }.joined() + "concat=n=\(pieces.count):v=1:a=0[v]"])
                    .joined(separator: ";")
                let zones = clip.frozen.map { "\($0.lowerBound),\($0.upperBound - 1),q=0" }.joined(separator: "/")
                let x264 = "keyint=\(fps):min-keyint=\(fps):scenecut=0" + (zones.isEmpty ? "" : ":zones=\(zones)")
                let arguments = ["-hide_banner", "-nostdin", "-v", "error", "-y", "-filter_complex", graph, "-map", "[v]",
                                 "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                                 "-x264-params", x264, "-an", "-movflags", "+faststart"]
                return (clip, arguments)
            }
        }
    }
}
