public import BlendSimCore

/// report.html: one self-contained page — inline SVG and CSS, no scripts, no fonts or images
/// from anywhere — built from a results directory's summary.json, weekly.csv and manifest.json,
/// so every number shown is the number in those files. Table cells carry the exact value from
/// summary.json in `data-value`.
public enum HTMLReport {
    /// Weekly statistics read back from weekly.csv: group → metric → statistic → week → value.
    public struct Weekly: Sendable {
        var values: [String: [String: [String: [Int: Double]]]] = [:]

        public init(csv: String) {
            for line in csv.split(separator: "\n").dropFirst() {
                let fields = Self.fields(String(line))
                // A semester has at most 52 weeks; a row claiming another is not one blendsim wrote.
                guard fields.count == 5, let week = Int(fields[1]), (0...52).contains(week) else { continue }
                values[fields[0], default: [:]][fields[2], default: [:]][fields[3], default: [:]][week] = Double(fields[4]) ?? .nan
            }
        }

        static func fields(_ line: String) -> [String] {
            var fields: [String] = []
            var current = ""
            var quoted = false
            var previousQuote = false
            for character in line {
                if character == "\"" {
                    if quoted && previousQuote { current.append("\""); previousQuote = false; continue }
                    quoted.toggle()
                    previousQuote = !quoted
                    continue
                }
                previousQuote = false
                if character == "," && !quoted {
                    fields.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            fields.append(current)
            return fields
        }

        func series(group: String, metric: String) -> SVG.Series? {
            guard let byStatistic = values[group]?[metric], let means = byStatistic["mean"] else { return nil }
            let weeks = means.keys.sorted()
            return SVG.Series(
                name: group, means: weeks.map { means[$0]! },
                lower: weeks.map { byStatistic["ci95_lo"]?[$0] ?? .nan }, upper: weeks.map { byStatistic["ci95_hi"]?[$0] ?? .nan })
        }
    }

    static let style = """
        body{font-family:sans-serif;margin:24px auto;max-width:1100px;color:#222;line-height:1.4}
        h1{font-size:1.6em;margin-bottom:0.2em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:0.6em 0 1.2em 0;font-size:0.92em}
        th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f2f2f2}
        td.name,th.name{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:12px}
        .chart-title{font-size:14px;font-weight:bold}.tick{font-size:11px;fill:#444}.axis-label{font-size:12px;fill:#222}
        .legend{font-size:12px}.bar-label{font-size:11px;fill:#fff;font-weight:bold}
        .grid{stroke:#e3e3e3;stroke-width:1}.axis{stroke:#555;stroke-width:1}.note{color:#555;font-size:0.9em}
        """

    public static func render(summary: JSONValue, weekly: Weekly?, manifest: JSONValue?) -> String {
        var body = ""
        let name = summary["scenario"]?.stringValue ?? "scenario"
        body += "<h1>blendsim report: \(SVG.escape(name))</h1>"
        // The headline: a run's gains against its baseline, in words, before any table.
        for headline in RunGains.headlines(summary) { body += "<p class=\"headline\">\(SVG.escape(headline))</p>" }
        body += brief(summary, manifest: manifest)
        if case .array(let groups)? = summary["groups"] {
            body += runSections(groups: groups, summary: summary, weekly: weekly)
        }
        if case .array(let points)? = summary["points"] {
            body += SweepReport.sections(points: points, summary: summary)
        }
        if case .array(let variants)? = summary["variants"] {
            let verdicts = Verdict.lines(summary)
            if !verdicts.isEmpty {
                body += "<h2>Verdict</h2>" + verdicts.map { "<p class=\"verdict\">\(SVG.escape($0.sentence))</p>" }.joined()
            }
            body += comparisonSections(variants: variants, summary: summary)
        }
        if let seconds = manifest?["elapsed_seconds"]?.doubleValue {
            let studentWeeks = manifest?["student_weeks"]?.doubleValue ?? 0
            body += "<h2>Runtime</h2><p>Simulation: \(SVG.label(seconds)) s for \(SVG.label(studentWeeks)) student-weeks.</p>"
        }
        body += "<p class=\"note\">Every figure is a mean over replications with its 95% confidence interval (Student's t). Colours follow the Okabe–Ito palette.</p>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><title>blendsim report: \(SVG.escape(name))</title>
            <style>\(style)</style></head><body>\(body)</body></html>

            """
    }

    static func cell(_ value: JSONValue?, digits: Int, percent: Bool = false) -> String {
        guard let number = value?.doubleValue else { return "<td>–</td>" }
        let shown = percent ? TerminalSummary.fixed(number * 100, digits: digits) + "%" : TerminalSummary.fixed(number, digits: digits)
        return "<td data-value=\"\(JSONValue.finite(number).serialized())\">\(shown)</td>"
    }

    /// A STAT as "mean [lo, hi]" with the exact mean in `data-value`.
    static func statCell(_ stat: JSONValue?, digits: Int) -> String {
        guard let mean = stat?["mean"]?.doubleValue else { return "<td>–</td>" }
        var text = TerminalSummary.fixed(mean, digits: digits)
        if case .array(let ci)? = stat?["ci95"], ci.count == 2, let lo = ci[0].doubleValue, let hi = ci[1].doubleValue {
            text += " [\(TerminalSummary.fixed(lo, digits: digits)), \(TerminalSummary.fixed(hi, digits: digits))]"
        }
        return "<td data-value=\"\(JSONValue.finite(mean).serialized())\">\(text)</td>"
    }

    static func brief(_ summary: JSONValue, manifest: JSONValue?) -> String {
        var html = "<h2>Scenario</h2><p>"
        // Values read back from a results directory are data: escaped whatever their type.
        func field(_ key: String) -> String { SVG.escape(summary[key]?.serialized() ?? "–") }
        if case .array(let points)? = summary["points"] {
            html += "Seed \(field("seed")), \(field("replications")) replications per point, \(points.count) points (\(SVG.escape(summary["design"]?.stringValue ?? "grid")) design) of the plan \(SVG.escape(summary["plan"]?.stringValue ?? "–"))."
        } else {
            html += "Seed \(field("seed")), \(field("replications")) replications, "
            html += "\(field("weeks")) weeks, control points in weeks \(field("control_points"))."
        }
        if let version = manifest?["blendsim_version"]?.stringValue { html += " blendsim \(SVG.escape(version))." }
        html += "</p>"
        var groups: [JSONValue] = []
        if case .array(let list)? = summary["groups"] { groups = list }
        if case .array(let variants)? = summary["variants"], case .array(let list)? = variants.first?["groups"] { groups = list }
        if case .array(let points)? = summary["points"], case .array(let list)? = points.first?["groups"] {
            groups = list
            html += "<p>The groups at the first point:</p>"
        }
        html += "<table><tr><th class=\"name\">group</th><th class=\"name\">model</th><th>online share</th><th>students</th><th class=\"name\">policies</th></tr>"
        for group in groups {
            var policies: [String] = []
            if case .array(let list)? = group["policies"] { policies = list.compactMap(\.stringValue) }
            html += "<tr><td class=\"name\">\(SVG.escape(group["name"]?.stringValue ?? ""))</td><td class=\"name\">\(SVG.escape(group["model"]?.stringValue ?? ""))</td>"
            html += cell(group["online_share"], digits: 0, percent: true) + cell(group["students"], digits: 0)
            html += "<td class=\"name\">\(SVG.escape(policies.isEmpty ? "none" : policies.joined(separator: ", ")))</td></tr>"
        }
        html += "</table>"
        if case .array(let plugins)? = manifest?["plugins"], !plugins.isEmpty {
            html += "<p class=\"note\">Plugins: " + plugins.map {
                SVG.escape("\($0["name"]?.stringValue ?? "") \($0["version"]?.stringValue ?? "")")
            }.joined(separator: ", ") + ".</p>"
        }
        return html
    }

    static let levels = [("pre_intermediate", "pre-intermediate (A2 and below)"), ("intermediate", "intermediate (B1)"), ("upper_intermediate", "upper-intermediate (B2 and above)")]

    static func runSections(groups: [JSONValue], summary: JSONValue, weekly: Weekly?) -> String {
        let names = groups.compactMap { $0["name"]?.stringValue }
        var html = ""
        if let weekly {
            html += "<h2>Over the semester</h2><div class=\"charts\">"
            for (metric, title, unit) in [
                ("listening", "Listening", "Cambridge English Scale"), ("reading", "Reading", "Cambridge English Scale"),
                ("writing", "Writing", "Cambridge English Scale"), ("speaking", "Speaking", "Cambridge English Scale"),
                ("motivation", "Motivation", "motivation (0–1)"),
            ] {
                let series = names.compactMap { weekly.series(group: $0, metric: metric) }
                if !series.isEmpty { html += SVG.lineChart(title: "\(title), mean and 95% band", yLabel: unit, series: series) }
            }
            html += "</div>"
        }

        html += "<h2>Levels before and after (as in the paper's Table 1)</h2>"
        var bars: [(String, [Double])] = []
        for group in groups {
            let name = group["name"]?.stringValue ?? ""
            for moment in ["before", "after"] {
                bars.append(("\(name) \(moment)", levels.map { group["paper_levels"]?[moment]?[$0.0]?["mean"]?.doubleValue ?? 0 }))
            }
        }
        html += "<div class=\"charts\">" + SVG.stackedBars(title: "Share of students per level", bars: bars, categories: levels.map(\.1)) + "</div>"
        html += "<table><tr><th class=\"name\">level</th>"
        for name in names { html += "<th>\(SVG.escape(name)): before</th><th>after</th><th>change</th>" }
        html += "</tr>"
        for (key, label) in levels {
            html += "<tr><td class=\"name\">\(SVG.escape(label))</td>"
            for group in groups {
                for moment in ["before", "after", "change"] {
                    html += cell(group["paper_levels"]?[moment]?[key]?["mean"], digits: 1, percent: true)
                }
            }
            html += "</tr>"
        }
        html += "</table>"

        html += "<h2>End of the semester</h2><table><tr><th class=\"name\">group</th><th>overall</th><th>listening</th><th>reading</th><th>writing</th><th>speaking</th><th>motivation</th></tr>"
        for group in groups {
            html += "<tr><td class=\"name\">\(SVG.escape(group["name"]?.stringValue ?? ""))</td>" + statCell(group["overall"]?["after"], digits: 1)
            for skill in ["listening", "reading", "writing", "speaking"] { html += statCell(group["skills"]?[skill]?["after"], digits: 1) }
            html += statCell(group["motivation"]?["after"], digits: 3) + "</tr>"
        }
        html += "</table>"

        if case .array(let gains)? = summary["gains"], !gains.isEmpty {
            html += "<h2>Gains over the baseline</h2><table><tr><th class=\"name\">group</th><th>listening (pp)</th><th>reading (pp)</th><th>writing (pp)</th><th>speaking (pp)</th><th>motivation (%)</th></tr>"
            for gain in gains {
                html += "<tr><td class=\"name\">\(SVG.escape(gain["group"]?.stringValue ?? "")) vs \(SVG.escape(gain["baseline"]?.stringValue ?? ""))</td>"
                for skill in ["listening", "reading", "writing", "speaking"] { html += statCell(gain["skills"]?[skill], digits: 1) }
                html += statCell(gain["motivation"], digits: 1) + "</tr>"
            }
            html += "</table>"
        }

        html += "<h2>Incidents over the semester</h2><div class=\"charts\">"
        for (key, title) in [("cheating", "Cheating incidents"), ("late_submissions", "Late submissions"), ("dropouts", "Dropouts")] {
            let items = groups.map { group -> (String, Double, Double, Double) in
                let stat = group["incidents"]?[key]
                var lower = Double.nan, upper = Double.nan
                if case .array(let ci)? = stat?["ci95"], ci.count == 2 { lower = ci[0].doubleValue ?? .nan; upper = ci[1].doubleValue ?? .nan }
                return (group["name"]?.stringValue ?? "", stat?["mean"]?.doubleValue ?? .nan, lower, upper)
            }
            html += SVG.whiskers(title: title, xLabel: "count per group per semester", items: items)
        }
        html += "</div><table><tr><th class=\"name\">group</th><th>cheating</th><th>late submissions</th><th>dropouts</th></tr>"
        for group in groups {
            html += "<tr><td class=\"name\">\(SVG.escape(group["name"]?.stringValue ?? ""))</td>"
            for key in ["cheating", "late_submissions", "dropouts"] { html += statCell(group["incidents"]?[key], digits: 1) }
            html += "</tr>"
        }
        return html + "</table>"
    }

    static func comparisonSections(variants: [JSONValue], summary: JSONValue) -> String {
        var html = "<h2>Variants compared</h2>"
        guard case .array(let firstGroups)? = variants.first?["groups"] else { return html }
        for group in firstGroups.compactMap({ $0["name"]?.stringValue }) {
            html += "<h3>Group '\(SVG.escape(group))'</h3><div class=\"charts\">"
            for (path, title, unit) in [("overall", "Overall score at the end", "Cambridge English Scale"), ("motivation", "Motivation at the end", "motivation (0–1)")] {
                let items = variants.compactMap { variant -> (String, Double, Double, Double)? in
                    guard case .array(let groups)? = variant["groups"], let g = groups.first(where: { $0["name"]?.stringValue == group }) else { return nil }
                    let stat = g[path]?["after"]
                    var lower = Double.nan, upper = Double.nan
                    if case .array(let ci)? = stat?["ci95"], ci.count == 2 { lower = ci[0].doubleValue ?? .nan; upper = ci[1].doubleValue ?? .nan }
                    return (variant["name"]?.stringValue ?? "", stat?["mean"]?.doubleValue ?? .nan, lower, upper)
                }
                html += SVG.whiskers(title: title, xLabel: unit, items: items)
            }
            html += "</div>"
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
            for c in comparisons {
                html += "<tr><td class=\"name\">\(SVG.escape(c["variant"]?.stringValue ?? "")) − \(SVG.escape(c["baseline"]?.stringValue ?? ""))</td>"
                html += "<td class=\"name\">\(SVG.escape(c["group"]?.stringValue ?? ""))</td><td class=\"name\">\(SVG.escape(c["outcome"]?.stringValue ?? ""))</td>"
                html += statCell(c["difference"], digits: 3)
                if uncertain {
                    if case .array(let interval)? = c["credible90"], interval.count == 2, let lo = interval[0].doubleValue, let hi = interval[1].doubleValue {
                        html += "<td>[\(TerminalSummary.fixed(lo, digits: 3)), \(TerminalSummary.fixed(hi, digits: 3))]</td>"
                    } else {
                        html += "<td>–</td>"
                    }
                    html += cell(c["probability_higher"], digits: 0, percent: true)
                }
                html += c["hedges_g"] == .null ? "<td>–</td>" : statCell(c["hedges_g"], digits: 3)
                html += "</tr>"
            }
        }
        return html + "</table>"
    }
}
