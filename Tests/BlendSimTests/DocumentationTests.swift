import BlendSimCore
import Foundation
import Testing

/// The docs are part of the feature: these tests keep their tables in step with the code.
@Suite("Documentation")
struct DocumentationTests {
    func read(_ name: String) throws -> String { try String(contentsOfFile: TestPaths.root + "/docs/" + name, encoding: .utf8) }

    @Test func modelDocumentsEveryKernelParameterWithItsDefault() throws {
        let model = try read("MODEL.md")
        let defaults = KernelParameters()
        for info in KernelParameters.catalog {
            let row = "| `\(info.key)` | \(defaults[keyPath: info.keyPath]) | \(Self.number(info.range.lowerBound)) … \(Self.number(info.range.upperBound)) | \(info.unit) |"
            #expect(model.contains(row), "MODEL.md lacks or misstates: \(row)")
        }
    }

    @Test func scenarioDocumentsEveryKey() throws {
        let scenario = try read("SCENARIO.md")
        for key in ["name", "description", "include", "seed", "replications", "semester", "population", "kernel",
                    "model_defaults", "policy_defaults", "baseline", "groups", "weeks", "control_points", "students",
                    "levels", "model", "online_share", "hours", "students_per_teacher", "policies", "contact", "siwt",
                    "siw", "motivation", "self_regulation", "digital_competence", "device_access", "connectivity",
                    "integrity", "skill_spread", "aptitude_sd"] {
            #expect(scenario.contains("`\(key)`"), "SCENARIO.md does not document '\(key)'")
        }
    }

    @Test func resultsDocumentEveryWeeklyMetric() throws {
        let results = try read("RESULTS.md")
        for metric in ["listening", "overall_sd_students", "active_share", "online_minutes", "measured_score",
                       "share_BAND", "level_up_SKILL", "digital_competence", "teacher_load", "without_device_share"] {
            #expect(results.contains("`\(metric)`"), "RESULTS.md does not document weekly metric '\(metric)'")
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : "\(value)"
    }
}
