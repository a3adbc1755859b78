public import BlendSimCore

/// The summary a planner reads on the terminal: level shares before and after, outcomes with
/// their 95% intervals, incidents. Every number is the mean over replications.
public enum TerminalSummary {
    /// The summary as CSV: one row per group and outcome of `Outcomes.catalog`, over replications.
    public static func csv(_ run: RunDescription, _ result: SimulationResult) -> String {
        var lines = ["group,outcome,mean,sd,ci95_lo,ci95_hi,n"]
        for (index, group) in run.groups.enumerated() {
            for outcome in Outcomes.catalog {
                let s = Statistic(result.replications.map { outcome.read($0.groups[index], group.students) })
                lines.append([
                    WeeklyTable.quote(group.name), outcome.name, WeeklyTable.number(s.mean), s.sd.map(WeeklyTable.number) ?? "",
                    s.ci95.map { WeeklyTable.number($0.lower) } ?? "", s.ci95.map { WeeklyTable.number($0.upper) } ?? "", "\(s.n)",
                ].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The paper's levels as people read them, by their summary.json keys.
    static let levelLabels: [(key: String, label: String)] = [
        ("pre_intermediate", "A2 and below"), ("intermediate", "B1"), ("upper_intermediate", "B2 and above"),
    ]

    /// Section titles in bold, for terminals that show it.
    static func heading(_ text: String, color: Bool) -> String {
        color ? "\u{1B}[1m" + text + "\u{1B}[0m" : text
    }

    public static func render(_ run: RunDescription, _ result: SimulationResult, color: Bool = false) -> String {
        let outcomes = run.groups.indices.map { index in result.replications.map { $0.groups[index] } }
        var out = "blendsim · \(run.scenario) · seed \(run.seed) · \(run.replications) replication\(run.replications == 1 ? "" : "s") · "
            + (run.programme.map { "\($0.semesters.count) semesters, " } ?? "") + "\(run.weeks) weeks\n"
        if let uncertainty = run.uncertainty {
            out += "Model uncertainty: each replication draws its parameters from \(uncertainty.posterior) (\(uncertainty.particles) particles), "
                + "so the spread over replications includes what the evidence leaves uncertain\n"
        }

        // The paper's three levels, named as in the report (CEFR bands of the Cambridge scale).
        let span = run.programme == nil ? "semester" : "programme"
        if let programme = run.programme { out += programme.table(run, result) }
        // A programme's students withdraw over years: its shares are of those still enrolled.
        out += "\n" + heading(run.programme == nil ? "Levels: % of students, start → end of semester" : "Levels: % of enrolled students, start → end of programme", color: color) + "\n"
        var levelRows = [["group", "model", "online", "students"] + levelLabels.map(\.label)]
        for (index, group) in run.groups.enumerated() {
            var row = [group.name, group.model, percent(group.onlineShare, digits: 0), "\(group.students)"]
            for (key, _) in levelLabels {
                let members = Summary.paperLevels.first { $0.0 == key }?.1 ?? []
                let before = Statistic(outcomes[index].map { Summary.paperShare($0.before, members) }).mean
                let after = Statistic(outcomes[index].map { Summary.paperShare($0.after, members) }).mean
                row.append("\(percent(before, digits: 1)) → \(percent(after, digits: 1))")
            }
            levelRows.append(row)
        }
        out += table(levelRows, rightAligned: [2, 3])

        out += "\n" + heading("End of \(span): mean [95% CI] (Cambridge English Scale; motivation 0–1)", color: color) + "\n"
        var outcomeRows = [["group", "overall", "listening", "reading", "writing", "speaking", "motivation"]]
        for (index, group) in run.groups.enumerated() {
            var row = [group.name, interval(Statistic(outcomes[index].map { $0.after.overall }), digits: 1)]
            for skill in Skill.allCases {
                row.append(interval(Statistic(outcomes[index].map { $0.after.skills[skill.rawValue] }), digits: 1))
            }
            row.append(interval(Statistic(outcomes[index].map { $0.after.motivation }), digits: 3))
            outcomeRows.append(row)
        }
        out += table(outcomeRows, rightAligned: [])

        out += "\n" + heading("Over the \(span): change (points; motivation 0–1) and incidents per 100 students (means)", color: color) + "\n"
        var incidentRows = [["group", "Δ overall", "Δ motivation", "cheating incidents", "late submissions", "dropouts"]]
        for (index, group) in run.groups.enumerated() {
            let reps = outcomes[index]
            let perHundred = 100 / Double(max(group.students, 1))
            incidentRows.append([
                group.name,
                signed(Statistic(reps.map { $0.after.overall - $0.before.overall }).mean, digits: 2),
                signed(Statistic(reps.map { $0.after.motivation - $0.before.motivation }).mean, digits: 3),
                fixed(Statistic(reps.map { Double($0.cheating) * perHundred }).mean, digits: 1),
                fixed(Statistic(reps.map { Double($0.lateSubmissions) * perHundred }).mean, digits: 1),
                fixed(Statistic(reps.map { Double($0.dropouts) * perHundred }).mean, digits: 1),
            ])
        }
        out += table(incidentRows, rightAligned: [1, 2, 3, 4, 5])
        out += costs(run, outcomes, color: color)
        // Gains against the baseline group, when the scenario names one: the headline, then the table.
        if run.baseline != nil {
            let summary = Summary.document(run, result)
            let headlines = RunGains.headlines(summary)
            if !headlines.isEmpty {
                out += "\n" + heading("Against the baseline", color: color) + "\n"
                for headline in headlines { out += "  " + headline + "\n" }
                out += "\n" + RunGains.text(summary)
            }
        }
        let provenance = Provenance.text(Summary.document(run, result))
        if !provenance.isEmpty { out += "\n" + provenance }
        return out
    }

    /// The semester's cost per group, its three largest items, and — against the baseline — what
    /// each group's gains cost per unit a teacher knows. Empty when the scenario has no `costs:`.
    static func costs(_ run: RunDescription, _ outcomes: [[GroupOutcome]], color: Bool) -> String {
        guard let currency = run.groups.compactMap(\.pricing).first?.currency else { return "" }
        var out = "\n" + heading("Cost of the semester (\(currency); means over replications)", color: color) + "\n"
        var rows = [["group", "total", "per student", "largest items"]]
        for (index, group) in run.groups.enumerated() {
            guard let pricing = group.pricing else { continue }
            let costs = outcomes[index].map { pricing.cost($0) }
            let items = pricing.items.indices.map { item in (pricing.items[item].key, Statistic(costs.map { $0.items[item] }).mean) }
                .filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }.prefix(3)
            rows.append([
                group.name, CostReport.money(Statistic(costs.map(\.total)).mean, currency),
                CostReport.money(Statistic(costs.map { $0.total / Double(max(pricing.students, 1)) }).mean, currency),
                items.map { "\($0.0) \(CostReport.money($0.1, currency))" }.joined(separator: "; "),
            ])
        }
        out += table(rows, rightAligned: [1, 2])
        if let baseline = run.baseline, let base = run.groups.firstIndex(where: { $0.name == baseline }), let basePricing = run.groups[base].pricing {
            var ratioRows = [["against \(baseline)", "extra cost per student", "per extra student up a level", "per withdrawal avoided", "per 0.1 g of course achievement, per student"]]
            for (index, group) in run.groups.enumerated() where index != base {
                guard let pricing = group.pricing else { continue }
                let e = CostReport.Effectiveness(pricing, outcomes[index], baseline: basePricing, outcomes[base])
                ratioRows.append([
                    group.name, CostReport.money(e.costPerStudent.mean, currency), CostReport.describe(e.perLevelUp, currency),
                    CostReport.describe(e.perWithdrawalAvoided, currency), CostReport.describe(e.perTenthG, currency),
                ])
            }
            if ratioRows.count > 1 { out += "\n" + table(ratioRows, rightAligned: []) }
        }
        return out
    }

    /// Columns padded to their widest cell, two spaces apart.
    public static func table(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var out = ""
        for row in rows {
            var cells: [String] = []
            for (column, cell) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                cells.append(rightAligned.contains(column) ? pad + cell : cell + pad)
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += "  " + line + "\n"
        }
        return out
    }

    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(abs(rounded) < 0.5 / scale ? 0 : rounded)"
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
            if digits == 0 { text = String(text[..<dot]) }
        } else if digits > 0 {
            text += "." + String(repeating: "0", count: digits)
        }
        return text
    }

    static func signed(_ value: Double, digits: Int) -> String {
        let text = fixed(value, digits: digits)
        return value > 0 && text != fixed(0, digits: digits) ? "+" + text : text
    }

    static func percent(_ share: Double, digits: Int) -> String { fixed(share * 100, digits: digits) + "%" }

    /// A difference: signed mean and its interval.
    public static func signedInterval(_ s: Statistic, digits: Int) -> String {
        guard let ci = s.ci95 else { return signed(s.mean, digits: digits) }
        return "\(signed(s.mean, digits: digits)) [\(fixed(ci.lower, digits: digits)), \(fixed(ci.upper, digits: digits))]"
    }

    public static func interval(_ s: Statistic, digits: Int) -> String {
        guard let ci = s.ci95 else { return fixed(s.mean, digits: digits) }
        return "\(fixed(s.mean, digits: digits)) [\(fixed(ci.lower, digits: digits)), \(fixed(ci.upper, digits: digits))]"
    }
}
