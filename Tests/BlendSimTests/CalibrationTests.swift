import BlendSimReport
import BlendSimInference
import BlendSimCore
import BlendSimPluginHost
@testable import BlendSimRunner
import BlendSimScenario
import Foundation
import Testing

@Suite("Calibration", .serialized)
struct CalibrationTests {
    static let settings = RunSettings(pluginDirectories: [TestPaths.products], engine: EngineOptions(threads: 2))

    @Test func nelderMeadFindsTheMinimumOfAQuadratic() {
        let result = NelderMead(maximumEvaluations: 400).minimize(from: [0.9, 0.1]) { x in
            (x[0] - 0.3) * (x[0] - 0.3) + 4 * (x[1] - 0.7) * (x[1] - 0.7)
        }
        #expect(abs(result.point[0] - 0.3) < 1e-3)
        #expect(abs(result.point[1] - 0.7) < 1e-3)
        #expect(result.evaluations <= 400)
    }

    @Test func nelderMeadStaysInsideTheBounds() {
        let result = NelderMead(maximumEvaluations: 200).minimize(from: [0.5]) { x in -x[0] }
        #expect(result.point[0] == 1)
    }

    @Test func recoversKnownParameters() throws {
        let scenario = TestPaths.fixtures + "/scenarios/recovery.yaml"
        let truth = try ScenarioRun.execute(path: scenario, settings: Self.settings).summary
        let statistics = ["groups.g.overall.after", "groups.g.motivation.after", "groups.g.skills.speaking.after", "groups.g.skills.listening.after"]
        let targets = statistics.map { path -> String in
            let value = Summary.statistic(path, in: truth)!.mean
            return "  - {statistic: \(path), value: \(value), tolerance: 0.01}"
        }.joined(separator: "\n")
        let directory = TemporaryDirectory()
        let plan = directory.file("plan.yaml", """
            scenario: \(scenario)
            parameters:
              - {name: kernel.points_per_hour, min: 0.02, max: 0.1, start: 0.08}
              - {name: model_defaults.flipped-classroom.practice_effectiveness, min: 1.0, max: 3.0, start: 1.2}
            targets:
            \(targets)
            optimizer: {max_evaluations: 250, restarts: 1}
            output: fitted.yaml
            """)
        let loaded = try CalibrationPlanLoader.load(path: plan)
        #expect(loaded.output == directory.path + "/fitted.yaml")
        let report = try Calibrator.run(loaded, settings: Self.settings)
        #expect(abs(report.fitted[0] - 0.05) < 0.002, "points_per_hour \(report.fitted[0])")
        #expect(abs(report.fitted[1] - 1.8) < 0.05, "practice_effectiveness \(report.fitted[1])")
        #expect(report.rows.allSatisfy { $0.withinTolerance })

        // The fragment, included by a scenario, reproduces the fit.
        let fragment = report.fragment(command: "test")
        #expect(fragment.contains("kernel:\n  points_per_hour: "))
        #expect(fragment.contains("model_defaults:\n  flipped-classroom:\n    practice_effectiveness: "))
    }

    /// An integer plugin parameter is fitted as the plugin receives it, whole, and written
    /// whole: the fragment calibrate writes is accepted by the run it is for.
    @Test func integerParametersAreFittedAndWrittenWhole() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("s.yaml", """
            replications: 1
            groups:
              - {name: g, students: 30, levels: {intermediate: 1}, model: enriched-virtual, online_share: 0.6}
            """)
        let plan = directory.file("plan.yaml", """
            scenario: s.yaml
            parameters:
              - {name: model_defaults.enriched-virtual.session_interval, min: 1, max: 8, start: 3.4}
            targets:
              - {statistic: groups.g.overall.after, value: 150}
            optimizer: {max_evaluations: 6}
            output: fit.yaml
            """)
        let result = try blendsim("calibrate", plan, "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let fragment = try String(contentsOfFile: directory.path + "/fit.yaml", encoding: .utf8)
        let line = try #require(fragment.split(separator: "\n").first { $0.contains("session_interval:") })
        let value = String(line.split(separator: ":")[1]).trimmingCharacters(in: .whitespaces)
        #expect(Int(value) != nil, "session_interval written as \(value)")
        let user = directory.file("user.yaml", """
            include: fit.yaml
            replications: 1
            groups:
              - {name: g, students: 30, levels: {intermediate: 1}, model: enriched-virtual, online_share: 0.6}
            """)
        #expect(try blendsim("validate", user).status == 0)
    }

