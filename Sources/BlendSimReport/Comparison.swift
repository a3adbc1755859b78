public import BlendSimCore

/// The results of a comparison: every variant's groups as in summary.json, and each outcome's
/// paired difference from the first variant with its 95% CI and, for the overall score and
/// course achievement, Hedges' g. docs/RESULTS.md gives the formulas.
public enum Comparison {
    public struct Arm: Sendable {
        public var name: String
        public var description: RunDescription
        public var result: SimulationResult
        /// What the variant changes from the base scenario, in words.
        public var changes: [String]

        public init(name: String, description: RunDescription, result: SimulationResult, changes: [String] = []) {
            self.name = name
            self.description = description
            self.result = result
            self.changes = changes
        }
    }

    /// A comparison computed once: every paired difference of every outcome, group and variant
    /// against the first variant. summary.json (`document`), the terminal table and the verdict
    /// (built from the document) and report.html (from summary.json) are views of it.
    public struct Result: Sendable {
        /// One outcome of one group of one variant against the same group of the first variant.
        public struct Difference: Sendable {
            /// The variant (index into `arms`, from 1) and its group (index into its groups).
            public var arm: Int
            public var group: Int
            /// The same group in the first variant.
            public var baseGroup: Int
            /// The outcome's index in `Outcomes.catalog`.
            public var outcome: Int
            /// Over replications of (variant − first variant) in the same replication.
            public var difference: Statistic
            /// For the overall score and course achievement: Hedges' g of the students' scores.
            public var hedgesG: Statistic?
            /// For the counts: the paired difference per 100 students, each arm over its own enrolment.
            public var per100: Statistic?
            /// With --uncertainty model: the 90% credible interval and P(variant higher).
            public var credible90: (lower: Double, upper: Double)?
            public var probabilityHigher: Double?
        }

        public let arms: [Arm]
        public let differences: [Difference]
        /// Per variant after the first and group, when both arms price it: what the group's
        /// difference costs (docs/COSTS.md).
        public let costs: [(arm: Int, group: Int, effectiveness: CostReport.Effectiveness)]
        /// summary.json's document.
        public let document: JSONValue
        /// Where each (arm, group name, outcome) is in `differences`.
        let positions: [Key: Int]

        struct Key: Hashable {
            var arm: Int
            var group: String
            var outcome: Int
        }

        public init(arms: [Arm]) {
            self.arms = arms
            let first = arms[0]
            var differences: [Difference] = []
            for (armIndex, arm) in arms.enumerated().dropFirst() {
                for (index, group) in arm.description.groups.enumerated() {
                    guard let baseIndex = first.description.groups.firstIndex(where: { $0.name == group.name }) else { continue }
                    let pairs = zip(arm.result.replications, first.result.replications).map { ($0.groups[index], $1.groups[baseIndex]) }
                    for (outcomeIndex, outcome) in Outcomes.catalog.enumerated() {
                        let values = pairs.map { outcome.read($0.0, group.students) - outcome.read($0.1, group.students) }
                        var difference = Difference(
                            arm: armIndex, group: index, baseGroup: baseIndex, outcome: outcomeIndex, difference: Statistic(values))
                        switch outcome.name {
                        case "overall": difference.hedgesG = Statistic(pairs.map { Outcomes.hedgesG($0.0, $0.1) })
                        case "course_achievement": difference.hedgesG = Statistic(pairs.map { Outcomes.courseHedgesG($0.0, $0.1) })
                        default: break
                        }
                        if isCount(outcome.name) {
                            let baseStudents = first.description.groups[baseIndex].students
                            difference.per100 = per100(
                                pairs.map { (outcome.read($0.0, group.students), outcome.read($0.1, baseStudents)) },
                                students: group.students, baseStudents: baseStudents)
                        }
                        if first.description.uncertainty != nil {
                            difference.credible90 = credible90(values)
                            difference.probabilityHigher = probabilityHigher(values)
                        }
                        differences.append(difference)
                    }
                }
            }
            self.differences = differences
            var costs: [(arm: Int, group: Int, effectiveness: CostReport.Effectiveness)] = []
            for (armIndex, arm) in arms.enumerated().dropFirst() {
                for (index, group) in arm.description.groups.enumerated() {
                    guard let pricing = group.pricing, let baseIndex = first.description.groups.firstIndex(where: { $0.name == group.name }),
                        let basePricing = first.description.groups[baseIndex].pricing
                    else { continue }
                    costs.append((armIndex, index, CostReport.Effectiveness(
                        pricing, arm.result.replications.map { $0.groups[index] },
                        baseline: basePricing, first.result.replications.map { $0.groups[baseIndex] })))
                }
            }
            self.costs = costs
            var positions: [Key: Int] = [:]
            for (position, item) in differences.enumerated() {
                positions[Key(arm: item.arm, group: arms[item.arm].description.groups[item.group].name, outcome: item.outcome)] = position
            }
            self.positions = positions
            document = Self.document(arms, differences, costs)
        }

