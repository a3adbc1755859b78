import BlendSimCore
import BlendSimReport
import Foundation
import Testing
@testable import BlendSimScenario

@Suite("Writing scenarios", .serialized)
struct AuthoringTests {
    @Test(arguments: ModelLibraryTests.models)
    func initGivesAScenarioThatValidates(model: String) throws {
        let directory = TemporaryDirectory()
        let output = try blendsim("init", "--model", model)
        #expect(output.status == 0, "\(output.stderr)")
        let path = directory.file("my.yaml", output.stdout)
        let validate = try blendsim("validate", path)
        #expect(validate.status == 0, "\(model): \(validate.stderr)")
    }

    @Test func initRunsAsItIs() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("my.yaml", try blendsim("init").stdout)
        let run = try blendsim("run", path, "--replications", "2", "--quiet")
        #expect(run.status == 0, "\(run.stderr)")
        let unknown = try blendsim("init", "--model", "flipped-clasroom")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("did you mean 'flipped-classroom'?"))
    }

    /// Every shipped scenario (converted from YAML by blendsim's own reader) and every `init`
    /// output validates against `blendsim schema`; a scenario with a wrong key does not.
    @Test func shippedScenariosValidateAgainstTheSchema() throws {
        // python3 from PATH, with jsonschema (.ci/run installs it when missing).
        let python = "/usr/bin/env"
        let directory = TemporaryDirectory()
        let schema = try blendsim("schema")
        #expect(schema.status == 0)
        let schemaPath = directory.file("schema.json", schema.stdout)
        var documents: [String] = []
        // The shipped scenarios, and the worked pilot's (students from a file, `cohort:`).
        let example = TestPaths.root + "/examples/university-pilot"
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: TestPaths.scenarios).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { TestPaths.scenarios + "/" + $0 } + [example + "/pilot.yaml", example + "/what-if.yaml"]
        for path in scenarios {
            let name = String(path.split(separator: "/").last!)
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            guard let node = try YAMLReader().parse(bytes), node["groups"] != nil else { continue }
            documents.append(directory.file(name + ".json", ScenarioDecoder.json(node).serialized()))
        }
        #expect(documents.count >= 5)
        let bad = directory.file("bad.json", #"{"groups": [{"name": "g", "students": 10, "levels": {"intermediate": 1}, "model": "traditional", "onlin_share": 0.4}]}"#)
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for path in sys.argv[2:-1]:
                errors = list(validator.iter_errors(json.load(open(path))))
                print(path.split('/')[-1], 'ok' if not errors else errors[0].message)
            print('bad', 'ok' if validator.is_valid(json.load(open(sys.argv[-1]))) else 'rejected')
            """
        let result = try runProcess(python, ["python3", "-c", script, schemaPath] + documents + [bad])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == documents.count + 1)
        for line in lines.dropLast() { #expect(line.hasSuffix(" ok"), "\(line)") }
        #expect(lines.last == "bad rejected")
    }

    @Test func formatsOnStandardOutput() throws {
        let directory = TemporaryDirectory()
        let scenario = TestPaths.scenarios + "/ratio-20-80.yaml"
        let json = try blendsim("run", scenario, "--replications", "3", "--format", "json", "--out", directory.path + "/r")
        #expect(json.status == 0)
        #expect(json.stdout == (try String(contentsOfFile: directory.path + "/r/summary.json", encoding: .utf8)))
        let csv = try blendsim("run", scenario, "--replications", "3", "--format", "csv")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "group,outcome,mean,sd,ci95_lo,ci95_hi,n")
        #expect(lines.count == 1 + Outcomes.catalog.count)
        let table = try blendsim("run", scenario, "--replications", "3")
        #expect(!table.stdout.contains("\u{1B}"), "no colour when stdout is not a terminal")
    }

    @Test func completionsAndHelpCarryExamples() throws {
        let bash = try blendsim("--generate-completion-script", "bash")
        #expect(bash.stdout.contains("_blendsim"))
        // Every command's help shows at least one example invocation of that command — an indented
        // line that starts with `blendsim <command>` under "Example" — not merely its usage line.
        for command in ["run", "compare", "sweep", "merge", "report", "rerun", "init", "schema", "validate", "plugins", "calibrate", "bench"] {
            let help = try blendsim(command, "--help")
            let lines = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let examples = lines.drop { !$0.hasPrefix("Example") }.dropFirst()
            #expect(examples.contains { $0.hasPrefix("blendsim \(command) ") || $0 == "blendsim \(command)" }, "\(command) --help has no example")
        }
        for command in [["evidence", "check"], ["plugin", "new"], ["plugin", "list"]] {
            let help = try runProcess(TestPaths.executable, command + ["--help"])
            let lines = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines.drop { !$0.hasPrefix("Example") }.contains { $0.hasPrefix("blendsim " + command.joined(separator: " ")) }, "\(command) --help has no example")
        }
        // `plugin list` and its earlier spelling `plugins` print the same listing.
        let list = try runProcess(TestPaths.executable, ["plugin", "list", "--verbose"])
        let plugins = try blendsim("plugins", "--verbose")
        #expect(list.status == 0 && list.stdout == plugins.stdout && list.stdout.contains("flipped-classroom"))
        // The top-level help groups the commands and titles the option groups.
        let top = try blendsim("--help")
        #expect(top.stdout.contains("SIMULATE SUBCOMMANDS:") && top.stdout.contains("EVIDENCE AND CALIBRATION SUBCOMMANDS:"), "\(top.stdout)")
        let sweepHelp = try blendsim("sweep", "--help")
        #expect(["OUTPUT:", "SIMULATION:", "SHARDING:", "SLURM JOBS:", "ENGINE:", "RESOURCES:", "MODEL UNCERTAINTY:", "PLUGINS:"].allSatisfy { sweepHelp.stdout.contains($0) }, "\(sweepHelp.stdout)")
    }
}
