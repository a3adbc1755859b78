public import BlendSimCore
public import BlendSimScenario

/// What the command line may change about a run without editing the scenario, for every command
/// that simulates. `apply(to:)` is the one place the overrides reach a scenario.
public struct RunSettings: Sendable {
    public var pluginDirectories: [String]
    /// `--seed`: instead of the scenario's.
    public var seed: UInt64?
    /// `--replications N`: instead of the scenario's (or plan's).
    public var replications: Int?
    public var engine: EngineOptions
    /// `--replications auto`: add replications until the key outcomes' 95% CIs are narrow enough.
    public var automaticReplications: AutomaticReplications?
    /// `--uncertainty model`: each replication draws its parameters from this posterior sample.
    public var posterior: PosteriorSample?
    /// `--max-memory`, in bytes: the budget a run's memory estimate must pass (`ResourceCheck`);
    /// nil for 80% of the memory available.
    public var memoryBudget: Double?

    public init(
        pluginDirectories: [String] = [], seed: UInt64? = nil, replications: Int? = nil,
        engine: EngineOptions = EngineOptions(), automaticReplications: AutomaticReplications? = nil,
        posterior: PosteriorSample? = nil, memoryBudget: Double? = nil
    ) {
        self.memoryBudget = memoryBudget
        self.pluginDirectories = pluginDirectories
        self.seed = seed
        self.replications = replications
        self.engine = engine
        self.automaticReplications = automaticReplications
        self.posterior = posterior
    }

    /// The scenario with the command line's seed and replications.
    public func apply(to scenario: Scenario) -> Scenario {
        var scenario = scenario
        if let seed { scenario.seed = seed }
        if let replications { scenario.replications = replications }
        return scenario
    }
}

/// The stopping rule of `--replications auto`: replications are added until the 95% CI
/// half-width of every group's final overall score — in a comparison, of every paired difference
/// in it — is at most `halfWidth`, or `maximum` is reached. It starts with a pilot (10
/// replications; 30 for paired differences, whose spread often comes from rare events a small
/// pilot does not see), then adds as many as the current spread says are needed (at least 10
/// more). A count that meets the target is confirmed at twice that count (at the maximum if that
/// comes first; a target first met at the maximum is not confirmed) before the rule stops:
/// a spread underestimated from too few replications is found out there. Replication k is the
/// same whenever it runs, so the result is the run with the final count.
public struct AutomaticReplications: Sendable {
    public var halfWidth: Double
    public var maximum: Int

    public init(halfWidth: Double, maximum: Int) {
        self.halfWidth = halfWidth
        self.maximum = maximum
    }

    /// Where the rule ended.
    public struct Outcome: Sendable, Equatable {
        public var replications: Int
        /// The widest half-width at that count.
        public var achieved: Double
        public var targetMet: Bool
    }

    /// Runs the rule: `widest(n)` makes sure replications 0..<n are done and returns the widest
    /// 95% CI half-width there; `pilot` is the first count.
    public func run<E: Error>(pilot: Int, widest: (Int) throws(E) -> Double) throws(E) -> Outcome {
        var count = min(pilot, maximum)
        var metAt: Int?
        while true {
            let achieved = try widest(count)
            if achieved <= halfWidth {
                if let first = metAt, count >= 2 * first || count >= maximum {
                    return Outcome(replications: count, achieved: achieved, targetMet: true)
                }
                let first = metAt ?? count
                metAt = first
                if count >= maximum { return Outcome(replications: count, achieved: achieved, targetMet: true) }
                count = min(maximum, max(2 * first, count + 1))
            } else {
                metAt = nil
                if count >= maximum { return Outcome(replications: count, achieved: achieved, targetMet: false) }
                let ratio = achieved.isFinite ? achieved / halfWidth : 2
                let needed = Int(min(Double(maximum), (Double(count) * ratio * ratio).rounded(.up))) + 1
                count = min(maximum, max(count + 10, needed))
            }
        }
    }

    static func halfWidth(_ values: [Double]) -> Double {
        guard let ci = Statistic(values).ci95 else { return .infinity }
        return (ci.upper - ci.lower) / 2
    }
}
