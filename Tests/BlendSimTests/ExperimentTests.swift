import BlendSimInference
import BlendSimCore
@testable import BlendSimReport
import Foundation
import Testing
@testable import BlendSimRunner
@testable import BlendSimScenario

@Suite("Experiments", .serialized)
struct ExperimentTests {
    static let ratios = TestPaths.scenarios + "/compare-ratios.yaml"
    static let sweep = TestPaths.scenarios + "/sweep-online-share.yaml"

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func hedgesGMatchesTheTextbookFormula() {
        func outcome(mean: Double, sd: Double, n: Int) -> GroupOutcome {
            let week = WeekMetrics(
                week: 1, active: n, activeShare: 1, skills: [mean, mean, mean, mean], overall: mean, overallSD: sd, motivation: 0.5,
                bandShares: [0, 1, 0, 0, 0, 0], onlineMinutes: 0, cheating: 0, late: 0, dropouts: 0, measured: .nan,
                digitalCompetence: 0.5, withoutDeviceShare: 0, poorConnectionShare: 0, lowMotivationShare: 0, teacherLoad: 0,
                levelUpShares: [0, 0, 0, 0, 0])
            return GroupOutcome(weekly: [week, week], plannedMinutes: [0])
        }
        // d = (10 − 8) / 2 = 1; J = 1 − 3 / (4·40 − 9) = 148/151.
        let g = Outcomes.hedgesG(outcome(mean: 10, sd: 2, n: 20), outcome(mean: 8, sd: 2, n: 20))
        #expect(abs(g - 148.0 / 151.0) < 1e-12)
        // Unequal sizes and spreads: pooled sd from (n − 1)-weighted variances.
        let pooled = ((9 * 4.0 + 29 * 9.0) / 38).squareRoot()
        let g2 = Outcomes.hedgesG(outcome(mean: 12, sd: 2, n: 10), outcome(mean: 10, sd: 3, n: 30))
        #expect(abs(g2 - (1 - 3.0 / 151) * 2 / pooled) < 1e-12)
    }

