import BlendSimCore
import Foundation
import Testing

/// The learning kernel's fast path (weeks without per-student participation) gives the same bytes
/// as its general path (`--no-fast-paths`) for every shipped scenario. The commands of the
/// fingerprint test (compare, sweeps, calibration, the evidence scenarios) are checked both ways
/// there; here, every shipped scenario with groups under `run`, and groups with per-student hooks
/// beside groups without.
@Suite("Kernel fast path")
struct FastPathTests {
    static let scenarios: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.scenarios)) ?? []
        return names.filter { name in
            guard name.hasSuffix(".yaml"), let text = try? String(contentsOfFile: TestPaths.scenarios + "/" + name, encoding: .utf8) else { return false }
            return text.contains("\ngroups:")
        }.sorted()
    }()

    func outputs(_ scenario: String, _ extra: [String]) throws -> [String: Data] {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        let result = try runProcess(TestPaths.executable, ["run", scenario, "--replications", "2", "--out", out, "--quiet"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        var files: [String: Data] = [:]
        for name in ["summary.json", "weekly.csv"] { files[name] = try Data(contentsOf: URL(fileURLWithPath: out + "/" + name)) }
        return files
    }

    @Test(arguments: scenarios) func shippedScenarioIsTheSameWithoutFastPaths(name: String) throws {
        var path = TestPaths.scenarios + "/" + name
        let directory = TemporaryDirectory()
        if name == "large-cohort.yaml" {
            // The same scenario at 1% of its students (its 10⁶ would take minutes in a debug build).
            let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "students: 500000", with: "students: 5000")
            path = directory.path + "/large-cohort.yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let fast = try outputs(path, [])
        let general = try outputs(path, ["--no-fast-paths"])
        #expect(!fast.isEmpty)
        for (file, bytes) in fast { #expect(general[file] == bytes, "\(name): \(file) differs without the fast paths") }
    }

    /// Groups whose model has a per-student hook (flex, individual rotation) run the general path
    /// every week, both ways; the group beside them without hooks runs the fast path, or with
    /// `--no-fast-paths` the general one. Both ways, the bytes are the same.
    @Test func hooksBesideNoHooks() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/mixed.yaml"
        try """
            name: mixed
            seed: 11
            groups:
              - {name: flex, students: 300, levels: {intermediate: 1}, model: flex, online_share: 0.5}
              - {name: rotation, students: 300, levels: {intermediate: 1}, model: individual-rotation, online_share: 0.4}
              - {name: flipped, students: 300, levels: {pre_intermediate: 0.6, intermediate: 0.4}, model: flipped-classroom, online_share: 0.4, policies: [device-loans, anti-plagiarism]}

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let fast = try outputs(path, ["--chunk-size", "128"])
        let general = try outputs(path, ["--no-fast-paths", "--chunk-size", "128"])
        for (file, bytes) in fast { #expect(general[file] == bytes, "\(file) differs without the fast paths") }
    }

    /// The general path with hooks that leave every multiplier at 1 gives the fast path's bits:
    /// the same group with and without a policy whose only act is such a hook (a fixture) ends
    /// the same, week by week.
    @Test func aHookThatChangesNothingChangesNothing() throws {
        let directory = TemporaryDirectory()
        let plugins = directory.path + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        _ = try compileFixturePlugin("ones_hook_policy.c", name: "ones-hook", into: plugins)
        func scenario(_ policies: String) throws -> String {
            let path = directory.path + "/s\(policies.count).yaml"
            try """
                name: hook
                seed: 5
                groups:
                  - {name: g, students: 700, levels: {pre_intermediate: 0.7, intermediate: 0.3}, model: flipped-classroom, online_share: 0.4, policies: [\(policies)]}

                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let without = try outputs(try scenario("device-loans, anti-plagiarism"), ["--plugin-dir", plugins, "--chunk-size", "256"])
        let with = try outputs(try scenario("device-loans, anti-plagiarism, ones-hook"), ["--plugin-dir", plugins, "--chunk-size", "256"])
        #expect(with["weekly.csv"] == without["weekly.csv"])
        // summary.json differs only in the group's list of policies.
        func dropPolicies(_ data: Data?) -> String {
            // The summary without its policies: the groups' lists and `evidence` (which names them).
            var text = String(decoding: data ?? Data(), as: UTF8.self)
            if case .object(let members)? = try? JSONValue.parse(text) {
                text = JSONValue.object(members.filter { $0.0 != "evidence" }).serialized(pretty: true)
            }
            return text.split(separator: "\n").filter { !$0.contains("ones-hook") && !$0.contains("\"policies\"") }.joined(separator: "\n")
        }
        #expect(dropPolicies(with["summary.json"]) == dropPolicies(without["summary.json"]))
    }
}
