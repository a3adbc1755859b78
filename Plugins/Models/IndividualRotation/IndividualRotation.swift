import BlendSimPluginKit

/// Individual rotation: each student follows their own schedule between teacher-led work and
/// online stations on campus. Students who need more support — low self-regulation, low level —
/// get more of the teacher's time; the others more online work. Total time stays the group's.
struct IndividualRotation: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "how far schedules move towards a student's needs (0: everyone alike)")
        var personalization: Double = 0.6
        @Parameter(range: 0...3, help: "quality of teacher-led work")
        var teacherEffectiveness: Double = 0.587207
        @Parameter(range: 0...1, help: "share of teacher-led work that gets feedback")
        var teacherFeedback: Double = 0.6
        @Parameter(range: 0...3, help: "quality of the online stations")
        var onlineEffectiveness: Double = 1.0
        @Parameter(range: 0...1, help: "share of online-station work with automatic feedback")
        var onlineFeedback: Double = 0.5
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "individual-rotation"
    static let summary = "per-student schedules between teacher-led and online stations, set by each student's needs"
    static let costs = Cost.onlineCourse
    static let decidesPerStudent = true

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        let p = parameters
        var plan: [Activity] = []
        if week.classroomMinutes > 0 {
            plan.append(Activity(.classroom, minutes: week.classroomMinutes, effectiveness: p.teacherEffectiveness, feedback: p.teacherFeedback))
        }
        if week.onlineMinutes > 0 {
            plan.append(Activity(.onlineAsync, minutes: week.onlineMinutes, effectiveness: p.onlineEffectiveness, feedback: p.onlineFeedback, onCampus: true))
        }
        return plan + week.independentWork() + week.controlPointAssessment(minutes: p.assessmentMinutes)
    }

    /// Need n ∈ [0, 1] from self-regulation and level; the teacher share of student i's contact
    /// time is s = ρ̄ · (1 + personalization · (2n − 1)), clamped so no multiplier exceeds 8.
    func decide(_ week: Week, chunk: StudentChunk) throws {
        let rho = week.group.onlineShare
        guard rho > 0 && rho < 1 else { return }
        let classroom = chunk.activityIndices { $0.kind == .classroom }
        let online = chunk.activityIndices { $0.kind == .onlineAsync && $0.onCampus }
        guard let c = classroom.first, let o = online.first else { return }
        let base = 1 - rho
        let low = max(0, 1 - 8 * rho)
        let high = min(1, 8 * base)
        for i in 0..<chunk.count where chunk.active[i] != 0 {
            let level = min(max((Double(chunk.overall(student: i)) - 120) / 60, 0), 1)
            let need = 0.5 * (1 - Double(chunk.selfRegulation[i])) + 0.5 * (1 - level)
            let share = min(max(base * (1 + parameters.personalization * (2 * need - 1)), low), high)
            chunk.setParticipation(activity: c, student: i, Float(share / base))
            chunk.setParticipation(activity: o, student: i, Float((1 - share) / rho))
        }
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-individual-rotation", version: "1.0.0", models: [IndividualRotation.self])
}
