public import BlendSimCore

/// The plain answer a comparison opens with, read from its summary.json (so the terminal and the
/// report say the same): per group and variant, which is ahead on the overall score and by how
/// much in points and in level bands, how large that is as an effect size, how sure, and what it
/// means per 100 students for moving up a level, dropping out and cheating (docs/RESULTS.md,
/// "The verdict").
public enum Verdict {
    /// Cohen's (1988) conventions for a standardised difference |g|: below 0.2 negligible, from
    /// 0.2 small, from 0.5 medium, from 0.8 large.
    public enum Size: String, Sendable {
        case negligible, small, medium, large

        public init(g: Double) {
            let size = abs(g)
            self = size < 0.2 ? .negligible : size < 0.5 ? .small : size < 0.8 ? .medium : .large
        }
    }

    /// The width of a level band on the Cambridge English Scale (B1 is 140–159, docs/MODEL.md).
    public static let bandWidth = 20.0

    /// One verdict: a variant against the baseline in one group.
    public struct Line: Sendable, Equatable {
        public var group: String
        public var variant: String
        public var baseline: String
        /// variant − baseline on the overall score, mean and 95% CI (points).
        public var difference: Double
        public var interval: (lower: Double, upper: Double)?
        /// Hedges' g of the overall score.
        public var g: Double
        public var size: Size
        /// variant − baseline per 100 students.
        public var levelUpPer100: Double?
        public var dropoutsPer100: Double?
        public var cheatingPer100: Double?
        /// With `--uncertainty model`.
        public var credible90: (lower: Double, upper: Double)?
        /// The models of the two arms that no study has measured, whose effect this verdict
        /// borrows from the distribution of blended effects: said after the verdict.
        public var unmeasured: [String] = []
        /// The models of the two arms that blendsim does not ship: their effect is their author's.
        public var unknown: [String] = []
        public var probabilityHigher: Double?

        public static func == (a: Line, b: Line) -> Bool { a.sentence == b.sentence }

        /// Whether the 95% CI of the difference excludes zero.
        public var clear: Bool {
            guard let interval else { return false }
            return interval.lower > 0 || interval.upper < 0
        }

        /// The verdict in words.
        public var sentence: String { sentence(conventions: true) }

