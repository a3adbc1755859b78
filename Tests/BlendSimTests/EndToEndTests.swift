import BlendSimCore
import Foundation
import Testing

@Suite("blendsim end to end", .serialized)
struct EndToEndTests {
    static let paper = TestPaths.scenarios + "/paper-experiment.yaml"

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func runPrintsTheSummary() throws {
        let output = try blendsim("run", Self.paper, "--replications", "5")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("blendsim · paper-experiment · seed 20240412 · 5 replications · 15 weeks"))
        #expect(output.stdout.contains("control"))
        #expect(output.stdout.contains("flipped-classroom"))
        #expect(output.stdout.contains("68.0% →"))
        #expect(output.stderr.isEmpty)
    }

    @Test func outWritesThreeFilesThatFollowTheContract() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/results"
        let output = try blendsim("run", Self.paper, "--replications", "4", "--out", out, "--quiet")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["manifest.json", "summary.json", "weekly.csv"])

        let summary = try JSONValue.parse(try read(out + "/summary.json"))
        #expect(summary["scenario"] == .string("paper-experiment"))
        #expect(summary["seed"] == .integer(20240412))
        #expect(summary["replications"] == .integer(4))
        guard case .array(let groups)? = summary["groups"] else {
            Issue.record("no groups")
            return
        }
        #expect(groups.count == 2)
        let control = groups[0]
        #expect(control["name"] == .string("control"))
        #expect(control["model"] == .string("traditional"))
        #expect(control["students"] == .integer(50))
        #expect(control["levels"]?["before"]?["pre_intermediate"]?["mean"]?.doubleValue == 0.68)
        #expect(control["levels"]?["before"]?["upper_intermediate"]?["n"] == .integer(4))
        for skill in ["listening", "reading", "writing", "speaking"] {
            let after = try #require(control["skills"]?[skill]?["after"]?["mean"]?.doubleValue)
            let before = try #require(control["skills"]?[skill]?["before"]?["mean"]?.doubleValue)
            #expect(after > before)
            guard case .array(let ci)? = control["skills"]?[skill]?["after"]?["ci95"] else {
                Issue.record("no ci95 for \(skill)")
                continue
            }
            #expect(ci.count == 2)
        }
        #expect(control["motivation"]?["after"]?["sd"]?.doubleValue != nil)
        #expect(control["overall"]?["after_sd_students"]?["mean"]?.doubleValue ?? 0 > 0)
        for incident in ["cheating", "late_submissions", "dropouts"] {
            #expect(control["incidents"]?[incident]?["mean"]?.doubleValue != nil)
        }

        let csv = try read(out + "/weekly.csv").split(separator: "\n")
        #expect(csv.first == "group,week,metric,statistic,value")
        #expect(csv.contains("control,0,share_pre_intermediate,mean,0.68"))
        #expect(csv.contains { $0.hasPrefix("experimental,15,motivation,ci95_hi,") })

        let manifest = try JSONValue.parse(try read(out + "/manifest.json"))
        #expect(manifest["blendsim_version"] == .string(BlendSimVersion.current))
        let scenarioBytes = try Data(contentsOf: URL(fileURLWithPath: Self.paper))
        #expect(manifest["scenario"]?["sha256"] == .string(SHA256.hex(Array(scenarioBytes))))
        guard case .array(let plugins)? = manifest["plugins"] else {
            Issue.record("no plugins in manifest")
            return
        }
        #expect(Set(plugins.compactMap { $0["name"]?.stringValue }) == ["blendsim-traditional", "blendsim-flipped-classroom"])
        #expect(plugins.allSatisfy { $0["sha256"]?.stringValue?.count == 64 })
    }

    @Test func summaryIsByteIdenticalAcrossRunsThreadsAndChunks() throws {
        let directory = TemporaryDirectory()
        var summaries: [String] = []
        var weekly: [String] = []
        for (index, settings) in [
            ["--threads", "1"], ["--threads", "1"], ["--threads", "2"], ["--threads", "8"], ["--threads", "2", "--chunk-size", "7"],
            ["--threads", "8", "--chunk-size", "1000"],
        ].enumerated() {
            let out = directory.path + "/run\(index)"
            let output = try runProcess(TestPaths.executable, ["run", Self.paper, "--replications", "6", "--out", out, "--quiet"] + settings)
            #expect(output.status == 0, "\(output.stderr)")
            summaries.append(try read(out + "/summary.json"))
            weekly.append(try read(out + "/weekly.csv"))
        }
        #expect(Set(summaries).count == 1)
        #expect(Set(weekly).count == 1)
    }

    @Test func traceHasEveryStudentEveryWeekAndDoesNotDependOnThreads() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("t.yaml", """
            seed: 3
            replications: 2
            semester: {weeks: 4}
            groups:
              - {name: a, students: 30, levels: {intermediate: 1}, model: traditional}
              - {name: b, students: 20, levels: {pre_intermediate: 1}, model: flipped-classroom, online_share: 0.4}
            """)
        var traces: [String] = []
        for threads in ["1", "2", "8"] {
            let trace = directory.path + "/trace-\(threads).csv"
            let output = try blendsim("run", scenario, "--quiet", "--threads", threads, "--chunk-size", "7", "--trace", trace)
            #expect(output.status == 0, "\(output.stderr)")
            traces.append(try read(trace))
        }
        #expect(Set(traces).count == 1)
        let lines = traces[0].split(separator: "\n")
        #expect(lines.first == "replication,group,week,student,active,listening,reading,writing,speaking,motivation,digital_competence,online_minutes,cheating,late")
        #expect(lines.count == 1 + 2 * 5 * (30 + 20))
        #expect(lines[1].hasPrefix("1,a,0,1,1,"))
        #expect(lines.last?.hasPrefix("2,b,4,20,") == true)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!files.contains { $0.contains(".tmp-") })
    }

    /// `--force` replaces another command's results whole: a run over a sweep's results with its
    /// report leaves no runs.csv or report.html of the sweep; a compare over a run leaves its own
    /// files only.
    @Test func forceLeavesNoFilesOfTheOldResults() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/r"
        #expect(try blendsim("sweep", TestPaths.scenarios + "/sweep-online-share.yaml", "--replications", "2", "--out", out, "--report", "--quiet").status == 0)
        #expect(FileManager.default.fileExists(atPath: out + "/runs.csv") && FileManager.default.fileExists(atPath: out + "/report.html"))
        #expect(try blendsim("run", Self.paper, "--replications", "2", "--out", out, "--force", "--quiet").status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["manifest.json", "summary.json", "weekly.csv"])
        #expect(try blendsim("report", out).status == 0, "the directory is one run's results again")
        #expect(try blendsim("compare", TestPaths.scenarios + "/compare-ratios.yaml", "--replications", "2", "--out", out, "--force", "--quiet").status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["manifest.json", "summary.json", "weekly.csv"])
    }

    @Test func existingResultsAreNotOverwrittenWithoutForce() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/r"
        #expect(try blendsim("run", Self.paper, "--replications", "2", "--out", out, "--quiet").status == 0)
        let before = try read(out + "/summary.json")
        let refused = try blendsim("run", Self.paper, "--replications", "3", "--out", out, "--quiet")
        #expect(refused.status == 1)
        #expect(refused.stderr == "error: \(out) already holds results; choose another --out or pass --force to replace them\n")
        #expect(try read(out + "/summary.json") == before)
        #expect(try blendsim("run", Self.paper, "--replications", "3", "--out", out, "--quiet", "--force").status == 0)
        #expect(try read(out + "/summary.json") != before)
    }

    @Test func badScenarioGivesOneLocatedErrorAndNoOutput() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("bad.yaml", """
            groups:
              - name: control
                students: 50
                levels: {pre_intermediate: 1}
                model: traditional
                onlin_share: 0.4
            """)
        let out = directory.path + "/out"
        let output = try blendsim("run", scenario, "--out", out)
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr == """
            \(scenario):6:5: error: unknown key 'onlin_share' in a group; did you mean 'online_share'?
                onlin_share: 0.4
                ^

            """)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func unknownModelNamesTheSearchedDirectories() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("m.yaml", """
            groups:
              - name: g
                students: 10
                levels: {intermediate: 1}
                model: flipped-clasroom
                online_share: 0.4
            """)
        let output = try blendsim("run", scenario)
        #expect(output.status == 1)
        let first = output.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("\(scenario):5:12: error: model 'flipped-clasroom' not found; did you mean 'flipped-classroom'?; searched: "))
        #expect(first.contains(TestPaths.products))
    }

    @Test func invalidPluginParameterIsLocated() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("p.yaml", """
            groups:
              - name: g
                students: 10
                levels: {intermediate: 1}
                model:
                  name: flipped-classroom
                  parameters: {practice_feedback: 2}
                online_share: 0.4
            """)
        let output = try blendsim("run", scenario)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix(
            "\(scenario):7:39: error: model 'flipped-classroom': parameter 'practice_feedback' must be at most 1, found 2\n"))
    }

    @Test func withAnEmptyPluginPathNoModelExists() throws {
        // A copy of the executable in a directory of its own: nothing beside it, nothing on the path.
        let directory = TemporaryDirectory()
        let copy = directory.path + "/blendsim"
        try FileManager.default.copyItem(atPath: TestPaths.executable, toPath: copy)
        let output = try runProcess(copy, ["run", Self.paper])
        #expect(output.status == 1)
        let first = output.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first == "\(Self.paper):18:12: error: model 'traditional' not found; searched: \(directory.path); plugin libraries (libblendsim-*.so) are looked for in --plugin-dir DIR, then the directories of BLENDSIM_PLUGIN_PATH, then the blendsim executable's directory and ../lib/blendsim beside it")
        let listing = try runProcess(copy, ["plugins"])
        #expect(listing.stdout == "no plugins found; searched: \(directory.path)\n")
    }

    /// The installed layout (`scripts/install.sh`): PREFIX/bin/blendsim finds its plugins in
    /// PREFIX/lib/blendsim and the shipped posterior in PREFIX/share/blendsim, from any directory.
    @Test func anInstalledBlendsimFindsItsPluginsAndPosterior() throws {
        let prefix = TemporaryDirectory()
        let fileManager = FileManager.default
        for sub in ["bin", "lib/blendsim", "share/blendsim"] {
            try fileManager.createDirectory(atPath: prefix.path + "/" + sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try fileManager.copyItem(atPath: TestPaths.executable, toPath: prefix.path + "/bin/blendsim")
        let built = (TestPaths.executable as NSString).deletingLastPathComponent
        for file in try fileManager.contentsOfDirectory(atPath: built) where file.hasPrefix("libblendsim-") && file.hasSuffix(".so") {
            try fileManager.copyItem(atPath: built + "/" + file, toPath: prefix.path + "/lib/blendsim/" + file)
            try fileManager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: prefix.path + "/lib/blendsim/" + file)
        }
        try fileManager.copyItem(atPath: TestPaths.scenarios + "/evidence-posterior.csv", toPath: prefix.path + "/share/blendsim/evidence-posterior.csv")
        let run = try runProcess(prefix.path + "/bin/blendsim", ["run", Self.paper, "--replications", "2", "--quiet", "--uncertainty", "model", "--out", prefix.path + "/out"], directory: "/")
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try String(contentsOfFile: prefix.path + "/out/summary.json", encoding: .utf8)
        #expect(summary.contains(prefix.path + "/share/blendsim/evidence-posterior.csv"))
        let plugins = try runProcess(prefix.path + "/bin/blendsim", ["plugins"], directory: "/")
        #expect(plugins.stdout.contains("traditional"), "\(plugins.stdout)")
    }

    @Test func executableLinksTheSystemLibYAML() throws {
        let ldd = try runProcess("/usr/bin/ldd", [TestPaths.executable])
        #expect(ldd.stdout.contains("libyaml-0.so"))
        #expect(!ldd.stdout.contains("libblendsim-"))
    }

    @Test func aPluginDirWithANonPluginFails() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("libblendsim-broken.so", "not ELF")
        let output = try blendsim("run", Self.paper, "--plugin-dir", directory.path)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("error: \(directory.path)/libblendsim-broken.so: not a loadable plugin library:"))
    }

    @Test func pluginsListsTheStandardModels() throws {
        let output = try blendsim("plugins")
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("name") == true)
        for model in ["traditional", "face-to-face-driver", "flipped-classroom", "station-rotation"] {
            #expect(lines.contains { $0.hasPrefix(model + " ") && $0.contains("model") && $0.contains("1.0") })
        }
    }

    @Test func validateReportsEveryError() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("v.yaml", """
            replications: 0
            groups:
              - name: g
                students: 10
                levels: {intermediate: 0.5}
                model: traditional
            """)
        let output = try blendsim("validate", scenario)
        #expect(output.status == 1)
        #expect(output.stderr.contains("\(scenario):1:15: error: 'replications' must be between 1 and 100000, found 0"))
        #expect(output.stderr.contains("\(scenario):5:13: error: the level shares of group 'g' sum to 0.5; they must sum to 1"))
        #expect(output.stderr.hasSuffix("2 errors\n"))
        #expect(try blendsim("validate", Self.paper).stdout == "\(Self.paper): ok\n")
    }

    @Test(arguments: ["paper-experiment.yaml", "ratio-40-60.yaml", "ratio-20-80.yaml"])
    func shippedScenariosRun(name: String) throws {
        let output = try blendsim("run", TestPaths.scenarios + "/" + name, "--replications", "2", "--quiet")
        #expect(output.status == 0, "\(name): \(output.stderr)")
    }
}
