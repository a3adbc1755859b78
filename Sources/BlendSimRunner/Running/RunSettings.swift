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

    public init(
        pluginDirectories: [String] = [], seed: UInt64? = nil, replications: Int? = nil,
        engine: EngineOptions = EngineOptions(), automaticReplications: AutomaticReplications? = nil,
        posterior: PosteriorSample? = nil
    ) {
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

/// The stopping rule of `--replications auto`: replications are added (10, then as many as the
/// current spread says are needed) until the 95% CI half-width of every group's final overall
/// score — in a comparison, of every paired difference in it — is at most `halfWidth`, or
/// `maximum` is reached. Replication k is the same whenever it runs, so the result is the run with
/// the final count.
public struct AutomaticReplications: Sendable {
    public var halfWidth: Double
    public var maximum: Int

    public init(halfWidth: Double, maximum: Int) {
        self.halfWidth = halfWidth
        self.maximum = maximum
    }

    /// The first count tried.
    var first: Int { min(10, maximum) }

    /// The next count: enough for the widest interval to shrink to the target if the spread holds.
    func next(current: Int, widest: Double) -> Int? {
        guard widest > halfWidth, current < maximum else { return nil }
        let ratio = widest / halfWidth
        let needed = Int((Double(current) * ratio * ratio).rounded(.up)) + 1
        return min(maximum, max(current + 10, needed))
    }

    static func halfWidth(_ values: [Double]) -> Double {
        guard let ci = Statistic(values).ci95 else { return .infinity }
        return (ci.upper - ci.lower) / 2
    }
}
