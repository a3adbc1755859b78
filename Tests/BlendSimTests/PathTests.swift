import BlendSimCore
import Foundation
import Testing

/// Results do not depend on where a command was run from or how the plan's path was typed.
@Suite("Paths", .serialized)
struct PathTests {
    func run(_ arguments: [String], in directory: String) throws -> ProcessOutput {
        try runProcess(TestPaths.executable, arguments, directory: directory)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The same plan typed as two different paths from two directories gives the same results;
    /// shards run with a relative plan path merge from a third directory to the unsharded result;
    /// `rerun` repeats merged results; a merge names every missing shard.
    @Test(.tags(.slow)) func theSamePlanGivesTheSameResultsFromAnywhere() throws {
        let directory = TemporaryDirectory()
        let work = directory.path
        try FileManager.default.createDirectory(atPath: work + "/elsewhere/deeper", withIntermediateDirectories: true)
        let first = try run(["sweep", "scenarios/sweep-online-share.yaml", "--replications", "2", "--out", work + "/one", "--quiet"], in: TestPaths.root)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try run(["sweep", "./sweep-online-share.yaml", "--replications", "2", "--out", work + "/two", "--quiet"], in: TestPaths.scenarios)
        #expect(second.status == 0, "\(second.stderr)")
        for file in ["summary.json", "runs.csv"] {
            #expect(try read(work + "/one/" + file) == read(work + "/two/" + file), "\(file) depends on how the plan was given")
        }

        // Shards with a relative plan path, written with relative --out paths, merged elsewhere.
        for shard in 1...2 {
            let result = try run(
                ["sweep", "sweep-online-share.yaml", "--replications", "2", "--shard", "\(shard)/2", "--out", work + "/shards/\(shard)", "--quiet"],
                in: TestPaths.scenarios)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let merged = try run(["merge", "../../shards/1", "../../shards/2", "--out", "../merged", "--quiet"], in: work + "/elsewhere/deeper")
        #expect(merged.status == 0, "\(merged.stderr)")
        for file in ["summary.json", "runs.csv"] {
            #expect(try read(work + "/elsewhere/merged/" + file) == read(work + "/one/" + file), "merged \(file) differs")
        }

        // rerun repeats merged results (the unsharded sweep), from yet another directory.
        let rerun = try run(["rerun", work + "/elsewhere/merged"], in: "/")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.hasPrefix("identical: summary.json, runs.csv"), "\(rerun.stdout)")
        // And a run's results, from a directory the scenario path was not typed relative to.
        _ = try run(["run", "scenarios/ratio-20-80.yaml", "--replications", "3", "--out", work + "/run", "--quiet"], in: TestPaths.root)
        let rerunRun = try run(["rerun", "run"], in: work)
        #expect(rerunRun.status == 0, "\(rerunRun.stderr)")
        #expect(rerunRun.stdout.hasPrefix("identical: summary.json, weekly.csv"), "\(rerunRun.stdout)")

        // A merge with shards missing names each of them.
        let missing = try run(["merge", "shards/1", "shards/7", "shards/8", "--out", "incomplete"], in: work)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("2 of the 3 shards given are missing or failed"), "\(missing.stderr)")
        #expect(missing.stderr.contains("shards/7/shard.json") && missing.stderr.contains("shards/8/shard.json"), "\(missing.stderr)")
    }
}
