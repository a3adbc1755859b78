import ArgumentParser
import BlendSimCore
import BlendSimRunner

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario and print its summary; with --out, write summary.json, weekly.csv and manifest.json.",
        discussion: """
            Examples:
              blendsim run scenarios/paper-experiment.yaml
              blendsim run scenarios/ratio-40-60.yaml --replications 100 --out results/40-60
            """
    )

    @Argument(help: ArgumentHelp("The scenario file (YAML).", valueName: "scenario.yaml"))
    var scenario: String

    @Option(help: ArgumentHelp("Write the results files into this directory.", valueName: "dir"))
    var out: String?

    @Flag(help: "Replace results already in the --out directory.")
    var force = false

    @Option(help: "Use this seed instead of the scenario's.")
    var seed: UInt64?

    @OptionGroup var replicationOptions: ReplicationOptions

    @OptionGroup var threading: ThreadOptions

    @Option(help: "Students per parallel chunk (default 4096). Results do not depend on it.")
    var chunkSize: Int?

    @Flag(help: "Do not print the summary table.")
    var quiet = false

    @Option(help: ArgumentHelp(
        "Also write every student's state after every week to this CSV file (large: students × weeks × replications rows).",
        valueName: "file"))
    var trace: String?

    @Flag(help: "Also write report.html into the --out directory.")
    var report = false

    @Option(help: "How to print the summary on stdout: table, json (summary.json) or csv (one row per group and outcome).")
    var format: OutputFormat = .table

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        try replicationOptions.check(minimum: 1)
        if let chunkSize, !(1...EngineOptions.maximumChunkSize).contains(chunkSize) {
            throw ValidationError("--chunk-size must be between 1 and \(EngineOptions.maximumChunkSize)")
        }
        if report && out == nil { throw ValidationError("--report needs --out") }
    }

    func run() throws {
        PluginGuard.begin()
        defer { PluginGuard.end() }
        let engine = EngineOptions(
            threads: threading.count, chunkSize: chunkSize ?? EngineOptions().chunkSize)
        let settings = RunSettings(
            pluginDirectories: plugins.directories, seed: seed, replications: replicationOptions.count, engine: engine,
            automaticReplications: replicationOptions.automatic)
        do {
            if let out { try Runner.checkOutput(out, force: force) }
            var temporary: [String] = []
            if let out {
                temporary += ["summary.json", "weekly.csv", "manifest.json", "report.html"].map {
                    Interruption.temporaryName(directory: out, name: $0)
                }
            }
            if let trace { temporary.append(Interruption.temporaryName(of: trace)) }
            Interruption.protect(temporaryFiles: temporary)
            let report = try Runner.run(path: scenario, settings: settings, tracePath: trace)
            if let out {
                try Runner.write(
                    report, to: out, force: force, invocation: CommandLine.arguments, threads: engine.threads)
                if self.report { try Runner.writeReport(directory: out) }
            }
            if !quiet {
                switch format {
                case .table:
                    StandardOutput.write(report.terminal(color: StandardOutput.wantsColor))
                    if let out { StandardOutput.write("\nResults written to \(out)/ (summary.json, weekly.csv, manifest.json)\n") }
                case .json: StandardOutput.write(report.summary.serialized(pretty: true))
                case .csv: StandardOutput.write(report.csv)
                }
            }
        } catch {
            throw fail(error)
        }
    }
}
