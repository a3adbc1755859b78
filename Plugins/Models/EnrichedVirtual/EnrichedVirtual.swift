import BlendSimPluginKit

/// Enriched virtual: students do most of the course remotely — live online classes and
/// self-paced work — and meet the teacher in person in required sessions every few weeks. The
/// classroom share of contact time is concentrated into those sessions.
struct EnrichedVirtual: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 1...8, unit: "weeks", help: "weeks between in-person sessions")
        var sessionInterval: Int = 2
        @Parameter(range: 0...1, help: "share of the online time in live sessions")
        var liveShare: Double = 0.3
        @Parameter(range: 0...3, help: "quality of the online course")
        var onlineEffectiveness: Double = 1.0
        @Parameter(range: 0...1, help: "share of online work with feedback")
        var onlineFeedback: Double = 0.4
        @Parameter(range: 0...3, help: "quality of the in-person sessions")
        var sessionEffectiveness: Double = 0.956543
        @Parameter(range: 0...1, help: "share of session work that gets feedback")
        var sessionFeedback: Double = 0.7
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "enriched-virtual"
    static let summary = "mostly remote study with required in-person sessions every few weeks"
    static let costs = Cost.onlineCourse

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
