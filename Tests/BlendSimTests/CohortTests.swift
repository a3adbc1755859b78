import BlendSimCore
import BlendSimRunner
import BlendSimScenario
import BlendSimServe
import Foundation
import Testing

/// A university's own students (`cohort:`), its pilot's results as evidence, levels as planners
/// write them, and what never leaves the machine (docs/SCENARIO.md, docs/COHORTS.md).
@Suite("Cohorts from files")
struct CohortTests {
    static let corpus = TestPaths.fixtures + "/bad-cohorts"
    static let example = TestPaths.root + "/examples/university-pilot"

    func write(_ text: String, to path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }

    /// Every case of the bad-cohort corpus: exit status 1, exactly its expected errors (all at
    /// once), nothing on stdout, no results directory.
    @Test func badCohortCorpus() throws {
        let cases = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { !$0.hasSuffix(".md") }.sorted()
        #expect(cases.count >= 18)
        for name in cases {
            let directory = Self.corpus + "/" + name
            let expected = try String(contentsOfFile: directory + "/expected", encoding: .utf8)
            let output = try runProcess(TestPaths.executable, ["run", "scenario.yaml", "--out", "out"], directory: directory)
            #expect(output.status == 1, "\(name): status \(output.status)")
            #expect(output.stderr == expected, "\(name):\n  got\n\(output.stderr)\n  wanted\n\(expected)")
            #expect(output.stdout.isEmpty, "\(name) printed results")
            #expect(!FileManager.default.fileExists(atPath: directory + "/out"), "\(name) left an output directory")
        }
    }

    /// A file of 10⁷ students is refused by its size before it is read; the row limit stops the
    /// parser at the first row past it, at that row's line.
    @Test func resourceBudgetAppliesBeforeReading() throws {
        let directory = TemporaryDirectory()
        var bytes = Array("student_id,level\n".utf8)
        bytes.reserveCapacity(130_000_000)
        let row = Array("S0000000,B1\n".utf8)
        for _ in 0..<10_000_000 { bytes += row }
        _ = FileManager.default.createFile(atPath: directory.path + "/students.csv", contents: Data(bytes))
        try write("groups:\n  - name: a\n    cohort: students.csv\n    model: traditional\n", to: directory.path + "/s.yaml")
        let output = try runProcess(TestPaths.executable, ["validate", "s.yaml"], directory: directory.path)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("s.yaml:3:13: error: cannot read the cohort file 'students.csv': it is larger than 64 MiB"))

