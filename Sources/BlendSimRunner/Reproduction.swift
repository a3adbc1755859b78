public import BlendSimCore
import BlendSimScenario

/// `blendsim rerun`: the command a manifest records, pointed at a new directory.
public enum Reproduction {
    public struct Plan: Sendable {
        public var arguments: [String]
        public var out: String
        public var compared: [String]
    }

    static let resultFiles = ["summary.json", "weekly.csv", "runs.csv", "sensitivity.json"]

    public static func plan(directory: String, out: String) throws(Diagnostic) -> Plan {
        guard case .success(let bytes) = ScenarioLoader.readFile(directory + "/manifest.json", limit: 1 << 24) else {
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
        guard let command = arguments.first, ["run", "compare", "sweep"].contains(command) else {
            throw Diagnostic("\(directory)/manifest.json records '\(arguments.first ?? "")', which rerun cannot repeat")
        }
        // The recorded input must be unchanged.
        let recorded = manifest["scenario"] ?? manifest["plan"]
        if let path = recorded?["path"]?.stringValue, let sha = recorded?["sha256"]?.stringValue {
            guard case .success(let input) = ScenarioLoader.readFile(path, limit: 1 << 30) else {
                throw Diagnostic("\(path), which \(directory) was made from, cannot be read")
            }
            guard SHA256.hex(input) == sha else {
                throw Diagnostic("\(path) has changed since \(directory) was made (SHA-256 differs); rerun would not reproduce it")
            }
        }
        // Same command, new directory, no report or trace, quietly.
        var cleaned: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if ["--out", "--trace", "--emit-slurm"].contains(word) {
                index += 2
                continue
            }
            if ["--force", "--report", "--quiet", "--resume"].contains(word) || word.hasPrefix("--out=") || word.hasPrefix("--trace=") {
                index += 1
                continue
            }
            cleaned.append(word)
            index += 1
        }
        arguments = cleaned + ["--out", out, "--force", "--quiet"]
        let compared = resultFiles.filter {
            if case .success = ScenarioLoader.readFile(directory + "/" + $0, limit: 1 << 30) { return true }
            return false
        }
        return Plan(arguments: arguments, out: out, compared: compared)
    }

    /// The result files that differ between the two directories.
    public static func compare(original: String, rerun: String) throws(Diagnostic) -> [String] {
        var differences: [String] = []
        for name in resultFiles {
            let a = ScenarioLoader.readFile(original + "/" + name, limit: 1 << 30)
            let b = ScenarioLoader.readFile(rerun + "/" + name, limit: 1 << 30)
            switch (a, b) {
            case (.success(let x), .success(let y)): if x != y { differences.append(name) }
            case (.success, .failure): differences.append(name)
            default: break
            }
        }
        return differences
    }
}
