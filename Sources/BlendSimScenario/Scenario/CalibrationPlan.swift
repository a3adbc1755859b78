public import BlendSimCore
public import BlendSimInference

/// A calibration: which parameters to fit, within which bounds, to which target statistics of
/// which scenario (docs/CALIBRATION.md).
public struct CalibrationPlan: Sendable {
    /// Where a fitted parameter lives in a scenario.
    public enum Setting: Sendable, Equatable {
        /// `kernel.<key>`
        case kernel(String)
        /// `model_defaults.<model>.<parameter>`
        case modelDefault(model: String, parameter: String)
        /// `policy_defaults.<policy>.<parameter>`
        case policyDefault(policy: String, parameter: String)
        /// `group.<scenario>.<group>.<model>.<parameter>`: one study's own value of a model
        /// parameter — the model's parameter in the group of that name, in the scenario of that
        /// `name`, and nowhere else (a study-level effect beside the model's default).
        case group(scenario: String, group: String, model: String, parameter: String)


        /// The setting a dotted name denotes (`kernel.<key>` with a known key,
        /// `model_defaults.<model>.<parameter>`, `policy_defaults.<policy>.<parameter>` or
        /// `group.<scenario>.<group>.<model>.<parameter>`), or nil.
        public init?(name: String) {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            switch parts.first {
            case "kernel" where parts.count == 2 && KernelParameters.catalog.contains(where: { $0.key == parts[1] }):
                self = .kernel(parts[1])
            case "model_defaults" where parts.count == 3 && !parts[1].isEmpty && !parts[2].isEmpty:
                self = .modelDefault(model: parts[1], parameter: parts[2])
            case "policy_defaults" where parts.count == 3 && !parts[1].isEmpty && !parts[2].isEmpty:
                self = .policyDefault(policy: parts[1], parameter: parts[2])
            case "group" where parts.count == 5 && !parts.dropFirst().contains(where: \.isEmpty):
                self = .group(scenario: parts[1], group: parts[2], model: parts[3], parameter: parts[4])
            default:
                return nil
            }
        }
    }

    public struct Parameter: Sendable {
        public var name: String
        public var setting: Setting
        public var lower: Double
        public var upper: Double
        public var start: Double
        public var location: SourceLocation
        /// The prior of `--method abc-smc` (uniform over [lower, upper] unless the plan says).
        public var prior: Prior
    }

    /// The settings of `--method abc-smc` and `--method smc` (the plan's `abc:`).
    public struct Posterior: Sendable {
        public var sampler: ABCSMC.Settings
        /// `--method smc`: Metropolis–Hastings sweeps per generation.
        public var moves: Int = 5
        /// `--method smc`: the share of the particles the effective sample size is kept at.
        public var essFraction: Double = 0.5
        /// Replications per scenario for each particle, instead of the plan's.
        public var replications: Int?
        public var seed: UInt64

        /// The settings of the tempered SMC sampler (`--method smc`): the population, generation
        /// limit and simulation budget are `sampler`'s.
        public var tempering: TemperedSMC.Settings {
            TemperedSMC.Settings(
                particles: sampler.particles, moves: moves, essFraction: essFraction, generations: sampler.generations,
                maximumSimulations: sampler.maximumSimulations)
        }
    }

    public struct Target: Sendable {
        /// A path into summary.json, e.g. `groups.control.paper_levels.after.pre_intermediate`.
        public var statistic: String
        public var value: Double
        /// The error that counts as one unit in the objective (and as "within tolerance"): for
        /// evidence, the standard error its reported interval implies.
        public var tolerance: Double
        public var location: SourceLocation
        /// The scenario that produces the statistic.
        public var scenarioPath: String
        /// The evidence finding the target comes from, if any.
        public var finding: String? = nil
        /// The finding's reported 95% interval, if any.
        public var interval: (lower: Double, upper: Double)? = nil
    }

    /// The plan's own scenario (for `targets:`); evidence targets carry their own.
    public var scenarioPath: String
    public var replications: Int?
    public var seed: UInt64?
    public var parameters: [Parameter]
    public var targets: [Target]
    public var maximumEvaluations: Int
    public var restarts: Int
    public var posterior: Posterior
    /// Where to write the fitted parameters as a scenario fragment, relative paths resolved
    /// against the plan's directory.
    public var output: String?
    public var source: ScenarioSource
}

