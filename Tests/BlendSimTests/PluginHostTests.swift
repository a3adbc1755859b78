import BlendSimCore
import Foundation
import Testing
@testable import BlendSimPluginHost

@Suite("Plugin host", .serialized)
struct PluginHostTests {
    @Test func loadsTheStandardModels() throws {
        let host = try PluginHost(searchPath: [TestPaths.products])
        let names = Set(host.models.map(\.name))
        #expect(names.isSuperset(of: ["traditional", "face-to-face-driver", "flipped-classroom", "station-rotation"]))
        let flipped = try #require(host.model(named: "flipped-classroom"))
        #expect(flipped.plugin.abiMajor == 1)
        #expect(flipped.plugin.sha256.count == 64)
        #expect(flipped.schema.parameters.contains { $0.name == "practice_effectiveness" })
    }

    @Test func createsInstancesAndPlansWeeks() throws {
        let host = try PluginHost(searchPath: [TestPaths.products])
        let factory = try #require(host.model(named: "traditional")).factory(parameters: [])
        let result = try Engine(spec: spec([GroupSpec(
            name: "c", students: 50, levelShares: [0, 1, 0, 0, 0, 0], onlineShare: 0, contactMinutes: 240,
            siwtMinutes: 60, siwMinutes: 180, population: PopulationSpec(), model: factory, policies: [])], replications: 1)).run()
        #expect(result.replications[0].groups[0].after.overall > result.replications[0].groups[0].before.overall)
    }

