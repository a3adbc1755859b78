import ArgumentParser
import BlendSimCore
import BlendSimRunner
import BlendSimScenario
import BlendSimSystem

extension BlendSim {
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit scenario parameters to evidence or target statistics: a best fit, a posterior sample, or a recovery study.",
            discussion: """
                The plan names the parameters to fit with their bounds and what to fit them to: an \
                evidence set (findings with their reported intervals, docs/EVIDENCE.md) or target \
                statistics of one scenario (paths into summary.json) with tolerances; see \
                docs/CALIBRATION.md. The form `blendsim calibrate PLAN --method M` still works.

                Examples:
                  blendsim calibrate fit scenarios/evidence-calibration.yaml
                  blendsim calibrate posterior scenarios/evidence-calibration.yaml --sampler abc-smc --out results/posterior
                  blendsim calibrate recover scenarios/evidence-calibration.yaml --offset 1
                """,
            subcommands: [Fit.self, Posterior.self, Recover.self, Legacy.self],
            defaultSubcommand: Legacy.self
        )
    }
}

/// What every calibration command takes: the plan, and how to simulate.
struct CalibrationCommonOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The calibration plan (YAML).", valueName: "plan.yaml"))
    var plan: String

    @Flag(help: "Replace the output (file or directory) if it exists.")
    var force = false

    @OptionGroup(title: "Engine") var engine: EngineOptionGroup
    @OptionGroup(title: "Resources") var memory: MemoryOptions
    @OptionGroup(title: "Plugins") var plugins: PluginOptions
    @OptionGroup var quietOption: QuietOption
}

/// A sampler's sharding: one shard of a round, the merge after it, or the Slurm scripts that do both.
struct CalibrationShardingOptions: ParsableArguments {
    @OptionGroup var shardOption: ShardOption
    var shard: String? { shardOption.shard }

    @Option(help: ArgumentHelp("With --shard: the round to simulate (as --merge-shards asks).", valueName: "n"))
    var round: Int?

    @Option(help: ArgumentHelp("Gather the N shards of the current round; prints 'more R' (run round R), 'next' (abc-smc: run round 0 of the next generation) or 'done'.", valueName: "N"))
    var mergeShards: Int?

    @OptionGroup(title: "Slurm jobs") var slurm: SlurmEmitOptions
    var emitSlurm: String? { slurm.emitSlurm }

    var any: Bool { shard != nil || mergeShards != nil || emitSlurm != nil }
}

/// One calibration as the commands describe it; `blendsim calibrate PLAN --method M` and the
/// subcommands build it, so each check and each step exists once.
struct CalibrationJob {
    var common: CalibrationCommonOptions
    var method: CalibrationMethod
    /// The option that chose the method, for messages: `--method` or `--sampler`.
    var methodOption: String
    var output: String?
    var out: String?
    var synthetic: UInt64?
    var resume = false
    var sharding: CalibrationShardingOptions?

    var plan: String { common.plan }
    var force: Bool { common.force }
    var quiet: Bool { common.quietOption.quiet }
    var settings: RunSettings { runSettings(plugins: common.plugins, engine: common.engine, memory: common.memory) }

    func check() throws {
        if method != .point && out == nil { throw ValidationError("\(methodOption) \(method.rawValue) needs --out for the posterior") }
        if method.samples, let synthetic, synthetic == 0 {
            throw ValidationError("--synthetic must be at least 1: offset 0 would observe with the sampler's own random numbers")
        }
        if method == .laplace && (resume || synthetic != nil) { throw ValidationError("\(methodOption) laplace takes neither --resume nor --synthetic") }
        if method == .point && (out != nil || resume) { throw ValidationError("--out and --resume go with \(methodOption) smc, abc-smc or laplace") }
        if method != .point && output != nil { throw ValidationError("--output is the point fit's fragment; \(methodOption) \(method.rawValue) writes to --out") }
        guard let sharding else { return }
        if sharding.any && !method.samples { throw ValidationError("--shard, --merge-shards and --emit-slurm go with \(methodOption) smc or abc-smc") }
        if sharding.any && (synthetic != nil || resume) {
            throw ValidationError("a sharded calibration resumes by itself; --synthetic and --resume go with an unsharded one")
        }
        if (sharding.shard != nil) != (sharding.round != nil) { throw ValidationError("--shard and --round go together") }
        if let round = sharding.round, !(0...1_000_000).contains(round) { throw ValidationError("--round must be between 0 and 1000000") }
        if let merge = sharding.mergeShards, !(1...10_000).contains(merge) { throw ValidationError("--merge-shards must be between 1 and 10000") }
        try sharding.slurm.check(out: out)
        if [sharding.shard != nil, sharding.mergeShards != nil, sharding.emitSlurm != nil].filter({ $0 }).count > 1 {
            throw ValidationError("--shard, --merge-shards and --emit-slurm are separate steps; give one")
        }
    }

