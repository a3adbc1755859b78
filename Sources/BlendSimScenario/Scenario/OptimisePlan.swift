public import BlendSimCore

/// `blendsim optimise`: a base scenario, one of its groups, a space of designs for that group
/// (models × online shares × subsets of policies), a budget and what to maximise
/// (docs/EXPERIMENTS.md, docs/COSTS.md).
public struct OptimisePlan: Sendable {
    public enum Search: String, Sendable, CaseIterable {
        /// Every design, every replication.
        case exhaustive
        /// Successive halving with paired statistics: every design with a few replications, then
        /// twice as many for those not clearly worse than the best, until the full count.
        case racing
        /// Exhaustive when designs × replications × students × weeks is within a minute's work
        /// at the kernel's rate (6·10⁸ student-weeks), else racing.
        case auto
    }

    public var scenarioPath: String
    public var scenarioLocation: SourceLocation
    /// The group whose design is searched; the scenario's other groups are left out of the runs.
    public var group: String
    public var groupLocation: SourceLocation
    public var replications: Int?
    /// The most the group's semester may cost, in the scenario's currency; nil for no limit.
    public var budget: Double?
    public var budgetLocation: SourceLocation?
    /// The outcome to maximise (a name of `Outcomes.catalog`; dropouts, cheating, late
    /// submissions and cheater share are minimised), or nil with `target` to minimise cost.
    public var objective: String
    public var objectiveLocation: SourceLocation
    /// Minimise cost among designs whose mean `objective` reaches `target` (at least, or at most
    /// for the outcomes that are minimised).
    public var target: Double?
    public var targetLocation: SourceLocation?
    public var search: Search
    public var searchLocation: SourceLocation?
    public var models: [(name: String, location: SourceLocation)]
    public var onlineShares: [(value: Double, location: SourceLocation)]
    /// Policies any subset of which a design may add.
    public var policies: [(name: String, location: SourceLocation)]
    /// Policies every design has.
    public var fixedPolicies: [(name: String, location: SourceLocation)]
    public var spaceLocation: SourceLocation
    public var source: ScenarioSource

    /// The number of designs in the space.
    public var designCount: Int { max(models.count, 1) * max(onlineShares.count, 1) * (1 << policies.count) }

    /// The most designs a plan may name: each is a scenario decoded and resolved before the runs.
    public static let maximumDesigns = 65_536
    /// The most models and online shares a space may list.
    public static let maximumChoices = 64
    /// The most optional policies (2¹⁶ subsets).
    public static let maximumPolicies = 16
}

public enum OptimisePlanLoader {
    static let keys = ["scenario", "group", "replications", "budget", "objective", "target", "search", "space"]
    static let spaceKeys = ["models", "online_share", "policies", "fixed_policies"]

    public static func load(path: String) throws(Diagnostic) -> OptimisePlan {
        try ScenarioLoader.decodeDocument(path: path, what: "optimise plan") { decoder, root in decoder.optimisePlan(root) }
    }

    public static func decode(_ source: ScenarioSource) -> (plan: OptimisePlan?, diagnostics: [Diagnostic]) {
        ScenarioLoader.decodeSource(source, what: "optimise plan") { decoder, root in decoder.optimisePlan(root) }
    }
}

