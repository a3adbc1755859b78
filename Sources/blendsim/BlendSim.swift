import ArgumentParser
import BlendSimCore
import BlendSimRunner

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
        subcommands: [Run.self, Compare.self, Sweep.self, Merge.self, Report.self, Rerun.self, Init.self, Schema.self, Validate.self, Plugins.self, Plugin.self, Calibrate.self, Evidence.self, Bench.self]
    )
}

/// `--threads` and `--max-memory`, shared by every command that simulates and validated once.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Use at most this many threads (default: all processors). Results do not depend on it.")
    var threads: Int?

    @Option(
        name: .customLong("max-memory"),
        help: ArgumentHelp("Memory budget in GiB for the estimate a run must pass before it starts (default: 80% of the memory available).", valueName: "GiB"))
    var maxMemory: Double?

    /// The threads to use.
    var count: Int { threads ?? ProcessorCount.active }

    func validate() throws {
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        if let maxMemory {
            guard maxMemory.isFinite, maxMemory > 0, maxMemory <= 1_048_576 else { throw ValidationError("--max-memory must be a number of GiB above 0 and at most 1048576") }
            ResourceCheck.budget = maxMemory * 1_073_741_824
        }
    }
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

/// `--replications N|auto` with the stopping rule of `auto`.
struct ReplicationOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Replications instead of the scenario's, or 'auto': add them until the 95% CIs of the overall scores are narrower than --half-width.",
        valueName: "n|auto"))
    var replications: String?

    @Option(help: "With --replications auto: the target 95% CI half-width of the overall score (scale points).")
    var halfWidth: Double = 0.25

    @Option(help: "With --replications auto: stop at this many replications.")
    var maxReplications: Int = 1000

    var count: Int? { replications.flatMap { Int($0) } }

    var automatic: AutomaticReplications? {
        replications == "auto" ? AutomaticReplications(halfWidth: halfWidth, maximum: maxReplications) : nil
    }

    func check(minimum: Int) throws {
        if let replications, replications != "auto" {
            guard let n = Int(replications), (minimum...100_000).contains(n) else {
                throw ValidationError("--replications must be 'auto' or a whole number between \(minimum) and 100000")
            }
        }
        guard halfWidth > 0, halfWidth.isFinite else { throw ValidationError("--half-width must be positive") }
        guard (2...100_000).contains(maxReplications) else { throw ValidationError("--max-replications must be between 2 and 100000") }
    }
}

/// The summary's form on standard output.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
