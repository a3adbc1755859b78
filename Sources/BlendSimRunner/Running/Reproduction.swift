public import BlendSimCore
import BlendSimScenario
import BlendSimSystem

/// `blendsim rerun`: the command a manifest records, pointed at a new directory.
public enum Reproduction {
    public struct Plan: Sendable {
        public var arguments: [String]
        public var out: String
        public var compared: [String]
    }

    static let resultFiles = ["summary.json", "weekly.csv", "runs.csv", "sensitivity.json", "designs.csv"]

    /// The command to run again. A results directory is data from anyone: plugins come only
    /// from `pluginDirectories` (the caller's plugin path, never the manifest's), the manifest
    /// must fingerprint its scenario or plan, and `out` is not replaced without `force`.
    public static func plan(
        directory: String, out: String, pluginDirectories: [String] = [], force: Bool = false
    ) throws(Diagnostic) -> Plan {
        try ResultsDirectory.checkOutput(out, force: force)
        guard let bytes = FileSystem.contents(directory + "/manifest.json", limit: 1 << 24) else {
            throw Diagnostic("\(directory) holds no manifest.json to rerun")
        }
        let manifest: JSONValue
        do {
            manifest = try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw Diagnostic("\(directory)/manifest.json is not valid JSON (\(error))")
        }
        guard case .array(let words)? = manifest["command"], words.count >= 2 else {
            throw Diagnostic("\(directory)/manifest.json records no command")
        }
        var arguments = Array(words.dropFirst().compactMap(\.stringValue))
        // Merged results record the unsharded command that gives them.
        if case .array(let unsharded)? = manifest["rerun"] { arguments = unsharded.compactMap(\.stringValue) }
        try ResultsDirectory.verifyComplete(directory: directory)
        guard let command = arguments.first, ["run", "compare", "sweep", "optimise"].contains(command) else {
            throw Diagnostic("\(directory)/manifest.json records '\(arguments.first ?? "")', which rerun cannot repeat")
        }
        // The recorded input must be unchanged.
        let recorded = manifest["scenario"] ?? manifest["plan"]
        guard var path = recorded?["path"]?.stringValue, let sha = recorded?["sha256"]?.stringValue else {
            throw Diagnostic("\(directory)/manifest.json does not fingerprint its scenario or plan (path and sha256); rerun cannot tell it is the same input")
        }
        // Manifests that also record the path as given record `path` relative to the results
        // directory: found from anywhere, and put in place of the given path in the command.
        if let given = recorded?["given"]?.stringValue {
            path = FileSystem.resolve(path, against: directory)
            if let index = arguments.dropFirst().firstIndex(of: given) { arguments[index] = path }
        }
        guard let input = FileSystem.contents(path, limit: 1 << 30) else {
            throw Diagnostic("\(path), which \(directory) was made from, cannot be read")
        }
        guard SHA256.hex(input) == sha else {
            throw Diagnostic("\(path) has changed since \(directory) was made (SHA-256 differs); rerun would not reproduce it")
        }
        // So must the students it read: the cohort files the scenario reads now are the ones the
        // manifest fingerprints.
        if case .array(let cohorts)? = recorded?["cohort_files"] ?? manifest["cohort_files"] {
            let recordedHashes = Set(cohorts.compactMap { $0["sha256"]?.stringValue })
            let current = ScenarioLoader.check(path: path).scenario.map { scenario in
                Set((scenario.groups + scenario.variants.flatMap(\.scenario.groups)).compactMap { $0.cohort?.sha256 })
            }
            guard current == recordedHashes else {
                throw Diagnostic(
                    "a cohort file \(path) reads has changed since \(directory) was made (or cannot be read; SHA-256 differs); rerun would not reproduce it")
            }
        }
        // Same command, new directory, no report or trace, quietly.
        var cleaned: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if ["--out", "--trace", "--emit-slurm", "--plugin-dir"].contains(word) {
                index += 2
                continue
            }
            if ["--force", "--report", "--quiet", "--resume"].contains(word) || word.hasPrefix("--out=") || word.hasPrefix("--trace=")
                || word.hasPrefix("--plugin-dir=") || word.hasPrefix("--emit-slurm=")
            {
                index += 1
                continue
            }
            cleaned.append(word)
            index += 1
        }
        arguments = cleaned + pluginDirectories.flatMap { ["--plugin-dir", $0] } + ["--out", out, "--force", "--quiet"]
        let compared = resultFiles.filter { FileSystem.contents(directory + "/" + $0, limit: 1 << 30) != nil }
        return Plan(arguments: arguments, out: out, compared: compared)
    }

    /// The result files that differ between the two directories.
    public static func compare(original: String, rerun: String) throws(Diagnostic) -> [String] {
        var differences: [String] = []
        for name in resultFiles {
            let a = FileSystem.contents(original + "/" + name, limit: 1 << 30)
            let b = FileSystem.contents(rerun + "/" + name, limit: 1 << 30)
            if let a, a != b { differences.append(name) }
        }
        return differences
    }
}
