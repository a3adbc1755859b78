public import BlendSimCore
import BlendSimPluginHost
import BlendSimReport
import BlendSimScenario

/// `blendsim optimise`: the designs of one group (model × online share × a bundle of policies)
/// that give the most of an outcome within a budget — or cost least for a target — with common
/// random numbers across designs, the chance each is best, and the cost–outcome frontier
/// (docs/EXPERIMENTS.md, docs/COSTS.md).
public enum Optimisation {
    /// One design of the group.
    public struct Design: Sendable {
        public var model: String
        public var onlineShare: Double
        /// Fixed policies, then the chosen ones in the plan's order.
        public var policies: [String]
        /// The bundle as a bit mask over the plan's optional policies.
        public var bundle: Int

        public var label: String {
            let percent = onlineShare * 100
            let share = percent == percent.rounded() ? String(Int(percent)) : TerminalSummary.fixed(percent, digits: percent * 10 == (percent * 10).rounded() ? 1 : 2)
            return "\(model) at \(share)% online" + (policies.isEmpty ? ", no policies" : " with " + policies.joined(separator: ", "))
        }
    }

    /// What one design gave, replication by replication (the first `objective.count`).
    public struct Evaluation: Sendable {
        public var design: Design
        /// The objective per replication (higher is better: minimised outcomes are negated).
        public var objective: [Double]
        /// The semester's cost of the group per replication, and per student.
        public var cost: [Double]
        public var costPerStudent: [Double]
        /// Why the design could not run (a model's refusal of its settings), if so.
        public var refused: String?

        var meanObjective: Double { objective.isEmpty ? -.infinity : objective.reduce(0, +) / Double(objective.count) }
        var meanCost: Double { cost.isEmpty ? .infinity : cost.reduce(0, +) / Double(cost.count) }
        var meanCostPerStudent: Double { costPerStudent.isEmpty ? .infinity : costPerStudent.reduce(0, +) / Double(costPerStudent.count) }
    }

    public struct Report: Sendable, CommandResults {
        public var files: [(name: String, contents: String)]
        public var table: String
        public var provenance: ResultProvenance
        public var tableText: String { table }
    }

    /// The most student-weeks a plan may ask for (about 15 minutes at the kernel's rate on two
    /// cores): a bigger space is refused before anything runs, with its size.
    public static let maximumStudentWeeks = 2e10
    /// Exhaustive search for `auto` up to this many student-weeks.
    public static let exhaustiveStudentWeeks = 6e8
    /// Designs run together in one batch: their outcomes are reduced to the objective and the cost
    /// before the next batch runs, so memory does not grow with the space.
    static let batch = 64

    /// What a whole search gives, or one shard of an exhaustive one.
    public enum Outcome: Sendable {
        case complete(Report)
        case shard(ShardFile)
    }

