public import BlendSimCore

/// The results of a comparison: every variant's groups as in summary.json, and each outcome's
/// paired difference from the first variant with its 95% CI and, for the overall score and
/// course achievement, Hedges' g. docs/RESULTS.md gives the formulas.
public enum Comparison {
    public struct Arm: Sendable {
        public var name: String
        public var description: RunDescription
        public var result: SimulationResult

        public init(name: String, description: RunDescription, result: SimulationResult) {
            self.name = name
            self.description = description
            self.result = result
        }
    }

    public static func document(_ arms: [Arm]) -> JSONValue {
        let first = arms[0]
        let variants = arms.map { arm -> JSONValue in
            let summary = Summary.document(arm.description, arm.result)
            var members: [(String, JSONValue)] = [("name", .string(arm.name)), ("groups", summary["groups"] ?? .array([]))]
            if let gains = summary["gains"] { members.append(("gains", gains)) }
            return .object(members)
        }
        var comparisons: [JSONValue] = []
        for arm in arms.dropFirst() {
            for (index, group) in arm.description.groups.enumerated() {
                guard let baseIndex = first.description.groups.firstIndex(where: { $0.name == group.name }) else { continue }
                let pairs = zip(arm.result.replications, first.result.replications).map { ($0.groups[index], $1.groups[baseIndex]) }
                for outcome in Outcomes.catalog {
                    let differences = pairs.map { outcome.read($0.0, group.students) - outcome.read($0.1, group.students) }
                    let g: JSONValue = switch outcome.name {
                    case "overall": Summary.json(Statistic(pairs.map { Outcomes.hedgesG($0.0, $0.1) }))
                    case "course_achievement": Summary.json(Statistic(pairs.map { Outcomes.courseHedgesG($0.0, $0.1) }))
                    default: .null
                    }
                    comparisons.append(.object([
                        ("variant", .string(arm.name)),
                        ("baseline", .string(first.name)),
                        ("group", .string(group.name)),
                        ("outcome", .string(outcome.name)),
                        ("difference", Summary.json(Statistic(differences))),
                        ("hedges_g", g),
                    ]))
                }
            }
        }
        return .object([
            ("scenario", .string(first.description.scenario)),
            ("seed", .integer(Int(truncatingIfNeeded: first.description.seed))),
            ("replications", .integer(first.description.replications)),
            ("weeks", .integer(first.description.weeks)),
            ("control_points", .array(first.description.controlPoints.map { .integer($0) })),
            ("variants", .array(variants)),
            ("comparisons", .array(comparisons)),
        ])
    }

    /// The side-by-side table: per group, each outcome's mean [95% CI] per variant, then the
    /// difference from the first variant [95% CI] and, for the overall score and course
    /// achievement, Hedges' g.
    public static func table(_ arms: [Arm]) -> String {
        let first = arms[0]
        var out = "blendsim compare · \(first.description.scenario) · seed \(first.description.seed) · "
            + "\(first.description.replications) replications per variant (paired: same random numbers)\n"
        for (baseIndex, group) in first.description.groups.enumerated() {
            out += "\nGroup '\(group.name)': end of semester, mean [95% CI]\n"
            var header = ["outcome"] + arms.map(\.name)
            for arm in arms.dropFirst() { header.append("\(arm.name) − \(first.name)") }
            var rows = [header]
            for outcome in Outcomes.catalog {
                var row = [outcome.name]
                let digits = outcome.name.hasSuffix("_share") || outcome.name == "motivation" ? 3 : 1
                for arm in arms {
                    guard let index = arm.description.groups.firstIndex(where: { $0.name == group.name }) else {
                        row.append("–")
                        continue
                    }
                    row.append(TerminalSummary.interval(
                        Statistic(arm.result.replications.map { outcome.read($0.groups[index], group.students) }), digits: digits))
                }
                for arm in arms.dropFirst() {
                    guard let index = arm.description.groups.firstIndex(where: { $0.name == group.name }) else {
                        row.append("–")
                        continue
                    }
                    let pairs = zip(arm.result.replications, first.result.replications).map { ($0.groups[index], $1.groups[baseIndex]) }
                    var cell = TerminalSummary.signedInterval(
                        Statistic(pairs.map { outcome.read($0.0, group.students) - outcome.read($0.1, group.students) }), digits: digits)
                    if outcome.name == "overall" {
                        cell += "  g = " + TerminalSummary.interval(Statistic(pairs.map { Outcomes.hedgesG($0.0, $0.1) }), digits: 2)
                    } else if outcome.name == "course_achievement" {
                        cell += "  g = " + TerminalSummary.interval(Statistic(pairs.map { Outcomes.courseHedgesG($0.0, $0.1) }), digits: 2)
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
