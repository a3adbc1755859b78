import ArgumentParser
import BlendSimCore
import BlendSimInference
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

        @OptionGroup(title: "Engine") var engine: EngineOptionGroup
        @OptionGroup(title: "Resources") var memory: MemoryOptions

        @Option(help: ArgumentHelp(
            "Parameter recovery: replace every target with the statistic the scenarios give with their current parameters, simulated with the seed offset by this number, then fit from a start a third of the way from those parameters to the middle of their bounds.",
            valueName: "offset"))
        var synthetic: UInt64?

        @OptionGroup var quietOption: QuietOption
        var quiet: Bool { quietOption.quiet }

        @Option(help: "point: the best fit (Nelder–Mead), written as a scenario fragment; smc: a posterior sample (tempered SMC with Metropolis–Hastings moves, the evidence's normal errors as likelihood), written to --out as posterior.csv and calibration.json; abc-smc: a posterior sample by ABC-SMC, written the same way; laplace: a posterior sample from the normal approximation at the plan's current values (the point fit), written the same way.")
        var method: CalibrationMethod = .point

        @Option(help: ArgumentHelp("With --method smc, abc-smc or laplace: write posterior.csv, calibration.json and manifest.json here.", valueName: "dir"))
        var out: String?

        @Flag(help: "With --method smc or abc-smc: continue an interrupted calibration in --out from its checkpoint.")
        var resume = false

        @OptionGroup(title: "Sharding") var shard: ShardOption

        @Option(help: ArgumentHelp("With --shard: the round to simulate (as --merge-shards asks).", valueName: "n"))
        var round: Int?

        @Option(help: ArgumentHelp("With --method smc or abc-smc: gather the shards of the current round; prints 'more N' (run round N), 'next' (abc-smc: run round 0 of the next generation) or 'done'.", valueName: "N"))
        var mergeShards: Int?

        @Option(help: ArgumentHelp("With --method smc or abc-smc: write a Slurm driver (run.sh) and job array that calibrate in --shards array tasks per round, instead of calibrating.", valueName: "dir"))
        var emitSlurm: String?

        @Option(help: "Array tasks per round for --emit-slurm.")
        var shards: Int = 4

        @OptionGroup(title: "Slurm jobs") var job: SlurmJobOptions

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func validate() throws {
            if method != .point && out == nil { throw ValidationError("--method \(method.rawValue) needs --out for the posterior") }
            if method.samples, let synthetic, synthetic == 0 {
                throw ValidationError("--synthetic must be at least 1: offset 0 would observe with the sampler's own random numbers")
            }
            if emitSlurm == nil && shards != 4 { throw ValidationError("--shards goes with --emit-slurm") }
            if method == .laplace && (resume || synthetic != nil) { throw ValidationError("--method laplace takes neither --resume nor --synthetic") }
            let sharded = shard.shard != nil || mergeShards != nil || emitSlurm != nil
            if sharded && !method.samples { throw ValidationError("--shard, --merge-shards and --emit-slurm go with --method smc or abc-smc") }
            if sharded && (synthetic != nil || resume) { throw ValidationError("a sharded calibration resumes by itself; --synthetic and --resume go with an unsharded one") }
            if (shard.shard != nil) != (round != nil) { throw ValidationError("--shard and --round go together") }
            if let round, !(0...1_000_000).contains(round) { throw ValidationError("--round must be between 0 and 1000000") }
            if let mergeShards, !(1...10_000).contains(mergeShards) { throw ValidationError("--merge-shards must be between 1 and 10000") }
            if !(1...10_000).contains(shards) { throw ValidationError("--shards must be between 1 and 10000") }
            try job.check(emitting: emitSlurm != nil)
            if let emitSlurm, let out {
                for (path, option) in [(emitSlurm, "--emit-slurm"), (out, "--out")] {
                    if let problem = SlurmScript.checkPath(path, option: option) { throw ValidationError(problem) }
                }
            }
            if [shard.shard != nil, mergeShards != nil, emitSlurm != nil].filter({ $0 }).count > 1 {
                throw ValidationError("--shard, --merge-shards and --emit-slurm are separate steps; give one")
            }
            if method == .point && (out != nil || resume) { throw ValidationError("--out and --resume go with --method smc, abc-smc or laplace") }
            if method != .point && output != nil { throw ValidationError("--output is the point fit's fragment; --method \(method.rawValue) writes to --out") }
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            if method.samples { return try runPosterior() }
            if method == .laplace { return try runLaplace() }
            do throws(Diagnostic) {
                let loaded = try CalibrationPlanLoader.load(path: plan)
                let destination = output ?? (synthetic == nil ? loaded.output : nil)
                if let destination {
                    if !force && FileSystem.exists(destination) {
                        throw Diagnostic("\(destination) exists; pass --force to replace it with the new fit")
                    }
                    // What could not be replaced is refused before the fit, not after it.
                    do {
                        try FileSystem.checkReplaceable(destination)
                    } catch {
                        throw Diagnostic(error.message)
                    }
                }
                let settings = runSettings(plugins: plugins, engine: engine, memory: memory)
                let quiet = self.quiet
                let report = try Calibrator.run(loaded, settings: settings, synthetic: synthetic) { count, value in
                    if !quiet && (count == 1 || count % 25 == 0) {
                        StandardError.write("evaluation \(count): objective \(CalibrationTable.number(value))\n")
                    }
                }
                // The fragment is written before anything is printed: a failed write prints nothing.
                if let path = destination {
                    try ResultsDirectory.writeFile(path, report.fragment(command: "blendsim calibrate \(plan)"), replacing: force)
                }
                if !quiet {
                    StandardOutput.write(CalibrationTable.render(report))
                    if let path = destination { StandardOutput.write("\nFitted parameters written to \(path)\n") }
                }
            } catch {
                throw fail(error)
            }
        }
    }
}

