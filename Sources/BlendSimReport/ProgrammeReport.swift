public import BlendSimCore

/// A programme of several semesters as the results describe it (docs/RESULTS.md, "Programmes"):
/// each semester's name, break and weeks, how each group was taught in it, and the level the
/// programme asks for.
public struct ProgrammeDescription: Sendable {
    public struct Semester: Sendable {
        public var name: String
        public var breakWeeks: Int
        public var weeks: Int
        public var controlPoints: [Int]
        /// Per group (in the run's order): its model, online share and policies this semester.
        public var groups: [(model: String, onlineShare: Double, policies: [String])]

        public init(name: String, breakWeeks: Int, weeks: Int, controlPoints: [Int], groups: [(model: String, onlineShare: Double, policies: [String])]) {
            self.name = name
            self.breakWeeks = breakWeeks
            self.weeks = weeks
            self.controlPoints = controlPoints
            self.groups = groups
        }
    }

    public var semesters: [Semester]
    public var target: LevelBand?

    public init(semesters: [Semester], target: LevelBand?) {
        self.semesters = semesters
        self.target = target
    }

    /// The row of a group's weekly history where semester `index` (0-based) starts: each
    /// semester has its start and its weeks.
    public func startRow(_ index: Int) -> Int { semesters.prefix(index).reduce(0) { $0 + $1.weeks + 1 } }
    /// The row of the semester's last week.
    public func endRow(_ index: Int) -> Int { startRow(index) + semesters[index].weeks }
    /// Every row with its semester (1-based) and week within the semester.
    public var rows: [(semester: Int, week: Int, row: Int)] {
        var list: [(Int, Int, Int)] = []
        for (index, semester) in semesters.enumerated() {
            let start = startRow(index)
            for week in 0...semester.weeks { list.append((index + 1, week, start + week)) }
        }
        return list
    }

    /// The share of a group's starting students who are enrolled and at `level` or above at
    /// `metrics` (withdrawn students have not reached it).
    public static func share(atLeast level: LevelBand, _ metrics: WeekMetrics, enrolled: Int) -> Double {
        let enrolledShare = enrolled > 0 ? Double(metrics.active) / Double(enrolled) : 0
        let above = LevelBand.allCases.filter { $0.rawValue >= level.rawValue }.reduce(0) { $0 + metrics.bandShares[$1.rawValue] }
        return enrolledShare * above
    }

    /// Withdrawals so far, as a share of the group's starting students.
    static func withdrawn(_ metrics: WeekMetrics, enrolled: Int) -> Double {
        enrolled > 0 ? 1 - Double(metrics.active) / Double(enrolled) : 0
    }

    /// The `programme` member of a group in summary.json.
    func json(group index: Int, outcomes: [GroupOutcome]) -> JSONValue {
        func stat(_ values: [Double]) -> JSONValue { Summary.json(Statistic(values)) }
        let semesterItems = semesters.indices.map { s -> JSONValue in
            let semester = semesters[s]
            let row = endRow(s)
            let start = startRow(s)
            var members: [(String, JSONValue)] = [
                ("name", .string(semester.name)),
                ("break_weeks", .integer(semester.breakWeeks)),
                ("weeks", .integer(semester.weeks)),
                ("model", .string(semester.groups[index].model)),
                ("online_share", .finite(semester.groups[index].onlineShare)),
                ("policies", .array(semester.groups[index].policies.map { .string($0) })),
                ("start_overall", stat(outcomes.map { $0.weekly[start].overall })),
                ("paper_levels", .object(Summary.paperLevels.map { name, bands in
                    (name, stat(outcomes.map { Summary.paperShare($0.weekly[row], bands) }))
                })),
                ("overall", stat(outcomes.map { $0.weekly[row].overall })),
                ("motivation", stat(outcomes.map { $0.weekly[row].motivation })),
                ("withdrawn_share", stat(outcomes.map { Self.withdrawn($0.weekly[row], enrolled: $0.enrolled) })),
            ]
            if s > 0 {
                // What the break before the semester did: the change from the last semester's end.
                let before = endRow(s - 1)
                members.append(("break_change_overall", stat(outcomes.map { $0.weekly[start].overall - $0.weekly[before].overall })))
            }
            if let target {
                members.append(("target_share", stat(outcomes.map { Self.share(atLeast: target, $0.weekly[row], enrolled: $0.enrolled) })))
            }
            return .object(members)
        }
        var members: [(String, JSONValue)] = [("semesters", .array(semesterItems))]
        if let target {
            members.append(("target", .string(target.key)))
            members.append(("target_cefr", .string(target.cefr)))
            members.append(("target_share", stat(outcomes.map { Self.share(atLeast: target, $0.after, enrolled: $0.enrolled) })))
            members.append(("target_share_of_enrolled", stat(outcomes.map { outcome in
                LevelBand.allCases.filter { $0.rawValue >= target.rawValue }.reduce(0) { $0 + outcome.after.bandShares[$1.rawValue] }
            })))
        }
        members.append(("withdrawn_share", stat(outcomes.map { Self.withdrawn($0.after, enrolled: $0.enrolled) })))
        return .object(members)
    }

