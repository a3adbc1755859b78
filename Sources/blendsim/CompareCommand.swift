import ArgumentParser
import BlendSimCore
import BlendSimReport
import BlendSimRunner

extension BlendSim {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a scenario's variants with the same random numbers and compare their outcomes.",
            discussion: """
                Every outcome is reported per variant as mean [95% CI] and, against the first variant, \
                as a paired difference [95% CI]; the overall score also gets Hedges' g. With --out, \
                writes summary.json, weekly.csv and manifest.json (with --shard, shard.json).

                Examples:
                  blendsim compare scenarios/compare-ratios.yaml
                  blendsim compare scenarios/compare-ratios.yaml --replications 200 --out results/ratios
                  blendsim compare scenarios/compare-ratios.yaml --shard 2/4 --out results/shard-2
                """
        )

        @Argument(help: ArgumentHelp("A scenario with 'variants:'.", valueName: "scenario.yaml"))
        var scenario: String

        @OptionGroup(title: "Output") var output: OutputOptions
        @OptionGroup(title: "Simulation") var simulation: SimulationOptions
        @OptionGroup(title: "Sharding") var shard: ShardOption

        @OptionGroup var presentation: PresentationOptions
        var quiet: Bool { presentation.quiet }
        var report: Bool { presentation.report }
        func validate() throws {
            try simulation.replications.check(minimum: 2)
            if shard.shard != nil && simulation.uncertainty.uncertainty == .model {
                throw ValidationError("--uncertainty model cannot be sharded yet; run the comparison whole")
            }
            if shard.shard != nil && simulation.replications.automatic != nil {
                throw ValidationError("--replications auto cannot be sharded (each shard would stop on its own); give a number of replications")
            }
            if shard.shard != nil && output.out == nil { throw ValidationError("--shard needs --out for the shard's file") }
            if report && output.out == nil { throw ValidationError("--report needs --out") }
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            let progress = quiet ? nil : ProgressReporter.callback(label: "compare")
            do throws(Diagnostic) {
                let settings = try simulation.settings()
                try output.check()
                switch try VariantComparison.run(path: scenario, settings: settings, shard: shard.value, progress: progress) {
                case .shard(let file):
                    try writeShard(file, to: output.out!, quiet: quiet)
                case .complete(let report):
                    for note in report.notes { StandardError.write(note.rendered + "\n") }
                    if let warning = report.arms.first?.description.stopping?.warning { StandardError.write(warning + "\n") }
                    try finish(report, planPath: scenario, out: output.out, force: output.force, report: self.report, quiet: quiet)
                }
            } catch {
                throw fail(error)
            }
        }
    }
}

/// Writes a shard's file into `directory` and says so.
func writeShard(_ file: ShardFile, to directory: String, quiet: Bool) throws(Diagnostic) {
    try file.write(to: directory)
    if !quiet { StandardOutput.write("Shard \(file.shard.index)/\(file.shard.count) written to \(directory)/\(ShardFile.fileName)\n") }
}