extension BlendSim.Calibrate {
    func runLaplace() throws {
        do throws(Diagnostic) {
            let out = self.out!
            try ResultsDirectory.checkOutput(out, force: force)
            let loaded = try CalibrationPlanLoader.load(path: plan)
            let report = try Calibrator.laplace(loaded, settings: runSettings(plugins: plugins, engine: engine, memory: memory), particles: loaded.posterior.sampler.particles)
            try finish(report, planPath: plan, out: out, force: force, quiet: quiet)
            if !quiet { StandardOutput.write("\nPosterior written to \(out)/posterior.csv (report: \(out)/calibration.json)\n") }
        } catch {
            throw fail(error)
        }
    }

    func runPosterior() throws {
        do throws(Diagnostic) {
            let out = self.out!
            if let emitSlurm {
                let files = SlurmScript.calibrationFiles(
                    plan: SlurmScript.absolute(plan), method: method.rawValue, shards: shards, out: SlurmScript.absolute(out), executable: SlurmScript.executable(),
                    pluginDirectories: plugins.directories.map(SlurmScript.absolute), engine: engine.arguments + memory.arguments,
                    job: job.job, directory: SlurmScript.absolute(emitSlurm))
                for file in files { try ResultsDirectory.writeFile(emitSlurm + "/" + file.name, file.contents) }
                StandardOutput.write("Slurm scripts written to \(emitSlurm)/: bash \(emitSlurm)/run.sh (on the login node)\n")
                return
            }
            // A directory holding other results (no calibration under way in it) is not taken
            // over by a shard or a merge, as it is not by an unsharded calibration.
            if (shard.value != nil || mergeShards != nil) && !FileSystem.exists(out + "/.checkpoint") {
                try ResultsDirectory.checkOutput(out, force: force)
            }
            if let shard = shard.value, let round {
                let loaded = try CalibrationPlanLoader.load(path: plan)
                if method == .smc {
                    try Calibrator.temperedShard(loaded, settings: runSettings(plugins: plugins, engine: engine, memory: memory), out: out, shard: shard, round: round)
                } else {
                    try Calibrator.posteriorShard(loaded, settings: runSettings(plugins: plugins, engine: engine, memory: memory), out: out, shard: shard, round: round)
                }
                if !quiet { StandardOutput.write("shard \(shard.index)/\(shard.count) of round \(round) written to \(out)/.checkpoint\n") }
                return
            }
            if let mergeShards {
                let loaded = try CalibrationPlanLoader.load(path: plan)
                let (state, report) = try method == .smc
                    ? Calibrator.temperedMerge(
                        loaded, settings: runSettings(plugins: plugins, engine: engine, memory: memory), out: out, shards: mergeShards,
                        invocation: CommandLine.arguments, force: force)
                    : Calibrator.posteriorMerge(
                        loaded, settings: runSettings(plugins: plugins, engine: engine, memory: memory), out: out, shards: mergeShards,
                        invocation: CommandLine.arguments, force: force)
                switch state {
                case .more(let round): StandardOutput.write("more \(round)\n")
                case .next: StandardOutput.write("next\n")
                case .done:
                    StandardOutput.write("done\n")
                    if let report, !quiet { StandardOutput.write(report.table()) }
                }
                return
            }
            if !resume { try ResultsDirectory.checkOutput(out, force: force) }
            let loaded = try CalibrationPlanLoader.load(path: plan)
            let settings = runSettings(plugins: plugins, engine: engine, memory: memory)
            let quiet = self.quiet
            let report: PosteriorReport
            if method == .smc {
                report = try Calibrator.temperedPosterior(loaded, settings: settings, synthetic: synthetic, checkpoint: out, resume: resume) { record in
                    if !quiet {
                        var line = "generation \(record.generation): β \(CalibrationTable.number(record.beta)), \(record.simulations) simulations"
                        if record.generation > 0 {
                            line += ", ESS \(Int(record.effectiveSampleSize.rounded())), acceptance \(CalibrationTable.number(record.acceptance)), \(record.distinct) distinct"
                        }
                        StandardError.write(line + "\n")
                    }
                }
            } else {
                report = try Calibrator.posterior(loaded, settings: settings, synthetic: synthetic, checkpoint: out, resume: resume) { generation in
                    if !quiet {
                        let epsilon = generation.epsilon.isFinite ? CalibrationTable.number(generation.epsilon) : "∞"
                        StandardError.write(
                            "generation \(generation.index): ε \(epsilon), \(generation.simulations) simulations, acceptance \(CalibrationTable.number(generation.acceptance))\n")
                    }
                }
            }
            try finish(report, planPath: plan, out: out, force: force, quiet: quiet) { out in
                PosteriorCheckpointCleanup.remove(out)
                TemperedCheckpointCleanup.remove(out)
            }
            if !quiet { StandardOutput.write("\nPosterior written to \(out)/posterior.csv (report: \(out)/calibration.json)\n") }
        } catch {
            throw fail(error)
        }
    }
}

/// How `calibrate` fits.
enum CalibrationMethod: String, ExpressibleByArgument, CaseIterable {
    case point
    case smc
    case abcSMC = "abc-smc"
    case laplace

    /// A sampler that can resume and be sharded.
    var samples: Bool { self == .smc || self == .abcSMC }
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
