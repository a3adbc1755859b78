import BlendSimCore
import BlendSimReport
import BlendSimScenario
import BlendSimSystem

/// What `blendsim optimise` writes: summary.json, designs.csv, report.html and the verdict.
extension Optimisation {
    /// How an objective reads: its phrase ("moves the most students up a level"), and its value
    /// in a teacher's units.
    static func phrase(_ objective: String, target: Bool) -> String {
        switch objective {
        case "level_up_share": "moves the most students up a level"
        case "overall": "gives the highest overall score"
        case "course_achievement": "gives the highest course achievement"
        case "motivation": "leaves students the most motivated"
        case "upper_intermediate_share": "brings the most students to B2 or above"
        case "dropouts": "loses the fewest students"
        case "cheater_share": "has the fewest students copying"
        default: "does best on \(objective)"
        }
    }

    static func value(_ objective: String, _ x: Double, students: Int) -> String {
        switch objective {
        case "level_up_share", "upper_intermediate_share", "cheater_share": TerminalSummary.fixed(100 * x, digits: 1) + "% of students"
        case "dropouts": TerminalSummary.fixed(100 * x / Double(max(students, 1)), digits: 1) + " withdrawals per 100 students"
        case "motivation": TerminalSummary.fixed(x, digits: 3) + " motivation (0–1)"
        default: TerminalSummary.fixed(x, digits: 1) + " points"
        }
    }

    static func scientific(_ x: Double) -> String {
        guard x > 0, x.isFinite else { return "0" }
        var exponent = 0
        var mantissa = x
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        return TerminalSummary.fixed(mantissa, digits: 1) + "·10^" + String(exponent)
    }

    /// The designs on the cost–outcome frontier: none other costs no more per student and gives
    /// at least as much, one of them strictly. By cost, cheapest first.
    static func frontier(_ indices: [Int], _ evaluations: [Evaluation]) -> [Int] {
        let sorted = indices.sorted {
            let a = evaluations[$0], b = evaluations[$1]
            return a.meanCostPerStudent != b.meanCostPerStudent ? a.meanCostPerStudent < b.meanCostPerStudent : a.meanObjective > b.meanObjective
        }
        var front: [Int] = []
        var best = -Double.infinity
        for index in sorted where evaluations[index].meanObjective > best {
            front.append(index)
            best = evaluations[index].meanObjective
        }
        return front
    }

    /// P(best) over replications: in each, the design with the best objective (or, with a target,
    /// the cheapest that reaches it), among `indices`, all run for `replications`. Designs tied in
    /// a replication (common random numbers make designs that differ only in a policy without
    /// effect on the outcome give the same value) share it equally.
    static func probabilityBest(_ indices: [Int], _ evaluations: [Evaluation], replications: Int, target: Double?) -> [Int: Double] {
        var wins: [Int: Double] = [:]
        for r in 0..<replications {
            let candidates = target.map { t in indices.filter { evaluations[$0].objective[r] >= t } } ?? indices
            guard !candidates.isEmpty else { continue }
            let score: (Int) -> Double = { target == nil ? evaluations[$0].objective[r] : -evaluations[$0].cost[r] }
            let best = candidates.map(score).max()!
            let tied = candidates.filter { score($0) == best }
            for index in tied { wins[index, default: 0] += 1 / Double(tied.count) }
        }
        return wins.mapValues { $0 / Double(replications) }
    }

    /// The cheapest design whose paired difference from `best` is not below zero at 95%
    /// (one-sided): as good as the best within the simulation's noise.
    static func cheapestAsGood(_ best: Int, among indices: [Int], _ evaluations: [Evaluation]) -> Int? {
        indices.filter { index in
            guard index != best else { return false }
            let s = Statistic(zip(evaluations[index].objective, evaluations[best].objective).map { $0 - $1 })
            guard let sd = s.sd, sd > 0 else { return s.mean >= 0 }
            return s.mean > -1.645 * sd / Double(s.n).squareRoot()
        }
        .filter { evaluations[$0].meanCost < evaluations[best].meanCost }
        .min { evaluations[$0].meanCost < evaluations[$1].meanCost }
    }

