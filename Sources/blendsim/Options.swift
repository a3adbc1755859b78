import ArgumentParser
import BlendSimCore
import BlendSimRunner

// The option groups the commands share: each option is declared and validated once, here, and a
// command takes a group by `@OptionGroup`.

/// `--plugin-dir`, for every command that loads plugins.
struct PluginOptions: ParsableArguments {
    @Option(
        name: .customLong("plugin-dir"),
        help: ArgumentHelp(
            "A directory to search for plugins before BLENDSIM_PLUGIN_PATH and the executable's directory (repeatable).",
            valueName: "dir"))
    var directories: [String] = []
}

/// `--threads` and `--chunk-size`: how a simulation uses the machine. Results do not depend on them.
struct EngineOptionGroup: ParsableArguments {
    @Option(help: "Use at most this many threads (default: all processors). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Students per parallel chunk (default 4096). Results do not depend on it.")
    var chunkSize: Int?

    @Flag(name: .customLong("no-fast-paths"), help: "Run the learning kernel's general path every week (slower). Results do not depend on it.")
    var noFastPaths = false

    /// The options as they were given, for a command line that passes them on (Slurm tasks).
    var arguments: [String] {
        (threads.map { ["--threads", "\($0)"] } ?? []) + (chunkSize.map { ["--chunk-size", "\($0)"] } ?? [])
            + (noFastPaths ? ["--no-fast-paths"] : [])
    }

    /// The engine's options.
    var engine: EngineOptions {
        let defaults = EngineOptions()
        return EngineOptions(threads: threads ?? defaults.threads, chunkSize: chunkSize ?? defaults.chunkSize, fastPaths: !noFastPaths)
    }

    func validate() throws {
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024") }
        if let chunkSize, !(1...EngineOptions.maximumChunkSize).contains(chunkSize) {
            throw ValidationError("--chunk-size must be between 1 and \(EngineOptions.maximumChunkSize)")
        }
    }
}

/// `--max-memory`: the budget every simulating command checks its estimate against before it
/// starts (`ResourceCheck`).
struct MemoryOptions: ParsableArguments {
    @Option(
        name: .customLong("max-memory"),
        help: ArgumentHelp("Memory budget in GiB for the estimate a run must pass before it starts (default: 80% of the memory available).", valueName: "GiB"))
    var maxMemory: Double?

    /// The option as it was given, for a command line that passes it on (Slurm tasks).
    var arguments: [String] { maxMemory.map { ["--max-memory", "\($0)"] } ?? [] }

    func validate() throws {
        if let maxMemory {
            guard maxMemory.isFinite, maxMemory > 0, maxMemory <= 1_048_576 else { throw ValidationError("--max-memory must be a number of GiB above 0 and at most 1048576") }
        }
    }
}

/// `--quiet`, the same for every command.
struct QuietOption: ParsableArguments {
    @Flag(help: "Print no progress, and no tables when the results go to a file or directory (without one the results are still printed); errors still go to standard error.")
    var quiet = false
}

/// `--quiet` and `--report`, the same for every command that writes results.
struct PresentationOptions: ParsableArguments {
    @Flag(help: "Print no progress, and no tables when the results go to --out (without --out the results are still printed); errors still go to standard error.")
    var quiet = false

    @Flag(help: "Also write report.html into the --out directory.")
    var report = false
}

/// `--out` and `--force`: where results go, and whether results already there may be replaced.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write the results files into this directory (docs/RESULTS.md).", valueName: "dir"))
    var out: String?

    @Flag(help: "Replace results already in the --out directory.")
    var force = false

    /// Refuses a directory that already holds results, before anything runs.
    func check() throws(Diagnostic) {
        if let out { try ResultsDirectory.checkOutput(out, force: force) }
    }
}

/// `--seed`.
struct SeedOption: ParsableArguments {
    @Option(help: "Use this seed instead of the scenario's.")
    var seed: UInt64?
}

/// `--replications N|auto` with the stopping rule of `auto`, for run and compare.
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

    /// The one check of these options; each command says its smallest useful count.
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

/// `--replications N` for commands whose replications are a number (sweep, evidence check).
struct ReplicationCountOption: ParsableArguments {
    @Option(help: "Replications instead of the scenario's (or plan's).")
    var replications: Int?

    /// The one check of this option; each command says its smallest useful count.
    func check(minimum: Int) throws {
        if let replications, !(minimum...100_000).contains(replications) {
            throw ValidationError("--replications must be between \(minimum) and 100000")
        }
    }
}

