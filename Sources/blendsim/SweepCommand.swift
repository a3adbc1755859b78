import ArgumentParser
import BlendSimCore
import BlendSimRunner

extension BlendSim {
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a sweep plan: a grid, a Latin hypercube, or a Morris or Sobol sensitivity analysis.",
            discussion: """
                Writes runs.csv (one row per point, replication and group), summary.json and, for \
                the sensitivity designs, sensitivity.json (docs/EXPERIMENTS.md).

                Examples:
                  blendsim sweep scenarios/sweep-online-share.yaml --out results/sweep
                  blendsim sweep scenarios/sweep-online-share.yaml --shard 3/8 --out results/shard-3
                  blendsim sweep scenarios/sweep-online-share.yaml --emit-slurm slurm/ --shards 8 --out results/sweep
                """
        )

        @Argument(help: ArgumentHelp("The sweep plan (YAML).", valueName: "plan.yaml"))
        var plan: String

        @OptionGroup(title: "Output") var output: OutputOptions
        @OptionGroup(title: "Simulation") var seed: SeedOption
        @OptionGroup(title: "Simulation") var replications: ReplicationCountOption
        @OptionGroup(title: "Sharding") var shard: ShardOption

        @OptionGroup(title: "Slurm jobs") var slurm: SlurmEmitOptions
        var emitSlurm: String? { slurm.emitSlurm }

        @OptionGroup(title: "Engine") var engine: EngineOptionGroup
        @OptionGroup(title: "Resources") var memory: MemoryOptions
        @OptionGroup(title: "Model uncertainty") var uncertainty: UncertaintyOptions

        @OptionGroup var presentation: PresentationOptions

        @Flag(help: "Continue an interrupted sweep in --out: runs it already finished are not run again.")
        var resume = false

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func validate() throws {
            try replications.check(minimum: 1)
            if (shard.shard != nil || emitSlurm != nil) && output.out == nil { throw ValidationError("--shard and --emit-slurm need --out") }
            if (shard.shard != nil || emitSlurm != nil) && uncertainty.uncertainty == .model {
                throw ValidationError("--uncertainty model cannot be sharded yet; run the sweep whole")
            }
            if resume && output.out == nil { throw ValidationError("--resume needs the --out directory of the interrupted sweep") }
            try slurm.check(out: output.out)
            if presentation.report && (output.out == nil || shard.shard != nil || emitSlurm != nil) {
                throw ValidationError("--report needs --out and a whole sweep (a shard's report comes from the merge)")
            }
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            var settings = runSettings(plugins: plugins, engine: engine, memory: memory, seed: seed.seed, replications: replications.replications)
            let progress = presentation.quiet ? nil : ProgressReporter.callback(label: "sweep")
            do throws(Diagnostic) {
                settings.posterior = try uncertainty.load()
                if emitSlurm != nil {
                    try slurm.emit(
                        command: "sweep", plan: plan, out: output.out!, plugins: plugins, seed: seed.seed,
                        replications: replications.replications, engine: engine.arguments + memory.arguments)
                    return
                }
                try output.check()
                switch try SweepExperiment.run(
                    planPath: plan, settings: settings, shard: shard.value, checkpoint: output.out, resume: resume, progress: progress)
                {
                case .shard(let file):
                    try writeShard(file, to: output.out!, quiet: presentation.quiet)
                case .complete(let report):
                    try finish(
                        report, planPath: plan, out: output.out, force: output.force, report: presentation.report, quiet: presentation.quiet,
                        afterWriting: SweepExperiment.removeCheckpoint(out:))
                }
            } catch {
                throw fail(error)
            }
        }
    }
}