        /// The verdict in words; `conventions` false leaves out Cohen's conventions (said once
        /// above a ranking of many variants).
        public func sentence(conventions withConventions: Bool) -> String {
            let digits = Verdict.digits(difference, interval)
            func points(_ x: Double) -> String { TerminalSummary.fixed(abs(x), digits: digits) }
            var text = "Group '\(group)': "
            let band = TerminalSummary.fixed(abs(difference) / Verdict.bandWidth * 100, digits: abs(difference) / Verdict.bandWidth * 100 < 1 ? 1 : 0)
            let conventions = withConventions ? "by Cohen's conventions below 0.2 is negligible, 0.2 small, 0.5 medium, 0.8 large" : "see the conventions above"
            if clear, let interval {
                let (ahead, behind) = difference > 0 ? (variant, baseline) : (baseline, variant)
                let convention = "Hedges' g on the overall score = \(TerminalSummary.fixed(abs(g), digits: 2)) in favour of \(ahead); \(conventions)"
                text += "\(ahead) is ahead of \(behind) by \(points(difference)) points on the overall score "
                text += "(95% CI \(points(difference > 0 ? interval.lower : interval.upper)) to \(points(difference > 0 ? interval.upper : interval.lower))), "
                text += "\(band)% of the 20-point band between two levels" + (g.isFinite ? ": a \(size.rawValue) difference (\(convention))." : ".")
            } else {
                text += "no clear difference between \(variant) and \(baseline) on the overall score: "
                let convention = "Hedges' g of \(variant) against \(baseline) on the overall score = \(TerminalSummary.fixed(g, digits: 2)); \(conventions)"
                text += "\(variant) − \(baseline) = \(TerminalSummary.fixed(difference, digits: digits)) points"
                if let interval {
                    text += " (95% CI \(TerminalSummary.fixed(interval.lower, digits: digits)) to \(TerminalSummary.fixed(interval.upper, digits: digits)))"
                }
                text += g.isFinite
                    ? "; its size, \(size.rawValue) by its mean (\(convention)), cannot be told from no difference with these replications."
                    : "."
            }
            var changed: [String] = [], same: [String] = []
            func count(_ value: Double?, _ what: String, _ sameWhat: String) {
                guard let value, value.isFinite else { return }
                let shown = TerminalSummary.fixed(abs(value), digits: 1)
                if shown == "0.0" { same.append(sameWhat) } else { changed.append("\(shown) \(value > 0 ? "more" : "fewer") \(what)") }
            }
            count(levelUpPer100, "moving up a level", "moving up a level")
            count(dropoutsPer100, "dropping out", "dropping out")
            count(cheatingPer100, "cheating incidents", "of cheating incidents")
            if !changed.isEmpty {
                text += " Per 100 students, \(variant) has " + Verdict.list(changed) + " than \(baseline)"
                text += same.isEmpty ? "." : ", and about the same number " + Verdict.list(same) + "."
            } else if !same.isEmpty {
                text += " Per 100 students, \(variant) and \(baseline) have about the same number " + Verdict.list(same) + "."
            }
            if let credible90, let probabilityHigher {
                text += " With the model's uncertainty, \(variant) scores higher in \(TerminalSummary.fixed(probabilityHigher * 100, digits: 0))% of replications"
                text += " (90% credible interval \(TerminalSummary.fixed(credible90.lower, digits: digits)) to \(TerminalSummary.fixed(credible90.upper, digits: digits)) points)."
            }
            if !unmeasured.isEmpty {
                let names = Verdict.list(unmeasured.map { $0.split(separator: "-").joined(separator: " ") })
                text += " No study has measured \(names): \(unmeasured.count == 1 ? "its" : "their") effect here is borrowed from the average blended design (see 'Where this comes from')"
                text += credible90 == nil
                    ? ", so this difference is less certain than its interval says; --uncertainty model shows how uncertain."
                    : ", and the credible interval carries the spread between designs."
            }
            if unmeasured.isEmpty {
                // What the interval covers, in words.
                text += credible90 == nil
                    ? " The 95% CI covers the simulation's own noise over the replications, not what the evidence leaves uncertain about the model (--uncertainty model adds that)."
                    : " The 95% CI covers the simulation's noise; the credible interval adds what the evidence leaves uncertain about the model."
            }
            if !unknown.isEmpty {
                let names = Verdict.list(unknown)
                text += " \(names) \(unknown.count == 1 ? "is" : "are") not in blendsim's evidence base: \(unknown.count == 1 ? "its" : "their") effect rests on \(unknown.count == 1 ? "its" : "their") author's values, which no finding here checks."
            }
            return text
        }
    }

