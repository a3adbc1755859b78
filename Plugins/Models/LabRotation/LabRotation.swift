import BlendSimPluginKit

/// Lab rotation: students rotate between the classroom and a computer lab on campus, where they
/// work online under supervision on the institution's computers and network.
struct LabRotation: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "share of classroom work that gets the teacher's feedback")
        var classroomFeedback: Double = 0.3
        @Parameter(range: 0...3, help: "quality of the lab's online exercises")
        var labEffectiveness: Double = 0.858182
        @Parameter(range: 0...1, help: "share of lab work with automatic or supervisor feedback")
        var labFeedback: Double = 0.5
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "lab-rotation"
    static let summary = "rotation between the classroom and supervised online work in a campus computer lab"
    static let costs = Cost.onlineCourse

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        let p = parameters
        var plan = [Activity(.classroom, minutes: week.classroomMinutes, feedback: p.classroomFeedback)]
        if week.onlineMinutes > 0 {
            plan.append(
                Activity(.onlineAsync, minutes: week.onlineMinutes, effectiveness: p.labEffectiveness, feedback: p.labFeedback, onCampus: true))
        }
        return plan.filter { $0.minutes > 0 } + week.independentWork() + week.controlPointAssessment(minutes: p.assessmentMinutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-lab-rotation", version: "1.0.0", models: [LabRotation.self])
}
