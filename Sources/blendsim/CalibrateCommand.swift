import ArgumentParser
import BlendSimCore
import BlendSimRunner
import BlendSimScenario

struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit scenario parameters to target statistics and write them as a scenario fragment.",
        discussion: """
            The plan names a scenario, the parameters to fit with their bounds, and the target \
            statistics (paths into summary.json) with tolerances; see docs/CALIBRATION.md.

            Example:
              blendsim calibrate scenarios/paper-calibration.yaml
            """
    )

    @Argument(help: ArgumentHelp("The calibration plan (YAML).", valueName: "plan.yaml"))
    var plan: String

    @Option(help: ArgumentHelp("Write the fitted parameters here instead of the plan's 'output'.", valueName: "file"))
    var output: String?

    @Option(help: "Use at most this many threads (default: all processors). Results do not depend on it.")
    var threads: Int?

    @Flag(help: "Do not print progress.")
    var quiet = false

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        do {
            let loaded = try CalibrationPlanLoader.load(path: plan)
            let settings = RunSettings(
                pluginDirectories: plugins.directories, engine: EngineOptions(threads: threads ?? ProcessorCount.active))
            let quiet = self.quiet
            let report = try Calibrator.run(loaded, settings: settings) { count, value in
                if !quiet && (count == 1 || count % 25 == 0) {
                    StandardError.write("evaluation \(count): objective \(CalibrationTable.number(value))\n")
                }
            }
            StandardOutput.write(CalibrationTable.render(report))
            if let path = output ?? loaded.output {
                try Runner.writeFile(path, report.fragment(command: "blendsim calibrate \(plan)"))
                StandardOutput.write("\nFitted parameters written to \(path)\n")
            }
        } catch {
            throw fail(error)
        }
    }
}

/// The fit, as a planner reads it: parameters, then each target against its simulated value.
enum CalibrationTable {
    static func render(_ report: CalibrationReport) -> String {
        var out = "Calibration of \(report.plan.scenarioPath): objective \(number(report.objective)) after \(report.evaluations) evaluations\n\n"
        out += "Fitted parameters\n"
        let width = report.plan.parameters.map(\.name.count).max() ?? 0
        for (parameter, value) in zip(report.plan.parameters, report.fitted) {
            out += "  " + parameter.name.padding(width) + "  " + number(value)
                + "   (bounds \(number(parameter.lower)) … \(number(parameter.upper)))\n"
        }
        out += "\nTargets\n"
        let statWidth = report.rows.map(\.target.statistic.count).max() ?? 0
        for row in report.rows {
            var simulated = number(row.simulated.mean)
            if let ci = row.simulated.ci95 { simulated += " [\(number(ci.lower)), \(number(ci.upper))]" }
            out += "  " + row.target.statistic.padding(statWidth) + "  target \(number(row.target.value)) ± \(number(row.target.tolerance))"
                + "  simulated \(simulated)  " + (row.withinTolerance ? "ok" : "OUTSIDE") + "\n"
        }
        return out
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let rounded = (value * 10_000).rounded() / 10_000
        return JSONValue.number(rounded).serialized()
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
