import BlendSimCore
@testable import BlendSimReport
import Foundation
import Testing

@Suite("Report", .serialized)
struct ReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let checker = TestPaths.fixtures + "/tools/check_report.py"

    func check(_ directory: String, png: String? = nil, expecting: [String] = []) throws -> ProcessOutput {
        let python = try #require(Self.python, "python3 checks the report")
        return try runProcess(
            python, [Self.checker, directory + "/report.html", directory + "/summary.json"] + (png.map { ["--png", $0] } ?? [])
                + expecting.flatMap { ["--expect", $0] })
    }

    @Test func runReportIsSelfContainedAndMatchesTheSummary() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/r"
        let run = try blendsim("run", TestPaths.scenarios + "/paper-experiment.yaml", "--replications", "5", "--out", out, "--report", "--quiet")
        #expect(run.status == 0, "\(run.stderr)")
        let result = try check(out)
        #expect(result.stdout == "ok\n", "\(result.stdout)\(result.stderr)")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        for heading in ["Over the semester", "Levels before and after", "End of the semester", "Gains over the baseline", "Incidents over the semester", "Technical details"] {
            #expect(html.contains(heading), "\(heading)")
        }
        #expect(html.contains("<svg"))
        #expect(html.contains("week of the semester"))
        #expect(html.contains("#0072B2"))
        // The gains table explains each row in place; runtime and versions come last.
        #expect(html.contains("<td class=\"name\">moved up a level</td>"))
        #expect(html.contains("more students in 100 whose overall level rose"))
        #expect(!html.contains("(pp)"))
        let technical = try #require(html.range(of: "<h2>Technical details</h2>"))
        #expect(html[technical.upperBound...].contains("blendsim 0.") && !html[..<technical.lowerBound].contains("Simulation: "))
    }

    @Test func compareReportShowsVariantsAndEffects() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/c"
        let run = try blendsim("compare", TestPaths.scenarios + "/compare-ratios.yaml", "--replications", "4", "--out", out, "--report", "--quiet")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try check(out).stdout == "ok\n")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("Hedges"))
        // What each variant changes, in words, from its overrides.
        #expect(html.contains("<li><b>40/60</b>: online share 40% in every group</li>"))
        #expect(html.contains("<li><b>20/80</b>: online share 20% in every group</li>"))
        // A forest plot per key outcome: the difference's whisker and the dashed line of no
        // difference, whose x is the axis position of 0.
        #expect(html.contains("<title>Difference: overall score (points)</title>"))
        #expect(html.contains("<title>Difference: dropped out, per 100 students</title>"))
        #expect(html.contains("stroke-dasharray=\"4 3\""))
        // Weekly trajectories per variant from the comparison's weekly.csv: one line per variant.
        let weekly = try String(contentsOfFile: out + "/weekly.csv", encoding: .utf8)
        #expect(weekly.hasPrefix("variant,group,week,metric,statistic,value\n40/60,students,0,listening,mean,"))
        #expect(weekly.contains("\n20/80,students,15,overall,mean,"))
        let trajectory = try #require(html.components(separatedBy: "<title>Overall score, group &#39;students&#39;</title>").dropFirst().first?
            .components(separatedBy: "</svg>").first)
        #expect(trajectory.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(trajectory.contains(">40/60</text>") && trajectory.contains(">20/80</text>"))
        // The level table per variant: the start, and each variant's end and change.
        #expect(html.contains("<th>at the start</th><th>40/60: after</th><th>change</th><th>20/80: after</th><th>change</th>"))
        // The differences table speaks in people's units, not code names or 0–1 shares.
        #expect(html.contains("<td class=\"name\">moved up a level (% of students)</td>"))
        #expect(!html.contains("<td class=\"name\">level_up_share</td>"))
    }

    /// A tampered summary.json or manifest.json is data: markup in any field is shown as text,
    /// and extreme numbers are shown, not trapped on.
    @Test func tamperedSummaryRendersAsText() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/r"
        #expect(try blendsim("run", TestPaths.scenarios + "/ratio-40-60.yaml", "--replications", "2", "--out", out, "--quiet").status == 0)
        var summary = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
        let writtenHash = SHA256.hex(Array(summary.utf8))
        summary = summary.replacingOccurrences(of: "\"name\": \"blended-40-60\"", with: "\"name\": \"<script>alert(1)</script>\"")
        summary = summary.replacingOccurrences(of: "\"seed\": ", with: "\"seed\": \"<img src=x onerror=alert(1)>\",\"was\":")
        #expect(summary.contains("<script>"))
        try summary.write(toFile: out + "/summary.json", atomically: true, encoding: .utf8)
        // manifest.json fingerprints summary.json: the changed file is refused as incomplete ...
        let mismatched = try blendsim("report", out)
        #expect(mismatched.status == 1)
        #expect(mismatched.stderr.contains("\(out)/summary.json does not match manifest.json"), "\(mismatched.stderr)")
        // ... a manifest that no longer lists its outputs is refused as damaged ...
        var manifest = try String(contentsOfFile: out + "/manifest.json", encoding: .utf8)
        try manifest.replacingOccurrences(of: "\"outputs\"", with: "\"outputs_before\"").write(toFile: out + "/manifest.json", atomically: true, encoding: .utf8)
        let damaged = try blendsim("report", out)
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("\(out)/manifest.json is damaged"), "\(damaged.stderr)")
        // ... and one tampered to vouch for the tampered summary (its markup too) is shown as text.
        manifest = manifest.replacingOccurrences(of: "\"student_weeks\": ", with: "\"student_weeks\": 1e300, \"was\": ")
        manifest = manifest.replacingOccurrences(of: writtenHash, with: SHA256.hex(Array(summary.utf8)))
        manifest = manifest.replacingOccurrences(of: "\"blendsim_version\": ", with: "\"blendsim_version\": \"<script>x</script>\", \"was\": ")
        try manifest.write(toFile: out + "/manifest.json", atomically: true, encoding: .utf8)
        let report = try blendsim("report", out)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(!html.contains("<script>") && !html.contains("<img"))
        #expect(html.contains("&lt;script&gt;"))
        // Numbers no run writes are refused, not drawn (read without the manifest).
        try FileManager.default.removeItem(atPath: out + "/manifest.json")
        let valid = summary
        summary = summary.replacingOccurrences(of: "\"weeks\": 15", with: "\"weeks\": 9223372036854775807")
        try summary.write(toFile: out + "/summary.json", atomically: true, encoding: .utf8)
        let huge = try blendsim("report", out)
        #expect(huge.status == 1)
        #expect(huge.stderr.contains("summary.json: 'weeks' must be a whole number from 1 to 52"), "\(huge.stderr)")
        try valid.replacingOccurrences(of: "\"mean\": ", with: "\"mean\": 1e300, \"was\": ")
            .write(toFile: out + "/summary.json", atomically: true, encoding: .utf8)
        let outOfRange = try blendsim("report", out)
        #expect(outOfRange.status == 1)
        #expect(outOfRange.stderr.contains("is out of range; it is not a file blendsim wrote"), "\(outOfRange.stderr)")
    }

    @Test func reportNeedsAResultsDirectory() throws {
        let directory = TemporaryDirectory()
        let output = try blendsim("report", directory.path)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("error: \(directory.path) holds no summary.json"))
    }

    /// Renders report.html in headless Chromium and checks the picture is not blank. `.ci/run`
    /// installs Chromium, so in CI this test always runs.
    @Test(.tags(.slow), .enabled(if: chromium != nil || ProcessInfo.processInfo.environment["CI"] != nil))
    func chromiumRendersTheReport() throws {
        let chromium = try #require(Self.chromium, "Chromium is needed (apt-get install chromium)")
        let directory = TemporaryDirectory()
        // The run, compare and sweep reports: each with its charts, its headline or verdict, and no
        // empty table, rendered by Chromium into a picture that is not blank.
        let reports: [(name: String, command: [String], expecting: [String])] = [
            ("run", ["run", TestPaths.scenarios + "/paper-experiment.yaml", "--replications", "3"], ["<p class=\"headline\">", " gained "]),
            ("compare", ["compare", TestPaths.scenarios + "/compare-ratios.yaml", "--replications", "4"],
             ["<h2>Verdict</h2>", "<p class=\"verdict\">Group ", "<h2>What each variant changes</h2>", "<title>Difference: overall score (points)</title>"]),
            ("sweep", ["sweep", TestPaths.scenarios + "/sweep-online-share.yaml", "--replications", "2"], ["<h2>Sweep</h2>", "The five points with the highest"]),
        ]
        for report in reports {
            let out = directory.path + "/" + report.name
            let made = try runProcess(TestPaths.executable, report.command + ["--out", out, "--report", "--quiet"])
            #expect(made.status == 0, "\(report.name): \(made.stderr)")
            let png = directory.path + "/\(report.name).png"
            let render = try runProcess(chromium, [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,2000",
                "--user-data-dir=\(directory.path)/profile-\(report.name)", "--screenshot=\(png)", "file://\(out)/report.html",
            ])
            #expect(FileManager.default.fileExists(atPath: png), "Chromium wrote no screenshot of the \(report.name) report: \(render.stderr.suffix(500))")
            let result = try check(out, png: png, expecting: report.expecting)
            #expect(result.stdout == "ok\n", "\(report.name): \(result.stdout)")
        }
    }

    /// `blendsim report` on a sweep's results makes the sweep page (never an empty one), and a
    /// summary that is none of run, comparison or sweep is refused.
    @Test func reportWorksOnASweepAndRefusesAnythingElse() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/m"
        #expect(try blendsim("sweep", TestPaths.scenarios + "/sensitivity-morris.yaml", "--replications", "2", "--out", out, "--quiet").status == 0)
        let report = try blendsim("report", out)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("<h2>Sweep</h2>"))
        #expect(html.contains("Morris μ*"))
        #expect(!html.contains("– weeks"))
        #expect(try check(out, expecting: ["Sensitivity (morris)"]).stdout == "ok\n")
        let empty = directory.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try "{\"scenario\": \"x\"}".write(toFile: empty + "/summary.json", atomically: true, encoding: .utf8)
        let refused = try blendsim("report", empty)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is not the summary of a run, a comparison or a sweep"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: empty + "/report.html"))
    }

    /// weekly.csv's fields read back as WeeklyTable writes them: a group name with a comma or a
    /// quote is quoted, and `""` inside quotes is one quote.
    @Test func weeklyFieldsReadBackQuotedNames() {
        #expect(HTMLReport.Weekly.fields(#"a,"b, c","say ""hi""",""#) == ["a", "b, c", #"say "hi""#, ""])
        let name = #"the "A" group, evening"#
        let csv = WeeklyTable.header + "\n" + WeeklyTable.quote(name) + ",0,overall,mean,150\n"
        let weekly = HTMLReport.Weekly(csv: csv)
        #expect(weekly.problem == nil)
        #expect(weekly.series(group: name, metric: "overall")?.means == [150])
    }
}