        /// The difference of `outcome` for the group named `group` of arm `arm`, if it has one.
        public func difference(arm: Int, group: String, outcome: Int) -> Difference? {
            positions[Key(arm: arm, group: group, outcome: outcome)].map { differences[$0] }
        }

        static func document(
            _ arms: [Arm], _ differences: [Difference], _ costs: [(arm: Int, group: Int, effectiveness: CostReport.Effectiveness)]
        ) -> JSONValue {
            let first = arms[0]
            let variants = arms.map { arm -> JSONValue in
                let summary = Summary.document(arm.description, arm.result)
                var members: [(String, JSONValue)] = [
                    ("name", .string(arm.name)), ("changes", .array(arm.changes.map { .string($0) })), ("groups", summary["groups"] ?? .array([])),
                ]
                if let gains = summary["gains"] { members.append(("gains", gains)) }
                return .object(members)
            }
            let comparisons = differences.map { item -> JSONValue in
                var members: [(String, JSONValue)] = [
                    ("variant", .string(arms[item.arm].name)),
                    ("baseline", .string(first.name)),
                    ("group", .string(arms[item.arm].description.groups[item.group].name)),
                    ("outcome", .string(Outcomes.catalog[item.outcome].name)),
                    ("difference", Summary.json(item.difference)),
                    ("hedges_g", item.hedgesG.map(Summary.json) ?? .null),
                ]
                if let per100 = item.per100 { members.append(("per_100_students", Summary.json(per100))) }
                if let interval = item.credible90 {
                    members.append(("credible90", .array([.finite(interval.lower), .finite(interval.upper)])))
                }
                if let probability = item.probabilityHigher { members.append(("probability_higher", .finite(probability))) }
                return .object(members)
            }
            var members: [(String, JSONValue)] = [
                ("scenario", .string(first.description.scenario)),
                ("seed", .integer(Int(truncatingIfNeeded: first.description.seed))),
                ("replications", .integer(first.description.replications)),
                ("weeks", .integer(first.description.weeks)),
                ("control_points", .array(first.description.controlPoints.map { .integer($0) })),
                ("variants", .array(variants)),
                ("comparisons", .array(comparisons)),
                ("evidence", Provenance.json(
                    models: arms.flatMap(\.description.models), policies: arms.flatMap(\.description.policies))),
            ]
            if !costs.isEmpty {
                members.insert(("costs", .array(costs.map { item -> JSONValue in
                    guard case .object(let fields) = item.effectiveness.json else { return .null }
                    return .object([
                        ("variant", .string(arms[item.arm].name)), ("baseline", .string(first.name)),
                        ("group", .string(arms[item.arm].description.groups[item.group].name)),
                    ] + fields)
                })), at: members.count - 1)
            }
            if let programme = ProgrammeDescription.comparison(arms) { members.insert(("programme", programme), at: 5) }
            if let uncertainty = first.description.uncertainty { members.insert(("uncertainty", uncertainty.json), at: 5) }
            if let stopping = first.description.stopping { members.insert(("replications_auto", stopping.json), at: 3) }
            return .object(members)
        }
    }

    /// weekly.csv of a comparison: every variant's weekly statistics, the variant named first.
    public static func weeklyCSV(_ arms: [Arm]) -> String {
        WeeklyTable.csv(variants: arms.map { ($0.name, $0.description, $0.result) })
    }

    /// Outcomes counted over the semester (incidents), which people read per 100 students.
    static func isCount(_ outcome: String) -> Bool { ["cheating", "late_submissions", "dropouts"].contains(outcome) }

    /// The paired differences of two arms' counts per 100 students, each arm's count over its own
    /// enrolment, so arms of different sizes compare.
    static func per100(_ pairs: [(Double, Double)], students: Int, baseStudents: Int) -> Statistic {
        Statistic(pairs.map { 100 * $0.0 / Double(max(students, 1)) - 100 * $0.1 / Double(max(baseStudents, 1)) })
    }