    /// The verdicts of a comparison's summary.json: one per group and variant, in their order.
    public static func lines(_ summary: JSONValue) -> [Line] {
        guard case .array(let comparisons)? = summary["comparisons"] else { return [] }
        // Each arm's own rates (per student enrolled in it), so that arms of different sizes compare.
        var rates: [String: [String: JSONValue]] = [:]
        if case .array(let variants)? = summary["variants"] {
            for variant in variants {
                guard let name = variant["name"]?.stringValue, case .array(let groups)? = variant["groups"] else { continue }
                for group in groups {
                    if let groupName = group["name"]?.stringValue, let values = group["rates"] { rates[name, default: [:]][groupName] = values }
                }
            }
        }
        // Every comparison by (variant, group, outcome), found in one step each: a comparison of
        // many variants and groups is read in time linear in its size.
        var byKey: [String: JSONValue] = [:]
        for comparison in comparisons {
            let key = [comparison["variant"]?.stringValue ?? "", comparison["group"]?.stringValue ?? "", comparison["outcome"]?.stringValue ?? ""]
                .joined(separator: "\u{0}")
            if byKey[key] == nil { byKey[key] = comparison }
        }
        func find(_ variant: String, _ group: String, _ outcome: String) -> JSONValue? {
            byKey[[variant, group, outcome].joined(separator: "\u{0}")]
        }
        // Each arm's model per group, and what the evidence base says of it.
        var models: [String: [String: String]] = [:]
        if case .array(let variants)? = summary["variants"] {
            for variant in variants {
                guard let name = variant["name"]?.stringValue, case .array(let groups)? = variant["groups"] else { continue }
                for group in groups {
                    if let groupName = group["name"]?.stringValue, let model = group["model"]?.stringValue { models[name, default: [:]][groupName] = model }
                }
            }
        }
        var bases: [String: String] = [:]
        if case .array(let items)? = summary["evidence"] {
            for item in items where item["kind"]?.stringValue == "model" {
                if let name = item["name"]?.stringValue, let basis = item["basis"]?.stringValue { bases[name] = basis }
            }
        }
        var lines: [Line] = []
        for overall in comparisons where overall["outcome"]?.stringValue == "overall" {
            guard let variant = overall["variant"]?.stringValue, let baseline = overall["baseline"]?.stringValue,
                let group = overall["group"]?.stringValue, let difference = overall["difference"]?["mean"]?.doubleValue
            else { continue }
            // g is missing when the students' scores have no spread; the verdict goes without it.
            let g = overall["hedges_g"]?["mean"]?.doubleValue ?? .nan
            func per100(_ outcome: String) -> Double? {
                find(variant, group, outcome)?["difference"]?["mean"]?.doubleValue.map { $0 * 100 }
            }
            /// The difference of the two arms' own rates per student, per 100 students.
            func ratePer100(_ key: String) -> Double? {
                guard let a = rates[variant]?[group]?[key]?["mean"]?.doubleValue, let b = rates[baseline]?[group]?[key]?["mean"]?.doubleValue
                else { return nil }
                return (a - b) * 100
            }
            /// The paired difference per 100 students (each arm over its own enrolment), as the
            /// comparison's table shows it; older summaries without it: the arms' own rates.
            func countPer100(_ outcome: String, rate: String) -> Double? {
                find(variant, group, outcome)?["per_100_students"]?["mean"]?.doubleValue ?? ratePer100(rate)
            }
            var line = Line(
                group: group, variant: variant, baseline: baseline, difference: difference, interval: interval(overall["difference"]),
                g: g, size: Size(g: g), levelUpPer100: per100("level_up_share"), dropoutsPer100: countPer100("dropouts", rate: "dropout_share"),
                cheatingPer100: countPer100("cheating", rate: "cheating_per_student"))
            if case .array(let bounds)? = overall["credible90"], bounds.count == 2, let lower = bounds[0].doubleValue, let upper = bounds[1].doubleValue {
                line.credible90 = (lower, upper)
                line.probabilityHigher = overall["probability_higher"]?.doubleValue
            }
            for arm in [baseline, variant] {
                guard let model = models[arm]?[group] else { continue }
                if bases[model] == "distribution", !line.unmeasured.contains(model) { line.unmeasured.append(model) }
                if bases[model] == "unknown", !line.unknown.contains(model) { line.unknown.append(model) }
            }
            lines.append(line)
        }
        return lines
    }

    static func interval(_ stat: JSONValue?) -> (lower: Double, upper: Double)? {
        guard case .array(let ci)? = stat?["ci95"], ci.count == 2, let lower = ci[0].doubleValue, let upper = ci[1].doubleValue else { return nil }
        return (lower, upper)
    }

    /// The fewest decimals (1 to 4) at which the mean differs from both ends of its interval once
    /// rounded, so a mean never appears to sit on its interval's edge.
    static func digits(_ mean: Double, _ interval: (lower: Double, upper: Double)?) -> Int {
        // No interval, or one of no width (every replication the same): nothing to keep apart.
        guard let interval, interval.upper > interval.lower, mean > interval.lower, mean < interval.upper else { return 1 }
        for digits in 1...4 {
            let m = TerminalSummary.fixed(mean, digits: digits)
            if m != TerminalSummary.fixed(interval.lower, digits: digits) && m != TerminalSummary.fixed(interval.upper, digits: digits) { return digits }
        }
        return 4
    }

