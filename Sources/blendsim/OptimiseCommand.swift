import ArgumentParser
import BlendSimCore
import BlendSimRunner

extension BlendSim {
    struct Optimise: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the designs of a group that give the most for a budget: model, online share and policies.",
            discussion: """
                Runs every design of the plan's space (or races them, when the space is large) with the \
                same random numbers, prices each with the scenario's costs, and reports the best \
                designs within the budget with the chance each is best, and the cost–outcome \
                frontier. Writes summary.json, designs.csv and report.html (docs/EXPERIMENTS.md, \
                docs/COSTS.md).

                Examples:
                  blendsim optimise examples/costs/optimise.yaml
                  blendsim optimise examples/costs/optimise.yaml --out results/optimise
                  blendsim optimise examples/costs/optimise.yaml --uncertainty model --posterior scenarios/evidence-posterior.csv
                  blendsim optimise examples/costs/optimise.yaml --shard 2/4 --out results/optimise-2
                  blendsim optimise examples/costs/optimise.yaml --emit-slurm slurm/ --shards 8 --out results/optimise

                An exhaustive search can be sharded: each shard runs every replication of its \
                slice of the designs, and `blendsim merge` gives the whole search's results, \
                byte for byte. A racing search cannot (its rounds choose across the whole space).
                """
        )

        @Argument(help: ArgumentHelp("The optimise plan (YAML).", valueName: "plan.yaml"))
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
        @Flag(help: "Print no progress, and no tables when the results go to --out; errors still go to standard error.")
        var quiet = false
        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func validate() throws {
            try replications.check(minimum: 2)
            if (shard.shard != nil || emitSlurm != nil) && output.out == nil { throw ValidationError("--shard and --emit-slurm need --out") }
            if (shard.shard != nil || emitSlurm != nil) && uncertainty.uncertainty == .model {
                throw ValidationError("--uncertainty model cannot be sharded yet; run the search whole")
            }
            if shard.shard != nil && emitSlurm != nil { throw ValidationError("--shard and --emit-slurm do not go together") }
            try slurm.check(out: output.out)
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            var settings = runSettings(plugins: plugins, engine: engine, memory: memory, seed: seed.seed, replications: replications.replications)
            let progress = quiet ? nil : ProgressReporter.callback(label: "optimise")
            do throws(Diagnostic) {
                settings.posterior = try uncertainty.load()
                if emitSlurm != nil {
                    // The plan is checked first: scripts for a search that cannot be sharded (or
                    // run at all) would only fail on the cluster.
                    try Optimisation.check(planPath: plan, settings: settings, sharded: true)
                    try slurm.emit(
                        command: "optimise", plan: plan, out: output.out!, plugins: plugins, seed: seed.seed,
                        replications: replications.replications, engine: engine.arguments + memory.arguments)
                    return
                }
                try output.check()
                switch try Optimisation.run(planPath: plan, settings: settings, shard: shard.value, progress: progress) {
                case .shard(let file):
                    try writeShard(file, to: output.out!, quiet: quiet)
                case .complete(let report):
                    try finish(report, planPath: plan, out: output.out, force: output.force, quiet: quiet)
                }
            } catch {
                throw fail(error)
            }
        }
    }
}