    /// The central 90% of the paired differences over replications (linear interpolation between
    /// order statistics): with `--uncertainty model`, each replication has its own parameter draw,
    /// so this interval carries the parameters' uncertainty and the students' chance together.
    public static func credible90(_ values: [Double]) -> (lower: Double, upper: Double) {
        let sorted = values.filter(\.isFinite).sorted()
        guard sorted.count > 1 else { return (sorted.first ?? .nan, sorted.first ?? .nan) }
        func quantile(_ p: Double) -> Double {
            let position = p * Double(sorted.count - 1)
            let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
            return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
        }
        return (quantile(0.05), quantile(0.95))
    }

    /// The share of replications in which the variant's value is above the baseline's (ties count
    /// half).
    public static func probabilityHigher(_ differences: [Double]) -> Double {
        let finite = differences.filter(\.isFinite)
        guard !finite.isEmpty else { return .nan }
        return finite.reduce(0) { $0 + ($1 > 0 ? 1 : $1 == 0 ? 0.5 : 0) } / Double(finite.count)
    }

    /// An outcome as people read it: its name with its unit, the factor from summary.json's value
    /// (shares as % of students, counts per 100 students enrolled) and the decimals shown.
    static func display(_ name: String, students: Int) -> (label: String, factor: Double, digits: Int) {
        let perHundred = 100 / Double(max(students, 1))
        switch name {
        case "overall": return ("overall score (points)", 1, 1)
        case "listening", "reading", "writing", "speaking": return ("\(name) (points)", 1, 1)
        case "motivation": return ("motivation (0–1)", 1, 3)
        case "pre_intermediate_share": return ("A2 and below (% of students)", 100, 1)
        case "intermediate_share": return ("B1 (% of students)", 100, 1)
        case "upper_intermediate_share": return ("B2 and above (% of students)", 100, 1)
        case "level_up_share": return ("moved up a level (% of students)", 100, 1)
        case "course_achievement": return ("course achievement (course points)", 1, 1)
        case "cheater_share": return ("cheated at least once (% of students)", 100, 1)
        case "cheating": return ("cheating incidents per 100 students", perHundred, 1)
        case "late_submissions": return ("late submissions per 100 students", perHundred, 1)
        case "dropouts": return ("dropped out, per 100 students", perHundred, 1)
        case "online_minutes": return ("online minutes per student, semester", 1, 0)
        default: return (name, 1, name.hasSuffix("_share") ? 3 : 1)
        }
    }

