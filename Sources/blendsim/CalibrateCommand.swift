import ArgumentParser
import BlendSimCore
import BlendSimRunner
import BlendSimScenario
import BlendSimSystem

extension BlendSim {
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit scenario parameters to target statistics and write them as a scenario fragment.",
            discussion: """
                The plan names the parameters to fit with their bounds and what to fit them to: an \
                evidence set (findings with their reported intervals, docs/EVIDENCE.md) or target \
                statistics of one scenario (paths into summary.json) with tolerances; see \
                docs/CALIBRATION.md.

                Example:
                  blendsim calibrate scenarios/evidence-calibration.yaml
                """
        )

        @Argument(help: ArgumentHelp("The calibration plan (YAML).", valueName: "plan.yaml"))
        var plan: String

        @Option(help: ArgumentHelp("Write the fitted parameters here instead of the plan's 'output'.", valueName: "file"))
        var output: String?

        @Flag(help: "Replace the output file if it exists.")
        var force = false

        @OptionGroup var engine: EngineOptionGroup
        @OptionGroup var memory: MemoryOptions

        @Option(help: ArgumentHelp(
            "Parameter recovery: replace every target with the statistic the scenarios give with their current parameters, simulated with the seed offset by this number, then fit from the plan's starts.",
            valueName: "offset"))
        var synthetic: UInt64?

        @Flag(help: "Do not print progress.")
        var quiet = false

        @Option(help: "point: the best fit (Nelder–Mead), written as a scenario fragment; abc-smc: a posterior sample (ABC-SMC), written to --out as posterior.csv and calibration.json.")
        var method: CalibrationMethod = .point

        @Option(help: ArgumentHelp("With --method abc-smc: write posterior.csv, calibration.json and manifest.json here.", valueName: "dir"))
        var out: String?

        @Flag(help: "With --method abc-smc: continue an interrupted calibration in --out after its last finished generation.")
        var resume = false

        @OptionGroup var plugins: PluginOptions

        func validate() throws {
            if method == .abcSMC && out == nil { throw ValidationError("--method abc-smc needs --out for the posterior") }
            if method == .point && (out != nil || resume) { throw ValidationError("--out and --resume go with --method abc-smc") }
            if method == .abcSMC && output != nil { throw ValidationError("--output is the point fit's fragment; --method abc-smc writes to --out") }
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            if method == .abcSMC { return try runPosterior() }
            do throws(Diagnostic) {
                let loaded = try CalibrationPlanLoader.load(path: plan)
                let destination = output ?? (synthetic == nil ? loaded.output : nil)
                if let destination {
                    if !force && FileSystem.exists(destination) {
                        throw Diagnostic("\(destination) exists; pass --force to replace it with the new fit")
                    }
                }
                let settings = runSettings(plugins: plugins, engine: engine)
                let quiet = self.quiet
                let report = try Calibrator.run(loaded, settings: settings, synthetic: synthetic) { count, value in
                    if !quiet && (count == 1 || count % 25 == 0) {
                        StandardError.write("evaluation \(count): objective \(CalibrationTable.number(value))\n")
                    }
                }
                StandardOutput.write(CalibrationTable.render(report))
                if let path = destination {
                    try ResultsDirectory.writeFile(path, report.fragment(command: "blendsim calibrate \(plan)"))
                    StandardOutput.write("\nFitted parameters written to \(path)\n")
                }
            } catch {
                throw fail(error)
            }
        }
    }
}

extension BlendSim.Calibrate {
    func runPosterior() throws {
        do throws(Diagnostic) {
            let out = self.out!
            if !resume { try ResultsDirectory.checkOutput(out, force: force) }
            let loaded = try CalibrationPlanLoader.load(path: plan)
            let settings = runSettings(plugins: plugins, engine: engine)
            let quiet = self.quiet
            let report = try Calibrator.posterior(loaded, settings: settings, synthetic: synthetic, checkpoint: out, resume: resume) { generation in
                if !quiet {
                    let epsilon = generation.epsilon.isFinite ? CalibrationTable.number(generation.epsilon) : "∞"
                    StandardError.write(
                        "generation \(generation.index): ε \(epsilon), \(generation.simulations) simulations, acceptance \(CalibrationTable.number(generation.acceptance))\n")
                }
            }
            try ResultsDirectory.write(
                [("posterior.csv", report.csv), ("calibration.json", report.document.serialized(pretty: true))], to: out,
                planPath: plan, invocation: CommandLine.arguments, force: true)
            PosteriorCheckpointCleanup.remove(out)
            StandardOutput.write(report.table())
            StandardOutput.write("\nPosterior written to \(out)/posterior.csv (report: \(out)/calibration.json)\n")
        } catch {
            throw fail(error)
        }
    }
}

/// How `calibrate` fits.
enum CalibrationMethod: String, ExpressibleByArgument, CaseIterable {
    case point
    case abcSMC = "abc-smc"
}

/// The fit, as a planner reads it: parameters, then each target against its simulated value.
enum CalibrationTable {
    static func render(_ report: CalibrationReport) -> String {
        var out = "Calibration: objective \(number(report.objective)) after \(report.evaluations) evaluations\n\n"
        out += "Fitted parameters (± approximate standard error from the targets' curvature)\n"
        let width = report.plan.parameters.map(\.name.count).max() ?? 0
        var warnings: [String] = []
        for (index, (parameter, value)) in zip(report.plan.parameters, report.fitted).enumerated() {
            let u = report.uncertainty[index]
            out += "  " + parameter.name.padding(width) + "  " + number(value)
                + (u.standardError.isFinite ? " ± " + number(u.standardError) : " ± ∞")
                + "   (bounds \(number(parameter.lower)) … \(number(parameter.upper)))"
            if let truth = report.syntheticTruth {
                let recovered = abs(value - truth[index]) <= 1.96 * u.standardError
                out += "  true \(number(truth[index])): " + (u.informed ? (recovered ? "recovered" : "NOT RECOVERED") : "not informed")
            }
            out += "\n"
            if u.atBound { warnings.append("warning: \(parameter.name) ended on a bound of its range (\(number(value)))") }
            if !u.informed { warnings.append("warning: the targets do not inform \(parameter.name): its 95% interval is wider than its bounds") }
        }
        if !warnings.isEmpty { out += "\n" + warnings.joined(separator: "\n") + "\n" }
        out += "\nTargets\n"
        let labels = report.rows.map { $0.target.finding ?? $0.target.statistic }
        let statWidth = labels.map(\.count).max() ?? 0
        for (label, row) in zip(labels, report.rows) {
            var simulated = number(row.simulated.mean)
            if let ci = row.simulated.ci95 { simulated += " [\(number(ci.lower)), \(number(ci.upper))]" }
            let target = row.target.interval.map { "target \(number(row.target.value)) [\(number($0.lower)), \(number($0.upper))]" }
                ?? "target \(number(row.target.value)) ± \(number(row.target.tolerance))"
            out += "  " + label.padding(statWidth) + "  " + target + "  simulated \(simulated)  " + (row.withinTolerance ? "ok" : "OUTSIDE") + "\n"
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
