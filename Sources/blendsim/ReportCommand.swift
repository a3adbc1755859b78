import ArgumentParser
import BlendSimCore
import BlendSimRunner

extension BlendSim {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write report.html — charts and tables of a results directory — for any browser, offline.",
            discussion: """
                Reads summary.json, weekly.csv and manifest.json from the directory `run` or \
                `compare` wrote, and writes a self-contained report.html beside them.

                Example:
                  blendsim run scenarios/paper-experiment.yaml --out results/paper
                  blendsim report results/paper
                """
        )

        @Argument(help: ArgumentHelp("A results directory.", valueName: "dir"))
        var directory: String

        func run() throws {
            do throws(Diagnostic) {
                let path = try ResultsDirectory.writeReport(directory: directory)
                StandardOutput.write("Report written to \(path)\n")
            } catch {
                throw fail(error)
            }
        }
    }
}