    /// The side-by-side table: per group, each outcome's mean [95% CI] per variant, then the
    /// difference from the first variant [95% CI] and, for the overall score and course
    /// achievement, Hedges' g.
    public static func table(_ comparison: Result) -> String {
        let arms = comparison.arms
        let first = arms[0]
        var out = "blendsim compare · \(first.description.scenario) · seed \(first.description.seed) · "
            + "\(first.description.replications) replications per variant (paired: same random numbers)\n"
        if let uncertainty = first.description.uncertainty {
            out += "Model uncertainty: each replication draws its parameters from \(uncertainty.posterior) (\(uncertainty.particles) particles);\n"
            out += "the 95% CI is the mean difference's; the 90% credible interval and P(better) span one draw and one cohort per replication.\n"
        }
        let summary = comparison.document
        if let programme = summary["programme"] {
            let target = programme["target_cefr"]?.stringValue
            out += "\nProgramme" + (target.map { ": who reaches \($0), and who is lost on the way" } ?? "") + "\n"
            for line in ProgrammeDescription.comparisonText(programme) { out += "  " + line + "\n" }
        }
        let verdict = Verdict.text(summary)
        if !verdict.isEmpty { out += "\n" + verdict }
        if !comparison.costs.isEmpty { out += "\n" + costText(comparison) }
        let provenance = Provenance.text(summary)
        if !provenance.isEmpty { out += "\n" + provenance }
        if arms.contains(where: { !$0.changes.isEmpty }) {
            out += "\nWhat each variant changes from the scenario:\n"
            for arm in arms { out += "  \(arm.name): \(arm.changes.isEmpty ? "nothing" : arm.changes.joined(separator: "; "))\n" }
        }
        for group in first.description.groups {
            out += "\nGroup '\(group.name)': end of \(first.description.programme == nil ? "semester" : "programme"), mean [95% CI]\n"
            var header = ["outcome"] + arms.map(\.name)
            for arm in arms.dropFirst() { header.append("\(arm.name) − \(first.name)") }
            var rows = [header]
            for (outcomeIndex, outcome) in Outcomes.catalog.enumerated() {
                let (label, factor, digits) = display(outcome.name, students: group.students)
                var row = [label]
                for arm in arms {
                    guard let index = arm.description.groups.firstIndex(where: { $0.name == group.name }) else {
                        row.append("–")
                        continue
                    }
                    // Counts per 100 of the arm's own students (arms may differ in size).
                    let own = isCount(outcome.name) ? 100 / Double(max(arm.description.groups[index].students, 1)) : factor
                    row.append(TerminalSummary.interval(
                        Statistic(arm.result.replications.map { own * outcome.read($0.groups[index], arm.description.groups[index].students) }), digits: digits))
                }
                for armIndex in arms.indices.dropFirst() {
                    guard let item = comparison.difference(arm: armIndex, group: group.name, outcome: outcomeIndex) else {
                        row.append("–")
                        continue
                    }
                    // The statistic summary.json holds (so the verdict and the table agree), in
                    // people's units, with enough decimals that the mean is never shown equal to an
                    // end of its interval.
                    let difference = item.per100 ?? item.difference.scaled(by: factor)
                    let spread = difference.ci95.map { $0.upper > $0.lower } ?? false
                    var cell = TerminalSummary.signedInterval(
                        difference, digits: spread ? max(digits, Verdict.digits(difference.mean, difference.ci95)) : digits)
                    if let g = item.hedgesG { cell += "  g = " + TerminalSummary.interval(g, digits: 2) }
                    if outcome.name == "overall", let interval = item.credible90, let probability = item.probabilityHigher {
                        cell += "  90% credible [" + TerminalSummary.fixed(factor * interval.lower, digits: digits) + ", "
                            + TerminalSummary.fixed(factor * interval.upper, digits: digits) + "]  P(better) = "
                            + TerminalSummary.fixed(probability, digits: 2)
                    }
                    row.append(cell)
                }
                rows.append(row)
            }
            out += TerminalSummary.table(rows, rightAligned: [])
        }
        return out
    }
}

extension Comparison {
    /// The costs in words, then a table: per variant and group, the extra cost per student and
    /// what one more student moving up a level, one withdrawal avoided and 0.1 of g cost.
    static func costText(_ comparison: Result) -> String {
        let first = comparison.arms[0]
        var out = "Cost:\n"
        var rows = [["variant", "group", "extra cost per student", "per extra student up a level", "per withdrawal avoided", "per 0.1 g of course achievement, per student"]]
        for item in comparison.costs {
            let arm = comparison.arms[item.arm]
            let group = arm.description.groups[item.group].name
            let e = item.effectiveness
            let extra = e.costPerStudent.mean
            var sentence = "  \(arm.name) (\(group)) costs \(CostReport.money(abs(extra), e.currency)) per student "
                + (extra >= 0 ? "more" : "less") + " than \(first.name)"
            if let estimate = e.perLevelUp.estimate {
                sentence += "; each extra student moving up a level costs \(CostReport.money(estimate, e.currency))"
                if let interval = e.perLevelUp.interval {
                    sentence += " (95% CI \(CostReport.money(interval.lower, e.currency)) to \(CostReport.money(interval.upper, e.currency)))"
                } else {
                    sentence += " (\(e.perLevelUp.note))"
                }
            } else {
                sentence += "; moving students up a level: \(e.perLevelUp.note)"
            }
            out += sentence + ".\n"
            rows.append([
                arm.name, group, CostReport.money(extra, e.currency), CostReport.describe(e.perLevelUp, e.currency),
                CostReport.describe(e.perWithdrawalAvoided, e.currency), CostReport.describe(e.perTenthG, e.currency),
            ])
        }
        return out + TerminalSummary.table(rows, rightAligned: [])
    }
}

extension Statistic {
    /// The statistic of the values times a positive `factor` (a change of unit), computed from
    /// this one so that every place showing it rounds the same numbers.
    func scaled(by factor: Double) -> Statistic {
        Statistic(mean: mean * factor, sd: sd.map { $0 * factor }, ci95: ci95.map { ($0.lower * factor, $0.upper * factor) }, n: n)
    }
}
