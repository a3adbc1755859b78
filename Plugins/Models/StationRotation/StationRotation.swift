import BlendSimPluginKit

/// Station rotation: within class time students rotate between a teacher-led station, a peer
/// practice station and an online station on the classroom's computers. The online station's
/// share of class time is the group's `online_share`.
struct StationRotation: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "share of the offline class time at the teacher-led station")
        var teacherShare: Double = 0.5
        @Parameter(range: 0...3, help: "quality of small-group teaching at the teacher station")
        var teacherEffectiveness: Double = 0.528261
        @Parameter(range: 0...1, help: "share of teacher-station work that gets feedback")
        var teacherFeedback: Double = 0.7
        @Parameter(range: 0...3, help: "quality of peer practice (speaking and writing)")
        var peerEffectiveness: Double = 0.9
        @Parameter(range: 0...3, help: "quality of the online station's exercises")
        var onlineEffectiveness: Double = 1.0
        @Parameter(range: 0...1, help: "share of online-station work with automatic feedback")
        var onlineFeedback: Double = 0.6
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "station-rotation"
    static let summary = "class time rotates between teacher-led, peer-practice and online stations"
    static let costs = Cost.onlineCourse

    let parameters: Parameters

    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        let p = parameters
        var plan = [
            Activity(
                .classroom, minutes: week.classroomMinutes * p.teacherShare, effectiveness: p.teacherEffectiveness,
                feedback: p.teacherFeedback),
            Activity(
                .classroom, minutes: week.classroomMinutes * (1 - p.teacherShare), skills: .productive,
                effectiveness: p.peerEffectiveness, feedback: 0.2),
        ]
        if week.onlineMinutes > 0 {
            plan.append(
                Activity(
                    .onlineAsync, minutes: week.onlineMinutes, effectiveness: p.onlineEffectiveness,
                    feedback: p.onlineFeedback, onCampus: true))
        }
        return plan.filter { $0.minutes > 0 } + week.independentWork()
            + week.controlPointAssessment(minutes: p.assessmentMinutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-station-rotation", version: "1.0.0", models: [StationRotation.self])
}