    /// "a, b and c".
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
    }

    /// The verdicts as the terminal shows them: a heading, then one paragraph each.
    public static func text(_ summary: JSONValue) -> String {
        let lines = lines(summary)
        guard !lines.isEmpty else { return "" }
        guard Set(lines.map(\.variant)).count > 1 else { return "Verdict\n" + lines.map { "  " + $0.sentence + "\n" }.joined() }
        // More than two variants read as a ranking: per group a one-line verdict and the variants
        // ranked by their difference from the baseline, then each verdict in detail.
        return "Verdict\n" + ranked(lines) + "\nIn detail\n" + lines.map { "  " + $0.sentence(conventions: false) + "\n" }.joined()
    }

    /// Per group, the one-line verdict and the variants ranked (the terminal's and report's).
    public static func ranked(_ lines: [Line]) -> String {
        var out = ""
        var groups: [String] = []
        for line in lines where !groups.contains(line.group) { groups.append(line.group) }
        for group in groups {
            let rows = lines.filter { $0.group == group }
            out += "  " + ranking(rows) + "\n"
            out += table(rows)
        }
        return out + "  Hedges' g is on the overall score; by Cohen's conventions below 0.2 is negligible, 0.2 small, 0.5 medium, 0.8 large.\n"
    }

    /// The one-line verdict over a group's variants.
    static func ranking(_ rows: [Line]) -> String {
        let baseline = rows[0].baseline
        let best = rows.max { $0.difference < $1.difference }!
        let clear = rows.filter(\.clear).count
        var text = "Group '\(rows[0].group)': "
        if best.clear, best.difference > 0, let interval = best.interval {
            let digits = digits(best.difference, interval)
            text += "\(best.variant) scores highest, \(TerminalSummary.fixed(best.difference, digits: digits)) points above \(baseline) on the overall score"
            text += " (95% CI \(TerminalSummary.fixed(interval.lower, digits: digits)) to \(TerminalSummary.fixed(interval.upper, digits: digits))), a \(best.size.rawValue) difference"
        } else {
            text += "no variant is clearly ahead of \(baseline) on the overall score"
        }
        return text + "; \(clear) of the \(rows.count) other variants differ clearly from \(baseline)."
    }

    /// A group's variants ranked by their difference from the baseline.
    static func table(_ rows: [Line]) -> String {
        let withCredible = rows.contains { $0.probabilityHigher != nil }
        var cells: [[String]] = [["", "variant", "difference [95% CI]", "Hedges' g"] + (withCredible ? ["P(higher)"] : []) + ["its effect rests on"]]
        let ranked = rows.sorted { $0.difference > $1.difference }
        for (rank, line) in ranked.enumerated() {
            let digits = digits(line.difference, line.interval)
            var difference = (line.difference > 0 ? "+" : "") + TerminalSummary.fixed(line.difference, digits: digits)
            if let interval = line.interval {
                difference += " [\(TerminalSummary.fixed(interval.lower, digits: digits)), \(TerminalSummary.fixed(interval.upper, digits: digits))]"
            }
            let rests = !line.unknown.isEmpty ? "its author's values" : !line.unmeasured.isEmpty ? "the average blended design (borrowed)" : "findings (its own, or derived from others)"
            cells.append(
                ["\(rank + 1).", line.variant, difference, line.g.isFinite ? TerminalSummary.fixed(line.g, digits: 2) : "–"]
                    + (withCredible ? [line.probabilityHigher.map { TerminalSummary.fixed($0 * 100, digits: 0) + "%" } ?? "–"] : []) + [rests])
        }
        cells.append(["", rows[0].baseline + " (baseline)", "0", "0"] + (withCredible ? [""] : []) + [""])
        let widths = cells[0].indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        return cells.map { row in
            var line = "    " + row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }.joined()
            while line.last == " " { line.removeLast() }
            return line + "\n"
        }.joined()
    }
}

