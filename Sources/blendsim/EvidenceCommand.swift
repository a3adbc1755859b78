import ArgumentParser
import BlendSimCore
import BlendSimRunner

struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the evidence base: published findings the model is checked and calibrated against.",
        subcommands: [EvidenceCheckCommand.self]
    )
}

struct EvidenceCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run every finding's experiment with the current defaults and compare it with the reported value.",
        discussion: """
            Prints, per finding, the reported value with its 95% interval, the simulated value \
            with its 95% CI over replications, and whether the simulated mean lies inside the \
            reported interval (docs/EVIDENCE.md, docs/CALIBRATION.md).

            Example:
              blendsim evidence check evidence/
            """
    )

    @Argument(help: ArgumentHelp("Evidence files or folders (default: evidence).", valueName: "path"))
    var paths: [String] = []

    @Option(help: "Output format: table, markdown or json.")
    var format: String = "table"

    @Option(help: "Replications instead of each experiment's own.")
    var replications: Int?

    @Option(help: "Use at most this many threads (default: all processors). Results do not depend on it.")
    var threads: Int?

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        guard ["table", "markdown", "json"].contains(format) else { throw ValidationError("--format must be table, markdown or json") }
        if let replications, replications < 2 { throw ValidationError("--replications must be at least 2") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        do {
            let settings = RunSettings(
                pluginDirectories: plugins.directories, replications: replications,
                engine: EngineOptions(threads: threads ?? ProcessorCount.active))
            let rows = try EvidenceCheck.run(paths: paths.isEmpty ? ["evidence"] : paths, settings: settings)
            StandardOutput.write(EvidenceCheck.render(rows, format: format))
        } catch {
            throw fail(error)
        }
    }
}
