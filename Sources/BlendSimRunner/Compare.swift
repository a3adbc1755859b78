public import BlendSimCore
public import BlendSimReport
import BlendSimScenario

/// `blendsim compare`: runs every variant of a scenario with the same random numbers and
/// reports each outcome side by side, with paired differences from the first variant.
public enum Compare {
    public struct Report: Sendable {
        public var arms: [Comparison.Arm]
        public var document: JSONValue { Comparison.document(arms) }
        public var table: String { Comparison.table(arms) }
    }

    /// What a run produced: the whole comparison, or one shard of it.
    public enum Outcome: Sendable {
        case complete(Report)
        case shard(ShardFile)
    }

    /// The variants as named scenarios, with the command line's overrides applied.
    static func variants(path: String, settings: RunSettings) throws(Diagnostic) -> (scenario: Scenario, variants: [(String, Scenario)]) {
        let scenario = try ScenarioLoader.load(path: path)
        guard scenario.variants.count >= 2 else {
            throw Diagnostic(
                "\(path) declares \(scenario.variants.isEmpty ? "no" : "only one") variant; a comparison needs at least two under 'variants:' (docs/SCENARIO.md)")
        }
        let variants = scenario.variants.map { variant -> (String, Scenario) in
            var s = variant.scenario
            if let seed = settings.seed { s.seed = seed }
            if let replications = settings.replications { s.replications = replications }
            return (variant.name, s)
        }
        return (scenario, variants)
    }

    public static func run(
        path: String, settings: RunSettings, shard: Shard?, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(Diagnostic) -> Outcome {
        let (scenario, variants) = try variants(path: path, settings: settings)
        let host = try Runner.loadPlugins(settings.pluginDirectories)
        let arms = try Experiment.arms(variants.map { ($0.0, $0.1, []) }, host: host)
        let replications = variants[0].1.replications
        let units = Experiment.units(arms: arms.count, replications: replications, shard: shard)
        let results = try Experiment.run(arms: arms, units: units, options: settings.engine, progress: progress)
        if let shard {
            return .shard(ShardFile(
                kind: "compare", planPath: path,
                planHash: ShardFile.planHash(fileBytes: scenario.source.bytes, replications: replications, seed: variants[0].1.seed),
                replications: replications, seed: variants[0].1.seed, shard: shard, units: results))
        }
        return .complete(report(arms: arms.map { ($0.name, $0.scenario) }, replications: replications, units: results))
    }

    static func report(arms: [(String, Scenario)], replications: Int, units: [UnitResult]) -> Report {
        var byArm = [[ReplicationOutcome?]](repeating: [ReplicationOutcome?](repeating: nil, count: replications), count: arms.count)
        for unit in units { byArm[unit.arm][unit.replication] = ReplicationOutcome(replication: unit.replication, groups: unit.groups) }
        return Report(arms: arms.indices.map { index in
            let scenario = arms[index].1
            let students = scenario.groups.reduce(0) { $0 + $1.students }
            return Comparison.Arm(
                name: arms[index].0, description: Runner.describe(scenario),
                result: SimulationResult(replications: byArm[index].map { $0! }, studentWeeks: students * scenario.weeks * replications))
        })
    }

    /// Rebuilds the comparison from its shards: the scenario is read again (it must be the one
    /// the shards ran) but nothing is simulated.
    static func merge(_ first: ShardFile, units: [UnitResult]) throws(Diagnostic) -> Report {
        let settings = RunSettings(seed: first.seed, replications: first.replications)
        let (scenario, variants) = try variants(path: first.planPath, settings: settings)
        guard ShardFile.planHash(fileBytes: scenario.source.bytes, replications: first.replications, seed: first.seed) == first.planHash else {
            throw Diagnostic("\(first.planPath) has changed since the shards ran; refusing to merge")
        }
        return report(arms: variants, replications: first.replications, units: units)
    }
}
