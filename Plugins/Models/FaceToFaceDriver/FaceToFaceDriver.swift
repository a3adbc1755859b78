import BlendSimPluginKit

/// The face-to-face driver: classroom teaching leads, and the online share is used for
/// recommendations, corrections and extra practice (the paper's most used model, 20.4%).
struct FaceToFaceDriver: BlendedModel {
    struct Parameters: Decodable, Sendable {
        var classroomFeedback: Double
        var onlineEffectiveness: Double
        var onlineFeedback: Double
        var assessmentMinutes: Double
    }

    static let name = "face-to-face-driver"
    static let summary = "classroom-led teaching; online work for recommendations, corrections and extra practice"
    static let parameters: [ParameterSpec] = [
        .number("classroom_feedback", default: 0.3, range: 0...1, help: "share of classroom work that gets the teacher's feedback"),
        .number("online_effectiveness", default: 0.9, range: 0...3, help: "quality of the online practice relative to a classroom lesson"),
        .number("online_feedback", default: 0.4, range: 0...1, help: "share of online practice that gets corrections"),
        .number("assessment_minutes", default: 60, range: 0...600, unit: "min", help: "length of a control-point test"),
    ]

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
