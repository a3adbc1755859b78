import BlendSimCore
import BlendSimReport
import BlendSimScenario
import BlendSimSystem

/// The findings a pilot's tallies give, written as evidence files (docs/EVIDENCE.md).
extension PilotResults {
    /// A 95% Wilson score interval for `k` of `n`: unlike p ± 1.96·SE it stays inside [0, 1] and
    /// keeps its width at shares near 0 or 1, which small groups' level shares often are.
    static func wilson(_ k: Int, _ n: Int) -> (lower: Double, upper: Double) {
        let z = 1.959964, p = Double(k) / Double(n), nn = Double(n)
        let centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
        let half = z / (1 + z * z / nn) * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }

    /// Hedges' g of `a` against `b` with its large-sample standard error (Hedges & Olkin 1985):
    /// the standardised mean difference with the pooled SD, times J = 1 − 3/(4(n₁ + n₂) − 9).
    static func hedges(_ a: [Double], _ b: [Double]) -> (g: Double, se: Double)? {
        guard a.count >= 2, b.count >= 2 else { return nil }
        func moments(_ x: [Double]) -> (mean: Double, variance: Double) {
            let mean = x.reduce(0, +) / Double(x.count)
            return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1))
        }
        let (ma, va) = moments(a), (mb, vb) = moments(b)
        let na = Double(a.count), nb = Double(b.count)
        let pooled = (((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)).squareRoot()
        guard pooled > 0 else { return nil }
        let g = (1 - 3 / (4 * (na + nb) - 9)) * (ma - mb) / pooled
        let se = ((na + nb) / (na * nb) + g * g / (2 * (na + nb))).squareRoot()
        guard g.isFinite, se.isFinite else { return nil }
        return (g, se)
    }

    static func files(
        scenario: Scenario, scenarioPath: String, groups: [(index: Int, group: GroupScenario)], tallies: [Int: GroupTally],
        outcomes: (level: Bool, withdrew: Bool, grade: Bool), resultsPath: String, sha256: String, source: Source, directory: String
    ) -> [(name: String, contents: String, group: String)] {
        let experimentPath = FileSystem.relative(scenarioPath, from: directory)
        let resultsName = FileSystem.relative(resultsPath, from: directory)
        let prefix = slug(scenario.name)
        var files: [(name: String, contents: String, group: String)] = []
        func finding(
            id: String, group: String, contrast: String, population: String, outcome: String, statistic: String, extra: [String],
            value: Double, interval: (lower: Double, upper: Double), derivation: String, quote: String
        ) {
            let lines = [
                "# Written by blendsim evidence from-results from \(resultsName): counts and means only, no student's row.",
                "id: \(id)",
                "citation:",
                "  authors: \(quoted(source.university))",
                "  year: \(source.year)",
                "  title: \(quoted("Pilot results of \(scenario.name)"))",
                "  venue: \(quoted("the university's own results file"))",
                "  results: \(quoted(resultsName))",
                "  sha256: \(sha256)",
                "design: pilot",
                "population: \(quoted(population))",
                "contrast: \(quoted(contrast))",
                "experiment:",
                "  scenario: \(quoted(experimentPath))",
                "  group: \(quoted(group))",
                "outcome: \(outcome)",
                "statistic: \(statistic)",
            ] + extra + [
                "reported:",
                "  value: \(number(value))",
                "  ci95: [\(number(interval.lower)), \(number(interval.upper))]",
                "  basis: derived",
                "  derivation: \(quoted(derivation))",
                "quote: \(quoted(quote))",
            ]
            files.append(("\(id).yaml", lines.joined(separator: "\n") + "\n", group))
        }
        let baseline = scenario.baseline.flatMap { name in groups.first { $0.group.name == name } }
        for (index, group) in groups {
            guard let tally = tallies[index] else { continue }
            let name = group.name
            let population = "\(tally.enrolled) students of group '\(name)' of \(scenario.name) (their placement file: \(FileSystem.relative(group.cohort!.path, from: directory)))"
            if outcomes.level && tally.leveled > 0 {
                for (level, bands) in Summary.paperLevels {
                    let k = bands.reduce(0) { $0 + tally.bands[$1.rawValue] }
                    let label = bands.count == 1 ? bands[0].cefr : "\(bands.first!.cefr)–\(bands.last!.cefr)"
                    finding(
                        id: "\(prefix)-\(slug(name))-level-\(slug(level))", group: name,
                        contrast: "group '\(name)''s share of students at \(level.replacing("_", with: "-")) level (\(label)) after the semester",
                        population: population, outcome: "level_share", statistic: "share", extra: ["level: \(level)"],
                        value: Double(k) / Double(tally.leveled), interval: wilson(k, tally.leveled),
                        derivation: "Wilson 95% interval for \(k) of \(tally.leveled) students who completed the semester",
                        quote: "\(k) of \(tally.leveled) students of '\(name)' who completed the semester ended at \(label)")
                }
            }
            if outcomes.withdrew {
                finding(
                    id: "\(prefix)-\(slug(name))-withdrawal", group: name,
                    contrast: "group '\(name)''s share of students who withdrew during the semester", population: population,
                    outcome: "withdrawal", statistic: "share", extra: [],
                    value: Double(tally.withdrew) / Double(tally.enrolled), interval: wilson(tally.withdrew, tally.enrolled),
                    derivation: "Wilson 95% interval for \(tally.withdrew) of \(tally.enrolled) students",
                    quote: "\(tally.withdrew) of \(tally.enrolled) students of '\(name)' withdrew")
            }
            if outcomes.grade, let baseline, baseline.index != index, let base = tallies[baseline.index],
                let (g, se) = hedges(tally.grades, base.grades)
            {
                finding(
                    id: "\(prefix)-\(slug(name))-course-achievement", group: name,
                    contrast: "course grades of group '\(name)' against '\(baseline.group.name)' (students who completed the semester)",
                    population: population, outcome: "course_achievement", statistic: "hedges_g", extra: [],
                    value: g, interval: (g - 1.959964 * se, g + 1.959964 * se),
                    derivation: "Hedges' g with the pooled SD of \(tally.grades.count) and \(base.grades.count) grades; 95% interval g ± 1.96·SE, SE = √((n₁+n₂)/(n₁n₂) + g²/(2(n₁+n₂)))",
                    quote: "mean grade \(number(mean(tally.grades))) in '\(name)' against \(number(mean(base.grades))) in '\(baseline.group.name)'")
            }
        }
        return files
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(max(x.count, 1)) }

    /// A number with four decimals at most, as the evidence files write them.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return "\(rounded)"
    }

    /// A YAML double-quoted string.
    static func quoted(_ text: String) -> String { GeneratedText.yamlDoubleQuoted(text) }

    /// A name as an id part: letters and digits, other characters as '-'.
    static func slug(_ text: String) -> String {
        let mapped = String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
        return mapped.split(separator: "-").joined(separator: "-")
    }
}
