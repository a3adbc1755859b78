import BlendSimCore
import BlendSimReport
import Foundation
import Testing

/// The plain answers a planner reads first: the comparison's verdict and a run's gains.
@Suite("Verdicts", .serialized)
struct VerdictTests {
    /// Cohen's conventions, at and around each threshold, either sign.
    @Test func sizesFollowCohensConventions() {
        #expect(Verdict.Size(g: 0.19) == .negligible)
        #expect(Verdict.Size(g: -0.2) == .small)
        #expect(Verdict.Size(g: 0.49) == .small)
        #expect(Verdict.Size(g: 0.5) == .medium)
        #expect(Verdict.Size(g: -0.79) == .medium)
        #expect(Verdict.Size(g: 0.8) == .large)
    }

    /// A compare on a fixed scenario opens with a verdict whose numbers are summary.json's,
    /// rounded so that the mean is never printed equal to an end of its interval, and whose
    /// classification is Cohen's for the difference's g.
    @Test func compareOpensWithAVerdict() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", """
            name: hours
            seed: 11
            replications: 12
            groups:
              - {name: class, students: 120, levels: {pre_intermediate: 0.6, intermediate: 0.4}, model: traditional, online_share: 0}
            variants:
              - name: two hours
                groups: {class: {hours: {contact: 2}}}
              - name: six hours
                groups: {class: {hours: {contact: 6}}}
            """)
        let result = try blendsim("compare", scenario, "--out", directory.path + "/out", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let table = try blendsim("compare", scenario)
        #expect(table.status == 0, "\(table.stderr)")
        let summary = try JSONValue.parse(String(contentsOfFile: directory.path + "/out/summary.json", encoding: .utf8))
        guard case .array(let comparisons)? = summary["comparisons"],
            let overall = comparisons.first(where: { $0["outcome"]?.stringValue == "overall" }),
            let mean = overall["difference"]?["mean"]?.doubleValue, let g = overall["hedges_g"]?["mean"]?.doubleValue,
            case .array(let ci)? = overall["difference"]?["ci95"], let lower = ci[0].doubleValue, let upper = ci[1].doubleValue
        else {
            Issue.record("summary.json lacks the overall comparison")
            return
        }
        #expect(mean > 0 && lower > 0, "six hours should be ahead: \(mean) [\(lower), \(upper)]")
        let size = Verdict.Size(g: g)
        // The verdict comes first, before the detailed table.
        let verdictStart = try #require(table.stdout.range(of: "Verdict\n"))
        let tableStart = try #require(table.stdout.range(of: "Group 'class': end of semester"))
        #expect(verdictStart.lowerBound < tableStart.lowerBound)
        let line = try #require(table.stdout.split(separator: "\n").first { $0.contains("Group 'class': six hours is ahead of two hours by ") })
        // Its numbers, at the decimals that keep the mean off its interval's edges.
        var digits = 1
        while digits < 4 && (TerminalSummary.fixed(mean, digits: digits) == TerminalSummary.fixed(lower, digits: digits)
            || TerminalSummary.fixed(mean, digits: digits) == TerminalSummary.fixed(upper, digits: digits)) { digits += 1 }
        let expected = "six hours is ahead of two hours by \(TerminalSummary.fixed(mean, digits: digits)) points on the overall score "
            + "(95% CI \(TerminalSummary.fixed(lower, digits: digits)) to \(TerminalSummary.fixed(upper, digits: digits)))"
        #expect(line.contains(expected), "\(line)\nexpected: \(expected)")
        #expect(line.contains("a \(size.rawValue) difference (Hedges' g on the overall score = \(TerminalSummary.fixed(abs(g), digits: 2)) in favour of six hours;"), "\(line)")
        #expect(line.contains("by Cohen's conventions below 0.2 is negligible, 0.2 small, 0.5 medium, 0.8 large"))
        let band = abs(mean) / 20 * 100
        #expect(line.contains("\(TerminalSummary.fixed(band, digits: band < 1 ? 1 : 0))% of the 20-point band between two levels"), "\(line)")
        #expect(line.contains("Per 100 students, six hours has "), "\(line)")
        // The detailed table speaks in names and units people read, not the code's.
        for label in ["overall score (points)", "moved up a level (% of students)", "dropped out, per 100 students", "cheating incidents per 100 students"] {
            #expect(table.stdout.contains(label), "\(label)")
        }
        #expect(!table.stdout.contains("level_up_share"))
        // The report page says the same.
        #expect(try blendsim("report", directory.path + "/out").status == 0)
        let html = try String(contentsOfFile: directory.path + "/out/report.html", encoding: .utf8)
        #expect(html.contains("<h2>Verdict</h2>"))
        #expect(html.contains(expected))
    }

    /// No clear difference is said as such, with the interval around zero.
    @Test func anUnclearDifferenceIsSaidToBeUnclear() throws {
        let summary = try JSONValue.parse("""
            {"variants": [{"name": "a", "groups": [{"name": "g", "students": 100, "rates": {"dropout_share": {"mean": 0.10}, "cheating_per_student": {"mean": 0.5}}}]},
                          {"name": "b", "groups": [{"name": "g", "students": 80, "rates": {"dropout_share": {"mean": 0.08}, "cheating_per_student": {"mean": 0.5}}}]}],
             "comparisons": [{"variant": "b", "baseline": "a", "group": "g", "outcome": "overall",
                              "difference": {"mean": 0.24, "sd": 1, "ci95": [-0.237, 0.717], "n": 10}, "hedges_g": {"mean": 0.02, "sd": 0.1, "ci95": [-0.05, 0.09], "n": 10}},
                             {"variant": "b", "baseline": "a", "group": "g", "outcome": "dropouts",
                              "difference": {"mean": -2, "sd": 1, "ci95": [-3, -1], "n": 10}, "hedges_g": null}]}
            """)
        let lines = Verdict.lines(summary)
        #expect(lines.count == 1)
        let sentence = try #require(lines.first?.sentence)
        #expect(sentence.contains("no clear difference between b and a on the overall score: b − a = 0.2 points (95% CI -0.2 to 0.7)"), "\(sentence)")
        #expect(sentence.contains("its size, negligible by its mean (Hedges' g of b against a on the overall score = 0.02;"), "\(sentence)")
        #expect(sentence.contains("cannot be told from no difference with these replications."), "\(sentence)")
        // Per 100 students of each arm's own enrolment (the arms differ in size).
        #expect(sentence.contains("Per 100 students, b has 2.0 fewer dropping out than a, and about the same number of cheating incidents."), "\(sentence)")
    }

    /// A run whose scenario names a baseline prints its gains against it, headline first.
    @Test func runPrintsItsGainsAgainstTheBaseline() throws {
        let result = try blendsim("run", TestPaths.scenarios + "/paper-experiment.yaml", "--replications", "6")
        #expect(result.status == 0, "\(result.stderr)")
        let directory = TemporaryDirectory()
        #expect(try blendsim("run", TestPaths.scenarios + "/paper-experiment.yaml", "--replications", "6", "--out", directory.path + "/r", "--quiet").status == 0)
        let summary = try JSONValue.parse(String(contentsOfFile: directory.path + "/r/summary.json", encoding: .utf8))
        guard case .array(let gains)? = summary["gains"], let gain = gains.first else {
            Issue.record("no gains in summary.json")
            return
        }
        let score = try #require(gain["overall_score"]?["mean"]?.doubleValue)
        let g = try #require(gain["course_achievement"]?["hedges_g"]?["mean"]?.doubleValue)
        #expect(result.stdout.contains("Against the baseline"))
        #expect(result.stdout.contains("'experimental' gained "), "\(result.stdout)")
        #expect(result.stdout.contains("than 'control' on the overall score over the semester"))
        #expect(result.stdout.contains("on the end-of-course test (course points, not the overall score), Hedges' g against 'control' is \(TerminalSummary.fixed(g, digits: 2)), a \(Verdict.Size(g: g).rawValue) effect"), "\(result.stdout)")
        #expect(result.stdout.contains("Gains of 'experimental' over the baseline 'control': mean [95% CI]"))
        #expect(result.stdout.contains("points gained more over the semester"))
        #expect(result.stdout.contains("more students in 100 whose listening level rose"))
        _ = score
        // Levels named as in the report, incidents with their unit.
        #expect(result.stdout.contains("A2 and below   B1             B2 and above"), "\(result.stdout)")
        #expect(!result.stdout.contains("upper_intermediate") && !result.stdout.contains("advanced"))
        #expect(result.stdout.contains("incidents per 100 students (means)"))
        // control has 50 students: its dropouts per 100 are twice its mean count in summary.json.
        guard case .array(let groups)? = summary["groups"] else { return }
        let dropouts = try #require(groups.first { $0["name"]?.stringValue == "control" }?["incidents"]?["dropouts"]?["mean"]?.doubleValue)
        let row = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("  control ") && $0.contains("+") })
        #expect(row.hasSuffix(" " + TerminalSummary.fixed(dropouts * 2, digits: 1)), "\(row)")
    }
}
