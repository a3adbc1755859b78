public import BlendSimCore
import BlendSimInference
import BlendSimReport
import BlendSimScenario
import BlendSimSystem

/// `blendsim sweep`: runs a plan's points (a grid, a Latin hypercube, Morris trajectories or
/// Saltelli's Sobol samples) and reports one tidy row per run, each point's summary and, for the
/// sensitivity designs, the indices.
public enum SweepExperiment {
    public struct Report: Sendable, CommandResults {
        public var files: [(name: String, contents: String)]
        public var table: String
        /// The seed, replications and plugins that produced it (for manifest.json).
        public var provenance: ResultProvenance
        public var tableText: String { table }
    }

    public enum Outcome: Sendable {
        case complete(Report)
        case shard(ShardFile)
    }

    /// A point: its label and each parameter's value as a YAML scalar.
    struct Point {
        var name: String
        var values: [YAMLNode]
    }

    static func scalar(_ value: Double) -> YAMLNode {
        YAMLNode(content: .scalar(JSONValue.number(value).serialized(), plain: true), line: 1, column: 1)
    }

    /// The unit-cube samples of the plan's design (`SamplingDesign`), deterministic in the seed.
    static func samples(_ plan: SweepPlan, seed: UInt64) -> [[Double]] {
        let k = plan.parameters.count
        switch plan.design {
        case .grid: return []
        case .latinHypercube: return SamplingDesign.latinHypercube(points: plan.points, dimensions: k, seed: seed)
        case .morris: return SamplingDesign.morris(trajectories: plan.trajectories, levels: plan.levels, dimensions: k, seed: seed)
        case .sobol: return SamplingDesign.saltelli(points: plan.points, dimensions: k, seed: seed)
        }
    }

    /// The plan's points, in order.
    static func points(_ plan: SweepPlan, seed: UInt64) -> [Point] {
        switch plan.design {
        case .grid:
            var points: [[YAMLNode]] = [[]]
            for parameter in plan.parameters {
                points = points.flatMap { prefix in parameter.values.map { prefix + [$0] } }
            }
            return points.enumerated().map { Point(name: "point-\($0.offset + 1)", values: $0.element) }
        default:
            return samples(plan, seed: seed).enumerated().map { index, unit in
                Point(name: "point-\(index + 1)", values: zip(plan.parameters, unit).map { parameter, u in
                    let range = parameter.range!
                    return scalar(range.lowerBound + u * (range.upperBound - range.lowerBound))
                })
            }
        }
    }

    /// Every point as a named scenario.
    static func scenarios(_ plan: SweepPlan, settings: RunSettings) throws(Diagnostic) -> (base: Scenario, points: [Point], scenarios: [Scenario]) {
        var base = try PluginResolution.scenario(at: plan.scenarioPath) { () throws(Diagnostic) in try PluginResolution.host(settings.pluginDirectories) }
        if let replications = plan.replications { base.replications = replications }
        base = settings.apply(to: base)
        let points = points(plan, seed: base.seed)
        let overrides = points.map { point in
            SweepPlanLoader.overrides(name: point.name, settings: Array(zip(plan.parameters, point.values)))
        }
        let decoded = ScenarioLoader.points(scenarioPath: plan.scenarioPath, overrides: overrides)
        if let error = Diagnostic.collected(Diagnostic.report(decoded.diagnostics.map { inPlan($0, plan) })) { throw error }
        let scenarios = decoded.scenarios.map { variant -> Scenario in
            var s = variant.scenario
            s.replications = base.replications
            s.seed = base.seed
            return s
        }
        return (base, points, scenarios)
    }

    /// An error about a point's override carries its parameter's place in the plan: it is
    /// reported there, in the plan's file, naming the parameter instead of the points.
    static func inPlan(_ diagnostic: Diagnostic, _ plan: SweepPlan) -> Diagnostic {
        guard let location = diagnostic.location, location.file == plan.scenarioPath,
            let parameter = plan.parameters.first(where: { $0.location.line == location.line && $0.location.column == location.column })
        else { return diagnostic }
        var message = diagnostic.message
        for marker in [" (in variant 'point-", " (in variants 'point-"] {
            if let index = message.indices.first(where: { message[$0...].hasPrefix(marker) }) { message = String(message[..<index]) }
        }
        return plan.source.diagnostic("\(message) (parameter '\(parameter.name)')", line: location.line, column: location.column)
    }

    /// What ties shards and checkpoints to one sweep: the plan, its scenario, the settings that
    /// change results, and the posterior drawn from (if any).
    static func hash(_ plan: SweepPlan, base: Scenario, posterior: PosteriorSample? = nil) -> String {
        ShardFile.planHash(
            fileBytes: plan.source.bytes + base.source.bytes, replications: base.replications, seed: base.seed,
            extra: "sweep" + (posterior.map { "|posterior=" + $0.sha256 } ?? ""))
    }

