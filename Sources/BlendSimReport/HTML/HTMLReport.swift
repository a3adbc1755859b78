public import BlendSimCore

/// report.html: one self-contained page — inline SVG and CSS, no scripts, no fonts or images
/// from anywhere — built from a results directory's summary.json, weekly.csv and manifest.json,
/// so every number shown is the number in those files. Table cells carry the exact value from
/// summary.json in `data-value`.
public enum HTMLReport {
    /// Weekly statistics read back from weekly.csv: (variant, group) → metric → statistic → week
    /// → value. A run's file has no variant column (its variant is "").
    public struct Weekly: Sendable {
        var values: [String: [String: [String: [Int: Double]]]] = [:]
        /// The first line that is not one blendsim writes (its number and why), or nil: a report
        /// is not made from such a file.
        public private(set) var problem: String?

        public init(csv: String) {
            let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
            let header = lines.first.map(String.init) ?? ""
            let variants = header == WeeklyTable.variantsHeader || header == "variant," + WeeklyTable.programmeHeader
            // A programme's rows say their semester; its weeks are read in semester order.
            let programme = header == WeeklyTable.programmeHeader || header == "variant," + WeeklyTable.programmeHeader
            guard variants || programme || header == WeeklyTable.header else {
                problem = "line 1 is not weekly.csv's header"
                return
            }
            for (index, line) in lines.enumerated().dropFirst() {
                if line.isEmpty && index == lines.count - 1 { break }
                var fields = Self.fields(String(line))
                var variant = ""
                if variants && fields.count == (programme ? 7 : 6) { variant = fields.removeFirst() }
                var semester = 1
                if programme {
                    guard fields.count == 6, let number = Int(fields[1]), (1...12).contains(number) else {
                        problem = "line \(index + 1) is not a row blendsim writes"
                        return
                    }
                    semester = number
                    fields.remove(at: 1)
                }
                // A semester has at most 52 weeks, and every value is a number (an empty cell is a
                // statistic without a value, such as the SD of one replication).
                guard fields.count == 5, let week = Int(fields[1]), (0...52).contains(week),
                    fields[4].isEmpty || Double(fields[4])?.isFinite == true
                else {
                    problem = "line \(index + 1) is not a row blendsim writes"
                    return
                }
                let row = (semester - 1) * 100 + week
                values[Self.key(variant, fields[0]), default: [:]][fields[2], default: [:]][fields[3], default: [:]][row] = Double(fields[4]) ?? .nan
            }
        }

        static func key(_ variant: String, _ group: String) -> String { variant + "\u{1F}" + group }

        /// The fields of one RFC 4180 line: a quoted field may hold commas, and `""` inside it is
        /// one quote (as `WeeklyTable.quote` writes a name with a quote in it).
        static func fields(_ line: String) -> [String] {
            var fields: [String] = []
            var current = ""
            var quoted = false
            let characters = Array(line)
            var index = 0
            while index < characters.count {
                let character = characters[index]
                index += 1
                if quoted {
                    if character == "\"" {
                        if index < characters.count, characters[index] == "\"" {
                            current.append("\"")
                            index += 1
                        } else {
                            quoted = false
                        }
                    } else {
                        current.append(character)
                    }
                } else if character == "\"" {
                    quoted = true
                } else if character == "," {
                    fields.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            fields.append(current)
            return fields
        }

        func series(group: String, metric: String, variant: String = "") -> SVG.Series? {
            guard let byStatistic = values[Self.key(variant, group)]?[metric], let means = byStatistic["mean"] else { return nil }
            let weeks = means.keys.sorted()
            return SVG.Series(
                name: variant.isEmpty ? group : variant, means: weeks.map { means[$0]! },
                lower: weeks.map { byStatistic["ci95_lo"]?[$0] ?? .nan }, upper: weeks.map { byStatistic["ci95_hi"]?[$0] ?? .nan })
        }
    }

    static let style = """
        body{font-family:sans-serif;margin:24px auto;max-width:1100px;color:#222;line-height:1.4}
        h1{font-size:1.6em;margin-bottom:0.2em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ccc}
        pre.ranking{white-space:pre;overflow-x:auto;font-size:0.85em;background:#f7f7f7;padding:8px}
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
                body += "<h2>Verdict</h2>"
                if Set(verdicts.map(\.variant)).count > 1 {
                    // Many variants read as a ranking: the terminal's ranked verdict, then each in detail.
                    body += "<pre class=\"ranking\">" + SVG.escape(Verdict.ranked(verdicts)) + "</pre><details><summary>Each variant in detail</summary>"
                        + verdicts.map { "<p class=\"verdict\">\(SVG.escape($0.sentence(conventions: false)))</p>" }.joined() + "</details>"
                } else {
                    body += verdicts.map { "<p class=\"verdict\">\(SVG.escape($0.sentence))</p>" }.joined()
                }
            }
            body += comparisonSections(variants: variants, summary: summary, weekly: weekly)
        }
        body += costSection(summary)
        let provenance = Provenance.lines(summary)
        if !provenance.isEmpty {
            body += "<h2>Where this comes from</h2><ul class=\"provenance\">" + provenance.map { "<li>\(SVG.escape($0))</li>" }.joined() + "</ul>"
        }
        body += technicalDetails(manifest)
        body += "<p class=\"note\">Every figure is a mean over replications with its 95% confidence interval (Student's t). Colours follow the Okabe–Ito palette.</p>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><title>blendsim report: \(SVG.escape(name))</title>
            <style>\(style)</style></head><body>\(body)</body></html>

            """
    }

