import ArgumentParser
import BlendSimCore
import BlendSimRunner

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a sweep plan: a grid, a Latin hypercube, or a Morris or Sobol sensitivity analysis.",
        discussion: """
            Writes runs.csv (one row per point, replication and group), summary.json and, for \
            the sensitivity designs, sensitivity.json (docs/EXPERIMENTS.md).

            Examples:
              blendsim sweep scenarios/sweep-online-share.yaml --out results/sweep
              blendsim sweep scenarios/sweep-online-share.yaml --shard 3/8 --out results/shard-3
              blendsim sweep scenarios/sweep-online-share.yaml --emit-slurm slurm/ --shards 8 --out results/sweep
            """
    )

    @Argument(help: ArgumentHelp("The sweep plan (YAML).", valueName: "plan.yaml"))
    var plan: String

    @Option(help: ArgumentHelp("Write the results (or, with --shard, shard.json) here.", valueName: "dir"))
    var out: String?

    @Flag(help: "Replace results already in the --out directory.")
    var force = false

    @Option(help: "Use this seed instead of the scenario's.")
    var seed: UInt64?

    @Option(help: "Replications per point instead of the plan's.")
    var replications: Int?

    var replicationCount: Int? { replications }

    @Option(help: ArgumentHelp("Run only slice K of N of the runs (merge the slices with `blendsim merge`).", valueName: "K/N"))
    var shard: String?

    @Option(help: ArgumentHelp("Write a Slurm job-array script and its merge step into this directory instead of running.", valueName: "dir"))
    var emitSlurm: String?

    @Option(help: "Shards (array tasks) for --emit-slurm.")
    var shards: Int = 4

    @OptionGroup var threading: ThreadOptions

    @Flag(help: "Print neither progress nor the table.")
    var quiet = false

    @Flag(help: "Continue an interrupted sweep in --out: runs it already finished are not run again.")
    var resume = false

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if let replications, !(1...100_000).contains(replications) { throw ValidationError("--replications must be between 1 and 100000") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes K/N with 1 ≤ K ≤ N, e.g. 2/4") }
        if (shard != nil || emitSlurm != nil) && out == nil { throw ValidationError("--shard and --emit-slurm need --out") }
        if !(1...10_000).contains(shards) { throw ValidationError("--shards must be between 1 and 10000") }
        if resume && out == nil { throw ValidationError("--resume needs the --out directory of the interrupted sweep") }
    }

    func run() throws {
        PluginGuard.begin()
        defer { PluginGuard.end() }
        let settings = RunSettings(
            pluginDirectories: plugins.directories, seed: seed, replications: replications,
            engine: EngineOptions(threads: threading.count))
        let reporter: ProgressReporter? = quiet ? nil : ProgressReporter(label: "sweep")
        var progress: (@Sendable (Int, Int) -> Void)?
        if let reporter { progress = { done, total in reporter.update(done, total) } }
        do throws(Diagnostic) {
            if let emitSlurm {
                let files = SlurmScript.files(
                    plan: SlurmScript.absolute(plan), shards: shards, out: SlurmScript.absolute(out!),
                    executable: SlurmScript.executable(), pluginDirectories: plugins.directories.map(SlurmScript.absolute),
                    seed: seed, replications: replicationCount)
                for file in files { try Runner.writeFile(emitSlurm + "/" + file.name, file.contents) }
                StandardOutput.write("Slurm scripts written to \(emitSlurm)/: sbatch \(emitSlurm)/submit.sh\n")
                return
            }
            if let out {
                try Runner.checkOutput(out, force: force)
                Interruption.protect(temporaryFiles:
                    ["summary.json", "runs.csv", "sensitivity.json", "manifest.json", "shard.json"].map {
                        Interruption.temporaryName(directory: out, name: $0)
                    } + [Interruption.temporaryName(directory: out + "/.checkpoint", name: "shard.json")])
            }
            switch try BlendSimRunner.Sweep.run(
                planPath: plan, settings: settings, shard: shard.flatMap { Shard($0) }, checkpoint: out, resume: resume,
                progress: progress)
            {
            case .shard(let file):
                try Runner.writeFile(out! + "/" + ShardFile.fileName, file.json.serialized() + "\n")
                if !quiet { StandardOutput.write("Shard \(file.shard.index)/\(file.shard.count) written to \(out!)/\(ShardFile.fileName)\n") }
            case .complete(let report):
                if let out {
                    try Runner.writeResults(report.files, to: out, scenarioPath: plan, invocation: CommandLine.arguments, force: force)
                    Runner.removeCheckpoint(out: out)
                }
                if !quiet { StandardOutput.write(report.table) }
            }
        } catch {
            throw fail(error)
        }
    }
}