    /// Runs the plan (or one shard of it). With `checkpoint` (the --out directory), finished runs
    /// are saved as they complete; with `resume`, runs a previous attempt saved are not run again.
    public static func run(
        planPath: String, settings: RunSettings, shard: Shard?, checkpoint out: String? = nil, resume: Bool = false,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(Diagnostic) -> Outcome {
        let plan = try SweepPlanLoader.load(path: planPath)
        let (base, points, scenarios) = try scenarios(plan, settings: settings)
        try ResourceCheck.check(experiment: scenarios, settings: settings, source: plan.source)
        let host = try PluginResolution.host(settings.pluginDirectories)
        let arms: [Arm]
        do throws(Diagnostic) {
            arms = try Experiment.arms(zip(points, scenarios).map { (name: $0.name, scenario: $1) }, host: host, posterior: settings.posterior)
        } catch {
            // A plugin's refusal of a swept value is reported at the parameter in the plan.
            throw Diagnostic.collected(Diagnostic.report(error.all.map { inPlan($0, plan) }))!
        }
        var units = Experiment.units(arms: arms.count, replications: base.replications, shard: shard)
        var completed: [UnitResult] = []
        var checkpoint: Checkpoint?
        if let out, shard == nil {
            let planHash = hash(plan, base: base, posterior: settings.posterior)
            if resume {
                completed = try Checkpoint.load(
                    out: out, planHash: planHash, replications: base.replications,
                    plugins: ResultProvenance.used(by: scenarios, host: host).map(PluginRecord.init))
                for unit in completed {
                    guard unit.arm < scenarios.count, unit.groups.count == scenarios[unit.arm].groups.count,
                        unit.groups.allSatisfy({ $0.weekly.count == scenarios[unit.arm].weeklyRows && $0.plannedMinutes.count == scenarios[unit.arm].teachingWeeks })
                    else {
                        throw Diagnostic("\(Checkpoint.path(out: out)) holds a run the plan does not have; remove the checkpoint to start afresh")
                    }
                }
                let done = Set(completed.map { $0.arm * base.replications + $0.replication })
                units = units.filter { !done.contains($0.arm * base.replications + $0.replication) }
            }
            checkpoint = Checkpoint(
                out: out,
                template: ShardFile(
                    kind: "sweep", planPath: planPath, planHash: planHash, replications: base.replications, seed: base.seed,
                    shard: Shard(index: 1, count: 1), units: [], plugins: ResultProvenance.used(by: scenarios, host: host).map(PluginRecord.init)),
                completed: completed)
        }
        var finished: (@Sendable (UnitResult) -> Void)?
        if let saver = checkpoint { finished = { unit in saver.add(unit) } }
        let fresh = try Experiment.run(arms: arms, units: units, options: settings.engine, progress: progress, finished: finished)
        let results = completed + fresh
        if let shard {
            return .shard(ShardFile(
                kind: "sweep", planPath: planPath, planHash: hash(plan, base: base), replications: base.replications,
                seed: base.seed, shard: shard, units: results,
                plugins: ResultProvenance.used(by: scenarios, host: host).map(PluginRecord.init)))
        }
        let provenance = ResultProvenance(seed: base.seed, replications: base.replications, scenarios: scenarios, host: host)
        // Every run is done: a refusal now (an outcome the runs do not produce) is the plan's, and
        // resuming could not change it, so the checkpoint goes with it.
        do {
            return .complete(
                try report(plan, base: base, points: points, scenarios: scenarios, units: results, provenance: provenance, posterior: settings.posterior))
        } catch {
            if let out {
                Checkpoint.remove(out: out)
                FileSystem.removeDirectory(out)  // only if the checkpoint was all it held
            }
            throw error
        }
    }

    /// Removes a finished sweep's checkpoint (once its results are written).
    public static func removeCheckpoint(out: String) { Checkpoint.remove(out: out) }

    static func merge(_ first: ShardFile, units: [UnitResult]) throws(Diagnostic) -> Report {
        let plan = try SweepPlanLoader.load(path: first.planPath)
        let (base, points, scenarios) = try scenarios(plan, settings: RunSettings(seed: first.seed, replications: first.replications))
        guard hash(plan, base: base) == first.planHash else {
            throw Diagnostic("\(first.planPath) or its scenario has changed since the shards ran; refusing to merge")
        }
        try ShardFile.check(units, arms: scenarios.map { ($0.groups.count, $0.weeklyRows, $0.teachingWeeks) }, replications: first.replications)
        return try report(
            plan, base: base, points: points, scenarios: scenarios, units: units,
            provenance: ResultProvenance(seed: first.seed, replications: first.replications, plugins: first.plugins))
    }

    static func text(_ node: YAMLNode) -> JSONValue {
        guard case .scalar(let text, let plain) = node.content else { return .string("") }
        if plain, let value = YAMLNode.number(text), value.isFinite { return .number(value) }
        return .string(text)
    }

    static func report(
        _ plan: SweepPlan, base: Scenario, points: [Point], scenarios: [Scenario], units: [UnitResult], provenance: ResultProvenance,
        posterior: PosteriorSample? = nil
    ) throws(Diagnostic) -> Report {
        let replications = base.replications
        let results = Experiment.results(arms: scenarios, replications: replications, units: units)
        let names = plan.parameters.map(\.name)

        // runs.csv: one row per point × replication × group.
        var csv = (["point"] + names + ["replication", "seed", "group"] + Outcomes.catalog.map(\.name)).joined(separator: ",") + "\n"
        var summaries: [JSONValue] = []
        var responses: [Double] = []
        for (index, point) in points.enumerated() {
            let scenario = scenarios[index]
            let values = point.values.map { text($0) }
            let cells = values.map { value -> String in
                if case .string(let s) = value { return WeeklyTable.quote(s) }
                return value.serialized()
            }
            for replication in 0..<replications {
                let outcome = results[index].replications[replication]
                for (g, group) in scenario.groups.enumerated() {
                    let row = ["\(index + 1)"] + cells + ["\(replication + 1)", "\(scenario.seed)", WeeklyTable.quote(group.name)]
                        + Outcomes.catalog.map { WeeklyTable.number($0.read(outcome.groups[g], group.students)) }
                    csv += row.joined(separator: ",") + "\n"
                }
            }
            let summary = Summary.document(ScenarioRun.describe(scenario, posterior: posterior), results[index])
            var members: [(String, JSONValue)] = [
                ("point", .integer(index + 1)),
                ("settings", .object(zip(names, values).map { ($0, $1) })),
                ("groups", screening(summary["groups"])),
            ]
            if let gains = summary["gains"] { members.append(("gains", gains)) }
            summaries.append(.object(members))
            if let outcome = plan.outcome {
                guard let value = Summary.statistic(outcome, in: summary) else {
                    throw plan.source.diagnostic(
                        "statistic '\(outcome)' is not in the scenario's summary.json (see docs/RESULTS.md)",
                        line: plan.outcomeLocation?.line ?? 1, column: plan.outcomeLocation?.column ?? 1)
                }
                responses.append(value.mean)
            }
        }

        var members: [(String, JSONValue)] = [
            ("plan", .string(FileSystem.split(plan.source.path).name)),
            ("plan_sha256", .string(plan.source.sha256)),
            ("scenario", .string(base.name)),
            ("design", .string(plan.design.rawValue)),
            ("seed", .integer(Int(truncatingIfNeeded: base.seed))),
            ("replications", .integer(replications)),
            ("parameters", .array(names.map { .string($0) })),
            ("points", .array(summaries)),
        ]
        if let posterior { members.insert(("uncertainty", ScenarioRun.describe(base, posterior: posterior).uncertainty!.json), at: 5) }
        var table = "blendsim sweep · \(plan.source.path) · \(plan.design.rawValue) · \(points.count) points × \(replications) replications\n"
        if let outcome = plan.outcome, plan.design == .morris || plan.design == .sobol {
            let analysis = plan.design == .morris
                ? SensitivityReport.morris(plan, samples: samples(plan, seed: base.seed), responses: responses)
                : SensitivityReport.sobol(plan, responses: responses)
            members.append(("sensitivity", analysis.json(outcome: outcome)))
            table += analysis.table(outcome: outcome)
        } else {
            table += pointTable(names: names, points: points, scenarios: scenarios, results: results)
        }
        let document = JSONValue.object(members)
        // One point per line: the file stays a fixed, small size per point and reads in one pass.
        var files: [(name: String, contents: String)] = [("summary.json", document.serialized(indentedLevels: 2)), ("runs.csv", csv)]
        if let sensitivity = document["sensitivity"] { files.append(("sensitivity.json", sensitivity.serialized(pretty: true))) }
        return Report(files: files, table: table, provenance: provenance)
    }

    /// The members of a run's group summary a sweep keeps per point: what a screening of many
    /// points compares (docs/RESULTS.md). Every outcome of every replication is in runs.csv, and
    /// `blendsim run` on a point gives its full summary.
    static let screeningMembers: Set<String> = [
        "name", "model", "online_share", "students", "policies", "overall", "motivation", "course_achievement", "rates",
        "online_minutes_per_student", "programme",
    ]

    static func screening(_ groups: JSONValue?) -> JSONValue {
        guard case .array(let list)? = groups else { return .array([]) }
        return .array(list.map { group in
            guard case .object(let members) = group else { return group }
            return .object(members.filter { screeningMembers.contains($0.0) })
        })
    }

    /// Per point and group: the overall score and motivation at the end, mean [95% CI].
    static func pointTable(names: [String], points: [Point], scenarios: [Scenario], results: [SimulationResult]) -> String {
        var rows = [["point"] + names + ["group", "overall", "motivation"]]
        for (index, point) in points.enumerated() {
            for (g, group) in scenarios[index].groups.enumerated() {
                let outcomes = results[index].replications.map { $0.groups[g] }
                rows.append(
                    ["\(index + 1)"] + point.values.map { text($0).stringValue ?? text($0).serialized() } + [
                        group.name,
                        TerminalSummary.interval(Statistic(outcomes.map { $0.after.overall }), digits: 1),
                        TerminalSummary.interval(Statistic(outcomes.map { $0.after.motivation }), digits: 3),
                    ])
            }
        }
        return TerminalSummary.table(rows, rightAligned: [])
    }
}
