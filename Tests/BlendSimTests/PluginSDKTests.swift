import BlendSimCore
import BlendSimRunner
import Foundation
import Testing

@Suite("Plugin SDK", .serialized)
struct PluginSDKTests {
    /// The whole path a researcher takes: scaffold a package, build it, load it, run its scenario.
    @Test(.tags(.slow), arguments: ["model", "policy"])
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
            #expect(listing.stdout.contains("  the plugin's own evidence note: name the studies behind the effectiveness values here (edit me)"), "\(listing.stdout)")
            #expect(listing.stdout.contains("  evidence base: not in blendsim's evidence base: its effect rests on its author's values"))
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

    /// docs/PLUGINS.md's tutorial, followed literally: its shell lines run as written (with HOME
    /// in a temporary directory), its model replaces the scaffold's source and its test is added
    /// to the scaffold's tests; after each step the package builds, loads, runs its scenario and
    /// passes its tests.
    @Test(.tags(.slow)) func theTutorialWorksWhenPasted() throws {
        let docs = try String(contentsOfFile: TestPaths.root + "/docs/PLUGINS.md", encoding: .utf8)
        let tutorial = try #require(docs.components(separatedBy: "## Tutorial").dropFirst().first?.components(separatedBy: "\n## ").first)
        // The fenced blocks in order: step 1 (sh), step 2 (the model), step 3 (sh), step 4 (a test).
        var blocks: [(language: String, text: String)] = []
        var current: (String, [String])?
        for line in tutorial.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                if let open = current {
                    blocks.append((open.0, open.1.joined(separator: "\n") + "\n"))
                    current = nil
                } else {
                    current = (String(line.dropFirst(3)), [])
                }
            } else if current != nil {
                current!.1.append(line)
            }
        }
        try #require(blocks.map(\.language).prefix(4) == ["sh", "swift", "sh", "swift"], "\(blocks.map(\.language))")
        let home = TemporaryDirectory()
        let swift = ProcessInfo.processInfo.environment["SWIFT_EXEC_DIR"].map { $0 + "/swift" } ?? "/opt/swift/usr/bin/swift"
        var path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        if FileManager.default.isExecutableFile(atPath: swift) { path = (swift as NSString).deletingLastPathComponent + ":" + path }
        let environment = ["HOME": home.path, "PATH": TestPaths.products + ":" + path]
        func shell(_ script: String) throws -> ProcessOutput {
            try runProcess("/bin/sh", ["-e", "-c", script], environment: environment, directory: home.path)
        }
        // Step 1, then step 2: the model pasted over the scaffold's.
        let step1 = try shell(blocks[0].text)
        #expect(step1.status == 0, "step 1: \(step1.stderr)")
        let package = home.path + "/plugins/spaced-practice"
        let source = package + "/Sources/SpacedPractice/SpacedPractice.swift"
        #expect(FileManager.default.fileExists(atPath: source))
        try blocks[1].text.write(toFile: source, atomically: true, encoding: .utf8)
        // Step 3 as written, from the package directory (step 1 ends with `cd` there).
        let step3 = try shell("cd ~/plugins/spaced-practice\n" + blocks[2].text)
        #expect(step3.status == 0, "step 3: \(step3.stdout)\(step3.stderr)")
        #expect(step3.stdout.contains("review_feedback (number in [0, 1]) = 0.5: share of review work with feedback"), "\(step3.stdout)")
        #expect(step3.stdout.contains("spaced-practice-sample"), "the sample scenario ran: \(step3.stdout)")
        // Step 4: the test added to the scaffold's, and the package's tests run.
        let tests = package + "/Tests/SpacedPracticeTests/SpacedPracticeTests.swift"
        let existing = try String(contentsOfFile: tests, encoding: .utf8)
        try (existing + "\n" + blocks[3].text).write(toFile: tests, atomically: true, encoding: .utf8)
        let step4 = try shell("cd ~/plugins/spaced-practice\nswift test")
        #expect(step4.status == 0, "step 4: \(step4.stdout)\(step4.stderr)")
        #expect(step4.stdout.contains("reviewsGetTheOnlineTimeAndTheirFeedback") && step4.stdout.contains("plansClassroomAndOnlineTime"), "\(step4.stdout)")
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

    /// Names whose type would clash with Swift or the SDK are refused before anything is written,
    /// and an SDK path is written into Package.swift as a string literal that nothing in it can
    /// end: a path holding a quote, a backslash and a line break of Swift code stays one string.
    @Test func scaffoldRefusesClashingNamesAndWritesPathsAsLiterals() throws {
        for (name, type) in [("policy", "Policy"), ("week", "Week"), ("blend-sim-plugin-kit", "BlendSimPluginKit"), ("type", "Type"), ("self", "Self")] {
            let directory = TemporaryDirectory()
            let result = try blendsim("plugin", "new", name, "--dir", directory.path + "/p", "--sdk-path", TestPaths.root + "/BlendSimSDK")
            #expect(result.status == 1, "\(name)")
            #expect(result.stderr == "error: '\(name)' would name the plugin's type and module '\(type)', which Swift or the plugin SDK already uses; choose another name\n")
            #expect(!FileManager.default.fileExists(atPath: directory.path + "/p"))
        }
        #expect(PluginScaffold.swiftStringLiteral("a\"b\\c\nd\u{7}\\(x)") == #""a\"b\\c\nd\u{7}\\(x)""#)
        let hostile = "/tmp/sdk\"), .package(path: \"/evil\")]\nimport Foundation\n//\\(exit(1))"
        let manifest = try #require(PluginScaffold.files(name: "fine", kind: .model, sdkPath: hostile).first { $0.path == "Package.swift" }).contents
        let lines = manifest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("import Foundation") })
        #expect(lines.filter { $0.contains(".package(path:") }.count == 1)
        #expect(manifest.contains(#".package(path: "/tmp/sdk\"), .package(path: \"/evil\")]\nimport Foundation\n//\\(exit(1))"),"#))
    }

    /// The shared rules for generated text: a shell word holds any text exactly (checked by a real
    /// shell), a comment line shows control characters as '?', and names blendsim refuses are the
    /// ones those rules call control characters.
    @Test func generatedTextRulesHoldForHostileText() throws {
        let hostile = ["plain", "it's", "a b", "$(touch /tmp/x)", "`id`", "a\nb", "'", "''", "\\'", "semi;colon", "-n", "*", "%s %n", "tab\there", "ü \u{2028} ✓"]
        for text in hostile {
            let printed = try runProcess("/bin/sh", ["-c", "printf '%s' " + GeneratedText.shellWord(text)])
            #expect(printed.status == 0 && printed.stdout == text, "\(text.debugDescription) came back as \(printed.stdout.debugDescription)")
        }
        #expect(GeneratedText.oneLine("a\nb\rc\u{7}d\u{85}e\u{2028}f\tg") == "a?b?c?d?e?f?g")
        #expect(GeneratedText.oneLine("a\tb", keepingTabs: true) == "a\tb")
        #expect(GeneratedText.swiftStringLiteral("\u{2028}\u{85}") == #""\u{2028}\u{85}""#)
        // A group named with a line separator is refused like any other control character.
        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", "groups:\n  - {name: \"a\\u2028b\", students: 10, levels: {intermediate: 1}, model: traditional}\n")
        let refused = try blendsim("validate", scenario)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("'name' must be printable; it holds the control character U+2028"), "\(refused.stderr)")
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