    @Test func parametersAreCheckedAgainstTheSchema() throws {
        let host = try PluginHost(searchPath: [TestPaths.products])
        let flipped = try #require(host.model(named: "flipped-classroom"))
        #expect(throws: ParameterSchema.Problem(parameter: "practice_effectivness", message: "unknown parameter 'practice_effectivness'; did you mean 'practice_effectiveness'?")) {
            try flipped.factory(parameters: [("practice_effectivness", .number(1.2))])
        }
        #expect(throws: ParameterSchema.Problem(parameter: "practice_feedback", message: "parameter 'practice_feedback' must be at most 1, found 1.5")) {
            try flipped.factory(parameters: [("practice_feedback", .number(1.5))])
        }
        #expect(throws: ParameterSchema.Problem(parameter: "practice_feedback", message: "parameter 'practice_feedback' must be a number, found a string")) {
            try flipped.factory(parameters: [("practice_feedback", .string("high"))])
        }
    }

    @Test func refusesAFileThatIsNotASharedObject() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("libblendsim-fake.so", "this is text, not ELF\n")
        #expect {
            try PluginHost(searchPath: [directory.path])
        } throws: { error in
            let message = (error as? PluginHostError)?.message ?? ""
            return message.hasPrefix("\(directory.path)/libblendsim-fake.so: not a loadable plugin library:")
        }
    }

    @Test func refusesTheWrongABIVersion() throws {
        let directory = TemporaryDirectory()
        let library = try compileFixturePlugin("wrong_abi.c", name: "wrong-abi", into: directory.path)
        #expect {
            try PluginHost(searchPath: [directory.path])
        } throws: { error in
            (error as? PluginHostError)?.message
                == "\(library): plugin ABI 2.0 is not supported; this blendsim loads ABI 1.x plugins"
        }
    }

    @Test func refusesALibraryWithoutTheEntrySymbol() throws {
        let directory = TemporaryDirectory()
        let library = try compileFixturePlugin("no_entry.c", name: "no-entry", into: directory.path)
        #expect {
            try PluginHost(searchPath: [directory.path])
        } throws: { error in
            (error as? PluginHostError)?.message
                == "\(library): no entry symbol 'blendsim_plugin_v1'; is it a blendsim plugin?"
        }
    }

    @Test func refusesAnInvalidParameterSchema() throws {
        let directory = TemporaryDirectory()
        let library = try compileFixturePlugin("bad_schema.c", name: "bad-schema", into: directory.path)
        #expect {
            try PluginHost(searchPath: [directory.path])
        } throws: { error in
            ((error as? PluginHostError)?.message ?? "").hasPrefix("\(library): model 'bad-schema': the parameter schema is not valid JSON")
        }
    }

    @Test func refusesTwoPluginsDefiningTheSameModel() throws {
        let directory = TemporaryDirectory()
        let copy = directory.path + "/libblendsim-traditional-copy.so"
        try FileManager.default.copyItem(atPath: TestPaths.products + "/libblendsim-traditional.so", toPath: copy)
        #expect {
            try PluginHost(searchPath: [directory.path, TestPaths.products])
        } throws: { error in
            ((error as? PluginHostError)?.message ?? "").hasPrefix(
                "\(TestPaths.products)/libblendsim-traditional.so: model 'traditional' is also defined by \(copy)")
        }
    }

    @Test func refusesAGroupWritablePluginDirectory() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.copyItem(
            atPath: TestPaths.products + "/libblendsim-traditional.so", toPath: directory.path + "/libblendsim-traditional.so")
        chmod(directory.path, 0o775)
        #expect {
            try PluginHost(searchPath: [directory.path])
        } throws: { error in
            ((error as? PluginHostError)?.message ?? "").hasPrefix("\(directory.path): plugin directory is writable by group or others")
        }
    }

    @Test func missingDirectoriesAreSkippedAndNamedWhenNothingIsFound() throws {
        let host = try PluginHost(searchPath: ["/nonexistent/plugins"])
        #expect(host.models.isEmpty)
        #expect(host.notFoundMessage(kind: "model", name: "flipped-classroom")
            == "model 'flipped-classroom' not found; searched: /nonexistent/plugins" + "; plugin libraries (libblendsim-*.so) are looked for in --plugin-dir DIR, then the directories of BLENDSIM_PLUGIN_PATH, then the blendsim executable's directory and ../lib/blendsim beside it")
    }

    @Test func pluginFaultsStopTheRunWithTheirName() throws {
        let directory = TemporaryDirectory()
        _ = try compileFixturePlugin("faulty_model.c", name: "faulty", into: directory.path)
        let host = try PluginHost(searchPath: [directory.path])
        let component = try #require(host.model(named: "faulty"))
        func group(_ factory: any ModelFactory) -> GroupSpec {
            GroupSpec(name: "g1", students: 10, levelShares: [0, 1, 0, 0, 0, 0], onlineShare: 0, contactMinutes: 240,
                      siwtMinutes: 0, siwMinutes: 0, population: PopulationSpec(), model: factory, policies: [])
        }
        #expect {
            try Engine(spec: spec([group(try component.factory(parameters: []))], replications: 2)).run()
        } throws: { error in
            (error as? SimulationError)?.message
                == "model 'faulty' (blendsim-faulty) failed in group 'g1', week 3, replication 1: activity 1: minutes nan is outside [0, 3000]"
        }
        #expect {
            try Engine(spec: spec([group(try component.factory(parameters: [("fail_create", .bool(true))]))], replications: 1)).run()
        } throws: { error in
            (error as? SimulationError)?.message
                == "model 'faulty' (blendsim-faulty) could not be created for group 'g1': refusing to create on purpose"
        }
    }

    /// A plugin whose constructor calls exit(0) when it is loaded ends every command that loads
    /// plugins with status 70 and a sentence, never with success and an empty output.
    @Test func aPluginExitingWhileLoadedFailsEveryCommand() throws {
        let directory = TemporaryDirectory()
        let source = directory.file("quits.c", """
            #include <stdlib.h>
            __attribute__((constructor)) static void quit(void) { exit(0); }
            const void *blendsim_plugin_v1(void) { return 0; }
            """)
        let plugins = directory.path + "/plugins"
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: true)
        _ = try compileFixturePlugin(source, name: "quits", into: plugins)
        let scenario = TestPaths.scenarios + "/ratio-40-60.yaml"
        for arguments in [["init"], ["schema"], ["plugins"], ["validate", scenario], ["run", scenario, "--replications", "1", "--quiet"]] {
            let result = try runProcess(TestPaths.executable, arguments + ["--plugin-dir", plugins])
            #expect(result.status == 70, "\(arguments)")
            #expect(result.stderr.contains("a plugin ended the process (exit)"), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(arguments)")
        }
    }

    /// Native plugin faults the engine can see are contained and named: writes to standard
    /// output go to standard error, exit() during a run fails it, the conditions are the
    /// policies' alone, and per-student hooks cannot write the students' state.
    @Test func rogueModelsAreContained() throws {
        let directory = TemporaryDirectory()
        _ = try compileFixturePlugin("rogue_model.c", name: "rogue", into: directory.path)
        func run(mode: Int, quiet: Bool = true) throws -> ProcessOutput {
            let scenario = directory.file("s\(mode).yaml", """
                replications: 2
                groups:
                  - {name: g, students: 30, levels: {intermediate: 1}, model: {name: rogue, parameters: {mode: \(mode)}}}
                """)
            // With --out, --quiet leaves standard output empty: anything on it came from the plugin.
            return try runProcess(
                TestPaths.executable,
                ["run", scenario, "--plugin-dir", directory.path, "--format", "json"] + (quiet ? ["--quiet", "--out", directory.path + "/out\(mode)", "--force"] : []))
        }
        let quietly = try run(mode: 1)
        #expect(quietly.status == 0 && quietly.stdout.isEmpty, "\(quietly.stdout)")
        let noisy = try run(mode: 1, quiet: false)
        #expect(noisy.status == 0, "\(noisy.stderr)")
        #expect(noisy.stdout.hasPrefix("{") && !noisy.stdout.contains("rogue plugin says hello"))
        #expect(noisy.stderr.contains("rogue plugin says hello in week 1"))
        #expect(try JSONValue.parse(noisy.stdout)["replications"] == .integer(2))
        let exiting = try run(mode: 2)
        #expect(exiting.status == 70)
        #expect(exiting.stderr.contains("error: a plugin ended the process (exit) during the run; the run did not finish and nothing was written"))
        #expect(exiting.stdout.isEmpty)
        let conditions = try run(mode: 3)
        #expect(conditions.status == 1)
        #expect(conditions.stderr.contains("model 'rogue' (blendsim-rogue) failed in group 'g', week 2, replication 1: wrote the week's conditions, which only policies may change (in begin_week)"), "\(conditions.stderr)")
        let state = try run(mode: 4)
        #expect(state.status == 1)
        #expect(state.stderr.contains("model 'rogue' (blendsim-rogue) failed in group 'g', week 3, replication 1: wrote into the students' read-only state"), "\(state.stderr)")
        // A crash in plugin code on a worker thread names the plugin, group and week.
        let scenario = directory.file("crash.yaml", """
            replications: 1
            groups:
              - {name: big, students: 20000, levels: {intermediate: 1}, model: {name: rogue, parameters: {mode: 5}}}
            """)
        let crash = try runProcess(TestPaths.executable, ["run", scenario, "--plugin-dir", directory.path, "--threads", "2", "--out", directory.path + "/crashed"])
        #expect(crash.status != 0)
        #expect(crash.stderr.contains("error: model 'rogue' (blendsim-rogue) in group 'big' crashed (signal 11) in week 3; the run did not finish and nothing was written"), "\(crash.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/crashed"))
    }

    /// The plugin path is trusted only if nobody else can change it: a symlink into a
    /// world-writable directory, a safe directory inside a world-writable one, and a directory
    /// of another user are each refused, with the place named.
    @Test func pluginPathsAreCheckedUpToTheRoot() throws {
        let directory = TemporaryDirectory()
        let open = directory.path + "/open"
        try FileManager.default.createDirectory(atPath: open + "/plugins", withIntermediateDirectories: true)
        #expect(chmod(open, 0o777) == 0 && chmod(open + "/plugins", 0o755) == 0)
        _ = try compileFixturePlugin("rogue_model.c", name: "rogue", into: open + "/plugins")
        #expect {
            try PluginHost(searchPath: [open + "/plugins"])
        } throws: { error in
            (error as? PluginHostError)?.message == "\(open)/plugins/libblendsim-rogue.so: \(open), on the plugin's path, is writable by others; refusing to load code through it (chmod o-w '\(open)')"
        }
        let linked = directory.path + "/linked"
        try FileManager.default.createDirectory(atPath: linked, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: linked + "/libblendsim-rogue.so", withDestinationPath: open + "/plugins/libblendsim-rogue.so")
        #expect {
            try PluginHost(searchPath: [linked])
        } throws: { error in
            (error as? PluginHostError)?.message.hasSuffix("\(open), on the plugin's path, is writable by others; refusing to load code through it (chmod o-w '\(open)')") == true
        }
        #expect(chmod(open, 0o755) == 0)
        #expect(try PluginHost(searchPath: [linked]).model(named: "rogue") != nil)
        if geteuid() == 0 {
            #expect(chown(open + "/plugins", 65534, 65534) == 0)
            #expect {
                try PluginHost(searchPath: [open + "/plugins"])
            } throws: { error in
                (error as? PluginHostError)?.message == "\(open)/plugins/libblendsim-rogue.so: \(open)/plugins, on the plugin's path, belongs to another user (uid 65534); refusing to load code through it"
            }
        }
    }
}

