import Foundation
import Testing
import BlendSimCore

/// The results of the shipped scenarios and plans, fingerprinted. The SHA-256 of every output
/// file was recorded in Tests/Fixtures/fingerprints/expected.txt; any change to what a command
/// writes — a refactor that moves a draw, an order, a digit — shows up here as a named file.
/// A deliberate change of the model records new fingerprints (the failure message prints them).
@Suite struct FingerprintTests {
    /// Each case: a label, the command's arguments (OUT is the output directory, TRACE a trace
    /// file) and the files whose contents are fingerprinted. Paths are relative to the repository
    /// (the commands run there): sweep summaries name their plan as given.
    static let cases: [(label: String, arguments: [String], files: [String])] = {
        let s = "scenarios", f = "Tests/Fixtures/fingerprints"
        return [
            ("run", ["run", s + "/paper-experiment.yaml", "--replications", "4", "--out", "OUT"], ["summary.json", "weekly.csv"]),
            ("trace", ["run", s + "/ratio-40-60.yaml", "--replications", "2", "--trace", "TRACE"], ["TRACE"]),
            ("auto", ["run", s + "/ratio-20-80.yaml", "--replications", "auto", "--half-width", "1.5", "--out", "OUT"], ["summary.json"]),
            ("compare", ["compare", s + "/compare-ratios.yaml", "--replications", "3", "--out", "OUT"], ["summary.json"]),
            ("compare-auto", ["compare", s + "/compare-ratios.yaml", "--replications", "auto", "--half-width", "3", "--out", "OUT"], ["summary.json"]),
            ("morris", ["sweep", s + "/sensitivity-morris.yaml", "--replications", "1", "--out", "OUT"], ["summary.json", "runs.csv", "sensitivity.json"]),
            ("grid", ["sweep", s + "/sweep-online-share.yaml", "--replications", "1", "--out", "OUT"], ["summary.json", "runs.csv"]),
            ("sobol", ["sweep", f + "/sobol.yaml", "--out", "OUT"], ["summary.json", "runs.csv", "sensitivity.json"]),
            ("latin", ["sweep", f + "/latin.yaml", "--out", "OUT"], ["summary.json", "runs.csv"]),
            ("calibrate", ["calibrate", f + "/calibrate.yaml", "--output", "OUT/fit.yaml"], ["fit.yaml"]),
            ("evidence", ["evidence", "check", "evidence", "--format", "json"], ["STDOUT"]),
        ]
    }()

    static func expected() throws -> [String: String] {
        let text = try String(contentsOfFile: TestPaths.fixtures + "/fingerprints/expected.txt", encoding: .utf8)
        var table: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { table[String(parts[0])] = String(parts[1]) }
        }
        return table
    }

    /// Every output of every shipped command is the bytes recorded before the runner layer was
    /// reshaped (calibrate's first line names the command and is left out) — with the learning
    /// kernel's fast paths and, with `--no-fast-paths`, without them.
    @Test(.tags(.slow), arguments: cases.map(\.label), [true, false]) func outputsMatchRecordedFingerprints(label: String, fastPaths: Bool) throws {
        let item = try #require(Self.cases.first { $0.label == label })
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        if item.label == "calibrate" { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        let arguments = item.arguments.map { $0 == "OUT" ? out : $0 == "TRACE" ? directory.path + "/trace.csv" : $0.replacingOccurrences(of: "OUT/", with: out + "/") }
            + ["--quiet"].filter { _ in item.label != "evidence" } + (fastPaths ? [] : ["--no-fast-paths"])
        let result = try runProcess(TestPaths.executable, arguments, directory: TestPaths.root)
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try Self.expected()
        var actual: [String] = []
        for file in item.files {
            var bytes: [UInt8]
            switch file {
            case "STDOUT": bytes = Array(result.stdout.utf8)
            case "TRACE": bytes = Array(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/trace.csv")))
            default: bytes = Array(try Data(contentsOf: URL(fileURLWithPath: out + "/" + file)))
            }
            if item.label == "calibrate", let newline = bytes.firstIndex(of: 10) { bytes = Array(bytes[(newline + 1)...]) }
            let key = "\(item.label).\(file)"
            let hash = SHA256.hex(bytes)
            actual.append("\(key) \(hash)")
            #expect(expected[key] == hash, "\(key) changed: \(hash)")
        }
        print(actual.joined(separator: "\n"))
    }
}
