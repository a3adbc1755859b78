import BlendSimPluginKit

/// The face-to-face driver: classroom teaching leads, and the online share is used for
/// recommendations, corrections and extra practice (the paper's most used model, 20.4%).
struct FaceToFaceDriver: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "share of classroom work that gets the teacher's feedback")
        var classroomFeedback: Double = 0.3
        @Parameter(range: 0...3, help: "quality of the online practice relative to a classroom lesson")
        var onlineEffectiveness: Double = 0.9
        @Parameter(range: 0...1, help: "share of online practice that gets corrections")
        var onlineFeedback: Double = 0.4
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "face-to-face-driver"
    static let summary = "classroom-led teaching; online work for recommendations, corrections and extra practice"
    static let costs = Cost.onlineCourse

    let parameters: Parameters

    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        var plan = [Activity(.classroom, minutes: week.classroomMinutes, feedback: parameters.classroomFeedback)]
        if week.onlineMinutes > 0 {
            plan.append(
                Activity(
                    .onlineAsync, minutes: week.onlineMinutes, effectiveness: parameters.onlineEffectiveness,
                    feedback: parameters.onlineFeedback, submitted: true))
        }
        return plan + week.independentWork() + week.controlPointAssessment(minutes: parameters.assessmentMinutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-face-to-face-driver", version: "1.0.0", models: [FaceToFaceDriver.self])
}
