import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// An output path never costs the user anything else: a directory in its place (or in the place
/// of its `.partial`) is refused, never removed; the input under another name (a link) is
/// refused; the user's own files among the scene pictures stay.
@Suite("Output places")
struct OutputPlaceTests {
    @Test("a directory, a link to the input, a hard link: refused by the rules")
    func rules() throws {
        let dir = TestPaths.scratch("place-rules")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.mp4").path
        try Data("film".utf8).write(to: URL(fileURLWithPath: input))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("alias.mp4").path, withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: dir.appendingPathComponent("hard.mp4").path)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("d.mp4"), withIntermediateDirectories: true)

        #expect(OutputPlace.refusal(output: dir.appendingPathComponent("new.mp4").path, input: input) == nil)
        #expect(OutputPlace.refusal(output: dir.appendingPathComponent("alias.mp4").path, input: input)?.contains("would overwrite the input") == true)
        #expect(OutputPlace.refusal(output: dir.appendingPathComponent("hard.mp4").path, input: input)?.contains("would overwrite the input") == true)
        #expect(OutputPlace.refusal(output: dir.appendingPathComponent("d.mp4").path, input: input)?.contains("is a directory") == true)
        #expect(OutputPlace.kind(of: "/dev/null") == .special)

        // rename(2) replaces a file, never a directory; removeFile leaves a directory alone.
        let temporary = dir.appendingPathComponent("t.partial").path
        try Data("new".utf8).write(to: URL(fileURLWithPath: temporary))
        #expect(OutputPlace.replace(dir.appendingPathComponent("d.mp4").path, with: temporary) != nil)
        #expect(OutputPlace.kind(of: dir.appendingPathComponent("d.mp4").path) == .directory)
        OutputPlace.removeFile(dir.appendingPathComponent("d.mp4").path)
        #expect(OutputPlace.kind(of: dir.appendingPathComponent("d.mp4").path) == .directory)
        #expect(OutputPlace.replace(dir.appendingPathComponent("new.mp4").path, with: temporary) == nil)
        #expect(try String(contentsOfFile: dir.appendingPathComponent("new.mp4").path, encoding: .utf8) == "new")
    }

    @Test("transcode onto a directory, its .partial or a link to the input: one sentence, nothing removed")
    func transcodeRefuses() throws {
        let dir = TestPaths.scratch("place-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Fixture.h264BFramesMP4.path()
        let input = dir.appendingPathComponent("movie.mp4").path
        try FileManager.default.copyItem(atPath: source, toPath: input)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("alias.mp4").path, withDestinationPath: input)
        for name in ["full.mp4", "busy.mp4.partial"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(name), withIntermediateDirectories: true)
            try Data("precious".utf8).write(to: dir.appendingPathComponent(name).appendingPathComponent("important.txt"))
        }
        // A file where the scene pictures' directory goes: refused before the encode, not after.
        try Data("mine".utf8).write(to: dir.appendingPathComponent("pictures.mp4.thumbnails"))
        let cases: [(input: String, output: String, expect: String)] = [
            (input, dir.appendingPathComponent("full.mp4").path, "is a directory"),
            (input, dir.appendingPathComponent("busy.mp4").path, "busy.mp4.partial is a directory"),
            (input, dir.appendingPathComponent("pictures.mp4").path, "pictures.mp4.thumbnails is in the way"),
            (dir.appendingPathComponent("alias.mp4").path, input, "would overwrite the input"),
        ]
        for c in cases {
            let run = try FarmCLI.transcode(c.input, to: c.output, ["--agents", "1"] + (c.output.hasSuffix("pictures.mp4") ? [] : ["--no-analysis"]), timeout: 120)
            // A usage error: the sentence, then the hint.
            #expect(run.output.status == 64, "\(c.output): exit \(run.output.status) \(run.output.stderr)")
            #expect(run.output.stderr.hasPrefix("gopfarm: error: ") && run.output.stderr.contains(c.expect), "\(run.output.stderr)")
            #expect(run.output.stderr.split(separator: "\n").count == 2, "\(run.output.stderr)")
        }
        for name in ["full.mp4", "busy.mp4.partial"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).appendingPathComponent("important.txt").path), "\(name) lost its file")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before, "the input changed")
    }

    /// A ladder writes a directory of many files: only into a new or empty one (a user's
    /// directory had its `analysis.json` and playlists replaced, and its other files published
    /// with the ladder), and all at once: written in the spool, moved in when complete.
    @Test("a ladder goes into a new or empty directory only, and arrives whole")
    func ladderDirectory() throws {
        let dir = TestPaths.scratch("place-ladder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Fixture.h264BFramesMP4.path()
        let mine = dir.appendingPathComponent("mine")
        try FileManager.default.createDirectory(at: mine.appendingPathComponent("video-240p"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: mine.appendingPathComponent("analysis.json"))
        try Data("notes".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("dangling").path, withDestinationPath: "/nonexistent/zz")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("linkfile").path, withDestinationPath: "notes.txt")
        let cases: [(output: String, expect: String)] = [
            // Links: one to nothing, one to a file (with a slash) are refused before any work.
            (dir.appendingPathComponent("dangling").path, "dangling is a link to /nonexistent/zz, which does not exist"),
            (dir.appendingPathComponent("linkfile").path + "/", "a ladder's output is a directory, and"),
            (mine.path, "mine is not empty (analysis.json, video-240p); a ladder goes into a new or empty directory"),
            ("", "name the output directory, such as film/"),
            (dir.appendingPathComponent("notes.txt/film").path, "notes.txt is not a folder, so "),
            // As a file's folder: a typo in the folder the directory goes in is not created (QA).
            (dir.appendingPathComponent("nofolder/film").path, "nofolder does not exist; create it first (mkdir -p "),
            (dir.appendingPathComponent("notes.txt").path, "a ladder's output is a directory, and"),
            (dir.appendingPathComponent("film.m3u8").path, "not a .m3u8 file"),
        ]
        for c in cases {
            let run = try FarmCLI.transcode(source, to: c.output, ["--agents", "1", "--ladder", "240p:300k", "--no-analysis"], timeout: 120)
            #expect(run.output.status == 64, "\(c.output): exit \(run.output.status) \(run.output.stderr)")
            #expect(run.output.stderr.contains(c.expect), "\(run.output.stderr)")
        }
        #expect(try String(contentsOf: mine.appendingPathComponent("analysis.json"), encoding: .utf8) == "mine")

        // An existing empty directory (its mode kept) and a new one both get the whole package.
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        chmod(empty.path, 0o750)
        for out in [empty, dir.appendingPathComponent("new")] {
            let run = try FarmCLI.transcode(source, to: out.path, ["--agents", "1", "--ladder", "240p:300k"], timeout: 120)
            try #require(run.output.status == 0, "\(run.output.stderr)")
            let files = Set(try FileManager.default.contentsOfDirectory(atPath: out.path))
            #expect(files == ["master.m3u8", "manifest.mpd", "video-240p", "audio-1", "analysis.json", "thumbnails"], "\(files)")
        }
        var info = stat()
        #expect(stat(empty.path, &info) == 0 && info.st_mode & 0o777 == 0o750)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".gopfarm") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test("OutputDirectory.publish moves the package in, and refuses a directory filled meanwhile")
    func publishRules() throws {
        let dir = TestPaths.scratch("place-publish")
        defer { try? FileManager.default.removeItem(at: dir) }
        let staging = dir.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging.appendingPathComponent("video-1"), withIntermediateDirectories: true)
        try Data("#EXTM3U\n".utf8).write(to: staging.appendingPathComponent("master.m3u8"))
        let filled = dir.appendingPathComponent("filled")
        try FileManager.default.createDirectory(at: filled, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: filled.appendingPathComponent("theirs.txt"))
        #expect(throws: MediaError.self) { try OutputDirectory.publish(staging, to: filled.path) }
        #expect(FileManager.default.fileExists(atPath: staging.appendingPathComponent("master.m3u8").path), "nothing moved")
        try OutputDirectory.publish(staging, to: dir.appendingPathComponent("out").path)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path)) == ["master.m3u8", "video-1"])
        #expect(!FileManager.default.fileExists(atPath: staging.path))
    }

    @Test("a spool left by a killed run is removed by the next run; one kept with --keep-spool stays")
    func orphanSpools() throws {
        let dir = TestPaths.scratch("place-spools")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A process that has exited: its pid names no one (as after kill -9 of a transcode).
        let gone = try Subprocess.start("/bin/true", [], log: dir.appendingPathComponent("true.log"))
        gone.waitUntilExit()
        let orphan = dir.appendingPathComponent(".gopfarm-spool-deadbeef")
        try FileManager.default.createDirectory(at: orphan, withIntermediateDirectories: true)
        try Data("\(gone.processIdentifier)\n".utf8).write(to: orphan.appendingPathComponent("owner.pid"))
        let kept = dir.appendingPathComponent(".gopfarm-spool-cafecafe")
        try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
        try Data("a log".utf8).write(to: kept.appendingPathComponent("agent-1.log"))
        let run = try FarmCLI.transcode(try Fixture.h264BFramesMP4.path(), to: dir.appendingPathComponent("out.mp4").path,
                                        ["--agents", "1", "--preset", "ultrafast", "--no-analysis", "--keep-spool"], timeout: 300)
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let spools = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".gopfarm-spool-") }
        #expect(!spools.contains(".gopfarm-spool-deadbeef"), "\(spools)")
        #expect(spools.contains(".gopfarm-spool-cafecafe"), "\(spools)")
        // This run's own spool, kept: without its owner mark, so no later run takes it for an orphan.
        let mine = spools.filter { $0 != ".gopfarm-spool-cafecafe" }
        #expect(mine.count == 1 && !FileManager.default.fileExists(atPath: dir.appendingPathComponent(mine[0]).appendingPathComponent("owner.pid").path), "\(spools)")
    }

    @Test("a second transcode replaces its scene pictures and keeps the user's own file beside them")
    func thumbnailsKeepForeignFiles() throws {
        let dir = TestPaths.scratch("place-thumbs")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.mp4").path
        let pictures = URL(fileURLWithPath: output + ".thumbnails")
        try FileManager.default.createDirectory(at: pictures, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: pictures.appendingPathComponent("mine.jpg"))
        try Data("stale".utf8).write(to: pictures.appendingPathComponent("scene-0099.jpg"))
        let run = try FarmCLI.transcode(try Fixture.h264BFramesMP4.path(), to: output, ["--agents", "1", "--preset", "ultrafast"], timeout: 300)
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: pictures.path)
        #expect(names.contains("mine.jpg"), "\(names)")
        #expect(!names.contains("scene-0099.jpg"), "a stale picture of an earlier run stayed: \(names)")
        #expect(names.contains("scene-0000.jpg"), "\(names)")
    }
}