/// `--shard K/N`, for compare and sweep.
struct ShardOption: ParsableArguments {
    @Option(help: ArgumentHelp("Run only slice K of N of the work (compare, sweep: merge the slices with `blendsim merge`; calibrate: with --round, gathered by --merge-shards).", valueName: "K/N"))
    var shard: String?

    var value: Shard? { shard.flatMap { Shard($0) } }

    func validate() throws {
        if let shard, Shard(shard) == nil { throw ValidationError("--shard takes K/N with 1 ≤ K ≤ N, e.g. 2/4") }
    }
}

/// `--uncertainty model` and `--posterior`: whether each replication draws the model's
/// parameters from a posterior sample.
struct UncertaintyOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "none: the model's parameters are fixed at their calibrated values, and intervals show simulation noise only; model: each replication draws them from the posterior (--posterior), so intervals also carry what the evidence leaves uncertain.",
        valueName: "none|model"))
    var uncertainty: UncertaintySource = .none

    @Option(help: ArgumentHelp("With --uncertainty model: the posterior sample (default: the one shipped with blendsim, evidence-posterior.csv).", valueName: "posterior.csv"))
    var posterior: String?

    func validate() throws {
        if posterior != nil && uncertainty == .none { throw ValidationError("--posterior goes with --uncertainty model") }
    }

    /// The posterior sample to draw from, if any.
    func load() throws(Diagnostic) -> PosteriorSample? {
        guard uncertainty == .model else { return nil }
        guard let path = posterior ?? PosteriorSample.shippedPath() else {
            throw Diagnostic("no posterior sample found beside blendsim; pass --posterior FILE (a posterior.csv from `blendsim calibrate --method abc-smc`)")
        }
        return try PosteriorSample.load(path: path)
    }
}

/// Where a run's parameters come from.
enum UncertaintySource: String, ExpressibleByArgument, CaseIterable {
    case none, model
}

/// Everything `run` and `compare` take to simulate: seed, replications (a number or `auto`),
/// threads, chunk size, memory budget and plugin path, as one `RunSettings`.
struct SimulationOptions: ParsableArguments {
    @OptionGroup var seed: SeedOption
    @OptionGroup var replications: ReplicationOptions
    @OptionGroup var engine: EngineOptionGroup
    @OptionGroup var memory: MemoryOptions
    @OptionGroup var uncertainty: UncertaintyOptions
    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        if uncertainty.uncertainty == .model && replications.automatic != nil {
            throw ValidationError("--uncertainty model takes a number of replications, not 'auto'")
        }
    }

    /// The settings these options describe, with the posterior read when asked for.
    func settings() throws(Diagnostic) -> RunSettings {
        var settings = runSettings(
            plugins: plugins, engine: engine, memory: memory, seed: seed.seed, replications: replications.count,
            automatic: replications.automatic)
        settings.posterior = try uncertainty.load()
        return settings
    }
}

/// The run settings a command's groups describe, assembled in one place.
func runSettings(
    plugins: PluginOptions, engine: EngineOptionGroup, memory: MemoryOptions, seed: UInt64? = nil, replications: Int? = nil,
    automatic: AutomaticReplications? = nil
) -> RunSettings {
    RunSettings(
        pluginDirectories: plugins.directories, seed: seed, replications: replications, engine: engine.engine,
        automaticReplications: automatic, memoryBudget: memory.maxMemory.map { $0 * 1_073_741_824 })
}

/// The summary's form on standard output.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// How compare, sweep, merge and calibrate end: the results with their manifest into `out` (when
/// given), report.html when asked, then the table — unless quiet and written to `out` (without
/// `out`, the table is the only place the results go).
func finish(
    _ results: some CommandResults, planPath: String, out: String?, force: Bool, report: Bool = false, quiet: Bool,
    afterWriting: (String) -> Void = { _ in }
) throws(Diagnostic) {
    if let out {
        try results.write(to: out, planPath: planPath, invocation: CommandLine.arguments, force: force)
        afterWriting(out)
        if report { try ResultsDirectory.writeReport(directory: out) }
    }
    if !quiet || out == nil { StandardOutput.write(results.tableText) }
}

/// Prints a diagnostic to standard error and exits with status 1.
func fail(_ diagnostic: Diagnostic) -> ExitCode {
    StandardError.write(diagnostic.rendered + "\n")
    return ExitCode(1)
}