/// A run's gains against its baseline group (summary.json `gains`), as the terminal shows them:
/// a headline per group, then each gain explained in place.
public enum RunGains {
    /// One headline per group with a baseline, in words.
    public static func headlines(_ summary: JSONValue) -> [String] {
        guard case .array(let gains)? = summary["gains"] else { return [] }
        return gains.compactMap { gain -> String? in
            guard let group = gain["group"]?.stringValue, let baseline = gain["baseline"]?.stringValue,
                let score = gain["overall_score"]?["mean"]?.doubleValue
            else { return nil }
            let interval = Verdict.interval(gain["overall_score"])
            let digits = Verdict.digits(score, interval)
            var text = "'\(group)' gained \(TerminalSummary.fixed(abs(score), digits: digits)) points \(score >= 0 ? "more" : "less") than '\(baseline)' on the overall score over the semester"
            if let interval {
                text += " (95% CI \(TerminalSummary.fixed(interval.lower, digits: digits)) to \(TerminalSummary.fixed(interval.upper, digits: digits)))"
            }
            if let g = gain["course_achievement"]?["hedges_g"]?["mean"]?.doubleValue {
                text += "; on the end-of-course test (course points, not the overall score), Hedges' g against '\(baseline)' is \(TerminalSummary.fixed(g, digits: 2)), a \(Verdict.Size(g: g).rawValue) effect by Cohen's conventions"
            }
            if let levelUp = gain["overall"]?["mean"]?.doubleValue {
                text += "; \(TerminalSummary.fixed(abs(levelUp), digits: 1)) \(levelUp >= 0 ? "more" : "fewer") students in 100 moved up a level"
            }
            return text + "."
        }
    }

    /// The gains table, each row saying what it measures.
    public static func text(_ summary: JSONValue) -> String {
        guard case .array(let gains)? = summary["gains"], !gains.isEmpty else { return "" }
        var out = ""
        for gain in gains {
            guard let group = gain["group"]?.stringValue, let baseline = gain["baseline"]?.stringValue else { continue }
            out += "Gains of '\(group)' over the baseline '\(baseline)': mean [95% CI]\n"
            func row(_ label: String, _ stat: JSONValue?, _ unit: String) -> [String] {
                guard let mean = stat?["mean"]?.doubleValue else { return [label, "–", unit] }
                let interval = Verdict.interval(stat)
                let digits = Verdict.digits(mean, interval)
                var cell = (mean > 0 ? "+" : "") + TerminalSummary.fixed(mean, digits: digits)
                if let interval {
                    cell += " [\(TerminalSummary.fixed(interval.lower, digits: digits)), \(TerminalSummary.fixed(interval.upper, digits: digits))]"
                }
                return [label, cell, unit]
            }
            var rows: [[String]] = []
            rows.append(row("overall score", gain["overall_score"], "points gained more over the semester"))
            rows.append(row("moved up a level", gain["overall"], "more students in 100 whose overall level rose"))
            for skill in ["listening", "reading", "writing", "speaking"] {
                rows.append(row("  in \(skill)", gain["skills"]?[skill], "more students in 100 whose \(skill) level rose"))
            }
            rows.append(row("motivation", gain["motivation"], "% of the baseline's starting motivation, gained more"))
            rows.append(row("course achievement", gain["course_achievement"]?["difference"], "course points ahead at the end"))
            rows.append(row("  Hedges' g", gain["course_achievement"]?["hedges_g"], "standardised by the spread between students"))
            if let share = gain["dropout_share"]?["mean"]?.doubleValue, share.isFinite {
                var stat = gain["dropout_share"]!
                if case .object = stat { stat = scaled(stat, by: 100) }
                rows.append(row("dropped out", stat, "more students in 100"))
            }
            if gain["cheater_share"]?["mean"]?.doubleValue != nil {
                rows.append(row("cheated at least once", scaled(gain["cheater_share"]!, by: 100), "more students in 100"))
            }
            out += TerminalSummary.table(rows, rightAligned: [1])
        }
        return out
    }

    /// A STAT with its mean and interval multiplied by `factor`.
    static func scaled(_ stat: JSONValue, by factor: Double) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let mean = stat["mean"]?.doubleValue { members.append(("mean", .finite(mean * factor))) }
        if let interval = Verdict.interval(stat) { members.append(("ci95", .array([.finite(interval.lower * factor), .finite(interval.upper * factor)]))) }
        return .object(members)
    }
}
