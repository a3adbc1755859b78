public import BlendSimCore
public import BlendSimPluginHost
public import BlendSimScenario

/// A plugin that produced a result, as manifest.json and shard.json record it: enough to tell
/// which build ran (its SHA-256) and where it was.
public struct PluginRecord: Sendable, Equatable {
    public var name: String
    public var version: String
    public var abi: String
    public var file: String
    public var sha256: String

    public init(_ plugin: LoadedPlugin) {
        name = plugin.name
        version = plugin.version
        abi = "\(plugin.abiMajor).\(plugin.abiMinor)"
        file = plugin.path
        sha256 = plugin.sha256
    }

    init(name: String, version: String, abi: String, file: String, sha256: String) {
        self.name = name
        self.version = version
        self.abi = abi
        self.file = file
        self.sha256 = sha256
    }

    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("version", .string(version)), ("abi", .string(abi)), ("file", .string(file)),
            ("sha256", .string(sha256)),
        ])
    }

    /// A record read back from a file blendsim wrote, or nil when a field is missing or not text.
    init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, let version = json["version"]?.stringValue, let abi = json["abi"]?.stringValue,
            let file = json["file"]?.stringValue, let sha256 = json["sha256"]?.stringValue
        else { return nil }
        self.init(name: name, version: version, abi: abi, file: file, sha256: sha256)
    }
}

/// What produced a result besides its input file: the seed, the replications and the plugins
/// that ran. Every command's manifest.json records it (docs/RESULTS.md).
public struct ResultProvenance: Sendable {
    public var seed: UInt64
    public var replications: Int
    public var plugins: [PluginRecord]
    /// The university's student files the groups read (`cohort:`), by their SHA-256: the
    /// manifest says which file produced a result without holding a line of it.
    public var cohortFiles: [JSONValue] = []

    public init(seed: UInt64, replications: Int, plugins: [PluginRecord]) {
        self.seed = seed
        self.replications = replications
        self.plugins = plugins
    }

    /// manifest.json's record of the cohort files `scenarios` read: each file's path and
    /// SHA-256, and the groups that read it; never its content.
    public static func cohortFiles(of scenarios: [Scenario]) -> [JSONValue] {
        var files: [(path: String, sha256: String, groups: [String])] = []
        for scenario in scenarios {
            for group in scenario.groups {
                guard let data = group.cohort else { continue }
                if let index = files.firstIndex(where: { $0.sha256 == data.sha256 && $0.path == data.path }) {
                    if !files[index].groups.contains(group.name) { files[index].groups.append(group.name) }
                } else {
                    files.append((data.path, data.sha256, [group.name]))
                }
            }
        }
        return files.map {
            .object([("path", .string($0.path)), ("sha256", .string($0.sha256)), ("groups", .array($0.groups.map { .string($0) }))])
        }
    }

    /// The plugins of `host` that define a model or policy some group of `scenarios` uses, in
    /// the host's order.
    public init(seed: UInt64, replications: Int, scenarios: [Scenario], host: PluginHost) {
        self.init(seed: seed, replications: replications, plugins: Self.used(by: scenarios, host: host).map(PluginRecord.init))
        cohortFiles = Self.cohortFiles(of: scenarios)
    }

    public static func used(by scenarios: [Scenario], host: PluginHost) -> [LoadedPlugin] {
        // Every semester's groups: a programme's later semesters may use other plugins.
        let groups = scenarios.flatMap { $0.groups + ($0.programme?.semesters.flatMap(\.groups) ?? []) }
        let used = Set(groups.flatMap { [$0.model.name] + $0.policies.map(\.name) })
        return host.plugins.filter { plugin in
            host.models.contains { $0.plugin == plugin && used.contains($0.name) }
                || host.policies.contains { $0.plugin == plugin && used.contains($0.name) }
        }
    }

    /// The manifest's members, in order.
    var members: [(String, JSONValue)] {
        [
            ("seed", .integer(Int(truncatingIfNeeded: seed))),
            ("replications", .integer(replications)),
            ("plugins", .array(plugins.map(\.json))),
        ] + (cohortFiles.isEmpty ? [] : [("cohort_files", .array(cohortFiles))])
    }
}

/// What compare, sweep, merge and a posterior calibration hand the command line: the files of
/// its results directory (before manifest.json), what produced them, the input the manifest
/// names, and the table for the terminal. The command line ends every one of them the same way
/// (write, report, print).
public protocol CommandResults {
    var files: [(name: String, contents: String)] { get }
    var provenance: ResultProvenance { get }
    var tableText: String { get }
    /// The unsharded command that gives these results, for a merge's manifest (`rerun`).
    var rerun: [String]? { get }
}

extension CommandResults {
    public var rerun: [String]? { nil }

    /// Writes the files with their manifest into `out`, all or nothing (`ResultsDirectory.write`).
    public func write(to out: String, planPath: String, invocation: [String], force: Bool) throws(Diagnostic) {
        try ResultsDirectory.write(files, to: out, planPath: planPath, invocation: invocation, provenance: provenance, force: force, rerun: rerun)
    }
}
