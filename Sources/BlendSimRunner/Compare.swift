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
        try ResourceCheck.check(experiment: variants.map(\.1), threads: settings.engine.threads, source: scenario.source)
        let host = try Runner.loadPlugins(settings.pluginDirectories)
        let arms = try Experiment.arms(variants.map { ($0.0, $0.1, []) }, host: host)
        var replications = variants[0].1.replications
        var results: [UnitResult]
        if let rule = settings.automaticReplications, shard == nil {
            (replications, results) = try automatically(arms: arms, rule: rule, options: settings.engine)
        } else {
            let units = Experiment.units(arms: arms.count, replications: replications, shard: shard)
            results = try Experiment.run(arms: arms, units: units, options: settings.engine, progress: progress)
        }
        if let shard {
            return .shard(ShardFile(
                kind: "compare", planPath: path,
                planHash: ShardFile.planHash(fileBytes: scenario.source.bytes, replications: replications, seed: variants[0].1.seed),
                replications: replications, seed: variants[0].1.seed, shard: shard, units: results))
        }
        return .complete(report(arms: arms.map { ($0.name, $0.scenario) }, replications: replications, units: results))
    }

    /// `--replications auto` for a comparison: the target applies to every paired difference of
    /// the overall score from the first variant, group by group.
    static func automatically(arms: [Arm], rule: AutomaticReplications, options: EngineOptions) throws(Diagnostic) -> (Int, [UnitResult]) {
        var results: [UnitResult] = []
        var done = 0
        var target = min(10, rule.maximum)
        while true {
            var units: [(arm: Int, replication: Int)] = []
            for arm in arms.indices { for replication in done..<target { units.append((arm, replication)) } }
            results += try Experiment.run(arms: arms, units: units, options: options)
            done = target
            var widest = 0.0
            for arm in arms.indices {
                let ordered = results.filter { $0.arm == arm }.sorted { $0.replication < $1.replication }
                for g in arms[arm].spec.groups.indices where arm > 0 && g < arms[0].spec.groups.count {
                    let base = results.filter { $0.arm == 0 }.sorted { $0.replication < $1.replication }
                    let differences = zip(ordered, base).map { $0.groups[g].after.overall - $1.groups[g].after.overall }
                    widest = max(widest, AutomaticReplications.halfWidth(differences))
                }
            }
            guard let next = rule.next(current: done, widest: widest) else { break }
            target = next
        }
        return (done, results.sorted { ($0.arm, $0.replication) < ($1.arm, $1.replication) })
    }

    static func report(arms: [(String, Scenario)], replications: Int, units: [UnitResult]) -> Report {
        var byArm = [[ReplicationOutcome?]](repeating: [ReplicationOutcome?](repeating: nil, count: replications), count: arms.count)
        for unit in units { byArm[unit.arm][unit.replication] = ReplicationOutcome(replication: unit.replication, groups: unit.groups) }
        return Report(arms: arms.indices.map { index in
            var scenario = arms[index].1
            scenario.replications = replications
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
        try ShardFile.check(units, arms: variants.map { ($0.1.groups.count, $0.1.weeks) }, replications: first.replications)
        return report(arms: variants, replications: first.replications, units: units)
    }
}
