import BlendSimPluginKit

/// Self-blend (4.1% of the paper's teachers): students choose to take an online course in
/// addition to their classes. All contact time is in the classroom; the optional online course
/// adds `online_share` × contact time. Each student decides once, at the start of the semester,
/// with a probability that grows with motivation, digital competence and having a PC.
struct SelfBlend: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "scales the chance of choosing the online course: uptake · (0.5·motivation + 0.3·digital competence + 0.2·PC)")
        var uptake: Double = 0.8
        @Parameter(range: 0...3, help: "quality of the optional online course")
        var courseEffectiveness: Double = 1.02917
        @Parameter(range: 0...1, help: "share of the course work with feedback")
        var courseFeedback: Double = 0.3
        @Parameter(range: 0...1, help: "share of classroom work that gets the teacher's feedback")
        var classroomFeedback: Double = 0.3
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "self-blend"
    static let summary = "classroom teaching plus optional online courses that students choose themselves"
    static let costs = Cost.onlineCourse
    static let decidesPerStudent = true

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        let p = parameters
        var plan = [Activity(.classroom, minutes: week.group.contactMinutes, feedback: p.classroomFeedback)]
        if week.onlineMinutes > 0 {
            plan.append(Activity(.onlineAsync, minutes: week.onlineMinutes, effectiveness: p.courseEffectiveness, feedback: p.courseFeedback, submitted: true))
        }
        return plan + week.independentWork() + week.controlPointAssessment(minutes: p.assessmentMinutes)
    }

    func decide(_ week: Week, chunk: StudentChunk) throws {
        guard let course = chunk.activityIndices(where: { $0.kind == .onlineAsync }).first else { return }
        for i in 0..<chunk.count where chunk.active[i] != 0 {
            let pull = 0.5 * Double(chunk.motivation[i]) + 0.3 * Double(chunk.digitalCompetence[i])
                + 0.2 * Double(chunk.deviceAccess[i])
            let chooses = chunk.semesterUniform(student: i, 0) < parameters.uptake * pull
            chunk.setParticipation(activity: course, student: i, chooses ? 1 : 0)
        }
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-self-blend", version: "1.0.0", models: [SelfBlend.self])
}
