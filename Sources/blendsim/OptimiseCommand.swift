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
                """
        )

        @Argument(help: ArgumentHelp("The optimise plan (YAML).", valueName: "plan.yaml"))
        var plan: String

        @OptionGroup(title: "Output") var output: OutputOptions
        @OptionGroup(title: "Simulation") var seed: SeedOption
        @OptionGroup(title: "Simulation") var replications: ReplicationCountOption
        @OptionGroup(title: "Engine") var engine: EngineOptionGroup
        @OptionGroup(title: "Resources") var memory: MemoryOptions
        @OptionGroup(title: "Model uncertainty") var uncertainty: UncertaintyOptions
        @Flag(help: "Print no progress, and no tables when the results go to --out; errors still go to standard error.")
        var quiet = false
        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func validate() throws {
            try replications.check(minimum: 2)
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            var settings = runSettings(plugins: plugins, engine: engine, memory: memory, seed: seed.seed, replications: replications.replications)
            let progress = quiet ? nil : ProgressReporter.callback(label: "optimise")
            do throws(Diagnostic) {
                settings.posterior = try uncertainty.load()
                try output.check()
                let report = try Optimisation.run(planPath: plan, settings: settings, progress: progress)
                try finish(report, planPath: plan, out: output.out, force: output.force, quiet: quiet)
            } catch {
                throw fail(error)
            }
        }
    }
}
