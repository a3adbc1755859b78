import BlendSimCore
import Foundation
import Testing
@testable import BlendSimScenario

@Suite("Scenario validation")
struct ScenarioTests {
    static let minimal = """
        groups:
          - name: control
            students: 50
            levels: {pre_intermediate: 0.68, intermediate: 0.22, upper_intermediate: 0.10}
            model: traditional
        """

    func decode(_ text: String, path: String = "s.yaml") -> (Scenario?, [Diagnostic]) {
        let result = ScenarioLoader.check(ScenarioSource(path: path, bytes: Array(text.utf8)))
        return (result.scenario, result.diagnostics)
    }

    func firstError(_ text: String) -> String? { decode(text).1.first?.headline }

    @Test func defaultsAreFilledIn() throws {
        let scenario = try #require(decode(Self.minimal, path: "dir/my-plan.yaml").0)
        #expect(scenario.name == "my-plan")
        #expect(scenario.seed == 1)
        #expect(scenario.replications == 1)
        #expect(scenario.weeks == 15)
        #expect(scenario.controlPoints == [8, 15])
        let group = scenario.groups[0]
        #expect(group.onlineShare == 0)
        #expect(group.contactHours == 4 && group.siwtHours == 1 && group.siwHours == 3)
        #expect(group.levelShares == [0, 0.68, 0.22, 0.10, 0, 0])
        #expect(group.model.name == "traditional")
        #expect(group.population == PopulationSpec())
    }

    @Test func fullScenarioIsRead() throws {
        let text = """
            name: full
            seed: 7
            replications: 12
            semester: {weeks: 10, control_points: [5, 10]}
            population:
              motivation: {mean: 0.6, sd: 0.1}
              device_access: 0.7
            kernel: {points_per_hour: 0.08}
            groups:
              - name: e
                students: 20
                levels: {intermediate: 1}
                model: {name: flipped-classroom, parameters: {practice_effectiveness: 1.4}}
                online_share: 0.4
                hours: {contact: 3, siwt: 0.5, siw: 2}
                policies: [anti-plagiarism, {name: device-loans, parameters: {share: 0.5}}]
                population: {integrity: 0.9}
            """
        let scenario = try #require(decode(text).0)
        #expect(scenario.seed == 7 && scenario.replications == 12 && scenario.weeks == 10)
        #expect(scenario.kernel.pointsPerHour == 0.08)
        let group = scenario.groups[0]
        #expect(group.population.motivation == TraitDistribution(mean: 0.6, sd: 0.1))
        #expect(group.population.deviceAccess == 0.7)
        #expect(group.population.integrity == TraitDistribution(mean: 0.9, sd: 0))
        #expect(group.model.parameters.map(\.0) == ["practice_effectiveness"])
        #expect(group.model.parameterLocations["practice_effectiveness"]?.line == 13)
        #expect(group.policies.map(\.name) == ["anti-plagiarism", "device-loans"])
        #expect(group.policies[1].parameters[0].1 == .number(0.5))
    }

    @Test func unknownKeySuggestsTheClosest() {
        let text = Self.minimal + "\n    onlin_share: 0.4\n"
        #expect(firstError(text) == "s.yaml:6:5: error: unknown key 'onlin_share' in a group; did you mean 'online_share'?")
    }

