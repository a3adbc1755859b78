import BlendSimPluginKit

/// Training with continuation (the paper's second most used model, 12.2%): contact teaching
/// begins in small groups with the teacher and continues independently on electronic resources.
struct TrainingWithContinuation: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...3, help: "quality of small-group contact teaching")
        var groupEffectiveness: Double = 0.991935
        @Parameter(range: 0...1, help: "share of small-group work that gets the teacher's feedback")
        var groupFeedback: Double = 0.5
        @Parameter(range: 0...3, help: "quality of the independent continuation on e-resources")
        var continuationEffectiveness: Double = 1.0
        @Parameter(range: 0...1, help: "share of the continuation work that is checked")
        var continuationFeedback: Double = 0.25
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "training-with-continuation"
    static let summary = "small-group contact teaching that continues independently on electronic resources"
    static let costs = Cost.onlineCourse

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        let p = parameters
        var plan = [Activity(.classroom, minutes: week.classroomMinutes, effectiveness: p.groupEffectiveness, feedback: p.groupFeedback)]
        if week.onlineMinutes > 0 {
            plan.append(
                Activity(
                    .onlineAsync, minutes: week.onlineMinutes, effectiveness: p.continuationEffectiveness,
                    feedback: p.continuationFeedback, submitted: true))
        }
        return plan + week.independentWork() + week.controlPointAssessment(minutes: p.assessmentMinutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-training-with-continuation", version: "1.0.0", models: [TrainingWithContinuation.self])
}
