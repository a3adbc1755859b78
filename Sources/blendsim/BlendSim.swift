import ArgumentParser
import BlendSimCore
import BlendSimSystem

@main
struct BlendSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blendsim",
        abstract: "Simulate how blended teaching changes students' English skills and motivation over a semester.",
        discussion: """
            Scenarios are YAML files (docs/SCENARIO.md); blended models and policies are plugin \
            libraries found on the plugin path (docs/PLUGINS.md).

            Example:
              blendsim run scenarios/paper-experiment.yaml --out results/paper
            """,
        version: BlendSimVersion.current,
        groupedSubcommands: [
            CommandGroup(name: "Simulate", subcommands: [Run.self, Compare.self, Sweep.self, Optimise.self, Merge.self, Rerun.self, Report.self, Serve.self]),
            CommandGroup(name: "Write scenarios", subcommands: [Init.self, Schema.self, Validate.self]),
            CommandGroup(name: "Plugins", subcommands: [Plugin.self, Plugins.self]),
            CommandGroup(name: "Evidence and calibration", subcommands: [Evidence.self, Calibrate.self]),
            CommandGroup(name: "Performance", subcommands: [Bench.self]),
        ]
    )

    /// SIGINT and SIGTERM end every command with 130 or 143 and remove the temporary files of any
    /// write in progress (`Interruption`), then the command line is parsed and run.
    static func main() {
        Interruption.install()
        main(nil)
    }
}
