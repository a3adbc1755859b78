import BlendSimCore
import BlendSimPluginHost
import BlendSimSystem

/// `blendsim sweep --emit-slurm` and `blendsim optimise --emit-slurm`: a Slurm job array with one
/// task per shard, and a merge job that runs when every task has succeeded.
public enum SlurmScript {
    /// Why `path` (for `option`) cannot be written into the scripts, or nil. The results and
    /// script directories appear in `#SBATCH` lines, comments and messages, where a space, a quote,
    /// `$`, a backquote, `%` (an sbatch file-name pattern) or a line break would change what runs:
    /// they must be plain paths of letters, digits and `/._-+,:=@`.
    public static func checkPath(_ path: String, option: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,:=@")
        guard !path.isEmpty, absolute(path).allSatisfy({ allowed.contains($0) }) else {
            return "\(option) is written into the Slurm scripts, so it must be a plain path of letters, digits and /._-+,:=@ (found '\(path)')"
        }
        return nil
    }

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

    /// What a cluster asks of a job: `--time`, `--mem`, `--partition`, `--account`, `--qos`, and
    /// any other sbatch options, written as `#SBATCH` lines into every job script.
    public struct JobOptions: Sendable, Equatable {
        public var time: String?
        public var memory: String?
        public var partition: String?
        public var account: String?
        public var qos: String?
        /// Further sbatch options, each as one word (`--constraint=haswell`).
        public var extra: [String]

        public init(time: String? = nil, memory: String? = nil, partition: String? = nil, account: String? = nil, qos: String? = nil, extra: [String] = []) {
            self.time = time
            self.memory = memory
            self.partition = partition
            self.account = account
            self.qos = qos
            self.extra = extra
        }

        /// The `#SBATCH` lines.
        var lines: String {
            var words: [String] = []
            if let time { words.append("--time=\(time)") }
            if let memory { words.append("--mem=\(memory)") }
            if let partition { words.append("--partition=\(partition)") }
            if let account { words.append("--account=\(account)") }
            if let qos { words.append("--qos=\(qos)") }
            words += extra
            return words.map { "#SBATCH \($0)\n" }.joined()
        }

        /// A value is written into a script: one word of letters, digits and `_.,:=@+/-%`, so it
        /// can neither end the `#SBATCH` line nor run anything.
        public static func check(_ value: String, option: String) -> String? {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:=@+/-%")
            guard !value.isEmpty, value.count <= 200, value.allSatisfy({ allowed.contains($0) }) else {
                return "\(option) takes one word of letters, digits and _.,:=@+/-% (found '\(value)')"
            }
            if option == "--sbatch-option" && !value.hasPrefix("-") {
                return "--sbatch-option takes an sbatch option such as --constraint=haswell (found '\(value)')"
            }
            return nil
        }
    }

