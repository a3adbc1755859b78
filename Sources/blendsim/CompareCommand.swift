import ArgumentParser
import BlendSimCore
import BlendSimRunner

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario's variants with the same random numbers and compare their outcomes.",
        discussion: """
            Every outcome is reported per variant as mean [95% CI] and, against the first variant, \
            as a paired difference [95% CI]; the overall score also gets Hedges' g.

            Examples:
              blendsim compare scenarios/compare-ratios.yaml
              blendsim compare scenarios/compare-ratios.yaml --replications 200 --out results/ratios
              blendsim compare scenarios/compare-ratios.yaml --shard 2/4 --out results/shard-2
            """
    )

    @Argument(help: ArgumentHelp("A scenario with 'variants:'.", valueName: "scenario.yaml"))
    var scenario: String

    @Option(help: ArgumentHelp("Write summary.json and manifest.json (or, with --shard, shard.json) here.", valueName: "dir"))
    var out: String?

    @Flag(help: "Replace results already in the --out directory.")
    var force = false

    @Option(help: "Use this seed instead of the scenario's.")
    var seed: UInt64?

    @OptionGroup var replicationOptions: ReplicationOptions

    @Option(help: ArgumentHelp("Run only slice K of N of the runs (merge the slices with `blendsim merge`).", valueName: "K/N"))
    var shard: String?

    @OptionGroup var threading: ThreadOptions

    @Flag(help: "Print neither progress nor the table.")
    var quiet = false

    @Flag(help: "Also write report.html into the --out directory.")
    var report = false

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        try replicationOptions.check(minimum: 2)
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes K/N with 1 ≤ K ≤ N, e.g. 2/4") }
        if shard != nil && out == nil { throw ValidationError("--shard needs --out for the shard's file") }
    }

    func run() throws {
        PluginGuard.begin()
        defer { PluginGuard.end() }
        let settings = RunSettings(
            pluginDirectories: plugins.directories, seed: seed, replications: replicationOptions.count,
            engine: EngineOptions(threads: threading.count), automaticReplications: replicationOptions.automatic)
        let reporter: ProgressReporter? = quiet ? nil : ProgressReporter(label: "compare")
        var progress: (@Sendable (Int, Int) -> Void)?
        if let reporter { progress = { done, total in reporter.update(done, total) } }
        do throws(Diagnostic) {
            if let out {
                try Runner.checkOutput(out, force: force)
                Interruption.protect(temporaryFiles: ["summary.json", "manifest.json", "report.html", "shard.json"].map {
                    Interruption.temporaryName(directory: out, name: $0)
                })
            }
            let outcome = try BlendSimRunner.Compare.run(
                path: scenario, settings: settings, shard: shard.flatMap { Shard($0) }, progress: progress)
            switch outcome {
            case .shard(let file):
                try Runner.writeFile(out! + "/" + ShardFile.fileName, file.json.serialized(pretty: false) + "\n")
                if !quiet { StandardOutput.write("Shard \(file.shard.index)/\(file.shard.count) written to \(out!)/\(ShardFile.fileName)\n") }
            case .complete(let report):
                if let out {
                    try Runner.writeResults(
                        [("summary.json", report.document.serialized(pretty: true))], to: out, scenarioPath: scenario,
                        invocation: CommandLine.arguments, force: force)
                    if self.report { try Runner.writeReport(directory: out) }
                }
                if !quiet { StandardOutput.write(report.table) }
            }
        } catch {
            throw fail(error)
        }
    }
}
