import BlendSimCore
import Foundation
import Testing

@Suite("Plugin SDK", .serialized)
struct PluginSDKTests {
    /// The whole path a researcher takes: scaffold a package, build it, load it, run its scenario.
    @Test(arguments: ["model", "policy"])
    func scaffoldBuildLoadRun(kind: String) throws {
        let directory = TemporaryDirectory()
        let package = directory.path + "/study-\(kind)"
        let created = try blendsim("plugin", "new", "study-\(kind)", "--kind", kind, "--dir", package, "--sdk-path", TestPaths.root + "/BlendSimSDK")
        #expect(created.status == 0, "\(created.stderr)")
        for file in ["Package.swift", "README.md", "scenario.yaml", "Sources/Study\(kind.capitalized)/Study\(kind.capitalized).swift",
                     "Tests/Study\(kind.capitalized)Tests/Study\(kind.capitalized)Tests.swift"] {
            #expect(FileManager.default.fileExists(atPath: package + "/" + file), "missing \(file)")
        }
        let swift = ProcessInfo.processInfo.environment["SWIFT_EXEC_DIR"].map { $0 + "/swift" } ?? "/opt/swift/usr/bin/swift"
        let executable = FileManager.default.isExecutableFile(atPath: swift) ? swift : "/usr/bin/env"
        let arguments = executable == swift ? ["build", "--package-path", package] : ["swift", "build", "--package-path", package]
        let build = try runProcess(executable, arguments)
        #expect(build.status == 0, "building the scaffold failed: \(build.stdout)\(build.stderr)")
        // The package resolves the SDK alone: no remote dependency, nothing fetched.
        #expect(!FileManager.default.fileExists(atPath: package + "/Package.resolved"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: package + "/.build/checkouts")) ?? []).isEmpty)
        let products = package + "/.build/debug"
        let listing = try blendsim("plugins", "--plugin-dir", products, "--verbose")
        #expect(listing.stdout.contains("study-\(kind) "))
        if kind == "model" {
            #expect(listing.stdout.contains("  evidence: name the studies behind the effectiveness values here (edit me)"))
        }
        // The parameters declared once with @Parameter reach the schema with their names,
        // defaults and ranges.
        #expect(listing.stdout.contains(
            kind == "model" ? "classroom_feedback (number in [0, 1]) = 0.4: share of classroom work that gets feedback"
                : "support (number in [0, 1]) = 0.2: weekly motivation support and extra feedback"), "\(listing.stdout)")
        let run = try blendsim("run", package + "/scenario.yaml", "--plugin-dir", products, "--replications", "3", "--format", "json")
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try JSONValue.parse(run.stdout)
        func motivation(_ group: String) -> Double? {
            guard case .array(let groups)? = summary["groups"] else { return nil }
            return groups.first { $0["name"]?.stringValue == group }?["motivation"]?["after"]?["mean"]?.doubleValue
        }
        if kind == "model" {
            // The new model's group ran: it has a final score beside the classroom group's.
            #expect(motivation("study-model") != nil && motivation("classroom") != nil, "\(run.stdout)")
        } else {
            // The policy's motivation support works through the conditions: the group with it ends
            // more motivated than the same course without it (common random numbers).
            let with = try #require(motivation("with")), without = try #require(motivation("without"))
            #expect(with > without + 0.01, "with \(with), without \(without)")
        }
    }

    @Test func scaffoldRefusesBadNamesAndExistingDirectories() throws {
        let bad = try blendsim("plugin", "new", "Bad_Name", "--sdk-path", TestPaths.root + "/BlendSimSDK")
        #expect(bad.status == 1)
        #expect(bad.stderr == "error: 'Bad_Name' is not a valid plugin name: use lowercase letters, digits and '-', starting with a letter\n")
        let directory = TemporaryDirectory()
        let existing = try blendsim("plugin", "new", "fine", "--dir", directory.path, "--sdk-path", TestPaths.root + "/BlendSimSDK")
        #expect(existing.status == 1)
        #expect(existing.stderr == "error: \(directory.path) already exists; choose another --dir or remove it\n")
    }

    @Test func theCExampleRunsAndItsParametersAreChecked() throws {
        let group = try simulate(model: "microlearning", onlineShare: 0.3)
        #expect(group.mean("online_minutes_per_student") == 0.3 * 240 * 15)
        #expect(group.mean("overall.change") > 0)
        let one = try simulate(model: "microlearning", modelParameters: "{sessions_per_week: 1}", onlineShare: 0.3)
        let five = try simulate(model: "microlearning", modelParameters: "{sessions_per_week: 5}", onlineShare: 0.3)
        #expect(five.mean("overall.change") > one.mean("overall.change"))
        #expect {
            try simulate(model: "microlearning", modelParameters: "{sessions_per_week: 30}")
        } throws: { error in
            (error as? Diagnostic)?.message == "model 'microlearning': parameter 'sessions_per_week' must be at most 14, found 30"
        }
    }

    @Test func theSwiftExampleMentorsStudentsWithLowMotivation() throws {
        let population = "{motivation: {mean: 0.3, sd: 0.1}}"
        let without = try simulate(model: "face-to-face-driver", population: population)
        let with = try simulate(
            model: "face-to-face-driver", policies: "[{name: peer-mentoring, parameters: {support: 0}}]", population: population)
        #expect(with.mean("overall.change") > without.mean("overall.change"))
    }

    @Test func createFailuresAreLocatedInTheScenario() throws {
        let directory = TemporaryDirectory()
        _ = try compileFixturePlugin("faulty_model.c", name: "faulty", into: directory.path)
        let scenario = directory.file("s.yaml", """
            groups:
              - name: g
                students: 10
                levels: {intermediate: 1}
                model: {name: faulty, parameters: {fail_create: true}}
            """)
        let output = try blendsim("run", scenario, "--plugin-dir", directory.path)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix(
            "\(scenario):5:19: error: model 'faulty' (blendsim-faulty) refused its parameters: refusing to create on purpose\n"))
    }

    @Test func aGroupWritablePluginFileIsRefused() throws {
        let directory = TemporaryDirectory()
        let copy = directory.path + "/libblendsim-traditional.so"
        try FileManager.default.copyItem(atPath: TestPaths.products + "/libblendsim-traditional.so", toPath: copy)
        chmod(copy, 0o775)
        let output = try blendsim("plugins", "--plugin-dir", directory.path)
        #expect(output.status == 1)
        #expect(output.stderr.hasPrefix("error: \(copy): plugin file is writable by group or others; refusing to load it"))
    }

    @Test func scenariosNamePluginsNotPaths() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("p.yaml", """
            groups:
              - {name: g, students: 10, levels: {intermediate: 1}, model: \(TestPaths.products)/libblendsim-traditional.so}
            """)
        let output = try blendsim("run", scenario, "--plugin-dir", "/nonexistent")
        #expect(output.status == 1)
        #expect(output.stderr.contains("error: model '\(TestPaths.products)/libblendsim-traditional.so' not found"))
    }

    @Test func environmentPathIsSearched() throws {
        let directory = TemporaryDirectory()
        _ = try compileFixturePlugin("faulty_model.c", name: "faulty", into: directory.path)
        let output = try blendsim("plugins", environment: ["BLENDSIM_PLUGIN_PATH": directory.path])
        #expect(output.stdout.contains("faulty "))
    }
}