    /// The scripts of a sharded sweep or optimise search. `engine` holds the command line's engine options
    /// (`--threads`, `--chunk-size`, `--max-memory` with their values), passed on to every array
    /// task; `job` what the cluster asks of each job. Every path in them is absolute, so they work
    /// from any directory and under sbatch (which runs a copy of a script, elsewhere):
    /// - `array.sh`: one shard per array task, each recording its state in
    ///   `OUT/shards/K.state` (`running`, then `done` or `failed N`);
    /// - `merge.sh`: the merge into `OUT`;
    /// - `submit.sh`: submits the array and the merge (`afterok`, cancelled by Slurm if a task
    ///   fails), recording the job ids in `OUT/shards/jobs`;
    /// - `resubmit.sh`: once the jobs have ended, submits again only the shards that are not done
    ///   (a failed, killed or never-run task), then the merge.
    ///
    /// `command` is the sharded command: `sweep` or `optimise`.
    public static func files(
        command: String = "sweep", plan: String, shards: Int, out: String, executable: String, pluginDirectories: [String], seed: UInt64?,
        replications: Int?, engine: [String] = [], job: JobOptions = JobOptions(), directory: String
    ) -> [(name: String, contents: String)] {
        precondition(["sweep", "optimise"].contains(command), "a command that writes shards")
        let work = command == "sweep" ? "sweep" : "optimise search"
        let quoted = GeneratedText.shellWord
        var options = pluginDirectories.map { "--plugin-dir \(quoted($0))" }
        if let seed { options.append("--seed \(seed)") }
        if let replications { options.append("--replications \(replications)") }
        options += engine.map(quoted)
        let extra = options.isEmpty ? "" : " " + options.joined(separator: " ")
        let shardDirectories = (1...shards).map { quoted(out + "/shards/\($0)") }.joined(separator: " ")
        let here = quoted(directory)
        let array = """
            #!/bin/bash
            #SBATCH --job-name=blendsim-\(command)
            #SBATCH --array=1-\(shards)
            #SBATCH --ntasks=1
            #SBATCH --output=\(out)/shards/slurm-%A_%a.out
            \(job.lines)# One shard of the \(work) per array task; results in \(out)/shards/<task>/shard.json, the
            # task's state in \(out)/shards/<task>.state (running, then done or failed).
            set -uo pipefail
            task="${SLURM_ARRAY_TASK_ID}"
            state=\(quoted(out))/shards/"$task".state
            echo running > "$state"
            if \(quoted(executable)) \(command) \(quoted(plan)) --shard "$task/\(shards)" --out \(quoted(out))/shards/"$task" --quiet --force\(extra); then
                echo done > "$state"
            else
                status=$?
                echo "failed $status" > "$state"
                exit "$status"
            fi

            """
        let merge = """
            #!/bin/bash
            #SBATCH --job-name=blendsim-merge
            #SBATCH --ntasks=1
            #SBATCH --output=\(out)/merge-%j.out
            \(job.lines)# Merges the shards into the result of an unsharded run.
            set -euo pipefail
            \(quoted(executable)) merge \(shardDirectories) --out \(quoted(out)) --force --quiet

            """
        let submit = """
            #!/bin/bash
            # Submits the array, then the merge to run once every array task has succeeded (Slurm
            # cancels the merge if a task fails; bash \(directory)/resubmit.sh then finishes the job).
            # Prints the two job ids.
            set -euo pipefail
            here=\(here)
            mkdir -p \(quoted(out))/shards
            array=$(sbatch --parsable "$here/array.sh")
            array="${array%%;*}"
            merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$here/merge.sh")
            merge="${merge%%;*}"
            echo "array $array merge $merge" >> \(quoted(out))/shards/jobs
            echo "$array $merge"

            """
        let resubmit = """
            #!/bin/bash
            # Run once the \(work)'s jobs have ended: submits again only the shards that are not done
            # (failed, killed or never run; see \(out)/shards/<task>.state), then the merge. Prints
            # the shards resubmitted and the new job ids, or that nothing is missing.
            set -euo pipefail
            here=\(here)
            jobs=\(quoted(out))/shards/jobs
            if ! squeue -h > /dev/null; then
                echo "squeue cannot reach Slurm; nothing was resubmitted" >&2
                exit 1
            fi
            if [ -f "$jobs" ]; then
                last=$(tail -n 1 "$jobs")
                array=$(echo "$last" | awk '{print $2}')
                merge=$(echo "$last" | awk '{print $4}')
                # Job ids are numbers (the array's may be '-'); anything else in the record is
                # refused rather than handed to squeue or scancel, where it could read as an option.
                case "$array" in -|[0-9]*) ;; *) echo "$jobs: '$array' is not a job id; nothing was resubmitted" >&2; exit 1 ;; esac
                case "$array$merge" in *[!0-9-]*|-) echo "$jobs: the last line is not 'array ID merge ID'; nothing was resubmitted" >&2; exit 1 ;; esac
                case "$merge" in [0-9]*) ;; *) echo "$jobs: '$merge' is not a job id; nothing was resubmitted" >&2; exit 1 ;; esac
                if [ "$array" != - ] && [ -n "$(squeue -h -j "$array" 2>/dev/null)" ]; then
                    echo "array job $array is still pending or running; wait for it to end" >&2
                    exit 1
                fi
                merge_state=$(squeue -h -j "$merge" -o %T 2>/dev/null || true)
                case "$merge_state" in
                    "") ;;
                    PENDING) scancel -- "$merge" ;;
                    *) echo "merge job $merge is $merge_state; wait for it to end" >&2; exit 1 ;;
                esac
            fi
            missing=""
            for task in $(seq 1 \(shards)); do
                if [ "$(cat \(quoted(out))/shards/"$task".state 2>/dev/null)" != done ] || [ ! -f \(quoted(out))/shards/"$task"/shard.json ]; then
                    missing="$missing${missing:+,}$task"
                fi
            done
            if [ -z "$missing" ]; then
                if [ -f \(quoted(out))/summary.json ]; then echo "nothing to resubmit: every shard is done and merged"; exit 0; fi
                merge=$(sbatch --parsable "$here/merge.sh")
                merge="${merge%%;*}"
                echo "array - merge $merge" >> "$jobs"
                echo "every shard is done; merge job $merge submitted"
                exit 0
            fi
            array=$(sbatch --parsable --array="$missing" "$here/array.sh")
            array="${array%%;*}"
            merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes "$here/merge.sh")
            merge="${merge%%;*}"
            echo "array $array merge $merge" >> "$jobs"
            echo "resubmitted shards $missing as array job $array; merge job $merge"

            """
        return [("array.sh", array), ("merge.sh", merge), ("submit.sh", submit), ("resubmit.sh", resubmit)]
    }

