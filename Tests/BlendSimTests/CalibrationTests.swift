import BlendSimCore
import BlendSimPluginHost
import BlendSimRunner
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
            let value = Calibrator.statistic(path, in: truth)!.mean
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

    /// Table 1 of the paper, reproduced by the shipped scenario with the shipped defaults over its
    /// 50 replications: every final level share and the motivation gain within ±3 points; the
    /// skill gains inside the intervals of the evidence base (evidence/seed-gain-*.yaml), which
    /// weighs them against the meta-analyses of the flipped classroom (docs/MODEL.md 4).
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
            ("gains.experimental.skills.listening", 15, 16.1),
            ("gains.experimental.skills.reading", 18, 16.4),
            ("gains.experimental.skills.writing", 10, 15.6),
            ("gains.experimental.skills.speaking", 9, 15.4),
            ("gains.experimental.motivation", 22, 3),
        ]
        for (path, target, tolerance) in expected {
            let value = try #require(Calibrator.statistic(path, in: summary)).mean
            #expect(abs(value - target) <= tolerance, "\(path): \(value), paper \(target) ± \(tolerance)")
        }
    }
}

/// Parses a source with the scenario's YAML reader.
enum YAMLReaderFacade {
    static func parse(_ source: ScenarioSource) throws -> YAMLNode? { try YAMLReader().parse(source.bytes) }
}