        let small = Array("id,level\n1,A2\n2,A2\n3,B1\n4,B1\n".utf8)
        let parsed = CSVTable.parse(small, path: "f.csv", maximumRows: 3)
        #expect(parsed.table == nil)
        #expect(parsed.diagnostics.map(\.headline) == ["f.csv:5:1: error: the file has more than 3 students; split the cohort or sample it before reading"])
    }

    /// The dialects spreadsheets write read to the same table: a byte-order mark, CRLF, ';',
    /// quoted fields holding the separator, a quote and a line break, decimal commas.
    @Test func csvDialectsReadAlike() throws {
        let plain = "id,level,motivation,note\nS1,A2,3.5,plain\nS2,B1,4,\"two, parts\"\n"
        let excel = "\u{FEFF}id;level;motivation;note\r\nS1;A2;3,5;plain\r\n\"S2\";B1;4;\"two, parts\"\r\n"
        let quoted = "id,level,motivation,note\r\nS1,A2,3.5,plain\r\nS2,\"B1\",4,\"two, parts\"\r\n\r\n"
        var tables: [CSVTable] = []
        for text in [plain, excel, quoted] {
            let parsed = CSVTable.parse(Array(text.utf8), path: "f.csv", maximumRows: 10)
            let table = try #require(parsed.table, "\(parsed.diagnostics)")
            tables.append(table)
        }
        #expect(tables.map(\.header) == Array(repeating: ["id", "level", "motivation", "note"], count: 3))
        #expect(tables.map { $0.rows.map(\.fields) }[0] == [["S1", "A2", "3.5", "plain"], ["S2", "B1", "4", "two, parts"]])
        #expect(tables[1].rows.map(\.fields) == [["S1", "A2", "3,5", "plain"], ["S2", "B1", "4", "two, parts"]])
        #expect(tables[2].rows.map(\.fields) == tables[0].rows.map(\.fields))
        #expect(tables[1].separator == ";")
        let multiline = CSVTable.parse(Array("id,note\nS1,\"a \"\"b\"\"\nc\"\nS2,d\n".utf8), path: "f.csv", maximumRows: 10)
        let table = try #require(multiline.table)
        #expect(table.rows.map(\.fields) == [["S1", "a \"b\"\nc"], ["S2", "d"]])
        #expect(table.rows.map(\.line) == [2, 4])
        // Through a mapping, the decimal comma of the ';' file is the same value.
        let location = SourceLocation(file: "s.yaml", line: 1, column: 1)
        var mapping = CohortMapping()
        mapping.level = CohortMapping.Column(name: "level", scale: .levels(CohortMapping.standardLabels), location: location)
        mapping.traits = [("motivation", CohortMapping.Column(name: "motivation", scale: .likert(5), location: location))]
        let a = try #require(CohortFile.data(tables[0], mapping: mapping, sha256: "").data)
        let b = try #require(CohortFile.data(tables[1], mapping: mapping, sha256: "").data)
        #expect(a.motivation == [0.625, 0.75] && b.motivation == a.motivation)
        #expect(a.bands == [1, 2] && b.bands == a.bands)
    }

    /// The cohort is used as given: what the file says each student is, each student starts as.
    /// A trait left blank is drawn; given scores and traits are the start's means exactly.
    @Test func cohortIsUsedAsGiven() throws {
        let directory = TemporaryDirectory()
        var csv = "id,listening,reading,writing,speaking,motivation,has_pc\n"
        var sums = [0.0, 0.0, 0.0, 0.0], motivation = 0.0
        for i in 0..<40 {
            let scores = [120 + i, 125 + i, 118 + i, 130 + i].map(Double.init)
            for k in 0..<4 { sums[k] += scores[k] }
            let m = Double(1 + i % 5)
            motivation += (m - 1) / 4
            csv += "S\(i),\(scores.map { String(Int($0)) }.joined(separator: ",")),\(Int(m)),\(i % 2 == 0 ? "yes" : "no")\n"
        }
        try write(csv, to: directory.path + "/students.csv")
        try write(
            """
            seed: 3
            replications: 2
            groups:
              - name: a
                cohort:
                  file: students.csv
                  skills: {listening: listening, reading: reading, writing: writing, speaking: speaking}
                  traits: {motivation: motivation, device_access: has_pc}
                model: traditional
            """, to: directory.path + "/s.yaml")
        let output = try runProcess(TestPaths.executable, ["run", "s.yaml", "--format", "json"], directory: directory.path)
        #expect(output.status == 0, "\(output.stderr)")
        let summary = try JSONValue.parse(output.stdout)
        let group = try #require(groupNamed("a", in: summary))
        #expect(group["students"]?.doubleValue == 40)
        for (k, skill) in ["listening", "reading", "writing", "speaking"].enumerated() {
            let start = try #require(group["skills"]?[skill]?["before"]?["mean"]?.doubleValue)
            #expect(abs(start - sums[k] / 40) < 1e-3, "\(skill): \(start)")
        }
        let startMotivation = try #require(group["motivation"]?["before"]?["mean"]?.doubleValue)
        #expect(abs(startMotivation - motivation / 40) < 1e-4)
    }

    /// Another size resamples the file with replacement, per replication, with a note; the
    /// results do not depend on the threads.
    @Test func bootstrapIsSeededAndNoted() throws {
        let directory = TemporaryDirectory()
        var csv = "id;level\n"
        for i in 0..<30 { csv += "S\(i);\(["A2", "B1", "B2"][i % 3])\n" }
        try write(csv, to: directory.path + "/students.csv")
        try write(
            "seed: 5\nreplications: 6\ngroups:\n  - name: a\n    students: 400\n    cohort: students.csv\n    model: traditional\n",
            to: directory.path + "/s.yaml")
        let one = try runProcess(TestPaths.executable, ["run", "s.yaml", "--format", "json", "--threads", "1"], directory: directory.path)
        let two = try runProcess(TestPaths.executable, ["run", "s.yaml", "--format", "json", "--threads", "2"], directory: directory.path)
        #expect(one.status == 0 && two.status == 0, "\(one.stderr)")
        #expect(one.stdout == two.stdout)
        #expect(one.stderr.contains("s.yaml:5:15: note: group 'a' draws 400 students from the 30 in its cohort file, with replacement (bootstrap, seeded)"))
        let summary = try JSONValue.parse(one.stdout)
        #expect(groupNamed("a", in: summary)?["students"]?.doubleValue == 400)
        // Resampled, the starting shares vary between replications around the file's thirds.
        let b1 = try #require(groupNamed("a", in: summary)?["levels"]?["before"]?["intermediate"])
        #expect((b1["sd"]?.doubleValue ?? 0) > 0)
        #expect(abs((b1["mean"]?.doubleValue ?? 0) - 1.0 / 3) < 0.05)
    }

    /// Student IDs and rows never reach an output: summary, weekly table, trace, report and
    /// manifest hold aggregates; the manifest records the file by its SHA-256.
    @Test func studentDataNeverLeaves() throws {
        let directory = TemporaryDirectory()
        var csv = "student_id,level,motivation\n"
        for i in 0..<25 { csv += "SECRET-\(7000 + i),\(["A2", "B1"][i % 2]),\(1 + i % 5)\n" }
        try write(csv, to: directory.path + "/students.csv")
        try write(
            "seed: 9\nreplications: 2\ngroups:\n  - name: a\n    cohort: {file: students.csv, id: student_id, level: level, traits: {motivation: motivation}}\n    model: flipped-classroom\n    online_share: 0.4\n",
            to: directory.path + "/s.yaml")
        let output = try runProcess(
            TestPaths.executable, ["run", "s.yaml", "--out", "out", "--report", "--trace", "trace.csv", "--quiet"], directory: directory.path)
        #expect(output.status == 0, "\(output.stderr)")
        let files = ["out/summary.json", "out/weekly.csv", "out/manifest.json", "out/report.html", "trace.csv"]
        for file in files {
            let text = try String(contentsOfFile: directory.path + "/" + file, encoding: .utf8)
            #expect(!text.contains("SECRET"), "\(file) holds a student ID")
        }
        let trace = try String(contentsOfFile: directory.path + "/trace.csv", encoding: .utf8)
        #expect(trace.split(separator: "\n").dropFirst().prefix(3).map { $0.split(separator: ",")[3] } == ["1", "2", "3"])
        let manifest = try JSONValue.parse(try String(contentsOfFile: directory.path + "/out/manifest.json", encoding: .utf8))
        guard case .array(let cohorts)? = manifest["scenario"]?["cohort_files"], case .array(let groups)? = cohorts.first?["groups"] else {
            Issue.record("manifest.json records no cohort file")
            return
        }
        #expect(cohorts.first?["sha256"]?.stringValue == SHA256.hex(Array(csv.utf8)))
        #expect(groups.map(\.stringValue) == ["a"])
        // The what-if server never reads a cohort file, however the key is spelt.
        for key in ["cohort", "Cohort", "cohrt"] {
            #expect(throws: Diagnostic.self) {
                try ClientScenario.check("groups:\n  - name: a\n    \(key): /etc/passwd.csv\n    model: traditional\n", name: "x.yaml")
            }
        }
    }

    /// Head-counts and rounded shares are accepted with a note: head-counts give exactly the
    /// results of the shares they stand for, and of a group that gives no 'students' the count.
    @Test func levelsAsPlannersWriteThem() throws {
        let directory = TemporaryDirectory()
        func scenario(_ levels: String, students: String) -> String {
            "name: l\nseed: 2\nreplications: 3\ngroups:\n  - name: a\n\(students)    levels: \(levels)\n    model: traditional\n"
        }
        try write(scenario("{pre_intermediate: 0.68, intermediate: 0.22, upper_intermediate: 0.10}", students: "    students: 50\n"), to: directory.path + "/shares.yaml")
        try write(scenario("{A2: 34, B1: 11, B2: 5}", students: ""), to: directory.path + "/counts.yaml")
        try write(scenario("{A2: 0.68, B1: 0.22, B2: 0.09}", students: "    students: 50\n"), to: directory.path + "/rounded.yaml")
        try write(scenario("{A2: 0.68, B1: 0.22, B2: 0.07}", students: "    students: 50\n"), to: directory.path + "/short.yaml")
        let shares = try runProcess(TestPaths.executable, ["run", "shares.yaml", "--format", "json"], directory: directory.path)
        let counts = try runProcess(TestPaths.executable, ["run", "counts.yaml", "--format", "json"], directory: directory.path)
        #expect(shares.status == 0 && counts.status == 0)
        #expect(counts.stdout == shares.stdout)
        #expect(counts.stderr.hasPrefix("counts.yaml:6:13: note: the levels of group 'a' are read as head-counts of 50 students: shares A2 0.68, B1 0.22, B2 0.1"))
        let rounded = try runProcess(TestPaths.executable, ["validate", "rounded.yaml"], directory: directory.path)
        #expect(rounded.status == 0)
        #expect(rounded.stderr.hasPrefix("rounded.yaml:7:13: note: the level shares of group 'a' sum to 0.99 (rounded); each is divided by that sum"))
        let short = try runProcess(TestPaths.executable, ["validate", "short.yaml"], directory: directory.path)
        #expect(short.status == 1)
        #expect(short.stderr.hasPrefix("short.yaml:7:13: error: the level shares of group 'a' sum to 0.97; they must sum to 1"))
    }

    /// `init --cohort` writes a scenario that runs as it is, its columns mapped by what they
    /// hold (the example's own labels, Likert answers with decimal commas, да/нет), and the file
    /// summarised in comments without a student's row.
    @Test func initFromACohortFileRuns() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.example + "/students.csv", toPath: directory.path + "/students.csv")
        let initialised = try runProcess(TestPaths.executable, ["init", "--cohort", "students.csv"], directory: directory.path)
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let text = initialised.stdout
        #expect(text.contains("# Students from students.csv: 300"))
        #expect(text.contains("level: placement_level"))
        #expect(text.contains("device_access: {column: has_pc, scale: yes-no}"))
        #expect(text.contains("motivation: {column: motivation_q, scale: likert-5}"))
        #expect(text.contains("id: student_id"))
        #expect(!text.contains("KZ-2026"))
        try write(text, to: directory.path + "/my.yaml")
        let run = try runProcess(TestPaths.executable, ["run", "my.yaml", "--replications", "3", "--format", "json"], directory: directory.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(groupNamed("blended", in: try JSONValue.parse(run.stdout))?["students"]?.doubleValue == 300)
    }

    /// The worked example: the pilot's results become the committed findings byte for byte, the
    /// fit finds the value the example documents, and a results file that does not match the
    /// cohort is refused with the first mismatches named, nothing written.
    @Test(.tags(.slow)) func workedExampleReproduces() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/evidence"
        let made = try runProcess(
            TestPaths.executable,
            ["evidence", "from-results", "pilot.yaml", "--results", "pilot-results.csv", "--university", "Example University (made up)",
             "--year", "2026", "--out", out],
            directory: Self.example)
        #expect(made.status == 0, "\(made.stderr)")
        let committed = try FileManager.default.contentsOfDirectory(atPath: Self.example + "/evidence").sorted()
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == committed)
        for file in committed {
            let written = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
            let kept = try String(contentsOfFile: Self.example + "/evidence/" + file, encoding: .utf8)
            // The written files point at the example from the temporary folder; all else is equal.
            #expect(written.replacingOccurrences(of: FileSystemPath.relative(Self.example, from: out) + "/", with: "../") == kept, "\(file)")
            #expect(!written.contains("KZ-2026"))
        }
        let fit = try runProcess(TestPaths.executable, ["calibrate", "fit", "calibration.yaml", "--output", directory.path + "/fitted.yaml", "--quiet"], directory: Self.example)
        #expect(fit.status == 0, "\(fit.stderr)")
        let fitted = try String(contentsOfFile: directory.path + "/fitted.yaml", encoding: .utf8)
        let line = try #require(fitted.split(separator: "\n").first { $0.hasPrefix("# study:") })
        #expect(line == "# study: group.university-pilot.pilot.flipped-classroom.practice_effectiveness = 1.35109")
        #expect(try String(contentsOfFile: Self.example + "/what-if.yaml", encoding: .utf8).contains("practice_effectiveness: 1.35109"))

        // Results that do not match: one unknown student, two cohort students without a row.
        var rows = try String(contentsOfFile: Self.example + "/pilot-results.csv", encoding: .utf8).components(separatedBy: "\r\n")
        rows.remove(at: 5)
        rows[3] = "KZ-9999999;B1;нет"
        try write(rows.joined(separator: "\r\n"), to: directory.path + "/bad-results.csv")
        let bad = try runProcess(
            TestPaths.executable,
            ["evidence", "from-results", Self.example + "/pilot.yaml", "--results", "bad-results.csv", "--university", "U", "--year", "2026",
             "--out", "bad"],
            directory: directory.path)
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("bad-results.csv:4:1: error: this student is in no cohort file of"))
        #expect(bad.stderr.contains("error: 2 students of the cohort have no row in bad-results.csv (the results do not match the cohort): line 4 of"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/bad"))
    }

    /// Course grades become the group's Hedges' g against the baseline, as computed by hand
    /// (pooled SD, small-sample correction, Hedges & Olkin's SE); withdrawn students count in the
    /// withdrawal share and not in the levels or grades.
    @Test func gradesBecomeHedgesG() throws {
        let directory = TemporaryDirectory()
        var students = "id;stream;level\n", results = "student_id;end_level;withdrew;grade\n"
        var a: [Double] = [], b: [Double] = []
        for i in 0..<40 {
            let stream = i % 2 == 0 ? "old" : "new"
            students += "U\(i);\(stream);A2\n"
            if i == 7 {
                results += "U\(i);;yes;\n"
                continue
            }
            let grade = Double(60 + (i * 7) % 31) + (stream == "new" ? 4 : 0)
            if stream == "new" { a.append(grade) } else { b.append(grade) }
            results += "U\(i);\(i % 3 == 0 ? "B1" : "A2");no;\(Int(grade)),0\n"
        }
        try write(students, to: directory.path + "/students.csv")
        try write(results, to: directory.path + "/results.csv")
        try write(
            """
            name: grades
            baseline: old
            groups:
              - name: old
                cohort: {file: students.csv, id: id, level: level, select: {column: stream, equals: old}}
                model: traditional
              - name: new
                cohort: {file: students.csv, id: id, level: level, select: {column: stream, equals: new}}
                model: flipped-classroom
                online_share: 0.4
            """, to: directory.path + "/s.yaml")
        let output = try runProcess(
            TestPaths.executable,
            ["evidence", "from-results", "s.yaml", "--results", "results.csv", "--university", "U", "--year", "2026", "--out", "ev"],
            directory: directory.path)
        #expect(output.status == 0, "\(output.stderr)")
        let findings = try EvidenceLoader.load(path: directory.path + "/ev/grades-new-course-achievement.yaml")
        func moments(_ x: [Double]) -> (Double, Double) {
            let m = x.reduce(0, +) / Double(x.count)
            return (m, x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1))
        }
        let (ma, va) = moments(a), (mb, vb) = moments(b)
        let na = Double(a.count), nb = Double(b.count)
        let g = (1 - 3 / (4 * (na + nb) - 9)) * (ma - mb) / (((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)).squareRoot()
        let se = ((na + nb) / (na * nb) + g * g / (2 * (na + nb))).squareRoot()
        #expect(abs(findings[0].value - g) < 1e-4)
        #expect(abs(findings[0].interval.lower - (g - 1.959964 * se)) < 1e-4)
        #expect(findings[0].outcome == .courseAchievement && findings[0].statistic == "hedges_g")
        let withdrawal = try EvidenceLoader.load(path: directory.path + "/ev/grades-new-withdrawal.yaml")
        #expect(withdrawal[0].value == 0.05)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/ev/grades-old-course-achievement.yaml"))
    }

    /// rerun refuses to repeat a run whose cohort file has changed since.
    @Test func rerunChecksTheCohortFile() throws {
        let directory = TemporaryDirectory()
        try write("id,level\nS1,A2\nS2,B1\n", to: directory.path + "/students.csv")
        try write("seed: 1\ngroups:\n  - name: a\n    cohort: students.csv\n    model: traditional\n", to: directory.path + "/s.yaml")
        let run = try runProcess(TestPaths.executable, ["run", "s.yaml", "--out", "out", "--quiet"], directory: directory.path)
        #expect(run.status == 0, "\(run.stderr)")
        let same = try runProcess(TestPaths.executable, ["rerun", "out", "--out", "again"], directory: directory.path)
        #expect(same.status == 0, "\(same.stderr)")
        try write("id,level\nS1,A2\nS2,B2\n", to: directory.path + "/students.csv")
        let changed = try runProcess(TestPaths.executable, ["rerun", "out", "--out", "third"], directory: directory.path)
        #expect(changed.status == 1)
        #expect(changed.stderr.contains("a cohort file"))
        #expect(changed.stderr.contains("has changed since out was made"))
    }

    /// The reader is linear however wide a row is; a field after a quoted field that spans lines
    /// is located on its own line; a separator ending the header line is skipped like the rows'.
    @Test func wideRowsAndMultilineFieldsAreReadRight() throws {
        let columns = 20_000
        var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
        for _ in 0..<2 { text += (0..<columns).map { "\($0 % 10)" }.joined(separator: ",") + "\n" }
        let wide = try #require(CSVTable.parse(Array(text.utf8), path: "w.csv", maximumRows: 10).table)
        #expect(wide.header.count == columns && wide.rows.count == 2 && wide.rows[1].columns.last == 2 * columns - 1)
        let table = try #require(CSVTable.parse(Array("id,x\n\"s1\nfoo\",XX\n".utf8), path: "m.csv", maximumRows: 10).table)
        #expect(table.rows[0].lines == [2, 3] && table.rows[0].columns == [1, 6])
        let trailing = try #require(CSVTable.parse(Array("id;level;\nS1;A2;\n".utf8), path: "t.csv", maximumRows: 10).table)
        #expect(trailing.header == ["id", "level"] && trailing.rows[0].fields == ["S1", "A2"])
        let lone = try #require(CSVTable.parse(Array("id,level\rS1,A2\rS2,B1".utf8), path: "cr.csv", maximumRows: 10).table)
        #expect(lone.rows.map(\.line) == [2, 3] && lone.line(3) == "S2,B1")
    }

    /// A variant that changes a group's cohort gets the students it names.
    @Test func variantsMayChangeTheCohort() throws {
        let directory = TemporaryDirectory()
        var csv = "id,stream,level\n"
        for i in 0..<40 { csv += "S\(i),\(i < 20 ? "weak" : "strong"),\(i < 20 ? "A1" : "B2")\n" }
        try write(csv, to: directory.path + "/students.csv")
        try write(
            """
            seed: 4
            replications: 2
            groups:
              - name: a
                cohort: {file: students.csv, level: level, select: {column: stream, equals: weak}}
                model: traditional
            variants:
              - {name: weak}
              - name: strong
                groups: {a: {cohort: {file: students.csv, level: level, select: {column: stream, equals: strong}}}}
            """, to: directory.path + "/s.yaml")
        let output = try runProcess(TestPaths.executable, ["compare", "s.yaml", "--out", "out", "--quiet"], directory: directory.path)
        #expect(output.status == 0, "\(output.stderr)")
        let summary = try JSONValue.parse(try String(contentsOfFile: directory.path + "/out/summary.json", encoding: .utf8))
        guard case .array(let variants)? = summary["variants"] else {
            Issue.record("no variants in summary.json")
            return
        }
        let starts = variants.compactMap { groupNamed("a", in: $0)?["overall"]?["before"]?["mean"]?.doubleValue }
        #expect(starts.count == 2 && starts[1] > starts[0] + 40, "\(starts)")
    }

    /// init --cohort refuses a file whose first line is a student, and escapes column names it
    /// writes, so a header cannot write YAML of its own.
    @Test func initIsSafeWithHostileHeaders() throws {
        let directory = TemporaryDirectory()
        try write("KZ-1;control;Pre-Intermediate;да\nKZ-2;pilot;Intermediate;нет\n", to: directory.path + "/headerless.csv")
        let headerless = try runProcess(TestPaths.executable, ["init", "--cohort", "headerless.csv"], directory: directory.path)
        #expect(headerless.status == 1 && headerless.stdout.isEmpty)
        #expect(headerless.stderr.hasPrefix("headerless.csv:1:14: error: the first line looks like a student, not a header"))
        try write("id,\"level\nkernel: {points_per_hour: 0.15}\n#\"\nS1,A2\nS2,B1\n", to: directory.path + "/injected.csv")
        let injected = try runProcess(TestPaths.executable, ["init", "--cohort", "injected.csv"], directory: directory.path)
        #expect(injected.status == 0, "\(injected.stderr)")
        #expect(!injected.stdout.split(separator: "\n").contains { $0.hasPrefix("kernel:") })
        try write(injected.stdout, to: directory.path + "/my.yaml")
        let run = try runProcess(TestPaths.executable, ["run", "my.yaml", "--replications", "2", "--format", "json"], directory: directory.path)
        #expect(run.status == 0, "\(run.stderr)")
    }

    /// from-results refuses what would give wrong or clashing findings: the cohort file given as
    /// the results, grades that overflow, results giving no finding, two groups whose findings
    /// share a file name; nothing is written.
    @Test func pilotResultsRefuseWhatWouldMislead() throws {
        let directory = TemporaryDirectory()
        try write("id;stream;level\nU1;p;A2\nU2;p;B1\nU3;q;A2\nU4;q;B1\n", to: directory.path + "/students.csv")
        try write(
            """
            name: r
            baseline: x y
            groups:
              - name: x y
                cohort: {file: students.csv, id: id, level: level, select: {column: stream, equals: p}}
                model: traditional
              - name: x-y
                cohort: {file: students.csv, id: id, level: level, select: {column: stream, equals: q}}
                model: traditional
            """, to: directory.path + "/s.yaml")
        func fromResults(_ results: String) throws -> ProcessOutput {
            try runProcess(
                TestPaths.executable,
                ["evidence", "from-results", "s.yaml", "--results", results, "--university", "U", "--year", "2026", "--out", "ev"],
                directory: directory.path)
        }
        let same = try fromResults("students.csv")
        #expect(same.status == 1 && same.stderr.hasPrefix("students.csv:1:1: error: students.csv is the cohort file of group 'x y' itself"))
        try write("id;grade\nU1;1e300\nU2;2\nU3;1\nU4;2\n", to: directory.path + "/huge.csv")
        let huge = try fromResults("huge.csv")
        #expect(huge.status == 1 && huge.stderr.hasPrefix("huge.csv:2:4: error: the grade must be a number within ±10⁹"))
        try write("id;grade\nU1;5\nU2;5\nU3;5\nU4;5\n", to: directory.path + "/flat.csv")
        let flat = try fromResults("flat.csv")
        #expect(flat.status == 1 && flat.stderr.hasPrefix("flat.csv:1:1: error: flat.csv gives no finding"))
        try write("id;end_level\nU1;A2\nU2;B1\nU3;A2\nU4;B1\n", to: directory.path + "/levels.csv")
        let clash = try fromResults("levels.csv")
        #expect(clash.status == 1 && clash.stderr.contains("error: two groups' findings would both be written as r-x-y-level-pre-intermediate.yaml"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/ev"))
    }

    /// A head-count total too large for any cohort is an error, not an overflow.
    @Test func hugeHeadCountsAreRefused() throws {
        let directory = TemporaryDirectory()
        try write("groups:\n  - name: a\n    levels: {A2: 9223372036854775807, B1: 1}\n    model: traditional\n", to: directory.path + "/s.yaml")
        let output = try runProcess(TestPaths.executable, ["validate", "s.yaml"], directory: directory.path)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("s.yaml:3:13: error: the head-counts of group 'a' add up to more than 100000000 students"))
    }

    /// A results-file citation needs its SHA-256; a pilot's findings load and name their file.
    @Test func pilotFindingsLoad() throws {
        let findings = try EvidenceLoader.load(path: Self.example + "/evidence/university-pilot-pilot-withdrawal.yaml")
        #expect(findings.count == 1)
        #expect(findings[0].design == "pilot")
        #expect(findings[0].link.hasPrefix("results:../pilot-results.csv (SHA-256 "))
        let directory = TemporaryDirectory()
        let text = try String(contentsOfFile: Self.example + "/evidence/university-pilot-pilot-withdrawal.yaml", encoding: .utf8)
        let broken = text.split(separator: "\n").filter { !$0.hasPrefix("  sha256:") }.joined(separator: "\n")
            .replacingOccurrences(of: "../pilot.yaml", with: Self.example + "/pilot.yaml")
        try write(broken, to: directory.path + "/f.yaml")
        #expect {
            try EvidenceLoader.load(path: directory.path + "/f.yaml")
        } throws: { error in
            (error as? Diagnostic)?.headline == directory.path + "/f.yaml:4:3: error: a citation of a results file needs its 'sha256'"
        }
    }
}

/// The group of a summary.json by name.
func groupNamed(_ name: String, in summary: JSONValue) -> JSONValue? {
    guard case .array(let groups)? = summary["groups"] else { return nil }
    return groups.first { $0["name"]?.stringValue == name }
}

/// Paths relative to a folder, as blendsim writes them into the files it generates.
enum FileSystemPath {
    static func relative(_ path: String, from directory: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents, base = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, base.count) && target[common] == base[common] { common += 1 }
        return (Array(repeating: "..", count: base.count - common) + target[common...]).joined(separator: "/")
    }
}