/// Reads calibration plans with the same located diagnostics as scenarios.
public enum CalibrationPlanLoader {
    static let keys = ["scenario", "replications", "seed", "parameters", "targets", "evidence", "hold", "optimizer", "abc", "output"]
    static let holdKeys = ["findings", "within"]
    static let parameterKeys = ["name", "min", "max", "start", "prior"]
    static let abcKeys = ["particles", "generations", "quantile", "min_acceptance", "max_simulations", "replications", "seed", "moves", "ess"]
    static let targetKeys = ["statistic", "value", "tolerance"]
    static let optimizerKeys = ["max_evaluations", "restarts"]

    public static func load(path: String) throws(Diagnostic) -> CalibrationPlan {
        try ScenarioLoader.decodeDocument(path: path, what: "calibration plan") { decoder, root in decoder.calibrationPlan(root) }
    }

    /// Resolves a path relative to the directory of `base`.
    public static func resolve(_ path: String, relativeTo base: String) -> String {
        guard !path.hasPrefix("/"), let slash = base.lastIndex(of: "/") else { return path }
        return String(base[...slash]) + path
    }
}

extension ScenarioDecoder {
    mutating func calibrationPlan(_ root: YAMLNode) -> CalibrationPlan? {
        guard let top = mapping(root, "the calibration plan", allowed: CalibrationPlanLoader.keys) else { return nil }
        var scenarioPath = ""
        if let node = top["scenario"], let value = string(node, "scenario") {
            scenarioPath = CalibrationPlanLoader.resolve(value, relativeTo: source.path)
            scenarioReadable(scenarioPath, at: node)
        } else if top["scenario"] == nil && top["targets"] != nil {
            error("a calibration plan with 'targets' needs 'scenario' (the scenario file they come from)", at: root)
        }
        let replications = top["replications"].flatMap { integer($0, "replications", 1...100_000) }
        let seed = top["seed"].flatMap { integer($0, "seed", 0...Int.max) }.map { UInt64($0) }

        var parameters: [CalibrationPlan.Parameter] = []
        if let node = top["parameters"], let items = node.items, !items.isEmpty {
            for item in items {
                guard let entries = mapping(item, "a parameter", allowed: CalibrationPlanLoader.parameterKeys) else { continue }
                guard let nameNode = entries["name"], let name = self.name(nameNode, "name") else {
                    error("a parameter needs a 'name'", at: item)
                    continue
                }
                guard let setting = setting(name, at: nameNode) else { continue }
                guard let lowerNode = entries["min"], let upperNode = entries["max"] else {
                    error("parameter '\(name)' needs 'min' and 'max'", at: item)
                    continue
                }
                guard let lower = number(lowerNode, "min", -1e9...1e9), let upper = number(upperNode, "max", -1e9...1e9) else { continue }
                guard lower < upper else {
                    error("parameter '\(name)': 'min' must be below 'max'", at: upperNode)
                    continue
                }
                var start = (lower + upper) / 2
                if let node = entries["start"], let value = number(node, "start", lower...upper) { start = value }
                if parameters.contains(where: { $0.name == name }) {
                    error("parameter '\(name)' is listed twice", at: nameNode)
                }
                var prior = Prior.uniform(lower: lower, upper: upper)
                if let node = entries["prior"] { prior = self.prior(node, name: name, lower: lower, upper: upper) ?? prior }
                parameters.append(.init(
                    name: name, setting: setting, lower: lower, upper: upper, start: start, location: source.location(of: nameNode),
                    prior: prior))
            }
        } else {
            error("a calibration plan needs a non-empty 'parameters' list", at: top["parameters"] ?? root)
        }

        var targets: [CalibrationPlan.Target] = []
        var evidenceLoaded = false
        if let node = top["evidence"] {
            var paths: [String] = []
            if let items = node.items {
                paths = items.compactMap { string($0, "evidence") }
            } else if let path = string(node, "evidence") {
                paths = [path]
            }
            if paths.isEmpty { error("'evidence' must name evidence files or folders", at: node) }
            let expanded = EvidenceLoader.expand(paths.map { CalibrationPlanLoader.resolve($0, relativeTo: source.path) })
            switch expanded {
            case .failure(let problem): error(problem.message, at: node)
            case .success(let files) where files.isEmpty:
                error("'evidence' names no findings: no evidence files (*.yaml) in \(paths.joined(separator: ", "))", at: node)
            case .success(let files):
                let (findings, problems) = EvidenceLoader.loadAll(paths: files)
                diagnostics += problems
                evidenceLoaded = problems.isEmpty
                targets += findings.map { finding in
                    CalibrationPlan.Target(
                        statistic: finding.summaryPath, value: finding.value, tolerance: finding.standardError,
                        location: source.location(of: node), scenarioPath: finding.scenarioPath, finding: finding.id,
                        interval: finding.interval)
                }
            }
        }
        // `hold`: findings the fit must keep within ±within of their value (in the finding's
        // units) rather than within their reported interval: the target's error unit becomes
        // within/1.96 and its interval value ± within. A finding is named by its id, or by a
        // prefix ending in '*'.
        if let node = top["hold"] {
            if top["evidence"] == nil { error("'hold' applies to evidence findings; the plan names no 'evidence'", at: node) }
            if let items = node.items, !items.isEmpty {
                var held: Set<String> = []
                for item in items {
                    guard let entries = mapping(item, "a 'hold' entry", allowed: CalibrationPlanLoader.holdKeys) else { continue }
                    guard let patternNode = entries["findings"], let pattern = string(patternNode, "findings"),
                        let withinNode = entries["within"], let within = number(withinNode, "within", 1e-12...1e12)
                    else {
                        if entries["findings"] == nil || entries["within"] == nil { error("a 'hold' entry needs 'findings' and 'within'", at: item) }
                        continue
                    }
                    let prefix = pattern.hasSuffix("*") ? String(pattern.dropLast()) : nil
                    var matched = false
                    for index in targets.indices {
                        guard let id = targets[index].finding else { continue }
                        guard prefix.map({ id.hasPrefix($0) }) ?? (id == pattern) else { continue }
                        matched = true
                        if held.contains(id) {
                            error("finding '\(id)' is already held by an earlier 'hold' entry", at: patternNode)
                            continue
                        }
                        held.insert(id)
                        targets[index].tolerance = within / 1.96
                        targets[index].interval = (targets[index].value - within, targets[index].value + within)
                        targets[index].location = source.location(of: patternNode)
                    }
                    if !matched && evidenceLoaded {
                        error("no finding of the plan's evidence is '\(pattern)'", at: patternNode)
                    }
                }
            } else {
                error("'hold' must be a list of {findings, within}", at: node)
            }
        }
        if let node = top["targets"], let items = node.items, !items.isEmpty {
            for item in items {
                guard let entries = mapping(item, "a target", allowed: CalibrationPlanLoader.targetKeys) else { continue }
                guard let statisticNode = entries["statistic"], let statistic = string(statisticNode, "statistic"),
                    let valueNode = entries["value"], let value = number(valueNode, "value", -1e12...1e12)
                else {
                    if entries["statistic"] == nil || entries["value"] == nil { error("a target needs 'statistic' and 'value'", at: item) }
                    continue
                }
                var tolerance = max(abs(value) * 0.05, 1e-6)
                if let node = entries["tolerance"], let given = number(node, "tolerance", 1e-12...1e12) { tolerance = given }
                targets.append(.init(
                    statistic: statistic, value: value, tolerance: tolerance, location: source.location(of: statisticNode),
                    scenarioPath: scenarioPath))
            }
        } else if top["evidence"] == nil {
            error("a calibration plan needs a non-empty 'targets' list or 'evidence'", at: top["targets"] ?? root)
        }

        var maximumEvaluations = 300
        var restarts = 1
        if let node = top["optimizer"], let entries = mapping(node, "'optimizer'", allowed: CalibrationPlanLoader.optimizerKeys) {
            if let node = entries["max_evaluations"], let value = integer(node, "max_evaluations", 1...100_000) { maximumEvaluations = value }
            if let node = entries["restarts"], let value = integer(node, "restarts", 0...100) { restarts = value }
        }
        var posterior = CalibrationPlan.Posterior(
            sampler: ABCSMC.Settings(particles: 200, generations: 8, quantile: 0.5, minimumAcceptance: 0.03, maximumSimulations: 20_000),
            replications: nil, seed: seed ?? 1)
        if let node = top["abc"], let entries = mapping(node, "'abc'", allowed: CalibrationPlanLoader.abcKeys) {
            if let node = entries["particles"], let value = integer(node, "particles", 20...100_000) { posterior.sampler.particles = value }
            if let node = entries["generations"], let value = integer(node, "generations", 1...100) { posterior.sampler.generations = value }
            if let node = entries["quantile"], let value = number(node, "quantile", 0.05...0.95) { posterior.sampler.quantile = value }
            if let node = entries["min_acceptance"], let value = number(node, "min_acceptance", 0.0001...1) {
                posterior.sampler.minimumAcceptance = value
            }
            if let node = entries["max_simulations"], let value = integer(node, "max_simulations", 20...10_000_000) {
                posterior.sampler.maximumSimulations = value
            }
            if let node = entries["replications"], let value = integer(node, "replications", 1...100_000) { posterior.replications = value }
            if let node = entries["seed"], let value = integer(node, "seed", 0...Int.max) { posterior.seed = UInt64(value) }
            if let node = entries["moves"], let value = integer(node, "moves", 1...100) { posterior.moves = value }
            if let node = entries["ess"], let value = number(node, "ess", 0.1...0.95) { posterior.essFraction = value }
            // The budget must cover at least the prior's round, or no sampler can begin.
            if let node = entries["max_simulations"], posterior.sampler.maximumSimulations < posterior.sampler.particles {
                error("'max_simulations' (\(posterior.sampler.maximumSimulations)) is below one round of \(posterior.sampler.particles) particles: the sampler could not simulate even the prior's", at: node)
            }
        }
        let output = top["output"].flatMap { string($0, "output") }.map { CalibrationPlanLoader.resolve($0, relativeTo: source.path) }
        guard diagnostics.isEmpty else { return nil }
        return CalibrationPlan(
            scenarioPath: scenarioPath, replications: replications, seed: seed, parameters: parameters, targets: targets,
            maximumEvaluations: maximumEvaluations, restarts: restarts, posterior: posterior, output: output, source: source)
    }

