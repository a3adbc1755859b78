public import BlendSimCore
import BlendSimReport
import BlendSimScenario
import BlendSimSystem

/// `blendsim evidence from-results`: a university's own pilot results — the same students' end
/// levels, withdrawals and course grades — turned into findings of the evidence format for the
/// pilot's scenario, which `evidence check` checks and `calibrate` fits study-level values to
/// (docs/CALIBRATION.md, "Fitting to a university's own pilot"). Students are matched to the
/// scenario's cohort files by ID; every finding holds counts and means only.
public enum PilotResults {
    /// The results file's columns; nil takes the first of the usual names the header has.
    public struct Columns: Sendable {
        public var id: String?
        public var level: String?
        public var withdrew: String?
        public var grade: String?

        public init(id: String? = nil, level: String? = nil, withdrew: String? = nil, grade: String? = nil) {
            self.id = id
            self.level = level
            self.withdrew = withdrew
            self.grade = grade
        }

        static let usual = (
            id: ["student_id", "id"], level: ["end_level", "final_level"], withdrew: ["withdrew", "withdrawn", "dropped"],
            grade: ["grade", "final_grade", "course_grade"]
        )
    }

    /// Who ran the pilot and when, for the findings' citation.
    public struct Source: Sendable {
        public var university: String
        public var year: Int

        public init(university: String, year: Int) {
            self.university = university
            self.year = year
        }
    }

    /// What one group's students did, in counts and sums.
    struct GroupTally {
        var enrolled = 0
        var withdrew = 0
        var bands = [Int](repeating: 0, count: LevelBand.allCases.count)
        var leveled = 0
        var grades: [Double] = []
    }

    /// The most mismatched students named in one error.
    static let mismatchesNamed = 5

