import BlendSimPluginKit

/// Enriched virtual: students do most of the course remotely — live online classes and
/// self-paced work — and meet the teacher in person in required sessions every few weeks. The
/// classroom share of contact time is concentrated into those sessions.
struct EnrichedVirtual: BlendedModel {
    struct Parameters: Decodable, Sendable {
        var sessionInterval: Int
        var liveShare: Double
        var onlineEffectiveness: Double
        var onlineFeedback: Double
        var sessionEffectiveness: Double
        var sessionFeedback: Double
        var assessmentMinutes: Double
    }

    static let name = "enriched-virtual"
    static let summary = "mostly remote study with required in-person sessions every few weeks"
    static let parameters: [ParameterSpec] = [
        .integer("session_interval", default: 2, range: 1...8, unit: "weeks", help: "weeks between in-person sessions"),
        .number("live_share", default: 0.3, range: 0...1, help: "share of the online time in live sessions"),
        .number("online_effectiveness", default: 1.0, range: 0...3, help: "quality of the online course"),
        .number("online_feedback", default: 0.4, range: 0...1, help: "share of online work with feedback"),
        .number("session_effectiveness", default: 1.3, range: 0...3, help: "quality of the in-person sessions"),
        .number("session_feedback", default: 0.7, range: 0...1, help: "share of session work that gets feedback"),
        .number("assessment_minutes", default: 60, range: 0...600, unit: "min", help: "length of a control-point test"),
    ]

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        let p = parameters
        var plan = week.onlineBlocks(
            minutes: week.onlineMinutes, liveShare: p.liveShare, effectiveness: p.onlineEffectiveness, feedback: p.onlineFeedback)
        if week.classroomMinutes > 0 && week.number % p.sessionInterval == 0 {
            plan.append(Activity(
                .classroom, minutes: min(week.classroomMinutes * Double(p.sessionInterval), 3000),
                effectiveness: p.sessionEffectiveness, feedback: p.sessionFeedback))
        }
        return plan + week.independentWork() + week.controlPointAssessment(minutes: p.assessmentMinutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-enriched-virtual", version: "1.0.0", models: [EnrichedVirtual.self])
}
