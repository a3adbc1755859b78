import ArgumentParser
import BlendSimCore
import BlendSimRunner

extension BlendSim {
    struct Evidence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Work with the evidence base: published findings the model is checked and calibrated against.",
            subcommands: [EvidenceCheckCommand.self, EvidenceFromResultsCommand.self]
        )
    }
}

extension BlendSim {
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

        @Argument(help: ArgumentHelp("Evidence files or folders (default: ./evidence, else the evidence installed with blendsim).", valueName: "path"))
        var paths: [String] = []

        @Option(help: "Output format: table, markdown or json.")
        var format: String = "table"

        @Option(help: ArgumentHelp("Also write the validation page (self-contained HTML) to this file.", valueName: "file.html"))
        var report: String?

        @Option(
            name: .customLong("set"),
            help: ArgumentHelp("Set a kernel parameter in every experiment, e.g. kernel.live_isolation=0.25 (repeatable): a sensitivity analysis of an assumption.", valueName: "kernel.key=value"))
        var settings: [String] = []

        @OptionGroup(title: "Simulation") var replications: ReplicationCountOption
        @OptionGroup(title: "Engine") var engine: EngineOptionGroup
        @OptionGroup(title: "Resources") var memory: MemoryOptions

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func validate() throws {
            guard ["table", "markdown", "json"].contains(format) else { throw ValidationError("--format must be table, markdown or json") }
            try replications.check(minimum: 2)
            _ = try kernelSettings()
        }

        /// `--set kernel.key=value` pairs, checked against the kernel's parameters and ranges.
        func kernelSettings() throws -> [(String, Double)] {
            try settings.map { text in
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0].hasPrefix("kernel."), let value = Double(parts[1]), value.isFinite else {
                    throw ValidationError("--set takes kernel.<key>=<number>, found '\(text)'")
                }
                let key = String(parts[0].dropFirst("kernel.".count))
                guard let info = KernelParameters.catalog.first(where: { $0.key == key }) else {
                    throw ValidationError("--set: unknown kernel parameter '\(key)' (docs/MODEL.md 3.7)")
                }
                guard info.range.contains(value) else {
                    throw ValidationError("--set: \(key) must lie in [\(info.range.lowerBound), \(info.range.upperBound)], found \(parts[1])")
                }
                return (key, value)
            }
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            let kernel = try kernelSettings()
            do {
                let settings = runSettings(plugins: plugins, engine: engine, memory: memory, replications: replications.replications)
                let rows = try EvidenceCheck.run(paths: paths.isEmpty ? [EvidenceCheck.shippedEvidence()] : paths, settings: settings, kernel: kernel)
                if let report {
                    try ResultsDirectory.writeFile(report, EvidenceCheck.report(rows))
                }
                StandardOutput.write(EvidenceCheck.render(rows, format: format))
            } catch {
                throw fail(error)
            }
        }
    }
}
