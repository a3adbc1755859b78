public import BlendSimCore
public import BlendSimPluginHost
public import BlendSimScenario

/// One arm of an experiment: the scenario of a plain run, a variant of a comparison or a point of
/// a sweep, resolved and ready to run.
public struct Arm: Sendable {
    /// The variant's or point's name; nil for a plain run (whose errors need no prefix).
    public var name: String?
    public var scenario: Scenario
    public var spec: SimulationSpec
    /// With `--uncertainty model`: one spec per replication, each with its posterior draw;
    /// empty when every replication runs `spec`.
    public var drawn: [SimulationSpec] = []
}

/// One replication of one arm.
public struct UnitResult: Sendable {
    public var arm: Int
    public var replication: Int
    public var groups: [GroupOutcome]
}

/// A slice of an experiment's runs: shard `index` (1-based) of `count`.
public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else { return nil }
        self.init(index: k, count: n)
    }
}

/// Every simulation a command runs goes through here: a run is one arm, a comparison one arm per
/// variant, a sweep one per point, a calibration or evidence check one per scenario and
/// evaluation. Every replication of every arm uses the scenario's seed, so arms share their random
/// numbers and differences are paired.
public enum Experiment {
    /// Units in their fixed order, arm-major: unit u is arm u / replications, replication
    /// u % replications. A shard takes every unit with u % count == index − 1.
    public static func units(arms: Int, replications: Int, shard: Shard? = nil) -> [(arm: Int, replication: Int)] {
        var units: [(Int, Int)] = []
        for unit in 0..<(arms * replications) where shard.map({ unit % $0.count == $0.index - 1 }) ?? true {
            units.append((unit / replications, unit % replications))
        }
        return units
    }

    /// Resolves each named scenario against the loaded plugins; with a posterior, also each
    /// replication's scenario with its parameter draw (`PosteriorSample.draw`).
    public static func arms(
        _ named: [(name: String?, scenario: Scenario)], host: PluginHost, posterior: PosteriorSample? = nil
    ) throws(Diagnostic) -> [Arm] {
        if let posterior {
            try posterior.check(host: host)
            try checkDrawnParametersAgree(named.map(\.scenario), posterior: posterior)
        }
        // Every variant is resolved before any error is thrown, so each variant's misspelt model
        // or refused parameter is reported (once, where several variants share it).
        let (specs, problems) = PluginResolution.resolve(named, host: host)
        if let error = Diagnostic.collected(problems) { throw error }
        var arms: [Arm] = []
        for (item, spec) in zip(named, specs) {
            var arm = Arm(name: item.name, scenario: item.scenario, spec: spec)
            if let posterior {
                for replication in 0..<item.scenario.replications {
                    let values = posterior.draw(seed: item.scenario.seed, replication: replication)
                    let drawn = ParameterSettings.applied(posterior.settings, values, to: item.scenario, host: host)
                    let resolved = PluginResolution.resolve(drawn, host: host)
                    guard let spec = resolved.spec else {
                        throw Diagnostic("\(posterior.path): the parameters of replication \(replication + 1)'s draw are refused: \(resolved.diagnostics[0].message)")
                    }
                    arm.drawn.append(spec)
                }
            }
            arms.append(arm)
        }
        return arms
    }

    /// Runs `units` (`Replications.run`): concurrently over units when cohorts are small and over
    /// chunks otherwise. `progress` gets (done, total); `finished` each unit as it completes.
    public static func run(
        arms: [Arm], units: [(arm: Int, replication: Int)], options: EngineOptions,
        progress: (@Sendable (Int, Int) -> Void)? = nil, finished: (@Sendable (UnitResult) -> Void)? = nil
    ) throws(Diagnostic) -> [UnitResult] {
        // One engine per arm, or per arm and replication where the parameters are drawn.
        var engines: [Engine] = []
        var engineArm: [Int] = []
        var first: [Int] = []
        for (index, arm) in arms.enumerated() {
            first.append(engines.count)
            for spec in arm.drawn.isEmpty ? [arm.spec] : arm.drawn {
                engines.append(Engine(spec: spec, options: options))
                engineArm.append(index)
            }
        }
        let total = units.count
        let armOfEngine = engineArm
        let outcomes: [ReplicationOutcome]
        do {
            outcomes = try Replications.run(
                engines: engines,
                units: units.map {
                    Replications.Unit(arm: first[$0.arm] + (arms[$0.arm].drawn.isEmpty ? 0 : $0.replication), replication: $0.replication)
                }
            ) { unit, outcome, done in
                finished?(UnitResult(arm: armOfEngine[unit.arm], replication: unit.replication, groups: outcome.groups))
                progress?(done, total)
            }
        } catch {
            let message = error.error.message
            throw Diagnostic(arms[engineArm[error.unit.arm]].name.map { "\($0): \(message)" } ?? message)
        }
        return zip(units, outcomes).map { UnitResult(arm: $0.arm, replication: $0.replication, groups: $1.groups) }
    }

