import BlendSimPluginKit

/// Flex (4.1% of the paper's teachers): the curriculum runs mainly on an online platform; the
/// teacher is on site for support, which students attend on demand. Each week a student comes to
/// the on-site support with a probability that rises as their self-regulation and motivation fall.
struct Flex: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...3, help: "quality of the online platform's course")
        var platformEffectiveness: Double = 1.0
        @Parameter(range: 0...1, help: "share of platform work with feedback")
        var platformFeedback: Double = 0.4
        @Parameter(range: 0...3, help: "quality of on-site small-group support")
        var supportEffectiveness: Double = 1.29784
        @Parameter(range: 0...1, help: "share of on-site support work that gets feedback")
        var supportFeedback: Double = 0.8
        @Parameter(range: 0...1, help: "weekly chance of attending support, scaled by need (2 − self-regulation − motivation)")
        var supportUptake: Double = 0.6
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "flex"
    static let summary = "online platform backbone with on-site teacher support attended on demand"
    static let costs = Cost.onlineCourse
    static let decidesPerStudent = true

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        let p = parameters
        var plan: [Activity] = []
        if week.onlineMinutes > 0 {
            plan.append(Activity(.onlineAsync, minutes: week.onlineMinutes, effectiveness: p.platformEffectiveness, feedback: p.platformFeedback, submitted: true))
        }
        if week.classroomMinutes > 0 {
            plan.append(Activity(.classroom, minutes: week.classroomMinutes, effectiveness: p.supportEffectiveness, feedback: p.supportFeedback))
        }
        return plan + week.independentWork() + week.controlPointAssessment(minutes: p.assessmentMinutes)
    }

    func decide(_ week: Week, chunk: StudentChunk) throws {
        guard let support = chunk.activityIndices(where: { $0.kind == .classroom }).first else { return }
        for i in 0..<chunk.count where chunk.active[i] != 0 {
            let need = 2 - Double(chunk.selfRegulation[i]) - Double(chunk.motivation[i])
            let attends = chunk.uniform(student: i, 0) < min(1, parameters.supportUptake * need)
            chunk.setParticipation(activity: support, student: i, attends ? 1 : 0)
        }
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-flex", version: "1.0.0", models: [Flex.self])
}