/// `--emit-slurm DIR --shards N` with what each job asks of the cluster, for sweep and calibrate.
struct SlurmEmitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Write Slurm scripts (the job array and the steps around it) into this directory instead of running.", valueName: "dir"))
    var emitSlurm: String?

    @Option(help: "Shards (array tasks) for --emit-slurm.")
    var shards: Int = 4

    @OptionGroup var job: SlurmJobOptions

    /// Writes the job array, merge, submit and resubmit scripts of a sharded `command` (sweep or
    /// optimise) into `--emit-slurm`, and prints how to submit them.
    func emit(
        command: String, plan: String, out: String, plugins: PluginOptions, seed: UInt64?, replications: Int?, engine: [String]
    ) throws(Diagnostic) {
        guard let emitSlurm else { return }
        let files = SlurmScript.files(
            command: command, plan: SlurmScript.absolute(plan), shards: shards, out: SlurmScript.absolute(out),
            executable: SlurmScript.executable(), pluginDirectories: plugins.directories.map(SlurmScript.absolute),
            seed: seed, replications: replications, engine: engine, job: job.job, directory: SlurmScript.absolute(emitSlurm))
        for file in files { try ResultsDirectory.writeFile(emitSlurm + "/" + file.name, file.contents) }
        StandardOutput.write("Slurm scripts written to \(emitSlurm)/; submit with: bash \(emitSlurm)/submit.sh\n")
        StandardOutput.write("If a task fails or is killed, once the jobs have ended: bash \(emitSlurm)/resubmit.sh\n")
    }

    /// The one check of these options; `out` is the results directory the scripts will fill.
    func check(out: String?) throws {
        if emitSlurm == nil && shards != 4 { throw ValidationError("--shards goes with --emit-slurm") }
        if !(1...10_000).contains(shards) { throw ValidationError("--shards must be between 1 and 10000") }
        try job.check(emitting: emitSlurm != nil)
        if let emitSlurm, let out {
            for (path, option) in [(emitSlurm, "--emit-slurm"), (out, "--out")] {
                if let problem = SlurmScript.checkPath(path, option: option) { throw ValidationError(problem) }
            }
        }
    }
}

/// What a cluster asks of each job of `--emit-slurm`, written as `#SBATCH` lines.
struct SlurmJobOptions: ParsableArguments {
    @Option(help: ArgumentHelp("With --emit-slurm: each job's time limit (sbatch --time).", valueName: "time"))
    var time: String?

    @Option(help: ArgumentHelp("With --emit-slurm: each job's memory (sbatch --mem).", valueName: "size"))
    var mem: String?

    @Option(help: ArgumentHelp("With --emit-slurm: the partition (sbatch --partition).", valueName: "name"))
    var partition: String?

    @Option(help: ArgumentHelp("With --emit-slurm: the account to charge (sbatch --account).", valueName: "name"))
    var account: String?

    @Option(help: ArgumentHelp("With --emit-slurm: the quality of service (sbatch --qos).", valueName: "name"))
    var qos: String?

    @Option(help: ArgumentHelp("With --emit-slurm: any other sbatch option for every job, as one word (repeatable), e.g. --sbatch-option=--constraint=haswell.", valueName: "option"))
    var sbatchOption: [String] = []

    var job: SlurmScript.JobOptions {
        SlurmScript.JobOptions(time: time, memory: mem, partition: partition, account: account, qos: qos, extra: sbatchOption)
    }

    var given: Bool { time != nil || mem != nil || partition != nil || account != nil || qos != nil || !sbatchOption.isEmpty }

    /// The one check of these options: each value is one safe word; `emitting` says whether
    /// `--emit-slurm` was given.
    func check(emitting: Bool) throws {
        if given && !emitting { throw ValidationError("--time, --mem, --partition, --account, --qos and --sbatch-option go with --emit-slurm") }
        let values: [(String, String?)] = [("--time", time), ("--mem", mem), ("--partition", partition), ("--account", account), ("--qos", qos)]
        for (option, value) in values {
            if let value, let problem = SlurmScript.JobOptions.check(value, option: option) { throw ValidationError(problem) }
        }
        for value in sbatchOption {
            if let problem = SlurmScript.JobOptions.check(value, option: "--sbatch-option") { throw ValidationError(problem) }
        }
    }
}
