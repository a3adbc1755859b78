public import BlendSimCore

/// `blendsim merge`: shards back into one result.
public enum ShardMerge {
    public struct Merged: Sendable {
        public var planPath: String
        public var files: [(name: String, contents: String)]
        public var table: String
    }

    public static func merge(directories: [String]) throws(Diagnostic) -> Merged {
        var shards: [ShardFile] = []
        for directory in directories { shards.append(try ShardFile.read(directory: directory)) }
        let (first, units) = try ShardFile.combine(shards, directories: directories)
        switch first.kind {
        case "compare":
            let report = try VariantComparison.merge(first, units: units)
            return Merged(
                planPath: first.planPath, files: [("summary.json", report.document.serialized(pretty: true))], table: report.table)
        case "sweep":
            let report = try SweepExperiment.merge(first, units: units)
            return Merged(planPath: first.planPath, files: report.files, table: report.table)
        default:
            throw Diagnostic("\(directories[0]): unknown shard kind '\(first.kind)'")
        }
    }
}