    /// The evidence files for the scenario at `scenarioPath` from the results at `resultsPath`,
    /// to be written into `directory`: (file name, YAML).
    public static func findings(
        scenarioPath: String, resultsPath: String, columns: Columns, source: Source, directory: String
    ) throws(Diagnostic) -> [(name: String, contents: String)] {
        let scenario = try ScenarioLoader.load(path: scenarioPath)
        let groups = scenario.groups.enumerated().filter { $0.element.cohort?.ids != nil }
        guard !groups.isEmpty else {
            let place = scenario.groups[0].location
            throw scenario.source.diagnostic(
                "no group of \(scenarioPath) reads a cohort file with an 'id' column; a pilot's results are matched to its students by their IDs (docs/SCENARIO.md)",
                line: place.line, column: place.column)
        }
        let read = CohortFile.bytes(resultsPath)
        guard let bytes = read.bytes else { throw Diagnostic("cannot read the results file '\(resultsPath)': \(read.problem ?? "")") }
        let resultsHash = SHA256.hex(bytes)
        if let same = groups.first(where: { $0.element.cohort!.sha256 == resultsHash }) {
            throw Diagnostic(
                "\(resultsPath) is the cohort file of group '\(same.element.name)' itself; the results are the same students' end-of-semester outcomes, in a file of their own",
                at: SourceLocation(file: resultsPath, line: 1, column: 1))
        }
        let parsed = CSVTable.parse(bytes, path: resultsPath, maximumRows: CohortFile.maximumStudents)
        guard let table = parsed.table else { throw Diagnostic.collected(parsed.diagnostics)! }

        // The columns.
        var diagnostics: [Diagnostic] = []
        let headerLine = table.headerLine
        func column(_ given: String?, _ usual: [String], _ what: String, required: Bool) -> Int? {
            if let given {
                guard let index = table.header.firstIndex(of: given) else {
                    diagnostics.append(
                        table.diagnostic(
                            "the results file has no column '\(given)' (\(what))\(Suggestion.phrase(for: given, in: table.header)); its columns are \(table.header.joined(separator: ", "))",
                            line: headerLine, column: 1))
                    return nil
                }
                return index
            }
            if let index = table.header.firstIndex(where: { usual.contains($0) }) { return index }
            if required {
                diagnostics.append(
                    table.diagnostic("the results file needs \(what): a column named \(usual.map { "'\($0)'" }.joined(separator: " or ")), or name it with an option", line: headerLine, column: 1))
            }
            return nil
        }
        let idColumn = column(columns.id, Columns.usual.id, "the student ID", required: true)
        let levelColumn = column(columns.level, Columns.usual.level, "the end-of-semester level", required: false)
        let withdrewColumn = column(columns.withdrew, Columns.usual.withdrew, "whether the student withdrew", required: false)
        let gradeColumn = column(columns.grade, Columns.usual.grade, "the course grade", required: false)
        if diagnostics.isEmpty && levelColumn == nil && withdrewColumn == nil && gradeColumn == nil {
            diagnostics.append(
                table.diagnostic(
                    "the results file has no outcome: an end level ('end_level'), withdrawal ('withdrew') or course grade ('grade') column",
                    line: headerLine, column: 1))
        }
        if let error = Diagnostic.collected(diagnostics) { throw error }

        // The students: every results row one cohort student, every cohort student one row.
        var owner: [String: (group: Int, line: Int)] = [:]
        for (index, group) in groups {
            let data = group.cohort!
            for (row, id) in data.ids!.enumerated() where !id.isEmpty {
                if let other = owner[id] {
                    diagnostics.append(
                        scenario.source.diagnostic(
                            "line \(data.idLines![row]) of \(data.path) has the same student ID as line \(other.line) of \(scenario.groups[other.group].cohort!.path); results cannot tell their students apart",
                            line: group.location.line, column: group.location.column))
                } else {
                    owner[id] = (index, data.idLines![row])
                }
            }
        }
        if let error = Diagnostic.collected(Diagnostic.report(diagnostics)) { throw error }
        var tallies = [Int: GroupTally]()
        var seen: [String: Int] = [:]
        var unknown = 0
        func fail(_ message: String, _ row: CSVTable.Row, _ index: Int) {
            if diagnostics.count < Diagnostic.maximumListed { diagnostics.append(table.diagnostic(message, line: row.line, column: row.columns[index])) }
        }
        for row in table.rows {
            let id = row.fields[idColumn!]
            guard !id.isEmpty else {
                fail("the student ID is blank", row, idColumn!)
                continue
            }
            if let first = seen[id] {
                fail("this student ID has a second row (first on line \(first))", row, idColumn!)
                continue
            }
            seen[id] = row.line
            guard let (group, _) = owner[id] else {
                unknown += 1
                if unknown <= mismatchesNamed {
                    fail("this student is in no cohort file of \(scenarioPath) (the results do not match the cohort)", row, idColumn!)
                }
                continue
            }
            var tally = tallies[group] ?? GroupTally()
            tally.enrolled += 1
            var withdrew = false
            if let index = withdrewColumn, !row.fields[index].isEmpty {
                guard let answer = CohortFile.yesNo(row.fields[index]) else {
                    fail("'withdrew' must be yes or no, found '\(GeneratedText.oneLine(row.fields[index]).prefix(40))'", row, index)
                    continue
                }
                withdrew = answer
            }
            if withdrew {
                tally.withdrew += 1
            } else {
                if let index = levelColumn {
                    let text = row.fields[index]
                    if let band = CohortMapping.standardLabels[CohortMapping.normalisedLabel(text)] {
                        tally.bands[band.rawValue] += 1
                        tally.leveled += 1
                    } else {
                        fail(
                            text.isEmpty
                                ? "the end level is blank for a student who did not withdraw"
                                : "unknown level '\(GeneratedText.oneLine(text).prefix(40))'; one of A1, A2, B1, B2, C1, C2", row, index)
                    }
                }
                if let index = gradeColumn {
                    let text = table.separator == ";" ? row.fields[index].replacing(",", with: ".") : row.fields[index]
                    if let grade = YAMLNode.number(text), grade.isFinite, abs(grade) <= 1e9 {
                        tally.grades.append(grade)
                    } else {
                        fail(
                            text.isEmpty
                                ? "the grade is blank for a student who did not withdraw"
                                : "the grade must be a number within ±10⁹, found '\(GeneratedText.oneLine(text).prefix(40))'",
                            row, index)
                    }
                }
            }
            tallies[group] = tally
        }
        if unknown > mismatchesNamed {
            diagnostics.append(
                table.diagnostic(
                    "\(unknown) students of the results file are in no cohort file of \(scenarioPath); the first \(mismatchesNamed) are listed",
                    line: headerLine, column: table.headerColumns[idColumn!]))
        }
        var missing: [String] = []
        var missingCount = 0
        var firstMissing: SourceLocation?
        for (_, group) in groups {
            let data = group.cohort!
            for (row, id) in data.ids!.enumerated() where seen[id] == nil {
                missingCount += 1
                if firstMissing == nil { firstMissing = SourceLocation(file: data.path, line: data.idLines![row], column: 1) }
                if missing.count < mismatchesNamed { missing.append("line \(data.idLines![row]) of \(data.path) (group '\(group.name)')") }
            }
        }
        if missingCount > 0, let firstMissing {
            diagnostics.append(
                Diagnostic(
                    "\(missingCount) student\(missingCount == 1 ? "" : "s") of the cohort ha\(missingCount == 1 ? "s" : "ve") no row in \(resultsPath) (the results do not match the cohort): \(missing.joined(separator: "; "))\(missingCount > missing.count ? "; …" : "")",
                    at: firstMissing))
        }
        if let error = Diagnostic.collected(Diagnostic.report(diagnostics, mainFile: resultsPath)) { throw error }

        let written = files(
            scenario: scenario, scenarioPath: scenarioPath, groups: groups.map { ($0.offset, $0.element) }, tallies: tallies,
            outcomes: (levelColumn != nil, withdrewColumn != nil, gradeColumn != nil), resultsPath: resultsPath,
            sha256: resultsHash, source: source, directory: directory)
        guard !written.isEmpty else {
            throw Diagnostic(
                "\(resultsPath) gives no finding: no student has an end level, and the grades give no Hedges' g (a group and the baseline each need two grades that are not all equal)",
                at: SourceLocation(file: resultsPath, line: headerLine, column: 1))
        }
        // Two groups whose names make the same file name (`x y` and `x-y`) would overwrite each other.
        var names: [String: String] = [:]
        for file in written {
            if let earlier = names[file.name] {
                let place = groups.first { $0.element.name == earlier }?.element.location ?? scenario.groups[0].location
                throw scenario.source.diagnostic(
                    "two groups' findings would both be written as \(file.name); rename one of the groups (names are written with letters, digits and '-')",
                    line: place.line, column: place.column)
            }
            names[file.name] = file.group
        }
        return written.map { ($0.name, $0.contents) }
    }
}
