import BlendSimPluginHost
import BlendSimSystem

/// `blendsim sweep --emit-slurm`: a Slurm job array with one task per shard, and a merge job that
/// runs when every task has succeeded.
public enum SlurmScript {
    /// A path made absolute against the current directory, so jobs find it from anywhere.
    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = FileSystem.currentDirectory() else { return path }
        return cwd + "/" + (path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
    }

    /// The running blendsim executable's absolute path.
    public static func executable() -> String {
        PluginHost.executableDirectory().map { $0 + "/blendsim" } ?? "blendsim"
    }

    /// The three scripts. `engine` holds the command line's engine options (`--threads`,
    /// `--chunk-size`, `--max-memory` with their values), passed on to every array task.
    public static func files(
        plan: String, shards: Int, out: String, executable: String, pluginDirectories: [String], seed: UInt64?,
        replications: Int?, engine: [String] = []
    ) -> [(name: String, contents: String)] {
        func quoted(_ text: String) -> String { "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'" }
        var options = pluginDirectories.map { "--plugin-dir \(quoted($0))" }
        if let seed { options.append("--seed \(seed)") }
        if let replications { options.append("--replications \(replications)") }
        options += engine.map(quoted)
        let extra = options.isEmpty ? "" : " " + options.joined(separator: " ")
        let shardDirectories = (1...shards).map { quoted(out + "/shards/\($0)") }.joined(separator: " ")
        let array = """
            #!/bin/bash
            #SBATCH --job-name=blendsim-sweep
            #SBATCH --array=1-\(shards)
            #SBATCH --ntasks=1
            #SBATCH --output=\(out)/shards/slurm-%A_%a.out
            # One shard of the sweep per array task; results in \(out)/shards/<task>/shard.json.
            set -euo pipefail
            \(quoted(executable)) sweep \(quoted(plan)) --shard "${SLURM_ARRAY_TASK_ID}/\(shards)" --out \(quoted(out))/shards/"${SLURM_ARRAY_TASK_ID}" --quiet --force\(extra)

            """
        let merge = """
            #!/bin/bash
            #SBATCH --job-name=blendsim-merge
            #SBATCH --ntasks=1
            #SBATCH --output=\(out)/merge-%j.out
            # Merges the shards into the result of an unsharded run.
            set -euo pipefail
            \(quoted(executable)) merge \(shardDirectories) --out \(quoted(out)) --force --quiet

            """
        let submit = """
            #!/bin/bash
            # Submits the array, then the merge to run once every array task has succeeded.
            set -euo pipefail
            here="$(cd "$(dirname "$0")" && pwd)"
            mkdir -p \(quoted(out))/shards
            array=$(sbatch --parsable "$here/array.sh")
            merge=$(sbatch --parsable --dependency=afterok:"${array%%;*}" "$here/merge.sh")
            echo "$array $merge"

            """
        return [("array.sh", array), ("merge.sh", merge), ("submit.sh", submit)]
    }

    /// A sharded ABC-SMC calibration on Slurm: `run.sh`, run on the login node, submits the job
    /// array of each round (`array.sh`, one shard per task) and waits for it (`sbatch --wait`),
    /// then merges the round and does what the merge says — another round, the next generation,
    /// or stop with the posterior in `out`, byte-identical to an unsharded calibration.
    public static func calibrationFiles(
        plan: String, method: String = "abc-smc", shards: Int, out: String, executable: String, pluginDirectories: [String], engine: [String] = []
    ) -> [(name: String, contents: String)] {
        func quoted(_ text: String) -> String { "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'" }
        let options = (pluginDirectories.map { "--plugin-dir \(quoted($0))" } + engine.map(quoted)).map { " " + $0 }.joined()
        let base = "\(quoted(executable)) calibrate \(quoted(plan)) --method \(method) --out \(quoted(out))\(options)"
        let array = """
            #!/bin/bash
            #SBATCH --job-name=blendsim-calibrate
            #SBATCH --array=1-\(shards)
            #SBATCH --ntasks=1
            #SBATCH --output=\(out)/.checkpoint/slurm-%A_%a.out
            # One shard of one round of the calibration per array task (round: BLENDSIM_ROUND).
            set -euo pipefail
            \(base) --shard "${SLURM_ARRAY_TASK_ID}/\(shards)" --round "${BLENDSIM_ROUND}" --quiet

            """
        let run = """
            #!/bin/bash
            # Runs the calibration round by round on Slurm; run it on the login node. Resumable: it
            # continues after the rounds and generations already in \(out)/.checkpoint.
            set -euo pipefail
            here="$(cd "$(dirname "$0")" && pwd)"
            mkdir -p \(quoted(out))/.checkpoint
            round=0
            state=$(\(base) --merge-shards \(shards) | sed -n 1p)
            case "$state" in
                more*) round=${state#more }
                    ;;
                done) echo "the calibration in \(out) is already finished"; exit 0
                    ;;
            esac
            while true; do
                sbatch --wait --export=ALL,BLENDSIM_ROUND="$round" "$here/array.sh" >/dev/null
                state=$(\(base) --merge-shards \(shards) | sed -n 1p)
                case "$state" in
                    more*) round=${state#more } ;;
                    next) round=0 ;;
                    done) echo "posterior written to \(out)/posterior.csv"; exit 0 ;;
                    *) echo "unexpected merge state: $state" >&2; exit 1 ;;
                esac
            done

            """
        return [("array.sh", array), ("run.sh", run)]
    }
}
