import BlendSimCore

/// The comparison part of report.html: the verdict, each group's outcomes per variant with
/// their paired differences, and the weekly charts per variant.
extension HTMLReport {
    static func comparisonSections(variants: [JSONValue], summary: JSONValue, weekly: Weekly?) -> String {
        var html = ""
        if let programme = summary["programme"] {
            let target = programme["target_cefr"]?.stringValue
            html += "<h2>Programme" + (target.map { ": who reaches \(SVG.escape($0)), and who is lost on the way" } ?? "") + "</h2><ul>"
            for line in ProgrammeDescription.comparisonText(programme) { html += "<li>" + SVG.escape(line) + "</li>" }
            html += "</ul>"
        }
        html += "<h2>What each variant changes</h2><ul>"
        for variant in variants {
            var changes: [String] = []
            if case .array(let list)? = variant["changes"] { changes = list.compactMap(\.stringValue) }
            html += "<li><b>\(SVG.escape(variant["name"]?.stringValue ?? ""))</b>: "
                + SVG.escape(changes.isEmpty ? "the scenario as written" : changes.joined(separator: "; ")) + "</li>"
        }
        html += "</ul>"
        guard case .array(let firstGroups)? = variants.first?["groups"] else { return html }
        let first = variants.first?["name"]?.stringValue ?? ""
        var comparisons: [JSONValue] = []
        if case .array(let list)? = summary["comparisons"] { comparisons = list }
        func interval(_ stat: JSONValue?, factor: Double) -> (Double, Double, Double) {
            var lower = Double.nan, upper = Double.nan
            if case .array(let ci)? = stat?["ci95"], ci.count == 2 { lower = (ci[0].doubleValue ?? .nan) * factor; upper = (ci[1].doubleValue ?? .nan) * factor }
            return ((stat?["mean"]?.doubleValue ?? .nan) * factor, lower, upper)
        }
        for group in firstGroups {
            let name = group["name"]?.stringValue ?? ""
            let students = Int(group["students"]?.doubleValue ?? 1)
            html += "<h3>Group '\(SVG.escape(name))'</h3>"
            // Forest plots: each variant's paired difference from the first, with its 95% CI and
            // the line of no difference, in each outcome's own unit.
            if variants.count > 1 {
                html += "<p>Differences from \(SVG.escape(first)) (paired; dot = mean over replications, bar = 95% CI, dashed line = no difference):</p><div class=\"charts\">"
                for outcome in ["overall", "level_up_share", "dropouts", "motivation"] {
                    let (label, factor, _) = Comparison.display(outcome, students: students)
                    let items = comparisons.filter { $0["group"]?.stringValue == name && $0["outcome"]?.stringValue == outcome }.map { c in
                        // Counts: per 100 students of each arm's own enrolment (summary.json's per_100_students).
                        let (mean, lower, upper) = c["per_100_students"] != nil ? interval(c["per_100_students"], factor: 1) : interval(c["difference"], factor: factor)
                        return ("\(c["variant"]?.stringValue ?? "") − \(c["baseline"]?.stringValue ?? "")", mean, lower, upper)
                    }
                    if !items.isEmpty { html += SVG.whiskers(title: "Difference: \(label)", xLabel: label, items: items, reference: 0) }
                }
                let standardised = comparisons.filter { $0["group"]?.stringValue == name && $0["outcome"]?.stringValue == "overall" && $0["hedges_g"] != .null }
                    .map { c in
                        let (mean, lower, upper) = interval(c["hedges_g"], factor: 1)
                        return ("\(c["variant"]?.stringValue ?? "") − \(c["baseline"]?.stringValue ?? "")", mean, lower, upper)
                    }
                if !standardised.isEmpty {
                    html += SVG.whiskers(title: "Difference: overall score in student standard deviations (Hedges' g)", xLabel: "Hedges' g (grey: negligible, below 0.2; 0.5 medium, 0.8 large)", items: standardised, reference: 0,
                        including: [-0.25, 0.25], negligible: -0.2...0.2)
                }
                html += "</div>"
            }
            if let weekly {
                html += "<p>Over the semester, per variant (mean and 95% band):</p><div class=\"charts\">"
                for (metric, title, unit) in [
                    ("overall", "Overall score", "Cambridge English Scale"), ("motivation", "Motivation", "motivation (0–1)"),
                    ("active_share", "Students still enrolled", "share of students"),
                ] {
                    let series = variants.compactMap { weekly.series(group: name, metric: metric, variant: $0["name"]?.stringValue ?? "") }
                    if !series.isEmpty { html += SVG.lineChart(title: "\(title), group '\(name)'", yLabel: unit, series: series) }
                }
                html += "</div>"
            }
            // The paper's levels: where the students start (the same in every variant: paired) and
            // where each variant leaves them.
            var bars: [(String, [Double])] = []
            var columns: [(String, JSONValue?)] = []
            func groupOf(_ variant: JSONValue) -> JSONValue? {
                guard case .array(let groups)? = variant["groups"] else { return nil }
                return groups.first { $0["name"]?.stringValue == name }
            }
            if let start = groupOf(variants[0]) {
                bars.append(("start before", levels.map { start["paper_levels"]?["before"]?[$0.0]?["mean"]?.doubleValue ?? 0 }))
            }
            for variant in variants {
                let label = variant["name"]?.stringValue ?? ""
                guard let g = groupOf(variant) else { continue }
                bars.append(("\(label) after", levels.map { g["paper_levels"]?["after"]?[$0.0]?["mean"]?.doubleValue ?? 0 }))
                columns.append((label, g))
            }
            html += "<div class=\"charts\">" + SVG.stackedBars(title: "Share of students per level, group '\(name)'", bars: bars, categories: levels.map(\.1)) + "</div>"
            html += "<table><tr><th class=\"name\">level</th><th>at the start</th>"
            for (label, _) in columns { html += "<th>\(SVG.escape(label)): after</th><th>change</th>" }
            html += "</tr>"
            for (key, label) in levels {
                html += "<tr><td class=\"name\">\(SVG.escape(label))</td>"
                html += cell(columns.first?.1?["paper_levels"]?["before"]?[key]?["mean"], digits: 1, percent: true)
                for (_, g) in columns {
                    html += cell(g?["paper_levels"]?["after"]?[key]?["mean"], digits: 1, percent: true)
                    html += cell(g?["paper_levels"]?["change"]?[key]?["mean"], digits: 1, percent: true)
                }
                html += "</tr>"
            }
            html += "</table>"
        }
        html += "<h3>End of the semester per variant</h3><table><tr><th class=\"name\">variant</th><th class=\"name\">group</th><th>overall</th><th>listening</th><th>reading</th><th>writing</th><th>speaking</th><th>motivation</th></tr>"
        for variant in variants {
            guard case .array(let groups)? = variant["groups"] else { continue }
            for group in groups {
                html += "<tr><td class=\"name\">\(SVG.escape(variant["name"]?.stringValue ?? ""))</td><td class=\"name\">\(SVG.escape(group["name"]?.stringValue ?? ""))</td>"
                html += statCell(group["overall"]?["after"], digits: 1)
                for skill in ["listening", "reading", "writing", "speaking"] { html += statCell(group["skills"]?[skill]?["after"], digits: 1) }
                html += statCell(group["motivation"]?["after"], digits: 3) + "</tr>"
            }
        }
        html += "</table>"
        // With --uncertainty model, each difference has two intervals: the 95% CI of the mean
        // (simulation noise) and the 90% credible interval (the parameters' uncertainty too).
        let uncertain = summary["uncertainty"] != nil
        html += "<h3>Differences from the first variant (paired)</h3>"
        if uncertain {
            html += "<p>Each replication drew the model's parameters from the posterior "
                + "\(SVG.escape(summary["uncertainty"]?["posterior"]?.stringValue ?? "")): the 95% CI is that of the mean difference, "
                + "which more replications narrow; the 90% credible interval spans the differences one replication — one parameter draw "
                + "and one cohort — may show.</p>"
        }
        html += "<table><tr><th class=\"name\">variant</th><th class=\"name\">group</th><th class=\"name\">outcome</th><th>difference [95% CI]</th>"
        if uncertain { html += "<th>90% credible interval</th><th>P(higher)</th>" }
        html += "<th>Hedges' g [95% CI]</th></tr>"
        if case .array(let comparisons)? = summary["comparisons"] {
            var students: [String: Int] = [:]
            for group in firstGroups { students[group["name"]?.stringValue ?? ""] = Int(group["students"]?.doubleValue ?? 1) }
            for c in comparisons {
                // In the units people read (points, % of students, per 100 students); the exact
                // value from summary.json stays in data-value.
                let (label, factor, digits) = Comparison.display(c["outcome"]?.stringValue ?? "", students: students[c["group"]?.stringValue ?? ""] ?? 1)
                html += "<tr><td class=\"name\">\(SVG.escape(c["variant"]?.stringValue ?? "")) − \(SVG.escape(c["baseline"]?.stringValue ?? ""))</td>"
                html += "<td class=\"name\">\(SVG.escape(c["group"]?.stringValue ?? ""))</td><td class=\"name\">\(SVG.escape(label))</td>"
                let per100 = c["per_100_students"]
                html += per100 != nil ? scaledCell(per100, factor: 1, digits: digits) : scaledCell(c["difference"], factor: factor, digits: digits)
                if uncertain {
                    if case .array(let interval)? = c["credible90"], interval.count == 2, let lo = interval[0].doubleValue, let hi = interval[1].doubleValue {
                        html += "<td>[\(TerminalSummary.fixed(lo * factor, digits: digits)), \(TerminalSummary.fixed(hi * factor, digits: digits))]</td>"
                    } else {
                        html += "<td>–</td>"
                    }
                    html += cell(c["probability_higher"], digits: 0, percent: true)
                }
                html += c["hedges_g"] == .null ? "<td>–</td>" : scaledCell(c["hedges_g"], factor: 1, digits: 2)
                html += "</tr>"
            }
        }
        return html + "</table>"
    }
}