    @Test func badPlansAreLocated() throws {
        let directory = TemporaryDirectory()
        let plan = directory.file("bad.yaml", """
            scenario: \(TestPaths.scenarios)/paper-experiment.yaml
            parameters:
              - {name: kernel.points_per_our, min: 0.02, max: 0.1}
            targets:
              - {statistic: groups.control.overall.after, value: 140}
            """)
        #expect {
            try CalibrationPlanLoader.load(path: plan)
        } throws: { error in
            (error as? Diagnostic)?.headline == "\(plan):3:12: error: unknown kernel parameter 'points_per_our'; did you mean 'points_per_hour'?"
        }
        let unknownStatistic = directory.file("stat.yaml", """
            scenario: \(TestPaths.scenarios)/paper-experiment.yaml
            replications: 2
            parameters:
              - {name: kernel.points_per_hour, min: 0.02, max: 0.1}
            targets:
              - {statistic: groups.control.overal.after, value: 140}
            """)
        #expect {
            try Calibrator.run(try CalibrationPlanLoader.load(path: unknownStatistic), settings: Self.settings)
        } throws: { error in
            (error as? Diagnostic)?.headline
                == "\(unknownStatistic):6:17: error: statistic 'groups.control.overal.after' is not in the summary.json of \(TestPaths.scenarios)/paper-experiment.yaml (see docs/RESULTS.md)"
        }
    }

    /// A study's own value (`group.<scenario>.<group>.<model>.<parameter>`) reaches its group
    /// only; a model default reaches every group of that model that does not set the parameter
    /// itself, as `model_defaults` does in a scenario.
    @Test func studySettingsReachTheirGroupAndDefaultsSpareGroupsWithTheirOwn() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("study.yaml", """
            name: study
            replications: 1
            model_defaults:
              flipped-classroom: {content_feedback: 0.2}
            groups:
              - {name: own, students: 10, levels: {pre_intermediate: 1}, model: {name: flipped-classroom, parameters: {practice_effectiveness: 2.0}}, online_share: 0.4}
              - {name: plain, students: 10, levels: {pre_intermediate: 1}, model: flipped-classroom, online_share: 0.4}
            """)
        let scenario = try ScenarioLoader.load(path: path)
        #expect(scenario.groups[0].model.setsOwn("practice_effectiveness"))
        #expect(!scenario.groups[0].model.setsOwn("content_feedback"))
        let host = try PluginResolution.host([TestPaths.products])
        let settings: [CalibrationPlan.Setting] = [
            try #require(CalibrationPlan.Setting(name: "model_defaults.flipped-classroom.practice_effectiveness")),
            try #require(CalibrationPlan.Setting(name: "model_defaults.flipped-classroom.content_feedback")),
            try #require(CalibrationPlan.Setting(name: "group.study.own.flipped-classroom.practice_effectiveness")),
            try #require(CalibrationPlan.Setting(name: "group.study.plain.flipped-classroom.content_effectiveness")),
        ]
        #expect(settings[2] == .group(scenario: "study", group: "own", model: "flipped-classroom", parameter: "practice_effectiveness"))
        for order in [[0, 1, 2, 3], [3, 2, 1, 0]] {
            let values = [1.5, 0.5, 2.5, 2.9]
            let applied = ParameterSettings.applied(order.map { settings[$0] }, order.map { values[$0] }, to: scenario, host: host)
            func value(_ group: Int, _ name: String) -> Double? {
                applied.groups[group].model.parameters.first { $0.0 == name }?.1.doubleValue
            }
            #expect(value(0, "practice_effectiveness") == 2.5, "order \(order)")  // the study's value replaces the group's own; the default never reaches it
            #expect(value(1, "practice_effectiveness") == 1.5)
            #expect(value(0, "content_feedback") == 0.5)         // a default from model_defaults is replaced
            #expect(value(1, "content_feedback") == 0.5)
            #expect(value(0, "content_effectiveness") == nil)    // a study's value reaches only a group that sets it
            #expect(value(1, "content_effectiveness") == nil)
        }
        #expect(CalibrationPlan.Setting(name: "group.study.plain.flipped-classroom") == nil)
        #expect(CalibrationPlan.Setting(name: "group..plain.flipped-classroom.x") == nil)

        // A study's value for a group that does not set the parameter itself is refused.
        let unset = directory.file("unset.yaml", """
            scenario: \(path)
            replications: 1
            parameters:
              - {name: group.study.plain.flipped-classroom.practice_effectiveness, min: 1, max: 3}
            targets:
              - {statistic: groups.plain.overall.after, value: 140}
            """)
        #expect {
            try Calibrator.run(try CalibrationPlanLoader.load(path: unset), settings: Self.settings)
        } throws: { error in
            (error as? Diagnostic)?.headline
                == "\(unset):4:12: error: group 'plain' of 'study' does not set 'practice_effectiveness' itself; a study's value replaces the group's own, so set it in the group"
        }

        // A plan naming a study whose scenario has no such group is refused at the parameter.
        let plan = directory.file("plan.yaml", """
            scenario: \(path)
            replications: 1
            parameters:
              - {name: group.study.absent.flipped-classroom.practice_effectiveness, min: 1, max: 3}
            targets:
              - {statistic: groups.plain.overall.after, value: 140}
            """)
        #expect {
            try Calibrator.run(try CalibrationPlanLoader.load(path: plan), settings: Self.settings)
        } throws: { error in
            (error as? Diagnostic)?.headline
                == "\(plan):4:12: error: no scenario of the calibration named 'study' has a group 'absent' with model 'flipped-classroom'"
        }
        // A default that every group of its model overrides would change nothing: refused.
        let idle = directory.file("idle.yaml", """
            scenario: \(path)
            replications: 1
            parameters:
              - {name: model_defaults.flipped-classroom.practice_effectiveness, min: 1, max: 3}
            targets:
              - {statistic: groups.own.overall.after, value: 140}
            """)
        let own = directory.file("own.yaml", """
            name: own-only
            groups:
              - {name: own, students: 10, levels: {pre_intermediate: 1}, model: {name: flipped-classroom, parameters: {practice_effectiveness: 2.0}}, online_share: 0.4}
            """)
        let idlePlan = directory.file("idle2.yaml", (try String(contentsOfFile: idle, encoding: .utf8)).replacingOccurrences(of: path, with: own))
        #expect {
            try Calibrator.run(try CalibrationPlanLoader.load(path: idlePlan), settings: Self.settings)
        } throws: { error in
            (error as? Diagnostic)?.headline
                == "\(idlePlan):4:12: error: every group of the calibration's scenarios with model 'flipped-classroom' sets 'practice_effectiveness' itself, so a default would change nothing"
        }
    }

    /// Table 1 of the paper, reproduced by the shipped scenario with the shipped defaults and the
    /// study's own flipped classroom over its 50 replications: every final level share within ±3
    /// percentage points, every skill gain and the motivation gain within ±3 points
    /// (docs/MODEL.md 4).
    @Test func paperExperimentReproducesTable1AndTheGains() throws {
        let summary = try ScenarioRun.execute(path: TestPaths.scenarios + "/paper-experiment.yaml", settings: Self.settings).summary
        #expect(summary["replications"] == .integer(50))
        let expected: [(String, Double, Double)] = [
            ("groups.control.paper_levels.before.pre_intermediate", 0.68, 0.001),
            ("groups.control.paper_levels.before.intermediate", 0.22, 0.001),
            ("groups.control.paper_levels.before.upper_intermediate", 0.10, 0.001),
            ("groups.experimental.paper_levels.before.pre_intermediate", 0.70, 0.001),
            ("groups.experimental.paper_levels.before.intermediate", 0.18, 0.001),
            ("groups.experimental.paper_levels.before.upper_intermediate", 0.12, 0.001),
            ("groups.control.paper_levels.after.pre_intermediate", 0.56, 0.03),
            ("groups.control.paper_levels.after.intermediate", 0.31, 0.03),
            ("groups.control.paper_levels.after.upper_intermediate", 0.13, 0.03),
            ("groups.experimental.paper_levels.after.pre_intermediate", 0.50, 0.03),
            ("groups.experimental.paper_levels.after.intermediate", 0.32, 0.03),
            ("groups.experimental.paper_levels.after.upper_intermediate", 0.18, 0.03),
            ("gains.experimental.skills.listening", 15, 3),
            ("gains.experimental.skills.reading", 18, 3),
            ("gains.experimental.skills.writing", 10, 3),
            ("gains.experimental.skills.speaking", 9, 3),
            ("gains.experimental.motivation", 22, 3),
        ]
        for (path, target, tolerance) in expected {
            let value = try #require(Summary.statistic(path, in: summary)).mean
            #expect(abs(value - target) <= tolerance, "\(path): \(value), paper \(target) ± \(tolerance)")
        }
    }
}

/// Parses a source with the scenario's YAML reader.
enum YAMLReaderFacade {
    static func parse(_ source: ScenarioSource) throws -> YAMLNode? { try YAMLReader().parse(source.bytes) }
}