    /// `prior: uniform | log_uniform | {beta: [α, β]} | {normal: [mean, sd]}`, within [lower, upper].
    mutating func prior(_ node: YAMLNode, name: String, lower: Double, upper: Double) -> Prior? {
        let kinds = "uniform, log_uniform, {beta: [alpha, beta]} or {normal: [mean, sd]}"
        if case .scalar(let text, _) = node.content {
            switch text {
            case "uniform": return .uniform(lower: lower, upper: upper)
            case "log_uniform":
                guard lower > 0 else {
                    error("parameter '\(name)': a log_uniform prior needs 'min' above 0, found \(lower)", at: node)
                    return nil
                }
                return .logUniform(lower: lower, upper: upper)
            default:
                error("parameter '\(name)': unknown prior '\(text)'; use \(kinds)", at: node)
                return nil
            }
        }
        guard let entries = mapping(node, "a prior", allowed: ["beta", "normal"]), entries.count == 1,
            let (kind, valuesNode) = entries.first, let items = valuesNode.items, items.count == 2
        else {
            error("parameter '\(name)': a prior is \(kinds)", at: node)
            return nil
        }
        guard let a = number(items[0], kind, -1e9...1e9), let b = number(items[1], kind, -1e9...1e9) else { return nil }
        switch kind {
        case "beta":
            // Shapes far outside this range put the prior's mass on a bound, where no particle
            // can be drawn or moved.
            guard a >= 0.01, b >= 0.01, a <= 1000, b <= 1000 else {
                error("parameter '\(name)': a beta prior needs both shapes between 0.01 and 1000", at: valuesNode)
                return nil
            }
            return .beta(alpha: a, beta: b, lower: lower, upper: upper)
        default:
            guard b >= (upper - lower) * 1e-6, b > 0 else {
                error("parameter '\(name)': a normal prior needs an sd of at least a millionth of the parameter's range (\(Self.format((upper - lower) * 1e-6)))", at: items[1])
                return nil
            }
            guard (lower...upper).contains(a) else {
                error("parameter '\(name)': the normal prior's mean \(a) lies outside the parameter's range [\(lower), \(upper)]", at: items[0])
                return nil
            }
            return .normal(mean: a, sd: b, lower: lower, upper: upper)
        }
    }