    @Test func unknownTopLevelKey() {
        #expect(firstError("replicatoins: 3\n" + Self.minimal)
            == "s.yaml:1:1: error: unknown key 'replicatoins' in the scenario; did you mean 'replications'?")
    }

    @Test func wrongTypeIsNamed() {
        let text = Self.minimal.replacingOccurrences(of: "students: 50", with: "students: fifty")
        #expect(firstError(text) == "s.yaml:3:15: error: 'students' must be a whole number, found a string")
    }

    @Test func quotedNumberIsAString() {
        let text = Self.minimal + "\n    online_share: '0.4'\n"
        #expect(firstError(text) == "s.yaml:6:19: error: 'online_share' must be a number, found a string")
    }

    @Test func negativeCountIsOutOfRange() {
        let text = Self.minimal.replacingOccurrences(of: "students: 50", with: "students: -5")
        #expect(firstError(text) == "s.yaml:3:15: error: 'students' must be between 1 and 100000000, found -5")
    }

    @Test func onlineShareOutsideUnitInterval() {
        let text = Self.minimal + "\n    online_share: 1.4\n"
        #expect(firstError(text) == "s.yaml:6:19: error: 'online_share' must be between 0 and 1, found 1.4")
    }

    @Test func sharesMustSumToOne() {
        let text = Self.minimal.replacingOccurrences(of: "upper_intermediate: 0.10", with: "upper_intermediate: 0.20")
        #expect(firstError(text) == "s.yaml:4:13: error: the level shares of group 'control' sum to 1.1; they must sum to 1")
    }

    @Test func unknownLevelSuggestsBand() {
        let text = Self.minimal.replacingOccurrences(of: "intermediate: 0.22", with: "intermediat: 0.22")
        #expect(firstError(text)?.contains("unknown key 'pre_intermediat'") == false)
        #expect(decode(text).1.contains { $0.message == "unknown key 'intermediat' in 'levels'; did you mean 'intermediate'?" })
    }

    @Test func controlPointOutsideSemester() {
        let text = "semester: {weeks: 10, control_points: [5, 12]}\n" + Self.minimal
        #expect(firstError(text) == "s.yaml:1:43: error: 'control_points' must be between 1 and 10, found 12")
    }

    @Test func duplicateGroupNames() {
        let text = Self.minimal + "\n" + Self.minimal.split(separator: "\n").dropFirst().joined(separator: "\n")
        #expect(firstError(text) == "s.yaml:6:11: error: duplicate group name 'control' (first used at line 2)")
    }

    @Test func infeasibleTraitDistribution() {
        let text = "population: {motivation: {mean: 0.9, sd: 0.4}}\n" + Self.minimal
        #expect(firstError(text)?.hasPrefix("s.yaml:1:42: error: 'motivation' cannot have mean 0.9 and sd 0.4") == true)
    }

    @Test func missingGroups() {
        #expect(firstError("seed: 3\n") == "s.yaml:1:1: error: missing key 'groups': a scenario needs at least one group")
    }

    @Test func syntaxErrorsAreLocatedWithTheLine() throws {
        let (_, diagnostics) = decode("groups:\n  - name: [a\n")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.location?.line == 3)
        #expect(diagnostic.rendered.contains("^"))
    }

    @Test func everyErrorIsCollected() {
        let text = """
            seed: -1
            groups:
              - name: a
                students: 0
                levels: {intermediate: 0.5}
                model: traditional
                online_share: 2
            """
        let messages = decode(text).1.map(\.message)
        #expect(messages.count == 4)
        #expect(messages.contains("'seed' must be between 0 and \(Int.max), found -1"))
    }

    @Test func renderedDiagnosticShowsLineAndCaret() throws {
        let text = Self.minimal + "\n    onlin_share: 0.4\n"
        let diagnostic = try #require(decode(text).1.first)
        #expect(diagnostic.rendered == """
            s.yaml:6:5: error: unknown key 'onlin_share' in a group; did you mean 'online_share'?
                onlin_share: 0.4
                ^
            """)
    }
}

@Suite("Scenario includes and defaults")
struct ScenarioIncludeTests {
    /// A later include's model or policy default replaces an earlier one's; the scenario's own
    /// replaces both.
    @Test func laterIncludesWinAndTheScenarioWinsOverAll() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("first.yaml", "model_defaults:\n  flipped-classroom: {practice_effectiveness: 0.5, content_feedback: 0.1}\npolicy_defaults:\n  anti-plagiarism: {detection: 0.2}\n")
        _ = directory.file("second.yaml", "model_defaults:\n  flipped-classroom: {practice_effectiveness: 3.0, content_feedback: 0.2}\npolicy_defaults:\n  anti-plagiarism: {detection: 0.9}\n")
        let path = directory.file("s.yaml", """
            include: [first.yaml, second.yaml]
            model_defaults:
              flipped-classroom: {content_feedback: 0.3}
            groups:
              - {name: a, students: 10, levels: {intermediate: 1}, model: flipped-classroom, online_share: 0.4, policies: [anti-plagiarism]}
            """)
        let group = try ScenarioLoader.load(path: path).groups[0]
        func value(_ name: String) -> Double? { group.model.parameters.first { $0.0 == name }?.1.doubleValue }
        #expect(value("practice_effectiveness") == 3.0)
        #expect(value("content_feedback") == 0.3)
        #expect(group.policies[0].parameters.first { $0.0 == "detection" }?.1.doubleValue == 0.9)
        #expect(group.model.fromDefaults == ["practice_effectiveness", "content_feedback"])
    }

    @Test func includedFragmentsSetDefaultsTheScenarioCanOverride() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("fit.yaml", """
            kernel: {points_per_hour: 0.05, feedback_gain: 0.9}
            model_defaults:
              flipped-classroom: {practice_effectiveness: 2.2, content_feedback: 0.4}
            population: {device_access: 0.6}
            """)
        let path = directory.file("s.yaml", """
            include: fit.yaml
            kernel: {feedback_gain: 1.1}
            model_defaults:
              flipped-classroom: {content_feedback: 0.5}
            baseline: a
            groups:
              - name: a
                students: 10
                levels: {intermediate: 1}
                model: {name: flipped-classroom, parameters: {practice_effectiveness: 1.9}}
                online_share: 0.4
              - name: b
                students: 10
                levels: {intermediate: 1}
                model: flipped-classroom
                online_share: 0.4
            """)
        let scenario = try ScenarioLoader.load(path: path)
        #expect(scenario.kernel.pointsPerHour == 0.05)
        #expect(scenario.kernel.feedbackGain == 1.1)
        #expect(scenario.groups[0].population.deviceAccess == 0.6)
        #expect(scenario.baseline == "a")
        #expect(scenario.includes.map(\.path) == [directory.path + "/fit.yaml"])
        func parameter(_ group: Int, _ name: String) -> JSONValue? {
            scenario.groups[group].model.parameters.first { $0.0 == name }?.1
        }
        #expect(parameter(0, "practice_effectiveness") == .number(1.9))
        #expect(parameter(1, "practice_effectiveness") == .number(2.2))
        #expect(parameter(1, "content_feedback") == .number(0.5))
        #expect(scenario.groups[1].model.parameterLocations["practice_effectiveness"]?.file == directory.path + "/fit.yaml")
    }

    @Test func includeErrorsAreLocatedInTheRightFile() throws {
        let directory = TemporaryDirectory()
        let fragment = directory.file("bad.yaml", "groups: []\n")
        let path = directory.file("s.yaml", """
            include: [bad.yaml, missing.yaml]
            groups:
              - {name: a, students: 10, levels: {intermediate: 1}, model: traditional}
            """)
        let messages = ScenarioLoader.check(path: path).diagnostics.map(\.headline)
        #expect(messages.contains("\(fragment):1:1: error: unknown key 'groups' in an included file"))
        #expect(messages.contains { $0.hasPrefix("\(path):1:21: error: cannot include 'missing.yaml': cannot read scenario") })
    }

    @Test func unknownBaselineIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("s.yaml", """
            baseline: contrl
            groups:
              - {name: control, students: 10, levels: {intermediate: 1}, model: traditional}
            """)
        #expect(throws: Diagnostic("baseline 'contrl' is not a group; did you mean 'control'?",
                                   at: SourceLocation(file: path, line: 1, column: 11), sourceLine: "baseline: contrl")) {
            try ScenarioLoader.load(path: path)
        }
    }

    /// A file of thousands of mistakes gets its first 100 errors and one line saying the rest
    /// were not listed; a long line is shown as 120 characters around the column, not whole.
    @Test func errorsAreCappedAndLongLinesWindowed() throws {
        let text = "groups: [" + (0..<5_000).map(String.init).joined(separator: ", ") + "]\n"
        let checked = ScenarioLoader.check(ScenarioSource(path: "s.yaml", bytes: Array(text.utf8)))
        let (scenario, diagnostics) = (checked.scenario, checked.diagnostics)
        #expect(scenario == nil)
        #expect(diagnostics.count == 101)
        #expect(diagnostics.last?.message == "more than 100 errors; stopping here (fix these first)")
        let lines = (diagnostics.first?.rendered ?? "").split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].count <= 122 && lines[1].hasSuffix("…"))
        let caret = try #require(diagnostics[50].rendered.split(separator: "\n").last)
        let shown = try #require(diagnostics[50].rendered.split(separator: "\n").dropFirst().first)
        #expect(shown.hasPrefix("…") && caret.count <= 122)
    }
}