    static func report(
        _ plan: OptimisePlan, base: Scenario, group: GroupScenario, evaluations: [Evaluation], search: OptimisePlan.Search,
        rounds: [(replications: Int, designs: Int)], sign: Double, target plainTarget: Double?, provenance: ResultProvenance,
        posterior: PosteriorSample?
    ) -> Report {
        let replications = base.replications
        let currency = base.costs?.currency ?? CostSettings.defaultCurrency
        let target = plainTarget.map { sign * $0 }
        let evaluated = evaluations.indices.filter { !evaluations[$0].objective.isEmpty }
        let complete = evaluated.filter { evaluations[$0].objective.count == replications }
        let feasible = complete.filter { plan.budget == nil || evaluations[$0].meanCost <= plan.budget! }
        let reaching = feasible.filter { target == nil || evaluations[$0].meanObjective >= target! }
        let ranked = reaching.sorted { better(evaluations[$0], evaluations[$1], target: target) }
        let pBest = probabilityBest(feasible, evaluations, replications: replications, target: target)
        let front = frontier(evaluated, evaluations)
        let students = group.students
        func shown(_ e: Evaluation) -> String { value(plan.objective, sign * e.meanObjective, students: students) }
        func interval(_ e: Evaluation) -> String {
            guard let ci = Statistic(e.objective.map { sign * $0 }).ci95 else { return "" }
            let lo = min(ci.lower, ci.upper), hi = max(ci.lower, ci.upper)
            return " [" + value(plan.objective, lo, students: students).split(separator: " ")[0] + ", "
                + value(plan.objective, hi, students: students).split(separator: " ")[0] + "]"
        }

        // The verdict in words.
        var verdict: [String] = []
        let budgetText = plan.budget.map { "With \(CostReport.money($0, currency))" } ?? "Without a budget"
        if let best = ranked.first {
            let e = evaluations[best]
            let p = pBest[best] ?? 0
            if plan.target == nil {
                verdict.append(
                    "\(budgetText), \(e.design.label) \(phrase(plan.objective, target: false)): \(shown(e))\(interval(e)), "
                        + "for \(CostReport.money(e.meanCost, currency)) (\(CostReport.money(e.meanCostPerStudent, currency)) per student); "
                        + "P(best) \(TerminalSummary.fixed(p, digits: 2)).")
            } else {
                verdict.append(
                    "\(budgetText), the cheapest design that reaches \(value(plan.objective, plainTarget!, students: students)) is "
                        + "\(e.design.label): \(CostReport.money(e.meanCost, currency)) (\(CostReport.money(e.meanCostPerStudent, currency)) "
                        + "per student), giving \(shown(e))\(interval(e)); P(cheapest that reaches it) \(TerminalSummary.fixed(p, digits: 2)).")
            }
            if plan.target == nil, let cheaper = cheapestAsGood(best, among: feasible, evaluations) {
                let c = evaluations[cheaper]
                verdict.append(
                    "As good within the simulation's noise (paired difference not below zero at 95%) and cheaper: \(c.design.label), "
                        + "\(shown(c)) for \(CostReport.money(c.meanCost, currency)) (\(CostReport.money(c.meanCostPerStudent, currency)) per student).")
            }
            if ranked.count > 1 {
                let second = evaluations[ranked[1]]
                verdict.append(
                    "Next: \(second.design.label), \(shown(second)) for \(CostReport.money(second.meanCost, currency)); "
                        + "P(best) \(TerminalSummary.fixed(pBest[ranked[1]] ?? 0, digits: 2)).")
            }
            // What the figures cover and rest on.
            let basis: [Provenance.Basis: String] = [
                .findings: "findings of its own", .distribution: "the spread of blended effects (no study of its own)",
                .derived: "other designs' findings", .assumption: "an assumption", .unknown: "its author's values",
            ]
            let components: [(String, String)] = [(e.design.model, "model")] + e.design.policies.map { ($0, "policy") }
            var restsOn: [String] = []
            for (name, kind) in components {
                let words = basis[Provenance.describe(name, kind: kind).basis] ?? "unknown"
                restsOn.append(name + ": " + words)
            }
            let outcome = plan.objective == "level_up_share" ? "the share of students ending a level above where they started" : plan.objective
            let covers = posterior == nil
                ? " (--uncertainty model adds what the evidence leaves uncertain)" : " and the model's uncertainty (a posterior draw per replication)"
            var line = "The outcome is " + outcome + "; the 95% CI and P(best) cover the simulation's noise over "
            line += String(replications) + " replications" + covers + ". What the best design's effects rest on: "
            line += restsOn.joined(separator: "; ") + "."
            verdict.append(line)
            if p < 0.5 {
                verdict.append(
                    "No design is best in most replications: the leaders are within the simulation's noise of each other; "
                        + "more replications would separate them, or any of them will do.")
            }
        } else if let cheapest = (complete.isEmpty ? evaluated : complete).min(by: { evaluations[$0].meanCost < evaluations[$1].meanCost }),
            !feasible.isEmpty || plan.budget != nil
        {
            let e = evaluations[cheapest]
            if feasible.isEmpty {
                verdict.append(
                    "No design fits within \(CostReport.money(plan.budget!, currency)): the cheapest, \(e.design.label), "
                        + "costs \(CostReport.money(e.meanCost, currency)) for the semester (\(CostReport.money(e.meanCostPerStudent, currency)) "
                        + "per student). Raise the budget or narrow the space to cheaper designs.")
            } else {
                let closest = feasible.max { evaluations[$0].meanObjective < evaluations[$1].meanObjective }!
                verdict.append(
                    "\(budgetText), no design reaches \(value(plan.objective, plainTarget!, students: students)); the closest, "
                        + "\(evaluations[closest].design.label), gives \(shown(evaluations[closest])).")
            }
        }
        let refused = evaluations.filter { $0.refused != nil }
        if !refused.isEmpty {
            verdict.append("\(refused.count) design\(refused.count == 1 ? " was" : "s were") not possible (the first: \(refused[0].refused!)).")
        }

        // designs.csv: one row per design.
        var csv = "design,model,online_share,policies,replications,\(plan.objective)_mean,\(plan.objective)_ci95_lo,\(plan.objective)_ci95_hi,"
            + "cost_mean,cost_per_student_mean,within_budget,on_frontier,p_best,refused\n"
        let frontSet = Set(front)
        for (index, e) in evaluations.enumerated() {
            let s = Statistic(e.objective.map { sign * $0 })
            csv += [
                "\(index + 1)", WeeklyTable.quote(e.design.model), WeeklyTable.number(e.design.onlineShare),
                WeeklyTable.quote(e.design.policies.joined(separator: ";")), "\(e.objective.count)",
                e.objective.isEmpty ? "" : WeeklyTable.number(s.mean), s.ci95.map { WeeklyTable.number(min($0.lower, $0.upper)) } ?? "",
                s.ci95.map { WeeklyTable.number(max($0.lower, $0.upper)) } ?? "",
                e.cost.isEmpty ? "" : WeeklyTable.number(e.meanCost), e.cost.isEmpty ? "" : WeeklyTable.number(e.meanCostPerStudent),
                e.cost.isEmpty ? "" : ((plan.budget.map { e.meanCost <= $0 } ?? true) ? "true" : "false"),
                frontSet.contains(index) ? "true" : "false", pBest[index].map(WeeklyTable.number) ?? (feasible.contains(index) ? "0" : ""),
                WeeklyTable.quote(e.refused ?? ""),
            ].joined(separator: ",") + "\n"
        }

        func designJSON(_ index: Int) -> JSONValue {
            let e = evaluations[index]
            return .object([
                ("design", .integer(index + 1)),
                ("model", .string(e.design.model)),
                ("online_share", .finite(e.design.onlineShare)),
                ("policies", .array(e.design.policies.map { .string($0) })),
                ("replications", .integer(e.objective.count)),
                (plan.objective, Summary.json(Statistic(e.objective.map { sign * $0 }))),
                ("cost", Summary.json(Statistic(e.cost))),
                ("cost_per_student", Summary.json(Statistic(e.costPerStudent))),
                ("p_best", pBest[index].map { .finite($0) } ?? .null),
            ])
        }
        var members: [(String, JSONValue)] = [
            ("plan", .string(FileSystem.split(plan.source.path).name)),
            ("plan_sha256", .string(plan.source.sha256)),
            ("scenario", .string(base.name)),
            ("group", .string(plan.group)),
            ("seed", .integer(Int(truncatingIfNeeded: base.seed))),
            ("replications", .integer(replications)),
            ("currency", .string(currency)),
            ("budget", plan.budget.map { .finite($0) } ?? .null),
            ("objective", .string(plan.objective)),
            ("direction", .string(sign > 0 ? "maximise" : "minimise")),
            ("target", plan.target.map { .finite($0) } ?? .null),
            ("search", .string(search.rawValue)),
            ("rounds", .array(rounds.map { .object([("replications", .integer($0.replications)), ("designs", .integer($0.designs))]) })),
            ("designs", .integer(evaluations.count)),
            ("designs_not_possible", .integer(refused.count)),
            ("best", .array(ranked.prefix(10).map(designJSON))),
            ("frontier", .array(front.map(designJSON))),
            ("verdict", .array(verdict.map { .string($0) })),
        ]
        if let posterior {
            members.insert(("uncertainty", ScenarioRun.describe(base, posterior: posterior).uncertainty!.json), at: 6)
        }
        let summary = JSONValue.object(members)

        // The terminal.
        var table = "blendsim optimise · \(plan.source.path) · group '\(plan.group)' · \(evaluations.count) design\(evaluations.count == 1 ? "" : "s") · "
            + "\(search.rawValue) search · \(replications) replications (paired: same random numbers)\n\n"
        for line in verdict { table += line + "\n" }
        if !ranked.isEmpty {
            table += "\nBest designs, mean [95% CI]:\n"
            var rows = [["rank", "design", plan.objective, "cost", "per student", "P(best)"]]
            for (rank, index) in ranked.prefix(5).enumerated() {
                let e = evaluations[index]
                rows.append([
                    "\(rank + 1)", e.design.label, shown(e) + interval(e), CostReport.money(e.meanCost, currency),
                    CostReport.money(e.meanCostPerStudent, currency), TerminalSummary.fixed(pBest[index] ?? 0, digits: 2),
                ])
            }
            table += TerminalSummary.table(rows, rightAligned: [0, 3, 4, 5])
        }
        table += "\nCost–outcome frontier (no design costs less and gives more), cheapest first:\n"
        var frontRows = [["design", "per student", plan.objective]]
        for index in front {
            let e = evaluations[index]
            let over = plan.budget.map { e.meanCost > $0 } ?? false
            frontRows.append([e.design.label + (over ? " (over the budget)" : ""), CostReport.money(e.meanCostPerStudent, currency), shown(e)])
        }
        table += TerminalSummary.table(frontRows, rightAligned: [1])
        if search == .racing {
            table += "\nRacing rounds: " + rounds.map { "\($0.designs) designs × \($0.replications) replications" }.joined(separator: ", then ") + "\n"
        }

        // The chart's axis in the units the text uses.
        let (axisScale, axisLabel): (Double, String) = switch plan.objective {
        case "level_up_share", "upper_intermediate_share", "cheater_share": (100, "\(plan.objective) (% of students)")
        case "dropouts": (100 / Double(max(students, 1)), "withdrawals per 100 students")
        default: (1, plan.objective)
        }
        let html = OptimisationPage.html(
            title: "blendsim optimise · \(plan.group)", verdict: verdict, currency: currency, objective: axisLabel,
            points: evaluated.map { index in
                (cost: evaluations[index].meanCostPerStudent, value: axisScale * sign * evaluations[index].meanObjective, label: evaluations[index].design.label,
                 front: frontSet.contains(index), best: ranked.first == index,
                 withinBudget: plan.budget.map { evaluations[index].meanCost <= $0 } ?? true)
            },
            display: { value(plan.objective, $0 / axisScale, students: students) })
        return Report(
            files: [("summary.json", summary.serialized(pretty: true)), ("designs.csv", csv), ("report.html", html)],
            table: table, provenance: provenance)
    }
}
