public import BlendSimCore
public import BlendSimReport
import BlendSimPluginHost
import BlendSimScenario

/// `blendsim compare`: runs every variant of a scenario with the same random numbers and
/// reports each outcome side by side, with paired differences from the first variant.
public enum VariantComparison {
    public struct Report: Sendable, CommandResults {
        /// The comparison, computed once; every file and the table are views of it.
        public let comparison: Comparison.Result
        /// The seed, replications and plugins that produced it (for manifest.json).
        public var provenance: ResultProvenance
        /// Remarks on how the scenario was read (`Scenario.notes`), for the terminal.
        public var notes: [Diagnostic] = []
        public var arms: [Comparison.Arm] { comparison.arms }
        public var document: JSONValue { comparison.document }
        public var table: String { Comparison.table(comparison) }
        public var tableText: String { table }
        public var weeklyCSV: String { Comparison.weeklyCSV(comparison.arms) }
        /// The files of its results directory, before manifest.json.
        public var files: [(name: String, contents: String)] {
            [("summary.json", document.serialized(pretty: true)), ("weekly.csv", weeklyCSV)]
        }
    }

    /// What a run produced: the whole comparison, or one shard of it.
    public enum Outcome: Sendable {
        case complete(Report)
        case shard(ShardFile)
    }

    /// The variants as named scenarios, with the command line's overrides applied.
    static func variants(path: String, settings: RunSettings) throws(Diagnostic) -> (scenario: Scenario, variants: [(name: String?, scenario: Scenario, changes: [String])]) {
        let scenario = try PluginResolution.scenario(at: path) { () throws(Diagnostic) in try PluginResolution.host(settings.pluginDirectories) }
        guard scenario.variants.count >= 2 else {
            throw Diagnostic(
                "\(path) declares \(scenario.variants.isEmpty ? "no" : "only one") variant; a comparison needs at least two under 'variants:' (docs/SCENARIO.md)")
        }
        return (scenario, scenario.variants.map { (name: $0.name, scenario: settings.apply(to: $0.scenario), changes: $0.changes) })
    }

    public static func run(
        path: String, settings: RunSettings, shard: Shard?, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(Diagnostic) -> Outcome {
        let (scenario, variants) = try variants(path: path, settings: settings)
        try ResourceCheck.check(experiment: variants.map(\.scenario), settings: settings, source: scenario.source)
        let host = try PluginResolution.host(settings.pluginDirectories)
        let arms = try Experiment.arms(variants.map { ($0.name, $0.scenario) }, host: host, posterior: settings.posterior)
        var replications = variants[0].scenario.replications
        let seed = variants[0].scenario.seed
        var results: [UnitResult]
        var stopping: RunDescription.Stopping?
        if let rule = settings.automaticReplications, shard == nil {
            let outcome: AutomaticReplications.Outcome
            (outcome, results) = try Experiment.automatically(arms: arms, rule: rule, precision: .differences, options: settings.engine)
            replications = outcome.replications
            stopping = RunDescription.Stopping(
                halfWidth: rule.halfWidth, achieved: outcome.achieved, maximum: rule.maximum, targetMet: outcome.targetMet)
        } else {
            let units = Experiment.units(arms: arms.count, replications: replications, shard: shard)
            results = try Experiment.run(arms: arms, units: units, options: settings.engine, progress: progress)
        }
        if let shard {
            return .shard(ShardFile(
                kind: "compare", planPath: path,
                planHash: ShardFile.planHash(fileBytes: scenario.source.bytes, replications: replications, seed: seed),
                replications: replications, seed: seed, shard: shard, units: results,
                plugins: ResultProvenance.used(by: variants.map(\.scenario), host: host).map(PluginRecord.init)))
        }
        let provenance = ResultProvenance(seed: seed, replications: replications, scenarios: variants.map(\.scenario), host: host)
        var report = report(
            variants, replications: replications, units: results, provenance: provenance, posterior: settings.posterior, stopping: stopping,
            host: host)
        report.notes = scenario.notes
        return .complete(report)
    }

    static func report(
        _ variants: [(name: String?, scenario: Scenario, changes: [String])], replications: Int, units: [UnitResult], provenance: ResultProvenance,
        posterior: PosteriorSample? = nil, stopping: RunDescription.Stopping? = nil, host: PluginHost? = nil
    ) -> Report {
        let scenarios = variants.map { variant -> Scenario in
            var scenario = variant.scenario
            scenario.replications = replications
            return scenario
        }
        let results = Experiment.results(arms: scenarios, replications: replications, units: units)
        return Report(comparison: Comparison.Result(arms: variants.indices.map { index in
            var description = ScenarioRun.describe(scenarios[index], posterior: posterior, host: host)
            description.stopping = stopping
            return Comparison.Arm(name: variants[index].name ?? "", description: description, result: results[index], changes: variants[index].changes)
        }), provenance: provenance)
    }

    /// Rebuilds the comparison from its shards: the scenario is read again (it must be the one
    /// the shards ran) but nothing is simulated.
    static func merge(_ first: ShardFile, units: [UnitResult]) throws(Diagnostic) -> Report {
        let settings = RunSettings(seed: first.seed, replications: first.replications)
        let (scenario, variants) = try variants(path: first.planPath, settings: settings)
        guard ShardFile.planHash(fileBytes: scenario.source.bytes, replications: first.replications, seed: first.seed) == first.planHash else {
            throw Diagnostic("\(first.planPath) has changed since the shards ran; refusing to merge")
        }
        try ShardFile.check(units, arms: variants.map { ($0.scenario.groups.count, $0.scenario.weeklyRows, $0.scenario.teachingWeeks) }, replications: first.replications)
        // Costs are priced from the plugins' declarations: the merge loads the plugin path only when
        // the scenario asks for them.
        let host = scenario.costs == nil ? nil : try PluginResolution.host(settings.pluginDirectories)
        return report(
            variants, replications: first.replications, units: units,
            provenance: ResultProvenance(seed: first.seed, replications: first.replications, plugins: first.plugins), host: host)
    }
}