    /// The programme's verdict for one group, in words: "61.0% [57.1, 64.9] of the students reach
    /// B2 or above by the end of year 2, spring (semester 4); 14.0% [12.2, 15.8] have withdrawn."
    public func verdict(group: String, outcomes: [GroupOutcome]) -> String {
        let last = semesters.count
        let end = "by the end of \(semesters[last - 1].name)" + (semesters[last - 1].name == "semester \(last)" ? "" : " (semester \(last))")
        let withdrawn = Statistic(outcomes.map { Self.withdrawn($0.after, enrolled: $0.enrolled) })
        let lost = Self.percent(withdrawn) + " have withdrawn"
        guard let target else {
            let overall = Statistic(outcomes.map { $0.after.overall - $0.before.overall })
            return "\(group): the overall score rises \(TerminalSummary.fixed(overall.mean, digits: 1)) points \(end); \(lost)."
        }
        let reach = Statistic(outcomes.map { Self.share(atLeast: target, $0.after, enrolled: $0.enrolled) })
        return "\(group): \(Self.percent(reach)) of the students reach \(target.cefr) or above \(end); \(lost)."
    }

    /// "61.0% [57.1, 64.9]": a share with its 95% interval, in percent.
    static func percent(_ s: Statistic) -> String {
        let mean = TerminalSummary.fixed(100 * s.mean, digits: 1) + "%"
        guard let ci = s.ci95 else { return mean }
        return mean + " [" + TerminalSummary.fixed(100 * ci.lower, digits: 1) + ", " + TerminalSummary.fixed(100 * ci.upper, digits: 1) + "]"
    }

    /// The terminal's programme block: the verdict per group and the levels at the end of every
    /// semester (the paper's Table 1 over time).
    func table(_ run: RunDescription, _ result: SimulationResult) -> String {
        var out = "\nProgramme: \(semesters.count) semesters, \(semesters.reduce(0) { $0 + $1.weeks }) weeks of teaching"
        out += semesters.dropFirst().isEmpty ? "\n" : ", breaks of " + semesters.dropFirst().map { "\($0.breakWeeks)" }.joined(separator: ", ") + " weeks\n"
        for (index, group) in run.groups.enumerated() {
            let outcomes = result.replications.map { $0.groups[index] }
            out += "  " + verdict(group: group.name, outcomes: outcomes) + "\n"
        }
        out += "\nLevels at the end of each semester: % of the students who started (mean)\n"
        var rows: [[String]] = [["group", "semester", "teaching", "A2 and below", "B1", "B2 and above", "withdrawn"]]
        for (index, group) in run.groups.enumerated() {
            let outcomes = result.replications.map { $0.groups[index] }
            for (s, semester) in semesters.enumerated() {
                let row = endRow(s)
                func share(_ bands: [LevelBand]) -> String {
                    let values = outcomes.map { outcome in
                        Summary.paperShare(outcome.weekly[row], bands) * (1 - Self.withdrawn(outcome.weekly[row], enrolled: outcome.enrolled))
                    }
                    return TerminalSummary.fixed(100 * Statistic(values).mean, digits: 1) + "%"
                }
                let taught = semester.groups[index]
                rows.append([
                    s == 0 ? group.name : "", semester.name,
                    "\(taught.model) \(TerminalSummary.fixed(100 * taught.onlineShare, digits: 0))% online"
                        + (taught.policies.isEmpty ? "" : " + " + taught.policies.joined(separator: ", ")),
                    share(Summary.paperLevels[0].1), share(Summary.paperLevels[1].1), share(Summary.paperLevels[2].1),
                    TerminalSummary.fixed(100 * Statistic(outcomes.map { Self.withdrawn($0.weekly[row], enrolled: $0.enrolled) }).mean, digits: 1) + "%",
                ])
            }
        }
        out += TerminalSummary.table(rows, rightAligned: [])
        return out
    }
}

