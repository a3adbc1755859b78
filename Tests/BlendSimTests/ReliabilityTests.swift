import BlendSimCore
import BlendSimRunner
import BlendSimScenario
import Foundation
import Testing

@Suite("Reliability", .serialized)
struct ReliabilityTests {
    static let corpus = TestPaths.fixtures + "/bad-scenarios"

    /// Every file of the bad-input corpus gets its one expected, located error, exit status 1, no
    /// crash and no output.
    @Test(.tags(.slow)) func badInputCorpus() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 100)
        for file in files {
            let path = Self.corpus + "/" + file
            let expected = try String(contentsOfFile: path.replacingOccurrences(of: ".yaml", with: ".expected"), encoding: .utf8)
                .trimmingCharacters(in: .newlines)
            let directory = TemporaryDirectory()
            let out = directory.path + "/out"
            let arguments: [String] =
                file.hasPrefix("sweep-") ? ["sweep", path, "--out", out]
                : file.hasPrefix("calibrate-") ? ["calibrate", path, "--output", out]
                : file.hasPrefix("evidence-") ? ["evidence", "check", path, "--report", out]
                : ["run", path, "--out", out]
            let output = try runProcess(TestPaths.executable, arguments)
            #expect(output.status == 1, "\(file): status \(output.status)")
            if file.hasPrefix("multi-") {
                // Every error of the file, in file order, exactly.
                let plugins = URL(fileURLWithPath: TestPaths.executable).deletingLastPathComponent().path
                let wanted = expected.replacingOccurrences(of: "$FILE", with: path).replacingOccurrences(of: "$PLUGINS", with: plugins)
                #expect(output.stderr.trimmingCharacters(in: .newlines) == wanted, "\(file):\n  got\n\(output.stderr)\n  wanted\n\(wanted)")
            } else {
                let first = output.stderr.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
                let wanted = expected.hasPrefix("error:") ? expected : path + ":" + expected
                #expect(first.hasPrefix(wanted), "\(file):\n  got    \(first)\n  wanted \(wanted)")
            }
            #expect(output.stdout.isEmpty, "\(file) printed results")
            #expect(!FileManager.default.fileExists(atPath: out), "\(file) left an output directory")
        }
    }

    /// `validate` checks what `compare` would: every variant's plugins and the settings models
    /// refuse, each error once, naming the variants it is in.
    @Test func validateChecksEveryVariant() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/v.yaml"
        try """
            groups:
              - name: a
                students: 30
                levels: {intermediate: 1}
                model: traditional
              - name: b
                students: 30
                levels: {intermediate: 1}
                model: traditional
            variants:
              - name: fine
              - name: blended
                online_share: 0.3
              - name: misspelt
                model: tradtional
              - name: too-much
                online_share: 1.5

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let validated = try blendsim("validate", path)
        #expect(validated.status == 1)
        let headlines = validated.stderr.split(separator: "\n").filter { $0.contains(": error: ") }.map(String.init)
        // The setting applied to both groups is one error, not two.
        #expect(headlines.filter { $0.contains("'online_share' must be between 0 and 1, found 1.5 (in variant 'too-much')") }.count == 1, "\(validated.stderr)")
        #expect(headlines.contains { $0.hasPrefix(path + ":15:12: error: model 'tradtional' not found; did you mean 'traditional'?") }, "\(validated.stderr)")
        // Once the variants decode, the models' refusals are reported too (with the variant named).
        try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "    online_share: 1.5\n", with: "    online_share: 0\n")
            .replacingOccurrences(of: "tradtional", with: "traditional").write(toFile: path, atomically: true, encoding: .utf8)
        let refused = try blendsim("validate", path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("traditional teaching has no online time, but online_share is 0.3") && refused.stderr.contains("(in variant 'blended')"), "\(refused.stderr)")
        let compare = try blendsim("compare", path, "--replications", "2")
        #expect(compare.status == 1 && compare.stderr == refused.stderr.replacingOccurrences(of: "\n1 error\n", with: "\n"), "\(compare.stderr)")
    }

    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func files(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test(.tags(.slow), arguments: [(Int32(SIGINT), Int32(130)), (Int32(SIGTERM), Int32(143))])
    func interruptedRunsLeaveThePreviousResults(signal: Int32, status: Int32) throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/r"
        let paper = TestPaths.scenarios + "/paper-experiment.yaml"
        #expect(try blendsim("run", paper, "--replications", "2", "--out", out, "--quiet").status == 0)
        let before = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
        let process = try start(["run", paper, "--replications", "3000", "--out", out, "--force", "--quiet"])
        Thread.sleep(forTimeInterval: 1.0)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == status)
        #expect(try String(contentsOfFile: out + "/summary.json", encoding: .utf8) == before)
        #expect(files(out) == ["manifest.json", "summary.json", "weekly.csv"])

        // Without earlier results, nothing at all.
        let fresh = directory.path + "/fresh"
        let second = try start(["run", paper, "--replications", "3000", "--out", fresh, "--quiet"])
        Thread.sleep(forTimeInterval: 1.0)
        kill(second.processIdentifier, signal)
        second.waitUntilExit()
        #expect(second.terminationStatus == status)
        #expect(files(fresh).isEmpty)
    }

    /// SIGTERM at an early moment — plugins loading, the engine allocating — still ends the
    /// command with 143: the handler allocates nothing, so it cannot corrupt a `malloc` it
    /// interrupted (it once copied paths into a temporary allocation that could come from the heap).
    @Test(.tags(.slow)) func anEarlySignalEndsCleanly() throws {
        let directory = TemporaryDirectory()
        let plan = TestPaths.scenarios + "/sweep-online-share.yaml"
        for attempt in 0..<8 {
            let out = directory.path + "/\(attempt)"
            let process = try start(["sweep", plan, "--replications", "12", "--quiet", "--out", out, "--threads", "\(1 + attempt % 2)"])
            var waited = 0.0
            while !FileManager.default.fileExists(atPath: out + "/.checkpoint/runs.jsonl") && waited < 60 {
                Thread.sleep(forTimeInterval: 0.005)
                waited += 0.005
            }
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 143, "attempt \(attempt): \(process.terminationReason) \(process.terminationStatus)")
        }
    }

    @Test func aResumedSweepEqualsAnUninterruptedOne() throws {
        let directory = TemporaryDirectory()
        let plan = TestPaths.scenarios + "/sweep-online-share.yaml"
        let whole = try blendsim("sweep", plan, "--replications", "12", "--quiet", "--out", directory.path + "/whole")
        #expect(whole.status == 0, "\(whole.stderr)")

        let out = directory.path + "/interrupted"
        let process = try start(["sweep", plan, "--replications", "12", "--quiet", "--out", out, "--threads", "1"])
        let checkpoint = out + "/.checkpoint/runs.jsonl"
        var waited = 0.0
        while !FileManager.default.fileExists(atPath: checkpoint) && waited < 60 {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143, "the sweep finished before it could be interrupted")
        #expect(FileManager.default.fileExists(atPath: checkpoint))
        #expect(!FileManager.default.fileExists(atPath: out + "/summary.json"))

        // A damaged line in the journal is refused; a torn last line (an interruption mid-write)
        // is skipped.
        let journal = try String(contentsOfFile: checkpoint, encoding: .utf8)
        var lines = journal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert("{\"arm\":", at: 1)
        try lines.joined(separator: "\n").write(toFile: checkpoint, atomically: true, encoding: .utf8)
        let damaged = try blendsim("sweep", plan, "--replications", "12", "--quiet", "--out", out, "--resume")
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("runs.jsonl: line 2 is damaged; remove the checkpoint to start afresh"), "\(damaged.stderr)")
        // Runs made by other plugin builds are not finished with these (the header names the builds).
        let otherBuilds = journal.replacingOccurrences(of: #""plugins":["blendsim-"#, with: #""plugins":["rebuilt blendsim-"#)
        #expect(otherBuilds != journal)
        try otherBuilds.write(toFile: checkpoint, atomically: true, encoding: .utf8)
        let rebuilt = try blendsim("sweep", plan, "--replications", "12", "--quiet", "--out", out, "--resume")
        #expect(rebuilt.status == 1)
        #expect(rebuilt.stderr.contains(".checkpoint was run with other plugin builds than these; remove it to start afresh"), "\(rebuilt.stderr)")
        try (journal + "{\"arm\":0,\"replica").write(toFile: checkpoint, atomically: true, encoding: .utf8)

        let resumed = try blendsim("sweep", plan, "--replications", "12", "--quiet", "--out", out, "--resume")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["summary.json", "runs.csv"] {
            #expect(try String(contentsOfFile: out + "/" + file, encoding: .utf8)
                == String(contentsOfFile: directory.path + "/whole/" + file, encoding: .utf8), "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: checkpoint), "the checkpoint is removed once the results are written")

        let other = try blendsim("sweep", plan, "--replications", "13", "--quiet", "--out", directory.path + "/whole", "--force", "--resume")
        #expect(other.status == 1)
    }

    @Test func rerunReproducesARunAndNoticesAChangedScenario() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", """
            seed: 4
            replications: 3
            groups:
              - {name: g, students: 40, levels: {intermediate: 1}, model: face-to-face-driver, online_share: 0.3}
            """)
        let out = directory.path + "/r"
        #expect(try blendsim("run", scenario, "--out", out, "--quiet", "--threads", "2").status == 0)
        let rerun = try blendsim("rerun", out)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout == "identical: summary.json, weekly.csv in \(out)/rerun match \(out)\n")
        _ = directory.file("s.yaml", "seed: 5\n" + (try String(contentsOfFile: scenario, encoding: .utf8)).split(separator: "\n").dropFirst().joined(separator: "\n"))
        let changed = try blendsim("rerun", out, "--out", directory.path + "/again")
        #expect(changed.status == 1)
        #expect(changed.stderr.contains("has changed since"))
    }

    /// A results directory is data: a manifest naming its own plugin directory does not make
    /// rerun load from it; a manifest without fingerprints is refused; results are not replaced
    /// without --force.
    @Test func rerunTrustsNothingInAResultsDirectory() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", """
            seed: 4
            replications: 2
            groups:
              - {name: g, students: 20, levels: {intermediate: 1}, model: traditional}
            """)
        let out = directory.path + "/r"
        #expect(try blendsim("run", scenario, "--out", out, "--quiet").status == 0)
        let manifestPath = out + "/manifest.json"
        let manifest = try String(contentsOfFile: manifestPath, encoding: .utf8)
        let planted = directory.path + "/planted"
        try FileManager.default.createDirectory(atPath: planted, withIntermediateDirectories: false)
        _ = directory.file("planted/libblendsim-traditional.so", "not a library")
        let tampered = manifest.replacingOccurrences(of: "\"run\",", with: "\"run\",\"--plugin-dir\",\"\(planted)\",")
        #expect(tampered != manifest)
        try tampered.write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let plan = try Reproduction.plan(directory: out, out: directory.path + "/again")
        #expect(!plan.arguments.contains(planted))
        let rerun = try blendsim("rerun", out, "--out", directory.path + "/again")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let again = try blendsim("rerun", out, "--out", directory.path + "/again")
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds results"))
        #expect(try blendsim("rerun", out, "--out", directory.path + "/again", "--force").status == 0)
        var document = try JSONValue.parse(manifest)
        if case .object(let members) = document { document = .object(members.filter { $0.0 != "scenario" }) }
        try document.serialized().write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let unfingerprinted = try blendsim("rerun", out, "--out", directory.path + "/third")
        #expect(unfingerprinted.status == 1)
        #expect(unfingerprinted.stderr.contains("does not fingerprint its scenario or plan"))
    }

    /// Outputs replace regular files only: a trace or result file whose name holds a FIFO, a
    /// symlink or a directory is refused and left as it was; a calibration's output is replaced
    /// only with --force.
    @Test func outputsReplaceOnlyRegularFiles() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", """
            replications: 1
            groups:
              - {name: g, students: 10, levels: {intermediate: 1}, model: traditional}
            """)
        let fifo = directory.path + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        let target = directory.file("target.txt", "keep me\n")
        let link = directory.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for path in [fifo, link] {
            let traced = try blendsim("run", scenario, "--trace", path, "--quiet")
            #expect(traced.status == 1, "\(path)")
            #expect(traced.stderr.contains("refusing to replace \(path): it is not a regular file"), "\(traced.stderr)")
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
        let out = directory.path + "/out"
        try FileManager.default.createDirectory(atPath: out + "/summary.json", withIntermediateDirectories: true)
        let written = try blendsim("run", scenario, "--out", out, "--force", "--quiet")
        #expect(written.status == 1)
        #expect(written.stderr.contains("refusing to replace \(out)/summary.json: it is not a regular file"), "\(written.stderr)")
        let existing = directory.file("fit.yaml", "# an earlier fit\n")
        let plan = directory.file("plan.yaml", """
            scenario: s.yaml
            parameters:
              - {name: kernel.points_per_hour, min: 0.02, max: 0.05}
            targets:
              - {statistic: groups.g.overall.after, value: 150}
            optimizer: {max_evaluations: 3}
            output: fit.yaml
            """)
        let refused = try blendsim("calibrate", plan, "--quiet")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(existing) exists; pass --force to replace it with the new fit"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "# an earlier fit\n")
        #expect(try blendsim("calibrate", plan, "--quiet", "--force").status == 0)
        #expect(try String(contentsOfFile: existing, encoding: .utf8).hasPrefix("# Fitted by"))
    }

    /// Every file blendsim reads by name refuses a FIFO (and a directory) at once instead of
    /// waiting for a writer: a scenario, an include, an evidence file, a results directory's
    /// summary.json and a posterior. Each command ends within the process runner's limit with a
    /// located error.
    @Test func namedFilesThatAreNotRegularAreRefusedAtOnce() throws {
        let directory = TemporaryDirectory()
        let fifo = directory.path + "/pipe.yaml"
        #expect(mkfifo(fifo, 0o644) == 0)
        let including = directory.file("including.yaml", """
            include: pipe.yaml
            groups:
              - {name: g, students: 10, levels: {intermediate: 1}, model: traditional}
            """)
        let results = directory.path + "/results"
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        #expect(mkfifo(results + "/summary.json", 0o644) == 0)
        let cases: [([String], String)] = [
            (["validate", fifo], "cannot read scenario '\(fifo)': it is a FIFO (named pipe), not a regular file"),
            (["validate", including], "including.yaml:1:10: error: cannot include"),
            (["evidence", "check", fifo], "it is a FIFO (named pipe), not a regular file"),
            (["report", results], "cannot read \(results)/summary.json: it is a FIFO (named pipe), not a regular file"),
            (["run", including, "--uncertainty", "model", "--posterior", fifo, "--quiet"], "FIFO"),
            (["validate", directory.path], "it is a directory, not a regular file"),
        ]
        for (arguments, message) in cases {
            let result = try runProcess(TestPaths.executable, arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    /// A plan whose path holds a line break writes a fragment whose header stays comment lines:
    /// the break is shown as '?', so nothing from the path becomes a line of YAML.
    @Test func aPlanPathWithALineBreakStaysInItsComment() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("s.yaml", """
            replications: 1
            groups:
              - {name: g, students: 10, levels: {intermediate: 1}, model: traditional}
            """)
        let plan = directory.file("plan\nkernel: {points_per_hour: 1}\n.yaml", """
            scenario: s.yaml
            parameters:
              - {name: kernel.points_per_hour, min: 0.02, max: 0.05}
            targets:
              - {statistic: groups.g.overall.after, value: 150}
            optimizer: {max_evaluations: 3}
            """)
        let output = directory.path + "/fit.yaml"
        let result = try blendsim("calibrate", plan, "--output", output, "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: output, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("# Fitted by `blendsim calibrate ") == true)
        #expect(lines.first?.contains("plan?kernel: {points_per_hour: 1}?.yaml") == true, "\(text)")
        #expect(lines.filter { $0.hasPrefix("kernel:") }.count == 1)
        #expect(!text.contains("points_per_hour: 1\n"))
    }

    /// The memory estimate a sweep must pass counts what it keeps per point: against the peak
    /// measured for sweeps of several shapes it is within a factor of 0.6 to 2.5, and a
    /// 100,000-point sweep is estimated at several GiB (it was estimated at 0.2 GiB and needed
    /// about 5).
    @Test(.tags(.slow)) func theMemoryEstimateFollowsTheMeasuredPeak() throws {
        let directory = TemporaryDirectory()
        let points = 300
        let values = (0..<points).map { String(Double($0) / Double(points)) }.joined(separator: ", ")
        for (groups, replications) in [(1, 1), (2, 1), (1, 6)] {
            let rows = (0..<groups).map { "  - {name: g\($0), students: 5, levels: {intermediate: 1}, model: face-to-face-driver, online_share: 0.4}" }
            let base = directory.file("base-\(groups)-\(replications).yaml", "replications: \(replications)\ngroups:\n" + rows.joined(separator: "\n") + "\n")
            let plan = directory.file("plan-\(groups)-\(replications).yaml", """
                scenario: \(base)
                replications: \(replications)
                design: grid
                parameters:
                  - name: online_share
                    values: [\(values)]
                """)
            let measured = try peakMemory(["sweep", plan, "--out", directory.path + "/out-\(groups)-\(replications)", "--quiet", "--threads", "2"])
            #expect(measured.status == 0)
            let scenario = try ScenarioLoader.load(path: base)
            let estimate = ResourceCheck.estimate(experiment: Array(repeating: scenario, count: points), options: EngineOptions(threads: 2))
            let ratio = estimate / Double(measured.kilobytes * 1024)
            print("memory estimate: \(groups) groups, \(replications) replications: ratio \(ratio)")
            #expect(ratio > 0.6 && ratio < 2.5, "\(groups) groups, \(replications) replications: estimate \(Int(estimate) >> 20) MiB, measured \(measured.kilobytes >> 10) MiB")
        }
        let scenario = try ScenarioLoader.load(path: TestPaths.scenarios + "/ratio-40-60.yaml")
        let large = ResourceCheck.estimate(experiment: Array(repeating: scenario, count: 100_000), options: EngineOptions(threads: 2))
        #expect(large > 4 * 1_073_741_824, "\(large / 1_073_741_824) GiB")
    }

    /// Command-line numbers are checked the same way by every command that takes them.
    @Test func extremeOptionsAreRefusedByEveryCommand() throws {
        let scenario = TestPaths.scenarios + "/compare-ratios.yaml"
        let plan = TestPaths.scenarios + "/sweep-online-share.yaml"
        for arguments in [
            ["run", scenario, "--threads", "0"], ["compare", scenario, "--threads", "0"], ["sweep", plan, "--threads", "0"],
            ["evidence", "check", "--threads", "9223372036854775807"], ["calibrate", plan, "--threads", "2000"],
        ] {
            let output = try runProcess(TestPaths.executable, arguments)
            #expect(output.status == 64, "\(arguments)")
            #expect(output.stderr.contains("--threads must be between 1 and 1024"), "\(arguments): \(output.stderr)")
        }
        // --max-memory sets the budget every simulating command's estimate must pass.
        for command in ["run", "compare"] {
            let tight = try blendsim(command, scenario, "--max-memory", "0.001", "--quiet")
            #expect(tight.status == 1, "\(command)")
            #expect(tight.stderr.contains("but the budget is 0.0 GiB"), "\(command): \(tight.stderr)")
        }
        #expect(try blendsim("run", scenario, "--max-memory", "nan").status == 64)
        let chunk = try blendsim("run", scenario, "--chunk-size", "9223372036854775807")
        #expect(chunk.status == 64)
        #expect(chunk.stderr.contains("--chunk-size must be between 1 and 16777216"))
    }

    /// Calibration outputs follow the rules of run's: of two calibrations writing one --output,
    /// exactly one succeeds; a posterior is not written over a run's results without --force,
    /// while the same posterior written again (a merge run twice) is.
    @Test func calibrationOutputsHaveOneWinnerAndReplaceOnlyTheirOwn() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("s.yaml", """
            replications: 2
            groups:
              - {name: g, students: 3000, levels: {intermediate: 1}, model: traditional}
            """)
        let plan = directory.file("plan.yaml", """
            scenario: s.yaml
            parameters:
              - {name: kernel.points_per_hour, min: 0.02, max: 0.05}
            targets:
              - {statistic: groups.g.overall.after, value: 150}
            optimizer: {max_evaluations: 12}
            """)
        let output = directory.path + "/fit.yaml"
        let first = try start(["calibrate", plan, "--output", output, "--quiet", "--threads", "1"])
        let second = try start(["calibrate", plan, "--output", output, "--quiet", "--threads", "1"])
        first.waitUntilExit()
        second.waitUntilExit()
        #expect([first.terminationStatus, second.terminationStatus].sorted() == [0, 1])

        let results = directory.path + "/results"
        #expect(try blendsim("run", directory.path + "/s.yaml", "--out", results, "--quiet").status == 0)
        let files: [(name: String, contents: String)] = [("posterior.csv", "particle,weight,distance,kernel.points_per_hour\n1,1,0,0.03\n"), ("calibration.json", "{}")]
        #expect(throws: Diagnostic.self) {
            try ResultsDirectory.write(files, to: results, planPath: plan, invocation: ["test"], provenance: ResultProvenance(seed: 1, replications: 1, plugins: []), force: false)
        }
        #expect(FileManager.default.fileExists(atPath: results + "/summary.json"))
        let posterior = directory.path + "/posterior"
        try ResultsDirectory.write(files, to: posterior, planPath: plan, invocation: ["test"], provenance: ResultProvenance(seed: 1, replications: 1, plugins: []), force: false)
        try ResultsDirectory.write(files, to: posterior, planPath: plan, invocation: ["test"], provenance: ResultProvenance(seed: 1, replications: 1, plugins: []), force: false)
        let other = directory.file("other-plan.yaml", "scenario: s.yaml\n")
        #expect(throws: Diagnostic.self) {
            try ResultsDirectory.write(files, to: posterior, planPath: other, invocation: ["test"], provenance: ResultProvenance(seed: 1, replications: 1, plugins: []), force: false)
        }
    }

    /// Two runs into one --out without --force: exactly one succeeds, whatever their timing (the
    /// directory is locked while results are written, and checked again under the lock).
    @Test func concurrentWritersOfOneDirectoryDoNotBothSucceed() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", """
            replications: 4
            groups:
              - {name: g, students: 20000, levels: {intermediate: 1}, model: traditional}
            """)
        let out = directory.path + "/out"
        let first = try start(["run", scenario, "--out", out, "--quiet", "--threads", "1"])
        let second = try start(["run", scenario, "--out", out, "--quiet", "--threads", "1", "--seed", "9"])
        first.waitUntilExit()
        second.waitUntilExit()
        let statuses = [first.terminationStatus, second.terminationStatus].sorted()
        #expect(statuses == [0, 1], "\(statuses)")
        #expect(files(out) == ["manifest.json", "summary.json", "weekly.csv"])
    }
}