    @Test func identicalVariantsDifferByExactlyZero() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("same.yaml", """
            seed: 5
            replications: 4
            groups:
              - {name: g, students: 40, levels: {intermediate: 1}, model: face-to-face-driver, online_share: 0.3}
            variants:
              - {name: a}
              - {name: b, online_share: 0.3}
              - {name: c, online_share: 0.5}
            """)
        let output = try blendsim("compare", path, "--quiet", "--out", directory.path + "/out")
        #expect(output.status == 0, "\(output.stderr)")
        let summary = try JSONValue.parse(try read(directory.path + "/out/summary.json"))
        guard case .array(let comparisons)? = summary["comparisons"], case .array(let variants)? = summary["variants"] else {
            Issue.record("no comparisons")
            return
        }
        #expect(variants.count == 3)
        #expect(comparisons.count == 2 * Outcomes.catalog.count)
        for comparison in comparisons where comparison["variant"] == .string("b") {
            #expect(comparison["difference"]?["mean"] == .integer(0), "\(comparison["outcome"]!)")
            #expect(comparison["difference"]?["sd"] == .integer(0))
        }
        let online = comparisons.first { $0["variant"] == .string("c") && $0["outcome"] == .string("online_minutes") }
        #expect(online?["difference"]?["mean"]?.doubleValue == 0.2 * 240 * 15)
        #expect(comparisons.filter { $0["hedges_g"] != .null }.map { $0["outcome"] } == [.string("overall"), .string("course_achievement"), .string("overall"), .string("course_achievement")])
    }

    /// The terminal table and summary.json are views of one computed comparison: every
    /// difference the table shows is summary.json's, in the table's units and rounding.
    @Test func compareTableAndSummaryAgreeOnEveryNumber() throws {
        let directory = TemporaryDirectory()
        let output = try blendsim("compare", Self.ratios, "--replications", "8", "--out", directory.path + "/r")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("20/80 − 40/60"))
        let summary = try JSONValue.parse(try read(directory.path + "/r/summary.json"))
        guard case .array(let comparisons)? = summary["comparisons"] else { Issue.record("no comparisons"); return }
        let lines = output.stdout.split(separator: "\n").map(String.init)
        var checked = 0
        for (label, outcome, factor) in [
            ("overall score (points)", "overall", 1.0), ("motivation (0–1)", "motivation", 1.0), ("B1 (% of students)", "intermediate_share", 100.0),
            ("course achievement (course points)", "course_achievement", 1.0), ("online minutes per student, semester", "online_minutes", 1.0),
        ] {
            let rows = comparisons.filter { $0["outcome"]?.stringValue == outcome }
            let tableRows = lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label + " ") }
            #expect(rows.count == tableRows.count && !rows.isEmpty, "\(outcome)")
            for (row, line) in zip(rows, tableRows) {
                guard let stat = row["difference"], let mean = stat["mean"]?.doubleValue, case .array(let ci)? = stat["ci95"], ci.count == 2,
                    let lower = ci[0].doubleValue, let upper = ci[1].doubleValue
                else { Issue.record("\(outcome): no difference"); continue }
                let scaled = Statistic(mean: mean * factor, sd: nil, ci95: (lower * factor, upper * factor), n: 8)
                let digits = outcome == "motivation" ? 3 : outcome == "online_minutes" ? 0 : 1
                let spread = upper > lower
                let shown = TerminalSummary.signedInterval(scaled, digits: spread ? max(digits, Verdict.digits(scaled.mean, scaled.ci95)) : digits)
                #expect(line.contains(shown), "\(outcome): the table shows\n\(line)\nbut summary.json's difference is \(shown)")
                if let g = row["hedges_g"]?["mean"]?.doubleValue {
                    #expect(line.contains("g = " + TerminalSummary.fixed(g, digits: 2)), "\(outcome): g \(g) not in \(line)")
                }
                checked += 1
            }
        }
        #expect(checked >= 5)
    }

    @Test func automaticReplicationsStopAtTheTargetAndEqualAFixedRun() throws {
        let directory = TemporaryDirectory()
        let scenario = TestPaths.scenarios + "/ratio-20-80.yaml"
        let auto = try blendsim("run", scenario, "--replications", "auto", "--half-width", "0.2", "--quiet", "--out", directory.path + "/auto")
        #expect(auto.status == 0, "\(auto.stderr)")
        let summary = try JSONValue.parse(try read(directory.path + "/auto/summary.json"))
        let n = try #require(summary["replications"]?.doubleValue)
        #expect(n > 10)
        let ci = try #require(Summary.statistic("groups.blended-20-80.overall.after", in: summary)?.ci95)
        #expect((ci.upper - ci.lower) / 2 <= 0.2)
        let fixed = try blendsim("run", scenario, "--replications", "\(Int(n))", "--quiet", "--out", directory.path + "/fixed")
        #expect(fixed.status == 0)
        // The same document, but for the stopping rule's record.
        #expect(summary["replications_auto"]?["target_met"] == .bool(true))
        guard case .object(let members) = summary else { Issue.record("summary.json is not an object"); return }
        let withoutRule = JSONValue.object(members.filter { $0.0 != "replications_auto" })
        #expect(withoutRule == (try JSONValue.parse(try read(directory.path + "/fixed/summary.json"))))
    }

    @Test func shardsMergeToTheUnshardedResultByteForByte() throws {
        let directory = TemporaryDirectory()
        let whole = try blendsim("sweep", Self.sweep, "--replications", "3", "--quiet", "--out", directory.path + "/whole")
        #expect(whole.status == 0, "\(whole.stderr)")
        var shards: [String] = []
        for k in 1...4 {
            let dir = directory.path + "/s\(k)"
            let shard = try blendsim("sweep", Self.sweep, "--replications", "3", "--shard", "\(k)/4", "--quiet", "--out", dir)
            #expect(shard.status == 0, "\(shard.stderr)")
            shards.append(dir)
        }
        let merged = try runProcess(TestPaths.executable, ["merge"] + shards.reversed() + ["--out", directory.path + "/merged", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        for file in ["summary.json", "runs.csv"] {
            #expect(try read(directory.path + "/merged/" + file) == read(directory.path + "/whole/" + file), "\(file)")
        }
        let runs = try read(directory.path + "/whole/runs.csv").split(separator: "\n")
        #expect(runs.count == 1 + 18 * 3 * 2)
        // One point per line, each group with the screening statistics only (docs/RESULTS.md).
        let text = try read(directory.path + "/whole/summary.json")
        let pointLines = text.split(separator: "\n").filter { $0.hasPrefix("    {\"point\":") }
        #expect(pointLines.count == 18)
        let summary = try JSONValue.parse(text)
        guard case .array(let points)? = summary["points"], case .array(let groups)? = points.first?["groups"],
            case .object(let members)? = groups.first
        else { Issue.record("no points"); return }
        #expect(points.count == 18 && groups.count == 2)
        #expect(members.map(\.0) == ["name", "model", "online_share", "students", "policies", "motivation", "overall", "course_achievement", "rates", "online_minutes_per_student"])
        #expect(groups.first?["overall"]?["after"]?["ci95"] != nil && groups.first?["rates"]?["dropout_share"]?["mean"] != nil)

        let missing = try runProcess(TestPaths.executable, ["merge", shards[0], shards[2], "--out", directory.path + "/m2"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: missing shards 2, 4 of 4\n")
        let other = directory.path + "/other"
        _ = try blendsim("sweep", Self.sweep, "--replications", "2", "--shard", "2/4", "--quiet", "--out", other)
        let mixed = try runProcess(TestPaths.executable, ["merge", shards[0], other, shards[2], shards[3], "--out", directory.path + "/m3"])
        #expect(mixed.status == 1)
        #expect(mixed.stderr.hasPrefix("error: \(other): this shard is from a different plan or settings"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/m2"))
    }

    @Test func compareShardsMergeToo() throws {
        let directory = TemporaryDirectory()
        _ = try blendsim("compare", Self.ratios, "--replications", "5", "--quiet", "--out", directory.path + "/whole")
        let shards = (1...3).map { directory.path + "/c\($0)" }
        for (k, dir) in shards.enumerated() {
            let shard = try blendsim("compare", Self.ratios, "--replications", "5", "--shard", "\(k + 1)/3", "--quiet", "--out", dir)
            #expect(shard.status == 0, "\(shard.stderr)")
        }
        let merged = try runProcess(TestPaths.executable, ["merge"] + shards + ["--out", directory.path + "/merged", "--quiet"])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try read(directory.path + "/merged/summary.json") == read(directory.path + "/whole/summary.json"))
    }

    /// Shards are data from anywhere: every tampered or foreign shard.json is refused with a
    /// sentence, exit status 1 and no output — never a crash.
    @Test func tamperedShardsAreRefusedNotTrappedOn() throws {
        let directory = TemporaryDirectory()
        let good = directory.path + "/good"
        #expect(try blendsim("compare", Self.ratios, "--replications", "2", "--shard", "1/1", "--quiet", "--out", good).status == 0)
        let original = try JSONValue.parse(try String(contentsOfFile: good + "/shard.json", encoding: .utf8))
        func set(_ value: JSONValue, _ key: String, _ new: JSONValue) -> JSONValue {
            guard case .object(let members) = value else { return value }
            return .object(members.map { $0.0 == key ? ($0.0, new) : $0 })
        }
        func units(_ edit: ([JSONValue]) -> [JSONValue]) -> JSONValue {
            guard case .array(let list)? = original["units"] else { return original }
            return set(original, "units", .array(edit(list)))
        }
        func firstUnit(_ edit: (JSONValue) -> JSONValue) -> JSONValue { units { [edit($0[0])] + $0.dropFirst() } }
        func firstWeek(_ edit: ([JSONValue]) -> [JSONValue]) -> JSONValue {
            firstUnit { unit in
                guard case .array(let groups)? = unit["groups"], case .array(let weeks)? = groups[0]["weekly"], case .array(let row) = weeks[1] else { return unit }
                let group = set(groups[0], "weekly", .array([weeks[0], .array(edit(row))] + weeks.dropFirst(2)))
                return set(unit, "groups", .array([group] + groups.dropFirst()))
            }
        }
        let cases: [(String, JSONValue, String)] = [
            ("arm-99", firstUnit { set($0, "arm", .integer(99)) }, "error: a shard holds arm 99, replication 1, which the plan does not have; refusing to merge"),
            ("arm-huge", firstUnit { set($0, "arm", .number(1e300)) }, "unit 1 is incomplete or out of range"),
            ("replication-negative", firstUnit { set($0, "replication", .integer(-1)) }, "unit 1 is incomplete or out of range"),
            ("of-zero", set(original, "of", .integer(0)), "'shard' and 'of' must be whole numbers"),
            ("shard-above-of", set(original, "shard", .integer(3)), "'shard' and 'of' must be whole numbers"),
            ("replications-huge", set(original, "replications", .number(1e300)), "'replications' must be a whole number"),
            ("seed-float", set(original, "seed", .number(9.3e18)), "not a shard file (fields missing)"),
            ("no-units", units { _ in [] }, "error: the shards hold 0 of the plan's 4 runs; refusing to merge"),
            ("duplicate-unit", units { [$0[0]] + $0 }, "error: the shards hold arm 0, replication 1 twice; refusing to merge"),
            ("no-groups", firstUnit { set($0, "groups", .array([])) }, "unit 1 is incomplete or out of range"),
            ("null-in-week", firstWeek { [.null] + $0.dropFirst() }, "unit 1 has an unreadable or out-of-range outcome"),
            ("huge-active", firstWeek { [$0[0], .number(1e300)] + $0.dropFirst(2) }, "unit 1 has an unreadable or out-of-range outcome"),
            ("share-above-one", firstWeek { Array($0[0..<10]) + [.number(5)] + $0.dropFirst(11) }, "unit 1 has an unreadable or out-of-range outcome"),
            ("string-in-week", firstWeek { [.string("1")] + $0.dropFirst() }, "unit 1 has an unreadable or out-of-range outcome"),
            ("short-row", firstWeek { Array($0.dropLast()) }, "unit 1 has an unreadable or out-of-range outcome"),
            ("weeks-missing", firstUnit { unit in
                guard case .array(let groups)? = unit["groups"], case .array(let weeks)? = groups[0]["weekly"] else { return unit }
                return set(unit, "groups", .array([set(groups[0], "weekly", .array(Array(weeks.prefix(3))))] + groups.dropFirst()))
            }, "does not have the plan's groups and weeks"),
        ]
        for (name, document, message) in cases {
            let shard = directory.path + "/" + name
            try FileManager.default.createDirectory(atPath: shard, withIntermediateDirectories: false)
            try document.serialized().write(toFile: shard + "/shard.json", atomically: true, encoding: .utf8)
            let merged = try runProcess(TestPaths.executable, ["merge", shard, "--out", shard + "/merged", "--quiet"])
            #expect(merged.status == 1, "\(name): \(merged.stderr)")
            #expect(merged.stderr.contains(message), "\(name): \(merged.stderr)")
            #expect(!FileManager.default.fileExists(atPath: shard + "/merged"), "\(name)")
        }
    }

    /// A sweep refused after its runs (an outcome they do not produce) leaves no checkpoint and
    /// no results behind.
    @Test func aSweepRefusedAfterRunningLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let plan = directory.file("p.yaml", """
            scenario: \(TestPaths.scenarios)/ratio-40-60.yaml
            replications: 2
            design: morris
            trajectories: 2
            outcome: groups.nobody.overall.after
            parameters:
              - {name: kernel.learning_noise, min: 0.1, max: 0.5}
            """)
        let out = directory.path + "/out"
        let sweep = try blendsim("sweep", plan, "--out", out)
        #expect(sweep.status == 1, "\(sweep.stderr)")
        #expect(sweep.stderr.contains("8/8 runs"))  // refused after running
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func latinHypercubeFillsEveryStratum() throws {
        let samples = SamplingDesign.latinHypercube(points: 20, dimensions: 2, seed: 9)
        #expect(samples.count == 20)
        for j in 0..<2 {
            #expect(Set(samples.map { Int($0[j] * 20) }) == Set(0..<20))
        }
    }

    /// Morris trajectories step by +Δ and by −Δ (about equally often), each step changes one
    /// parameter by exactly Δ = p/(2(p−1)), and every point lies on the p-level grid in the cube.
    @Test(arguments: [4, 6, 10])
    func morrisStepsBothWaysOnTheGrid(levels: Int) {
        let k = 5, trajectories = 60
        let points = SamplingDesign.morris(trajectories: trajectories, levels: levels, dimensions: k, seed: 9)
        #expect(points.count == trajectories * (k + 1))
        let p = Double(levels), delta = p / (2 * (p - 1))
        var up = 0, down = 0
        for t in 0..<trajectories {
            for step in 0..<k {
                let a = points[t * (k + 1) + step], b = points[t * (k + 1) + step + 1]
                let changed = (0..<k).filter { a[$0] != b[$0] }
                #expect(changed.count == 1)
                guard let j = changed.first else { continue }
                #expect(abs(abs(b[j] - a[j]) - delta) < 1e-12)
                if b[j] > a[j] { up += 1 } else { down += 1 }
            }
        }
        for x in points.joined() {
            #expect(x >= 0 && x <= 1)
            #expect(abs(x * (p - 1) - (x * (p - 1)).rounded()) < 1e-9, "\(x) is off the grid")
        }
        #expect(up + down == trajectories * k)
        #expect(up > trajectories * k * 2 / 5 && down > trajectories * k * 2 / 5, "up \(up), down \(down)")
    }

    @Test func morrisAndSobolRecoverAKnownFunction() throws {
        // y = 4·x1 + 2·x2 (x3 does nothing): elementary effects are 4, 2 and 0 everywhere.
        func y(_ x: [Double]) -> Double { 4 * x[0] + 2 * x[1] }
        let morrisSamples = SamplingDesign.morris(trajectories: 20, levels: 4, dimensions: 3, seed: 3)
        #expect(morrisSamples.count == 20 * 4)
        let morris = try #require(SensitivityAnalysis.morris(
            samples: morrisSamples, responses: morrisSamples.map(y), trajectories: 20, dimensions: 3))
        #expect(abs(morris[0].muStar - 4) < 1e-9)
        #expect(abs(morris[1].muStar - 2) < 1e-9)
        #expect(morris[2].muStar == 0)
        #expect(morris.allSatisfy { $0.effects == 20 })
        // Sobol: Var(4·x1 + 2·x2) = (16 + 4)/12; first-order shares 0.8 and 0.2, x3 none.
        let sobolSamples = SamplingDesign.saltelli(points: 4000, dimensions: 3, seed: 3)
        #expect(sobolSamples.count == 4000 * 5)
        let sobol = try #require(SensitivityAnalysis.sobol(responses: sobolSamples.map(y), points: 4000, dimensions: 3))
        #expect(abs(sobol[0].firstOrder - 0.8) < 0.05)
        #expect(abs(sobol[1].firstOrder - 0.2) < 0.05)
        #expect(abs(sobol[2].total) < 0.01)
        #expect(abs(sobol[0].total - 0.8) < 0.05)
        // Responses that do not match the design give no indices rather than wrong ones.
        #expect(SensitivityAnalysis.sobol(responses: [1, 2, 3], points: 4000, dimensions: 3) == nil)
        #expect(SensitivityAnalysis.morris(samples: morrisSamples, responses: [1], trajectories: 20, dimensions: 3) == nil)
    }

    @Test func shippedMorrisPlanRanksItsParameters() throws {
        let directory = TemporaryDirectory()
        let output = try blendsim(
            "sweep", TestPaths.scenarios + "/sensitivity-morris.yaml", "--replications", "2", "--out", directory.path + "/m")
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("morris sensitivity of groups.experimental.overall.after, ranked by mu_star"))
        let sensitivity = try JSONValue.parse(try read(directory.path + "/m/sensitivity.json"))
        guard case .array(let indices)? = sensitivity["indices"] else {
            Issue.record("no indices")
            return
        }
        #expect(indices.count == 4)
        let stars = indices.compactMap { $0["mu_star"]?.doubleValue }
        #expect(stars == stars.sorted(by: >))
        #expect(indices.allSatisfy { $0["effects"]?.doubleValue == 8 })
    }

    @Test func variantErrorsAreLocated() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("v.yaml", """
            groups:
              - {name: control, students: 10, levels: {intermediate: 1}, model: traditional}
            variants:
              - {name: a}
              - {name: b, groups: {contrl: {online_share: 0.2}}}
              - {name: c, online_shar: 0.2}
            """)
        let messages = ScenarioLoader.check(path: path).diagnostics.map(\.headline)
        #expect(messages.count == 2)
        #expect(messages.contains("\(path):5:24: error: variant 'b' overrides unknown group 'contrl'; did you mean 'control'?"))
        #expect(messages.contains("\(path):6:15: error: unknown key 'online_shar' in a variant; did you mean 'online_share'?"))
        let single = directory.file("one.yaml", """
            groups:
              - {name: control, students: 10, levels: {intermediate: 1}, model: traditional}
            """)
        let output = try blendsim("compare", single)
        #expect(output.status == 1)
        #expect(output.stderr.contains("declares no variant; a comparison needs at least two under 'variants:'"))
    }

    @Test func slurmScriptsRunEveryShardThenTheMerge() throws {
        let directory = TemporaryDirectory()
        let output = try blendsim("sweep", Self.sweep, "--emit-slurm", directory.path + "/slurm", "--shards", "6", "--out", directory.path + "/results")
        #expect(output.status == 0, "\(output.stderr)")
        let array = try read(directory.path + "/slurm/array.sh")
        #expect(array.contains("#SBATCH --array=1-6"))
        #expect(array.contains("--shard \"$task/6\""))
        #expect(array.contains("task=\"${SLURM_ARRAY_TASK_ID}\""))
        let merge = try read(directory.path + "/slurm/merge.sh")
        #expect(merge.contains(" merge "))
        #expect(merge.contains("/results/shards/6"))
        let submit = try read(directory.path + "/slurm/submit.sh")
        #expect(submit.contains("--dependency=afterok:"))
        #expect(output.stdout.contains("submit with: bash \(directory.path)/slurm/submit.sh"), "\(output.stdout)")
        #expect(!submit.contains("dirname"), "sbatch runs a copy of the script elsewhere: its own directory is written in")
    }

    /// Job options become #SBATCH lines of every job; unsafe values and options without
    /// --emit-slurm are refused.
    @Test func slurmJobOptionsReachEveryJob() throws {
        let directory = TemporaryDirectory()
        let output = try blendsim(
            "sweep", Self.sweep, "--emit-slurm", directory.path + "/slurm", "--shards", "3", "--out", directory.path + "/results",
            "--time", "02:00:00", "--mem", "4G", "--partition", "short", "--account", "edu-lab", "--qos", "normal",
            "--sbatch-option=--constraint=haswell", "--sbatch-option=--mail-type=END")
        #expect(output.status == 0, "\(output.stderr)")
        for script in ["array.sh", "merge.sh"] {
            let text = try read(directory.path + "/slurm/" + script)
            for line in ["#SBATCH --time=02:00:00", "#SBATCH --mem=4G", "#SBATCH --partition=short", "#SBATCH --account=edu-lab",
                         "#SBATCH --qos=normal", "#SBATCH --constraint=haswell", "#SBATCH --mail-type=END"] {
                #expect(text.contains(line + "\n"), "\(script) lacks \(line)")
            }
        }
        let injected = try blendsim("sweep", Self.sweep, "--emit-slurm", directory.path + "/x", "--out", directory.path + "/r", "--time", "1:00\nrm -rf /")
        #expect(injected.status != 0)
        #expect(injected.stderr.contains("--time takes one word"), "\(injected.stderr)")
        // A results path is written into #SBATCH lines and messages: it must be plain.
        let path = try blendsim("sweep", Self.sweep, "--emit-slurm", directory.path + "/y", "--out", directory.path + "/r$(touch x)")
        #expect(path.status != 0)
        #expect(path.stderr.contains("--out is written into the Slurm scripts, so it must be a plain path"), "\(path.stderr)")
        let loose = try blendsim("sweep", Self.sweep, "--out", directory.path + "/r", "--partition", "short")
        #expect(loose.status != 0)
        #expect(loose.stderr.contains("go with --emit-slurm"), "\(loose.stderr)")
    }

    /// resubmit.sh submits only the shards that are not done — a failed one and one that never
    /// ran — then the merge, after cancelling the merge job left pending (sbatch, squeue and
    /// scancel replaced by stand-ins that record their arguments).
    @Test func resubmitSendsOnlyTheMissingShards() throws {
        let directory = TemporaryDirectory()
        let results = directory.path + "/results"
        let output = try blendsim("sweep", Self.sweep, "--emit-slurm", directory.path + "/slurm", "--shards", "3", "--out", results)
        #expect(output.status == 0, "\(output.stderr)")
        let bin = directory.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let log = directory.path + "/calls"
        for (name, body) in [("sbatch", "echo \"sbatch $*\" >> \(log); echo $((RANDOM + 100))"), ("squeue", "case \"$*\" in *\"-j 42 -o %T\"*) echo PENDING ;; esac"), ("scancel", "echo \"scancel $*\" >> \(log)")] {
            let path = bin + "/" + name
            try "#!/bin/bash\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        try FileManager.default.createDirectory(atPath: results + "/shards/1", withIntermediateDirectories: true)
        try "{}".write(toFile: results + "/shards/1/shard.json", atomically: true, encoding: .utf8)
        try "done\n".write(toFile: results + "/shards/1.state", atomically: true, encoding: .utf8)
        try "failed 1\n".write(toFile: results + "/shards/2.state", atomically: true, encoding: .utf8)
        try "array 41 merge 42\n".write(toFile: results + "/shards/jobs", atomically: true, encoding: .utf8)
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let resubmit = try runProcess("/bin/bash", [directory.path + "/slurm/resubmit.sh"], environment: ["PATH": path])
        #expect(resubmit.status == 0, "\(resubmit.stderr)")
        #expect(resubmit.stdout.contains("resubmitted shards 2,3"), "\(resubmit.stdout)")
        let calls = try read(log)
        #expect(calls.contains("scancel -- 42"))
        #expect(calls.contains("sbatch --parsable --array=2,3 \(directory.path)/slurm/array.sh"), "\(calls)")
        #expect(calls.contains("--dependency=afterok:"), "\(calls)")

        // A job record that is not 'array ID merge ID' reaches neither squeue nor scancel.
        for record in ["array 41 merge --signal=KILL\n", "array --help merge 42\n", "array 41 merge -u\n"] {
            try "".write(toFile: log, atomically: true, encoding: .utf8)
            try record.write(toFile: results + "/shards/jobs", atomically: true, encoding: .utf8)
            let refused = try runProcess("/bin/bash", [directory.path + "/slurm/resubmit.sh"], environment: ["PATH": path])
            #expect(refused.status == 1, "\(record)")
            #expect(refused.stderr.contains("nothing was resubmitted"), "\(refused.stderr)")
            #expect(try read(log).isEmpty, "\(record)")
        }
    }
}
