import ArgumentParser
import BlendSimCore
import BlendSimReport
import BlendSimRunner
import BlendSimScenario

extension BlendSim {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario and print its summary; with --out, write summary.json, weekly.csv and manifest.json.",
            discussion: """
                Examples:
                  blendsim run scenarios/paper-experiment.yaml
                  blendsim run scenarios/ratio-40-60.yaml --replications 100 --out results/40-60
                """
        )

        @Argument(help: ArgumentHelp("The scenario file (YAML).", valueName: "scenario.yaml"))
        var scenario: String

        @OptionGroup(title: "Output") var output: OutputOptions
        @OptionGroup(title: "Simulation") var simulation: SimulationOptions

        @Option(help: ArgumentHelp(
            "Also write every student's state after every week to this CSV file (large: students × weeks × replications rows).",
            valueName: "file"))
        var trace: String?

        @OptionGroup var presentation: PresentationOptions
        var quiet: Bool { presentation.quiet }
        var report: Bool { presentation.report }

        @Option(help: "How to print the summary on stdout: table, json (summary.json) or csv (one row per group and outcome).")
        var format: OutputFormat = .table
        func validate() throws {
            try simulation.replications.check(minimum: 1)
            if report && output.out == nil { throw ValidationError("--report needs --out") }
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            do {
                let settings = try simulation.settings()
                try output.check()
                let report = try ScenarioRun.execute(path: scenario, settings: settings, tracePath: trace)
                for note in report.scenario.notes { StandardError.write(note.rendered + "\n") }
                if let warning = report.description.stopping?.warning { StandardError.write(warning + "\n") }
                if let out = output.out {
                    try ResultsDirectory.write(
                        report, to: out, force: output.force, invocation: CommandLine.arguments, threads: settings.engine.threads)
                    if self.report { try ResultsDirectory.writeReport(directory: out) }
                }
                // --quiet silences the table only when the results are written: without --out
                // the printed summary is the result.
                if !quiet || output.out == nil {
                    switch format {
                    case .table:
                        StandardOutput.write(report.terminal(color: StandardOutput.wantsColor))
                        if let out = output.out { StandardOutput.write("\nResults written to \(out)/ (summary.json, weekly.csv, manifest.json)\n") }
                    case .json: StandardOutput.write(report.summary.serialized(pretty: true))
                    case .csv: StandardOutput.write(report.csv)
                    }
                }
            } catch {
                throw fail(error)
            }
        }
    }
}
