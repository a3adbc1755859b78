import ArgumentParser
import BlendSimCore
import BlendSimReport
import BlendSimRunner
import BlendSimSystem

extension BlendSim {
    struct EvidenceFromResultsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "from-results",
            abstract: "Turn a pilot's own results (the same students' end levels, withdrawals, grades) into findings for calibration.",
            discussion: """
                The scenario's groups read their students from cohort files with an 'id' column; \
                the results file has one row per student with the same IDs and any of end_level \
                (CEFR), withdrew (yes/no) and grade. Every student must match: a results row \
                without a cohort student, or a cohort student without a row, is an error. \
                Writes one evidence file per finding into --out: each group's end level shares \
                and withdrawal share, and with a baseline the course grades' Hedges' g — counts \
                and means only, never a student's row (docs/CALIBRATION.md).

                Example:
                  blendsim evidence from-results examples/university-pilot/pilot.yaml \\
                    --results examples/university-pilot/pilot-results.csv --university "Example University" \\
                    --year 2026 --out examples/university-pilot/evidence
                """
        )

        @Argument(help: ArgumentHelp("The pilot's scenario: its groups read their students with 'cohort:'.", valueName: "pilot.yaml"))
        var scenario: String

        @Option(help: ArgumentHelp("The results file (CSV): one row per student.", valueName: "results.csv"))
        var results: String

        @Option(help: ArgumentHelp("The folder to write the findings into.", valueName: "dir"))
        var out: String

        @Option(help: "Who ran the pilot, for the findings' citation.")
        var university: String

        @Option(help: "The year of the pilot.")
        var year: Int

        @Option(help: ArgumentHelp("The student ID column (default: student_id or id).", valueName: "column"))
        var idColumn: String?
        @Option(help: ArgumentHelp("The end-of-semester CEFR level column (default: end_level or final_level).", valueName: "column"))
        var levelColumn: String?
        @Option(help: ArgumentHelp("The withdrew (yes/no) column (default: withdrew, withdrawn or dropped).", valueName: "column"))
        var withdrewColumn: String?
        @Option(help: ArgumentHelp("The course grade column (default: grade, final_grade or course_grade).", valueName: "column"))
        var gradeColumn: String?

        @Flag(help: "Replace evidence files already in --out.")
        var force = false

        func validate() throws {
            guard (1900...2100).contains(year) else { throw ValidationError("--year must be between 1900 and 2100") }
            guard !university.isEmpty, !university.unicodeScalars.contains(where: GeneratedText.isControl) else {
                throw ValidationError("--university must be printable text")
            }
        }

        func run() throws {
            do throws(Diagnostic) {
                let files = try PilotResults.findings(
                    scenarioPath: scenario, resultsPath: results,
                    columns: PilotResults.Columns(id: idColumn, level: levelColumn, withdrew: withdrewColumn, grade: gradeColumn),
                    source: PilotResults.Source(university: university, year: year), directory: out)
                if !force, let existing = files.first(where: { FileSystem.exists(out + "/" + $0.name) }) {
                    throw Diagnostic("\(out)/\(existing.name) exists; pass --force to replace the findings in \(out)")
                }
                do {
                    try OutputDirectory(path: out).write(files)
                } catch {
                    throw Diagnostic(error.message)
                }
                StandardOutput.write("\(files.count) findings written to \(out)/: \(files.map(\.name).joined(separator: ", "))\n")
            } catch {
                throw fail(error)
            }
        }
    }
}
