import ArgumentParser
import BlendSimCore

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
        subcommands: [Run.self, Compare.self, Sweep.self, Merge.self, Validate.self, Plugins.self, Plugin.self, Calibrate.self, Bench.self]
    )
}

/// Options shared by every command that loads plugins.
struct PluginOptions: ParsableArguments {
    @Option(
        name: .customLong("plugin-dir"),
        help: ArgumentHelp(
            "A directory to search for plugins before BLENDSIM_PLUGIN_PATH and the executable's directory (repeatable).",
            valueName: "dir"))
    var directories: [String] = []
}

/// Prints a diagnostic to standard error and exits with status 1.
func fail(_ diagnostic: Diagnostic) -> ExitCode {
    StandardError.write(diagnostic.rendered + "\n")
    return ExitCode(1)
}
