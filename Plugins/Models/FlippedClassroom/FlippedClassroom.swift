import BlendSimPluginKit

/// The flipped classroom, the paper's experimental condition: content (lecture materials,
/// presentations, listening and reading input) is studied online before class, at the student's
/// own pace; class time goes to active practice with the teacher's feedback.
struct FlippedClassroom: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...3, help: "quality of the self-paced pre-class content (receptive skills)")
        var contentEffectiveness: Double = 0.770307
        @Parameter(range: 0...1, help: "share of pre-class work checked by quizzes")
        var contentFeedback: Double = 0.3
        @Parameter(range: 0...3, help: "quality of in-class active practice relative to a lecture-style lesson")
        var practiceEffectiveness: Double = 0.951912
        @Parameter(range: 0...1, help: "share of in-class practice that gets the teacher's feedback")
        var practiceFeedback: Double = 0.6
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "flipped-classroom"
    static let summary = "content online before class, class time for active practice and feedback"
    static let costs = Cost.onlineCourse

    let parameters: Parameters

    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        // With online_share 0 there is no pre-class content: class time is active practice only.
        let content = week.onlineMinutes > 0
            ? [Activity(
                .onlineAsync, minutes: week.onlineMinutes, skills: .receptive,
                effectiveness: parameters.contentEffectiveness, feedback: parameters.contentFeedback, submitted: true)]
            : []
        return content + [
            Activity(
                .classroom, minutes: week.classroomMinutes, effectiveness: parameters.practiceEffectiveness,
                feedback: parameters.practiceFeedback),
        ] + week.independentWork() + week.controlPointAssessment(minutes: parameters.assessmentMinutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-flipped-classroom", version: "1.0.0", models: [FlippedClassroom.self])
}
