import BlendSimPluginKit

/// Classroom teaching only: the paper's control group.
///
/// Every teaching minute is a classroom lesson covering all four skills; independent work (SIWT,
/// SIW) and control-point tests as the scenario's hours give them. See docs/MODEL.md.
struct Traditional: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "share of classroom work that gets the teacher's feedback")
        var classroomFeedback: Double = 0.3
        @Parameter(range: 0...1, help: "share of independent work (SIW) that gets feedback")
        var homeworkFeedback: Double = 0.2
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "traditional"
    static let summary = "classroom teaching only (the paper's control group)"

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
