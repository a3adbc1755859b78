public import BlendSimCore

/// `blendsim merge`: shards back into one result.
public enum ShardMerge {
    public struct Merged: Sendable, CommandResults {
        public var planPath: String
        public var files: [(name: String, contents: String)]
        public var table: String
        /// The unsharded command that gives the same results (what `rerun` repeats).
        public var rerun: [String]?
        /// The seed, replications and plugins of the shards.
        public var provenance: ResultProvenance
        public var tableText: String { table }
    }

    /// Merges the shards in `directories`. Every directory whose shard is missing or unreadable
    /// is named, not only the first.
    public static func merge(directories: [String]) throws(Diagnostic) -> Merged {
        var shards: [ShardFile] = []
        var failed: [String] = []
        for directory in directories {
            do throws(Diagnostic) {
                shards.append(try ShardFile.read(directory: directory))
            } catch {
                failed.append(error.message)
            }
        }
        guard failed.isEmpty else {
            throw Diagnostic(
                "\(failed.count) of the \(directories.count) shard\(directories.count == 1 ? "" : "s") given \(failed.count == 1 ? "is" : "are") missing or failed: "
                    + failed.joined(separator: "; ") + "; run \(failed.count == 1 ? "it" : "them") again (a Slurm job's resubmit.sh does exactly that)")
        }
        let (first, units, designs) = try ShardFile.combine(shards, directories: directories)
        let rerun = [first.kind, first.planPath, "--replications", "\(first.replications)", "--seed", "\(first.seed)"]
        switch first.kind {
        case "compare":
            let report = try VariantComparison.merge(first, units: units)
            return Merged(planPath: first.planPath, files: report.files, table: report.table, rerun: rerun, provenance: report.provenance)
        case "sweep":
            let report = try SweepExperiment.merge(first, units: units)
            return Merged(planPath: first.planPath, files: report.files, table: report.table, rerun: rerun, provenance: report.provenance)
        case "optimise":
            let report = try Optimisation.merge(first, designs: designs)
            return Merged(planPath: first.planPath, files: report.files, table: report.table, rerun: rerun, provenance: report.provenance)
        default:
            throw Diagnostic("\(directories[0]): unknown shard kind '\(first.kind)'")
        }
    }
}