    /// A sharded ABC-SMC calibration on Slurm: `run.sh`, run on the login node, submits the job
    /// array of each round (`array.sh`, one shard per task) and waits for it (`sbatch --wait`),
    /// then merges the round and does what the merge says — another round, the next generation,
    /// or stop with the posterior in `out`, byte-identical to an unsharded calibration.
    public static func calibrationFiles(
        plan: String, method: String = "abc-smc", shards: Int, out: String, executable: String, pluginDirectories: [String], engine: [String] = [],
        job: JobOptions = JobOptions(), directory: String
    ) -> [(name: String, contents: String)] {
        let quoted = GeneratedText.shellWord
        let options = (pluginDirectories.map { "--plugin-dir \(quoted($0))" } + engine.map(quoted)).map { " " + $0 }.joined()
        let base = "\(quoted(executable)) calibrate posterior \(quoted(plan)) --sampler \(method) --out \(quoted(out))\(options)"
        let array = """
            #!/bin/bash
            #SBATCH --job-name=blendsim-calibrate
            #SBATCH --array=1-\(shards)
            #SBATCH --ntasks=1
            #SBATCH --output=\(out)/.checkpoint/slurm-%A_%a.out
            \(job.lines)# One shard of one round of the calibration per array task (round: BLENDSIM_ROUND).
            set -euo pipefail
            \(base) --shard "${SLURM_ARRAY_TASK_ID}/\(shards)" --round "${BLENDSIM_ROUND}" --quiet

            """
        let run = """
            #!/bin/bash
            # Runs the calibration round by round on Slurm; run it on the login node. Resumable: it
            # continues after the rounds and generations already in \(out)/.checkpoint. A round whose
            # array job fails is submitted again (at most twice more; a shard that finished writes the
            # same file again), so one lost task does not stop the calibration.
            set -euo pipefail
            here=\(quoted(directory))
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
                for attempt in 1 2 3; do
                    if sbatch --wait --export=ALL,BLENDSIM_ROUND="$round" "$here/array.sh" >/dev/null; then break; fi
                    if [ "$attempt" = 3 ]; then echo "round $round failed three times; see \(out)/.checkpoint/slurm-*.out" >&2; exit 1; fi
                    echo "round $round: an array task failed; submitting the round again" >&2
                done
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
