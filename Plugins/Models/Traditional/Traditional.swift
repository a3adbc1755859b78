import BlendSimPluginKit

/// Classroom teaching only: the paper's control group.
///
/// Every teaching minute is a classroom lesson covering all four skills; independent work (SIWT,
/// SIW) and control-point tests as the scenario's hours give them. See docs/MODEL.md.
struct Traditional: BlendedModel {
    struct Parameters: Decodable, Sendable {
        var classroomFeedback: Double
        var homeworkFeedback: Double
        var assessmentMinutes: Double
    }

    static let name = "traditional"
    static let summary = "classroom teaching only (the paper's control group)"
    static let parameters: [ParameterSpec] = [
        .number("classroom_feedback", default: 0.3, range: 0...1, help: "share of classroom work that gets the teacher's feedback"),
        .number("homework_feedback", default: 0.2, range: 0...1, help: "share of independent work (SIW) that gets feedback"),
        .number("assessment_minutes", default: 60, range: 0...600, unit: "min", help: "length of a control-point test"),
    ]

    let parameters: Parameters

    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        guard week.group.onlineShare == 0 else {
            throw PluginError(
                "traditional teaching has no online time, but online_share is \(week.group.onlineShare); set it to 0 or choose a blended model")
        }
        return [Activity(.classroom, minutes: week.group.contactMinutes, feedback: parameters.classroomFeedback)]
            + week.independentWork(siwFeedback: parameters.homeworkFeedback)
            + week.controlPointAssessment(minutes: parameters.assessmentMinutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-traditional", version: "1.0.0", models: [Traditional.self])
}