extension ProgrammeDescription {
    /// A comparison's `programme` member: each variant's share of students reaching the target
    /// and withdrawn by the programme's end, and each variant's paired difference from the first
    /// (the same students and random numbers in each replication). Nil unless the first variant
    /// is a programme.
    static func comparison(_ arms: [Comparison.Arm]) -> JSONValue? {
        guard let programme = arms.first?.description.programme else { return nil }
        let target = programme.target
        func reach(_ outcome: GroupOutcome) -> Double {
            target.map { share(atLeast: $0, outcome.after, enrolled: outcome.enrolled) } ?? .nan
        }
        func lost(_ outcome: GroupOutcome) -> Double { withdrawn(outcome.after, enrolled: outcome.enrolled) }
        var variants: [JSONValue] = []
        var differences: [JSONValue] = []
        let first = arms[0]
        for (armIndex, arm) in arms.enumerated() {
            for (groupIndex, group) in arm.description.groups.enumerated() {
                let outcomes = arm.result.replications.map { $0.groups[groupIndex] }
                let described = arm.description.programme ?? programme
                var members: [(String, JSONValue)] = [
                    ("variant", .string(arm.name)), ("group", .string(group.name)),
                    ("semesters", .integer(described.semesters.count)),
                    ("withdrawn_share", Summary.json(Statistic(outcomes.map(lost)))),
                    ("verdict", .string(described.verdict(group: group.name, outcomes: outcomes))),
                ]
                if target != nil { members.insert(("target_share", Summary.json(Statistic(outcomes.map(reach)))), at: 3) }
                variants.append(.object(members))
                guard armIndex > 0, let base = first.description.groups.firstIndex(where: { $0.name == group.name }) else { continue }
                let pairs = zip(outcomes, first.result.replications.map { $0.groups[base] })
                var difference: [(String, JSONValue)] = [
                    ("variant", .string(arm.name)), ("baseline", .string(first.name)), ("group", .string(group.name)),
                    ("withdrawn_share", Summary.json(Statistic(pairs.map { lost($0) - lost($1) }))),
                ]
                if target != nil { difference.insert(("target_share", Summary.json(Statistic(pairs.map { reach($0) - reach($1) }))), at: 3) }
                differences.append(.object(difference))
            }
        }
        return .object([
            ("target", target.map { .string($0.key) } ?? .null),
            ("target_cefr", target.map { .string($0.cefr) } ?? .null),
            ("variants", .array(variants)),
            ("differences", .array(differences)),
        ])
    }

    /// The comparison's programme answer in words, from its summary.json member: each variant's
    /// verdict, then each difference from the first variant in percentage points with its 95%
    /// interval.
    public static func comparisonText(_ member: JSONValue) -> [String] {
        var lines: [String] = []
        if case .array(let variants)? = member["variants"] {
            for variant in variants {
                if let verdict = variant["verdict"]?.stringValue { lines.append("\(variant["variant"]?.stringValue ?? "") — \(verdict)") }
            }
        }
        let cefr = member["target_cefr"]?.stringValue
        if case .array(let differences)? = member["differences"] {
            for item in differences {
                let variant = item["variant"]?.stringValue ?? "", baseline = item["baseline"]?.stringValue ?? ""
                var parts: [String] = []
                if let cefr, let stat = item["target_share"] { parts.append(points(stat, what: "reaching \(cefr)")) }
                if let stat = item["withdrawn_share"] { parts.append(points(stat, what: "withdrawn")) }
                lines.append("\(variant) against \(baseline) (group '\(item["group"]?.stringValue ?? "")'): " + parts.joined(separator: "; ") + ".")
            }
        }
        return lines
    }

    /// "+2.1 percentage points [0.4, 3.8] of the students reaching B2 (clearly more)".
    static func points(_ stat: JSONValue, what: String) -> String {
        let mean = 100 * (stat["mean"]?.doubleValue ?? .nan)
        var text = (mean >= 0 ? "+" : "") + TerminalSummary.fixed(mean, digits: 1) + " percentage points"
        if case .array(let ci)? = stat["ci95"], ci.count == 2, let lower = ci[0].doubleValue, let upper = ci[1].doubleValue {
            text += " [" + TerminalSummary.fixed(100 * lower, digits: 1) + ", " + TerminalSummary.fixed(100 * upper, digits: 1) + "]"
            text += " " + what + (lower > 0 ? " (clearly more)" : upper < 0 ? " (clearly fewer)" : " (not clearly different)")
        } else {
            text += " " + what
        }
        return text
    }
}