    func run() throws {
        PluginGuard.begin()
        defer { PluginGuard.end() }
        do throws(Diagnostic) {
            if let method = method.posterior, let out {
                try posterior(method, out: out)
            } else {
                try fit()
            }
        } catch {
            throw fail(error)
        }
    }

    /// The point fit: the table, and the fitted parameters as a scenario fragment.
    func fit() throws(Diagnostic) {
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
        let quiet = self.quiet
        let report = try Calibrator.run(loaded, settings: settings, synthetic: synthetic) { count, value in
            if !quiet && (count == 1 || count % 25 == 0) {
                StandardError.write("evaluation \(count): objective \(CalibrationReport.number(value))\n")
            }
        }
        // The fragment is written before anything is printed: a failed write prints nothing.
        if let path = destination {
            try ResultsDirectory.writeFile(path, report.fragment(command: "blendsim calibrate \(plan)"), replacing: force)
        }
        if !quiet || destination == nil {
            StandardOutput.write(report.table())
            if let path = destination, !quiet { StandardOutput.write("\nFitted parameters written to \(path)\n") }
        }
    }

    /// A posterior sample: whole, resumed, one shard, a merge, or the Slurm scripts that shard it.
    func posterior(_ method: PosteriorReport.Method, out: String) throws(Diagnostic) {
        let sharding = self.sharding ?? CalibrationShardingOptions()
        if let emitSlurm = sharding.emitSlurm {
            let files = SlurmScript.calibrationFiles(
                plan: SlurmScript.absolute(plan), method: method.rawValue, shards: sharding.slurm.shards, out: SlurmScript.absolute(out),
                executable: SlurmScript.executable(), pluginDirectories: common.plugins.directories.map(SlurmScript.absolute),
                engine: common.engine.arguments + common.memory.arguments, job: sharding.slurm.job.job, directory: SlurmScript.absolute(emitSlurm))
            for file in files { try ResultsDirectory.writeFile(emitSlurm + "/" + file.name, file.contents) }
            StandardOutput.write("Slurm scripts written to \(emitSlurm)/: bash \(emitSlurm)/run.sh (on the login node)\n")
            return
        }
        // A directory holding other results (no calibration under way in it) is not taken over by
        // a shard or a merge, as it is not by an unsharded calibration.
        let stepping = sharding.shard != nil || sharding.mergeShards != nil
        if (stepping && !FileSystem.exists(out + "/.checkpoint")) || (!stepping && !resume) {
            try ResultsDirectory.checkOutput(out, force: force)
        }
        let loaded = try CalibrationPlanLoader.load(path: plan)
        if let shard = sharding.shardOption.value, let round = sharding.round {
            try Calibrator.shard(method, loaded, settings: settings, out: out, shard: shard, round: round)
            if !quiet { StandardOutput.write("shard \(shard.index)/\(shard.count) of round \(round) written to \(out)/.checkpoint\n") }
            return
        }
        if let shards = sharding.mergeShards {
            let (state, report) = try Calibrator.merge(
                method, loaded, settings: settings, out: out, shards: shards, invocation: CommandLine.arguments, force: force)
            switch state {
            case .more(let round): StandardOutput.write("more \(round)\n")
            case .next: StandardOutput.write("next\n")
            case .done:
                StandardOutput.write("done\n")
                if let report, !quiet { StandardOutput.write(report.table()) }
            }
            return
        }
        let quiet = self.quiet
        let report = try Calibrator.posterior(method, loaded, settings: settings, synthetic: synthetic, checkpoint: out, resume: resume) { line in
            if !quiet { StandardError.write(line + "\n") }
        }
        try finish(report, planPath: plan, out: out, force: force, quiet: quiet) { Calibrator.removeCheckpoint($0) }
        if !quiet { StandardOutput.write("\nPosterior written to \(out)/posterior.csv (report: \(out)/calibration.json)\n") }
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

    /// The posterior method, or nil for the point fit.
    var posterior: PosteriorReport.Method? { PosteriorReport.Method(rawValue: rawValue) }
}