    /// What each group's semester costs and what its gains cost, when the scenario priced them
    /// (docs/COSTS.md); empty otherwise.
    static func costSection(_ summary: JSONValue) -> String {
        var groups: [(String, JSONValue)] = []
        if case .array(let list)? = summary["groups"] {
            for group in list { if let cost = group["cost"] { groups.append((group["name"]?.stringValue ?? "", cost)) } }
        }
        if case .array(let variants)? = summary["variants"] {
            for variant in variants {
                guard case .array(let list)? = variant["groups"] else { continue }
                for group in list {
                    if let cost = group["cost"] {
                        groups.append(((variant["name"]?.stringValue ?? "") + " · " + (group["name"]?.stringValue ?? ""), cost))
                    }
                }
            }
        }
        guard !groups.isEmpty else { return "" }
        func money(_ value: JSONValue?, _ currency: String) -> String {
            value?.doubleValue.map { CostReport.money($0, currency) } ?? "—"
        }
        var html = "<h2>Cost of the semester</h2><table><tr><th class=\"name\">group</th><th>total</th><th>per student</th><th>largest items</th></tr>"
        for (name, cost) in groups {
            let currency = cost["currency"]?.stringValue ?? ""
            var items: [(String, Double)] = []
            if case .array(let list)? = cost["items"] {
                items = list.compactMap { item in
                    guard let key = item["item"]?.stringValue, let total = item["total"]?["mean"]?.doubleValue, total > 0 else { return nil }
                    return (key, total)
                }.sorted { $0.1 > $1.1 }
            }
            html += "<tr><td class=\"name\">\(SVG.escape(name))</td><td>\(SVG.escape(money(cost["total"]?["mean"], currency)))</td>"
                + "<td>\(SVG.escape(money(cost["per_student"]?["mean"], currency)))</td><td>"
                + SVG.escape(items.prefix(3).map { "\($0.0) \(CostReport.money($0.1, currency))" }.joined(separator: "; ")) + "</td></tr>"
        }
        html += "</table>"
        var ratios: [(String, JSONValue)] = []
        if case .array(let gains)? = summary["gains"] {
            for gain in gains { if let cost = gain["cost"] { ratios.append((gain["group"]?.stringValue ?? "", cost)) } }
        }
        if case .array(let costs)? = summary["costs"] {
            for cost in costs { ratios.append(((cost["variant"]?.stringValue ?? "") + " · " + (cost["group"]?.stringValue ?? ""), cost)) }
        }
        guard !ratios.isEmpty else { return html }
        func ratio(_ value: JSONValue?, _ currency: String) -> String {
            guard let value else { return "—" }
            guard let estimate = value["estimate"]?.doubleValue else { return value["note"]?.stringValue ?? "—" }
            var text = CostReport.money(estimate, currency)
            if case .array(let ci)? = value["ci95"], ci.count == 2, let lo = ci[0].doubleValue, let hi = ci[1].doubleValue {
                text += " [" + CostReport.money(lo, currency) + ", " + CostReport.money(hi, currency) + "]"
            }
            return text
        }
        html += "<p>Against the baseline, in the same replications: the extra cost per student and what each unit of gain costs, "
            + "with its 95% interval (none when the gain's interval includes zero).</p><table><tr><th class=\"name\">group</th>"
            + "<th>extra cost per student</th><th>per extra student up a level</th><th>per withdrawal avoided</th><th>per 0.1 g of course achievement, per student</th></tr>"
        for (name, cost) in ratios {
            let currency = cost["currency"]?.stringValue ?? ""
            html += "<tr><td class=\"name\">\(SVG.escape(name))</td><td>\(SVG.escape(money(cost["difference_per_student"]?["mean"], currency)))</td>"
            for key in ["per_extra_level_up", "per_withdrawal_avoided", "per_0_1_g_course"] {
                html += "<td>\(SVG.escape(ratio(cost[key], currency)))</td>"
            }
            html += "</tr>"
        }
        return html + "</table>"
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

    /// A STAT × `factor` as a signed "mean [lo, hi]" with at least `digits` decimals — more where
    /// needed to keep the mean off its interval's ends — and the exact mean in `data-value`.
    static func scaledCell(_ stat: JSONValue?, factor: Double, digits: Int) -> String {
        guard let raw = stat?["mean"]?.doubleValue else { return "<td>–</td>" }
        var interval: (lower: Double, upper: Double)?
        if case .array(let ci)? = stat?["ci95"], ci.count == 2, let lo = ci[0].doubleValue, let hi = ci[1].doubleValue {
            interval = (lo * factor, hi * factor)
        }
        let mean = raw * factor
        let shown = max(digits, interval.map { Verdict.digits(mean, $0) } ?? digits)
        var text = (mean > 0 ? "+" : "") + TerminalSummary.fixed(mean, digits: shown)
        if let interval { text += " [\(TerminalSummary.fixed(interval.lower, digits: shown)), \(TerminalSummary.fixed(interval.upper, digits: shown))]" }
        return "<td data-value=\"\(JSONValue.finite(raw).serialized())\">\(text)</td>"
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
        return html + "</table>"
    }

    /// Runtime and versions, at the end of the page.
    static func technicalDetails(_ manifest: JSONValue?) -> String {
        var lines: [String] = []
        if let seconds = manifest?["elapsed_seconds"]?.doubleValue {
            let studentWeeks = manifest?["student_weeks"]?.doubleValue ?? 0
            lines.append("Simulation: \(SVG.label(seconds)) s for \(SVG.label(studentWeeks)) student-weeks.")
        }
        if let version = manifest?["blendsim_version"]?.stringValue { lines.append("blendsim \(SVG.escape(version)).") }
        if case .array(let plugins)? = manifest?["plugins"], !plugins.isEmpty {
            lines.append("Plugins: " + plugins.map {
                SVG.escape("\($0["name"]?.stringValue ?? "") \($0["version"]?.stringValue ?? "")")
            }.joined(separator: ", ") + ".")
        }
        guard !lines.isEmpty else { return "" }
        return "<h2>Technical details</h2><p class=\"note\">" + lines.joined(separator: " ") + "</p>"
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
            // Each row says what it measures, as in the terminal: the table is read without the docs.
            html += "<h2>Gains over the baseline</h2><p>Each group against the baseline in the same replications (paired), "
                + "mean over replications with its 95% CI. A positive value favours the group.</p>"
            for gain in gains {
                html += "<h3>\(SVG.escape(gain["group"]?.stringValue ?? "")) against \(SVG.escape(gain["baseline"]?.stringValue ?? ""))</h3>"
                html += "<table><tr><th class=\"name\">outcome</th><th>difference [95% CI]</th><th class=\"name\">what it measures</th></tr>"
                func row(_ label: String, _ stat: JSONValue?, factor: Double = 1, digits: Int = 1, _ meaning: String) {
                    guard stat?["mean"]?.doubleValue != nil else { return }
                    html += "<tr><td class=\"name\">\(SVG.escape(label))</td>" + scaledCell(stat, factor: factor, digits: digits)
                        + "<td class=\"name\">\(SVG.escape(meaning))</td></tr>"
                }
                row("overall score", gain["overall_score"], "points gained more over the semester (a level band is 20 points)")
                row("moved up a level", gain["overall"], "more students in 100 whose overall level rose")
                for skill in ["listening", "reading", "writing", "speaking"] {
                    row("in \(skill)", gain["skills"]?[skill], "more students in 100 whose \(skill) level rose")
                }
                row("motivation", gain["motivation"], "% of the baseline's starting motivation, gained more")
                row("course achievement", gain["course_achievement"]?["difference"], "course points ahead at the end")
                row("Hedges' g", gain["course_achievement"]?["hedges_g"], digits: 2, "the course difference in student standard deviations (0.2 small, 0.5 medium, 0.8 large)")
                row("dropped out", gain["dropout_share"], factor: 100, "more students in 100")
                row("cheated at least once", gain["cheater_share"], factor: 100, "more students in 100")
                html += "</table>"
            }
        }

        html += "<h2>Incidents over the semester</h2><p>Counted per group over the whole semester: cheating incidents "
            + "(attempts to copy work, caught or not), late submissions (work handed in after its deadline) and dropouts. "
            + "Divide by a group's students and multiply by 100 for the terminal's figures per 100 students.</p><div class=\"charts\">"
        for (key, title) in [("cheating", "Cheating incidents"), ("late_submissions", "Late submissions"), ("dropouts", "Dropouts")] {
            let items = groups.map { group -> (String, Double, Double, Double) in
                let stat = group["incidents"]?[key]
                var lower = Double.nan, upper = Double.nan
                if case .array(let ci)? = stat?["ci95"], ci.count == 2 { lower = ci[0].doubleValue ?? .nan; upper = ci[1].doubleValue ?? .nan }
                return (group["name"]?.stringValue ?? "", stat?["mean"]?.doubleValue ?? .nan, lower, upper)
            }
            html += SVG.whiskers(title: title, xLabel: "count per group per semester", items: items)
        }
        html += "</div><table><tr><th class=\"name\">group</th><th>students</th><th>cheating</th><th>late submissions</th><th>dropouts</th></tr>"
        for group in groups {
            html += "<tr><td class=\"name\">\(SVG.escape(group["name"]?.stringValue ?? ""))</td><td>\(group["students"]?.doubleValue.map { String(Int($0)) } ?? "")</td>"
            for key in ["cheating", "late_submissions", "dropouts"] { html += statCell(group["incidents"]?[key], digits: 1) }
            html += "</tr>"
        }
        return html + "</table>"
    }
}