    /// `kernel.<key>`, `model_defaults.<model>.<parameter>`, `policy_defaults.<policy>.<parameter>`
    /// or `group.<scenario>.<group>.<model>.<parameter>` (names without dots).
    mutating func setting(_ name: String, at node: YAMLNode) -> CalibrationPlan.Setting? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "kernel" where parts.count == 2:
            let keys = KernelParameters.catalog.map(\.key)
            guard keys.contains(parts[1]) else {
                error("unknown kernel parameter '\(parts[1])'\(Suggestion.phrase(for: parts[1], in: keys))", at: node)
                return nil
            }
            return .kernel(parts[1])
        case "model_defaults" where parts.count == 3:
            return .modelDefault(model: parts[1], parameter: parts[2])
        case "policy_defaults" where parts.count == 3:
            return .policyDefault(policy: parts[1], parameter: parts[2])
        case "group" where parts.count == 5 && !parts.dropFirst().contains(where: \.isEmpty):
            return .group(scenario: parts[1], group: parts[2], model: parts[3], parameter: parts[4])
        default:
            error("parameter '\(name)' must be kernel.<key>, model_defaults.<model>.<parameter>, policy_defaults.<policy>.<parameter> or group.<scenario>.<group>.<model>.<parameter>", at: node)
            return nil
        }
    }
}