    /// Each arm's result in replication order, from a complete set of units.
    public static func results(arms: [Scenario], replications: Int, units: [UnitResult]) -> [SimulationResult] {
        var byArm = [[ReplicationOutcome?]](repeating: [ReplicationOutcome?](repeating: nil, count: replications), count: arms.count)
        for unit in units {
            byArm[unit.arm][unit.replication] = ReplicationOutcome(replication: unit.replication, groups: unit.groups)
        }
        return arms.indices.map { index in
            let students = arms[index].groups.reduce(0) { $0 + $1.students }
            return SimulationResult(
                replications: byArm[index].map { $0! }, studentWeeks: students * arms[index].teachingWeeks * replications)
        }
    }

    /// Every replication of one arm.
    public static func simulate(_ arm: Arm, options: EngineOptions, progress: (@Sendable (Int, Int) -> Void)? = nil) throws(Diagnostic) -> SimulationResult {
        let units = units(arms: 1, replications: arm.scenario.replications)
        let done = try run(arms: [arm], units: units, options: options, progress: progress)
        return results(arms: [arm.scenario], replications: arm.scenario.replications, units: done)[0]
    }

    /// What `--replications auto` measures.
    public enum Precision: Sendable {
        /// Every group's final overall score in every arm (a plain run).
        case levels
        /// Every paired difference of a group's final overall score from the first arm (a
        /// comparison).
        case differences
    }

    /// The one loop of `--replications auto` (`AutomaticReplications.run`): runs replications as
    /// `rule` asks, measuring the widest 95% CI half-width of `precision` at each count. Returns
    /// where the rule ended and the units in (arm, replication) order.
    public static func automatically(
        arms: [Arm], rule: AutomaticReplications, precision: Precision, options: EngineOptions
    ) throws(Diagnostic) -> (outcome: AutomaticReplications.Outcome, units: [UnitResult]) {
        var results: [UnitResult] = []
        var done = 0
        let pilot = precision == .differences ? 30 : 10
        let outcome = try rule.run(pilot: pilot) { (target: Int) throws(Diagnostic) -> Double in
            var units: [(arm: Int, replication: Int)] = []
            for arm in arms.indices { for replication in done..<target { units.append((arm, replication)) } }
            results += try run(arms: arms, units: units, options: options)
            done = max(done, target)
            results.sort { ($0.arm, $0.replication) < ($1.arm, $1.replication) }
            func finals(_ arm: Int, _ group: Int) -> [Double] {
                results.filter { $0.arm == arm && $0.replication < target }.map { $0.groups[group].after.overall }
            }
            var widest = 0.0
            for arm in arms.indices {
                for g in arms[arm].spec.groups.indices {
                    switch precision {
                    case .levels:
                        widest = max(widest, AutomaticReplications.halfWidth(finals(arm, g)))
                    case .differences where arm > 0 && g < arms[0].spec.groups.count:
                        let differences = zip(finals(arm, g), finals(0, g)).map { $0 - $1 }
                        widest = max(widest, AutomaticReplications.halfWidth(differences))
                    case .differences:
                        break
                    }
                }
            }
            return widest
        }
        return (outcome, results.filter { $0.replication < outcome.replications })
    }

    /// A drawn parameter replaces every value it reaches (every value but those a group sets
    /// itself), so arms (or groups) whose reached values differ would lose the very difference
    /// they study: refused.
    static func checkDrawnParametersAgree(_ scenarios: [Scenario], posterior: PosteriorSample) throws(Diagnostic) {
        for (name, setting) in zip(posterior.names, posterior.settings) {
            var values: Set<String> = []
            for scenario in scenarios {
                switch setting {
                case .kernel(let key):
                    if let info = KernelParameters.catalog.first(where: { $0.key == key }) {
                        values.insert(JSONValue.number(scenario.kernel[keyPath: info.keyPath]).serialized())
                    }
                case .modelDefault(_, let parameter), .group(_, _, _, let parameter):
                    for index in ParameterSettings.groups(reachedBy: setting, in: scenario) {
                        values.insert(scenario.groups[index].model.parameters.first { $0.0 == parameter }?.1.serialized() ?? "default")
                    }
                case .policyDefault(let policy, let parameter):
                    for group in scenario.groups {
                        for reference in group.policies where reference.name == policy && !reference.setsOwn(parameter) {
                            values.insert(reference.parameters.first { $0.0 == parameter }?.1.serialized() ?? "default")
                        }
                    }
                }
            }
            if values.count > 1 {
                throw Diagnostic(
                    "the variants, points or groups set \(name) to different values, but --uncertainty model draws it from \(posterior.path) for every one of them; run without --uncertainty, or with a posterior that does not include \(name)")
            }
        }
    }
}