extension ScenarioDecoder {
    mutating func optimisePlan(_ root: YAMLNode) -> OptimisePlan? {
        guard let top = mapping(root, "the optimise plan", allowed: OptimisePlanLoader.keys) else { return nil }
        var scenarioPath = ""
        var scenarioLocation = source.location(of: root)
        if let node = top["scenario"], let value = string(node, "scenario") {
            scenarioPath = CalibrationPlanLoader.resolve(value, relativeTo: source.path)
            scenarioReadable(scenarioPath, at: node)
            scenarioLocation = source.location(of: node)
        } else if top["scenario"] == nil {
            error("an optimise plan needs 'scenario' (the base scenario, with costs:)", at: root)
        }
        var group = ""
        var groupLocation = source.location(of: root)
        if let node = top["group"], let value = string(node, "group") {
            group = value
            groupLocation = source.location(of: node)
        } else if top["group"] == nil {
            error("an optimise plan needs 'group' (the group whose design is searched)", at: root)
        }
        let replications = top["replications"].flatMap { integer($0, "replications", 2...100_000) }
        var budget: Double?
        var budgetLocation: SourceLocation?
        if let node = top["budget"] {
            budget = number(node, "budget", 0...Self.maximumPrice)
            budgetLocation = source.location(of: node)
        }
        var objective = "level_up_share"
        var objectiveLocation = source.location(of: root)
        if let node = top["objective"], let value = string(node, "objective") {
            objectiveLocation = source.location(of: node)
            if OptimisePlan.objectives.contains(value) {
                objective = value
            } else {
                error(
                    "unknown objective '\(value)'\(Suggestion.phrase(for: value, in: OptimisePlan.objectives)) "
                        + "(one of \(OptimisePlan.objectives.joined(separator: ", ")))", at: node)
            }
        }
        let target = top["target"].flatMap { number($0, "target", 0...1e6) }
        let targetLocation = top["target"].map { source.location(of: $0) }
        var search = OptimisePlan.Search.auto
        let searchLocation = top["search"].map { source.location(of: $0) }
        if let node = top["search"], let text = string(node, "search") {
            if let value = OptimisePlan.Search(rawValue: text) {
                search = value
            } else {
                let names = OptimisePlan.Search.allCases.map(\.rawValue)
                error("unknown search '\(text)'\(Suggestion.phrase(for: text, in: names)) (one of \(names.joined(separator: ", ")))", at: node)
            }
        }
        var models: [(String, SourceLocation)] = []
        var shares: [(Double, SourceLocation)] = []
        var policies: [(String, SourceLocation)] = []
        var fixed: [(String, SourceLocation)] = []
        var spaceLocation = source.location(of: root)
        if let node = top["space"], let space = mapping(node, "space", allowed: OptimisePlanLoader.spaceKeys) {
            func names(_ key: String) -> [(String, SourceLocation)] {
                guard let node = space[key] else { return [] }
                guard let items = node.items else {
                    error("'\(key)' must be a list of names, found \(node.kindName)", at: node)
                    return []
                }
                var list: [(String, SourceLocation)] = []
                guard items.count <= OptimisePlan.maximumChoices else {
                    error("'\(key)' lists \(items.count) names; at most \(OptimisePlan.maximumChoices)", at: node)
                    return []
                }
                for item in items {
                    guard let name = string(item, key) else { continue }
                    if list.contains(where: { $0.0 == name }) {
                        error("'\(name)' is listed twice in '\(key)'", at: item)
                        continue
                    }
                    list.append((name, source.location(of: item)))
                }
                return list
            }
            spaceLocation = source.location(of: node)
            models = names("models")
            policies = names("policies")
            fixed = names("fixed_policies")
            for (name, location) in fixed where policies.contains(where: { $0.0 == name }) {
                diagnostics.append(source.diagnostic(
                    "'\(name)' is both a fixed policy and an optional one; list it in one of them", line: location.line, column: location.column))
            }
            if let node = space["online_share"] {
                if let items = node.items, items.count > OptimisePlan.maximumChoices {
                    error("'online_share' lists \(items.count) shares; at most \(OptimisePlan.maximumChoices)", at: node)
                } else if let items = node.items {
                    for item in items {
                        guard let value = number(item, "online_share", 0...1) else { continue }
                        if shares.contains(where: { $0.0 == value }) {
                            error("online share \(Self.format(value)) is listed twice", at: item)
                            continue
                        }
                        shares.append((value, source.location(of: item)))
                    }
                } else {
                    error("'online_share' must be a list of shares, found \(node.kindName)", at: node)
                }
            }
            if policies.count > OptimisePlan.maximumPolicies {
                error(
                    "\(policies.count) optional policies make \(1 << min(policies.count, 62)) bundles; at most "
                        + "\(OptimisePlan.maximumPolicies) can be searched (fix some with 'fixed_policies')", at: space["policies"]!)
            }
            if models.isEmpty && shares.isEmpty && policies.isEmpty && space["models"] == nil && space["online_share"] == nil && space["policies"] == nil {
                error("the space is empty: give 'models', 'online_share' or 'policies' to choose among", at: node)
            }
        } else if top["space"] == nil {
            error("an optimise plan needs 'space' (models, online_share and policies to choose among)", at: root)
        }
        guard diagnostics.isEmpty else { return nil }
        return OptimisePlan(
            scenarioPath: scenarioPath, scenarioLocation: scenarioLocation, group: group, groupLocation: groupLocation,
            replications: replications, budget: budget, budgetLocation: budgetLocation, objective: objective,
            objectiveLocation: objectiveLocation, target: target, targetLocation: targetLocation, search: search, searchLocation: searchLocation, models: models,
            onlineShares: shares, policies: policies, fixedPolicies: fixed, spaceLocation: spaceLocation, source: source)
    }
}

extension OptimisePlan {
    /// The outcomes a plan can maximise (or, for the ones that are harms, minimise).
    public static let objectives = [
        "level_up_share", "overall", "course_achievement", "motivation", "upper_intermediate_share", "dropouts", "cheater_share",
    ]
    /// Outcomes where less is better.
    public static let minimised: Set<String> = ["dropouts", "cheater_share"]
}
