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
}