    /// Searches the plan's space.
    public static func run(
        planPath: String, settings: RunSettings, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(Diagnostic) -> Report {
        guard case .complete(let report) = try run(planPath: planPath, settings: settings, shard: nil, progress: progress) else {
            fatalError("a whole search gives a report")
        }
        return report
    }

    /// The plan with its base scenario and what every design shares: the searched group, the
    /// target in the units the runs give, and the sign that makes higher better.
    struct Setup {
        var plan: OptimisePlan
        var base: Scenario
        var groupIndex: Int
        var group: GroupScenario { base.groups[groupIndex] }
        var target: Double?
        var sign: Double
        var designs: [Design]

        func refuse(_ message: String, at location: SourceLocation?) -> Diagnostic {
            let location = location ?? SourceLocation(file: plan.source.path, line: 1, column: 1)
            return plan.source.diagnostic(message, line: location.line, column: location.column)
        }

        /// What ties the shards of a search to one plan, scenario and settings.
        var hash: String {
            ShardFile.planHash(
                fileBytes: plan.source.bytes + base.source.bytes, replications: base.replications, seed: base.seed, extra: "optimise")
        }
    }

    /// Loads the plan and its scenario, and checks what needs no plugin: prices, the group, the
    /// replications, the size of the space and the target. `host` is asked for only to report a
    /// scenario's mistakes about plugins.
    static func setup(planPath: String, settings: RunSettings, host: () throws(Diagnostic) -> PluginHost) throws(Diagnostic) -> Setup {
        let plan = try OptimisePlanLoader.load(path: planPath)
        var base = settings.apply(to: try PluginResolution.scenario(at: plan.scenarioPath, host: host))
        if let replications = plan.replications, settings.replications == nil { base.replications = replications }
        func refuse(_ message: String, at location: SourceLocation?) -> Diagnostic {
            let location = location ?? SourceLocation(file: plan.source.path, line: 1, column: 1)
            return plan.source.diagnostic(message, line: location.line, column: location.column)
        }
        guard base.costs != nil else {
            throw refuse("\(plan.scenarioPath) has no 'costs:'; optimising needs prices (docs/COSTS.md)", at: plan.scenarioLocation)
        }
        guard let groupIndex = base.groups.firstIndex(where: { $0.name == plan.group }) else {
            throw refuse(
                "group '\(plan.group)' is not in \(plan.scenarioPath)\(Suggestion.phrase(for: plan.group, in: base.groups.map(\.name)))",
                at: plan.groupLocation)
        }
        guard base.replications >= 2 else {
            throw refuse("optimising needs at least 2 replications (give 'replications:' in the plan)", at: nil)
        }
        let group = base.groups[groupIndex]
        let count = plan.designCount
        guard count <= OptimisePlan.maximumDesigns else {
            throw refuse(
                "the space has \(count) designs; at most \(OptimisePlan.maximumDesigns) can be searched (fewer models, shares or policies, "
                    + "or fix some with 'fixed_policies')", at: plan.spaceLocation)
        }
        // A target is written in the units the results show: shares from 0 to 1, withdrawals per
        // 100 students, scores in points.
        var target = plan.target
        if let value = plan.target {
            let range: ClosedRange<Double> = switch plan.objective {
            case "level_up_share", "upper_intermediate_share", "cheater_share", "motivation": 0...1
            case "dropouts": 0...100
            default: 0...1_000
            }
            guard range.contains(value) else {
                throw refuse(
                    "a target for \(plan.objective) is between \(Int(range.lowerBound)) and \(Int(range.upperBound))"
                        + (plan.objective == "dropouts" ? " withdrawals per 100 students" : ""), at: plan.targetLocation)
            }
            if plan.objective == "dropouts" { target = value * Double(group.students) / 100 }
        }
        let sign: Double = OptimisePlan.minimised.contains(plan.objective) ? -1 : 1
        return Setup(plan: plan, base: base, groupIndex: groupIndex, target: target, sign: sign, designs: designs(plan, group: group))
    }

    /// Searches the plan's space, or (with `shard`) runs every replication of the designs of one
    /// slice of it, for `blendsim merge` to combine.
    public static func run(
        planPath: String, settings: RunSettings, shard: Shard?, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(Diagnostic) -> Outcome {
        let prepared = try prepare(planPath: planPath, settings: settings, sharded: shard != nil)
        let (setup, host, search) = (prepared.setup, prepared.host, prepared.search)
        let (plan, base, group, target) = (setup.plan, setup.base, setup.group, setup.target)
        var evaluations = prepared.evaluations
        let (scenarios, pricing) = (prepared.scenarios, prepared.pricing)
        // The designs this run evaluates: every one, or a shard's slice (design i in slice
        // i mod N + 1).
        let mine = evaluations.indices.filter { index in shard.map { index % $0.count == $0.index - 1 } ?? true }
        // The memory the largest batch of designs needs, checked before anything runs.
        try ResourceCheck.check(experiment: Array(mine.compactMap { scenarios[$0] }.prefix(batch)), settings: settings, source: plan.source)

        let objective = plan.objective
        let sign = setup.sign
        let reader = Outcomes.catalog.first { $0.name == objective }!.read
        let students = group.students
        // Runs replications `range` of `designs` (indices), in batches, and appends what each gave.
        func evaluate(_ indices: [Int], _ range: Range<Int>, done: inout Int, total: Int) throws(Diagnostic) {
            var start = 0
            while start < indices.count {
                let slice = Array(indices[start..<min(start + batch, indices.count)])
                start += slice.count
                let named = slice.map { (name: Optional("design-\($0 + 1)"), scenario: scenarios[$0]!) }
                let arms = try Experiment.arms(named, host: host, posterior: settings.posterior)
                var units: [(arm: Int, replication: Int)] = []
                for arm in arms.indices { for replication in range { units.append((arm, replication)) } }
                let finished = done
                let results = try Experiment.run(
                    arms: arms, units: units, options: settings.engine,
                    progress: { current, _ in progress?(finished + current, total) })
                done += units.count
                let ordered = results.sorted { ($0.arm, $0.replication) < ($1.arm, $1.replication) }
                for unit in ordered {
                    let index = slice[unit.arm]
                    let outcome = unit.groups[0]
                    record(&evaluations[index], outcome: reader(outcome, students), cost: pricing[index]!.cost(outcome).total, sign: sign, students: students)
                }
            }
        }

        let runnable = mine.filter { evaluations[$0].refused == nil }
        let replications = base.replications
        var rounds: [(replications: Int, designs: Int)] = []
        var done = 0
        switch search {
        case .racing:
            // Successive halving with paired statistics: all designs within the budget with a few
            // replications; each round keeps those whose paired difference from the best is not
            // clearly negative (95% one-sided) and at least the better half, and doubles the
            // replications, until the full count.
            var alive = runnable
            var have = 0
            var next = min(replications, max(4, replications / 8))
            let total = alive.count * replications
            while true {
                try evaluate(alive, have..<next, done: &done, total: total)
                have = next
                rounds.append((have, alive.count))
                if have >= replications { break }
                if let budget = plan.budget { alive = alive.filter { evaluations[$0].meanCost <= budget } }
                if alive.isEmpty { break }
                // The last design standing (or the only one) still runs every replication: its
                // figures are then exactly its exhaustive ones.
                if alive.count > 1 { alive = survivors(alive, evaluations, target: target.map { sign * $0 }) }
                next = alive.count == 1 ? replications : min(replications, have * 2)
            }
        case .exhaustive, .auto:
            try evaluate(runnable, 0..<replications, done: &done, total: runnable.count * replications)
            rounds.append((replications, runnable.count))
        }

        let provenance = ResultProvenance(seed: base.seed, replications: replications, scenarios: scenarios.compactMap { $0 }, host: host)
        if let shard {
            // Each design's raw outcome per replication (before the sign that makes higher
            // better) and its cost, exactly as the whole search would have recorded them.
            let records = mine.map { index in
                let evaluation = evaluations[index]
                return ShardFile.DesignRecord(
                    index: index, refused: evaluation.refused, outcome: evaluation.objective.map { sign * $0 }, cost: evaluation.cost)
            }
            return .shard(ShardFile(
                kind: "optimise", planPath: planPath, planHash: setup.hash, replications: replications, seed: base.seed, shard: shard,
                units: [], plugins: provenance.plugins, designs: records))
        }
        return .complete(report(
            plan, base: base, group: group, evaluations: evaluations, search: search, rounds: rounds, sign: sign, target: target,
            provenance: provenance, posterior: settings.posterior))
    }

    /// A search ready to run: the plan's setup, checked against the plugins, and every design
    /// decoded, resolved and priced (or with why it cannot run).
    struct Prepared {
        var setup: Setup
        var host: PluginHost
        var search: OptimisePlan.Search
        var evaluations: [Evaluation]
        var scenarios: [Scenario?]
        var pricing: [GroupPricing?]
    }

    /// Checks the plan as a run would, without running anything: what `--emit-slurm` does before
    /// it writes scripts.
    public static func check(planPath: String, settings: RunSettings, sharded: Bool) throws(Diagnostic) {
        _ = try prepare(planPath: planPath, settings: settings, sharded: sharded)
    }

    /// Everything before the runs; `sharded` refuses a search that cannot be split.
    static func prepare(planPath: String, settings: RunSettings, sharded: Bool) throws(Diagnostic) -> Prepared {
        let host = try PluginResolution.host(settings.pluginDirectories)
        let setup = try setup(planPath: planPath, settings: settings) { () throws(Diagnostic) in host }
        let (plan, base, groupIndex, group, designs) = (setup.plan, setup.base, setup.groupIndex, setup.group, setup.designs)
        func refuse(_ message: String, at location: SourceLocation?) -> Diagnostic { setup.refuse(message, at: location) }
        // Every name in the space must be a model or policy the plugins provide.
        var problems: [Diagnostic] = []
        for (name, location) in plan.models where host.model(named: name) == nil {
            problems.append(refuse("unknown model '\(name)'\(Suggestion.phrase(for: name, in: host.models.map(\.name)))", at: location))
        }
        for (name, location) in plan.policies + plan.fixedPolicies where host.policy(named: name) == nil {
            problems.append(refuse("unknown policy '\(name)'\(Suggestion.phrase(for: name, in: host.policies.map(\.name)))", at: location))
        }
        if let error = Diagnostic.collected(Diagnostic.report(problems)) { throw error }
        let studentWeeks = Double(designs.count) * Double(base.replications) * Double(group.students) * Double(base.teachingWeeks)
        guard studentWeeks <= maximumStudentWeeks else {
            throw refuse(
                "the space has \(designs.count) designs × \(base.replications) replications × \(group.students) students × "
                    + "\(base.weeks) weeks = \(scientific(studentWeeks)) student-weeks, more than the "
                    + "\(scientific(maximumStudentWeeks)) allowed; narrow the space, or use fewer replications or students",
                at: nil)
        }
        let search: OptimisePlan.Search = plan.search == .auto ? (studentWeeks <= exhaustiveStudentWeeks ? .exhaustive : .racing) : plan.search
        // Racing decides from round to round which designs go on, across the whole space: only an
        // exhaustive search can be split into slices that run apart.
        if sharded && search == .racing {
            throw refuse(
                plan.search == .racing
                    ? "a racing search cannot be sharded (its rounds choose across the whole space); run it whole, or shard 'search: exhaustive'"
                    : "this space (\(scientific(studentWeeks)) student-weeks) would be raced, which cannot be sharded; set 'search: exhaustive' to shard it",
                at: plan.searchLocation)
        }

        // Each design as a scenario of the group alone (the scenario's other groups would only add
        // work: designs share random numbers either way).
        let overrides = designs.enumerated().map { index, design in override(design, index: index, group: group) }
        let decoded = ScenarioLoader.points(scenarioPath: plan.scenarioPath, overrides: overrides)
        if let error = Diagnostic.collected(Diagnostic.report(decoded.diagnostics)) { throw error }
        // Prices the scenario cannot give a design (an item in another currency without its own
        // price) are the scenario's mistake, reported there, not a design that is not possible.
        var pricingProblems: [Diagnostic] = []
        for variant in decoded.scenarios {
            for problem in Costing.pricing(variant.scenario, host: host).diagnostics where !pricingProblems.contains(problem) {
                pricingProblems.append(problem)
            }
            if pricingProblems.count >= 100 { break }
        }
        if let error = Diagnostic.collected(Diagnostic.report(pricingProblems)) { throw error }
        var evaluations: [Evaluation] = []
        var scenarios: [Scenario?] = []
        var pricing: [GroupPricing?] = []
        for (design, variant) in zip(designs, decoded.scenarios) {
            var scenario = variant.scenario
            scenario.groups = [scenario.groups[groupIndex]]
            scenario.baseline = nil
            scenario.replications = base.replications
            scenario.seed = base.seed
            scenario.variants = []
            let resolved = PluginResolution.resolve(scenario, host: host)
            var evaluation = Evaluation(design: design, objective: [], cost: [], costPerStudent: [])
            if resolved.spec == nil {
                evaluation.refused = resolved.diagnostics.first?.message ?? "refused"
                scenarios.append(nil)
                pricing.append(nil)
            } else {
                scenarios.append(scenario)
                pricing.append(Costing.pricing(scenario, host: host).pricing[0])
            }
            evaluations.append(evaluation)
        }
        try checkRunnable(evaluations, setup)
        return Prepared(setup: setup, host: host, search: search, evaluations: evaluations, scenarios: scenarios, pricing: pricing)
    }

    /// Adds one replication's outcome (as the runs give it) and cost to a design's evaluation.
    static func record(_ evaluation: inout Evaluation, outcome: Double, cost: Double, sign: Double, students: Int) {
        evaluation.objective.append(sign * outcome)
        evaluation.cost.append(cost)
        evaluation.costPerStudent.append(cost / Double(max(students, 1)))
    }

    /// A search needs at least one design that can run.
    static func checkRunnable(_ evaluations: [Evaluation], _ setup: Setup) throws(Diagnostic) {
        guard evaluations.contains(where: { $0.refused == nil }) else {
            throw setup.refuse("no design of the space can run: \(evaluations[0].refused ?? "")", at: setup.plan.spaceLocation)
        }
    }

    /// Combines the shards of an exhaustive search into the report the whole search gives.
    static func merge(_ first: ShardFile, designs records: [ShardFile.DesignRecord]) throws(Diagnostic) -> Report {
        let settings = RunSettings(seed: first.seed, replications: first.replications)
        let setup = try setup(planPath: first.planPath, settings: settings) { () throws(Diagnostic) in
            try PluginResolution.host(settings.pluginDirectories)
        }
        guard setup.hash == first.planHash else {
            throw Diagnostic("\(first.planPath) or its scenario has changed since the shards ran; refusing to merge")
        }
        let replications = first.replications
        var evaluations = setup.designs.map { Evaluation(design: $0, objective: [], cost: [], costPerStudent: []) }
        var seen = [Bool](repeating: false, count: evaluations.count)
        for record in records {
            guard record.index < evaluations.count else {
                throw Diagnostic("a shard holds design \(record.index + 1), which the plan's \(evaluations.count) designs do not have; refusing to merge")
            }
            guard !seen[record.index] else {
                throw Diagnostic("the shards hold design \(record.index + 1) twice; refusing to merge")
            }
            seen[record.index] = true
            guard (record.refused == nil && record.outcome.count == replications) || (record.refused != nil && record.outcome.isEmpty) else {
                throw Diagnostic("a shard's design \(record.index + 1) does not have the plan's \(replications) replications; refusing to merge")
            }
            evaluations[record.index].refused = record.refused
            for (outcome, cost) in zip(record.outcome, record.cost) {
                Self.record(&evaluations[record.index], outcome: outcome, cost: cost, sign: setup.sign, students: setup.group.students)
            }
        }
        if let missing = seen.firstIndex(of: false) {
            throw Diagnostic(
                "the shards hold \(seen.filter { $0 }.count) of the plan's \(evaluations.count) designs (design \(missing + 1) is missing); refusing to merge")
        }
        try checkRunnable(evaluations, setup)
        let runnable = evaluations.indices.filter { evaluations[$0].refused == nil }.count
        var provenance = ResultProvenance(seed: first.seed, replications: replications, plugins: first.plugins)
        var searched = setup.base
        searched.groups = [setup.group]
        provenance.cohortFiles = ResultProvenance.cohortFiles(of: [searched])
        return report(
            setup.plan, base: setup.base, group: setup.group, evaluations: evaluations, search: .exhaustive,
            rounds: [(replications, runnable)], sign: setup.sign, target: setup.target,
            provenance: provenance, posterior: nil)
    }

    /// Every design of the space, in a fixed order: model, then online share, then bundle.
    static func designs(_ plan: OptimisePlan, group: GroupScenario) -> [Design] {
        let models = plan.models.isEmpty ? [group.model.name] : plan.models.map(\.name)
        let shares = plan.onlineShares.isEmpty ? [group.onlineShare] : plan.onlineShares.map(\.value)
        // The group's own policies stay in every design unless the plan chooses them.
        let chosen = Set(plan.policies.map(\.name) + plan.fixedPolicies.map(\.name))
        let fixed = group.policies.map(\.name).filter { !chosen.contains($0) } + plan.fixedPolicies.map(\.name)
        var designs: [Design] = []
        for model in models {
            for share in shares {
                for bundle in 0..<(1 << plan.policies.count) {
                    let chosen = plan.policies.enumerated().filter { bundle & (1 << $0.offset) != 0 }.map(\.element.name)
                    designs.append(Design(model: model, onlineShare: share, policies: fixed + chosen, bundle: bundle))
                }
            }
        }
        return designs
    }

    /// The override mapping that turns the base scenario into `design`, as a variant would: the
    /// group's own model (with its parameters) when the design keeps it, and the group's own
    /// policies (with theirs) besides the design's.
    static func override(_ design: Design, index: Int, group: GroupScenario) -> YAMLNode {
        func scalar(_ text: String, plain: Bool = true) -> YAMLNode { YAMLNode(content: .scalar(text, plain: plain), line: 1, column: 1) }
        func mapping(_ pairs: [(String, YAMLNode)]) -> YAMLNode {
            YAMLNode(content: .mapping(pairs.map { YAMLPair(key: scalar($0.0, plain: false), value: $0.1) }), line: 1, column: 1)
        }
        func yaml(_ value: JSONValue) -> YAMLNode {
            switch value {
            case .string(let text): scalar(text, plain: false)
            case .bool(let flag): scalar(flag ? "true" : "false")
            default: scalar(value.serialized())
            }
        }
        var policies: [YAMLNode] = []
        for name in design.policies {
            if let own = group.policies.first(where: { $0.name == name }), !own.parameters.isEmpty {
                policies.append(mapping([("name", scalar(name, plain: false)), ("parameters", mapping(own.parameters.map { ($0.0, yaml($0.1)) }))]))
            } else {
                policies.append(scalar(name, plain: false))
            }
        }
        var settings: [(String, YAMLNode)] = []
        if design.model != group.model.name { settings.append(("model", scalar(design.model, plain: false))) }
        settings.append(("online_share", scalar(JSONValue.number(design.onlineShare).serialized())))
        settings.append(("policies", YAMLNode(content: .sequence(policies), line: 1, column: 1)))
        return mapping([("name", scalar("design-\(index + 1)", plain: false)), ("groups", mapping([(group.name, mapping(settings))]))])
    }

    /// The designs a racing round keeps: those not clearly worse than the best by a paired
    /// one-sided test at 95%, and at least the better half by mean.
    static func survivors(_ alive: [Int], _ evaluations: [Evaluation], target: Double?) -> [Int] {
        let ranked = alive.sorted { better(evaluations[$0], evaluations[$1], target: target) }
        guard let best = ranked.first else { return alive }
        let keep = Set(ranked.prefix((ranked.count + 1) / 2))
        return ranked.filter { index in
            if keep.contains(index) { return true }
            if target != nil { return false }
            let differences = zip(evaluations[index].objective, evaluations[best].objective).map { $0 - $1 }
            let s = Statistic(differences)
            guard let sd = s.sd, sd > 0 else { return s.mean >= 0 }
            // One-sided 95%: worse only when the mean difference is below −1.645 standard errors.
            return s.mean > -1.645 * sd / Double(s.n).squareRoot()
        }
    }

    /// How designs are ranked: the objective's mean (the cheaper first when equal), or — with a
    /// target — the cost of those that reach it (the cheaper the better), before every design that
    /// does not.
    static func better(_ a: Evaluation, _ b: Evaluation, target: Double?) -> Bool {
        if let target {
            let (ra, rb) = (a.meanObjective >= target, b.meanObjective >= target)
            if ra != rb { return ra }
            if ra { return a.meanCost != b.meanCost ? a.meanCost < b.meanCost : a.meanObjective > b.meanObjective }
        }
        return a.meanObjective != b.meanObjective ? a.meanObjective > b.meanObjective : a.meanCost < b.meanCost
    }
}
