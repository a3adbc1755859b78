import BlendSimPluginKit

/// Fully online: every contact minute is online — live classes and self-paced work — and the
/// control-point tests are taken online, unsupervised unless a policy proctors them.
struct FullyOnline: BlendedModel {
    struct Parameters: Decodable, Sendable {
        var liveShare: Double
        var onlineEffectiveness: Double
        var onlineFeedback: Double
        var assessmentMinutes: Double
    }

    static let name = "fully-online"
    static let summary = "all teaching online, live and self-paced; tests taken online"
    static let parameters: [ParameterSpec] = [
        .number("live_share", default: 0.4, range: 0...1, help: "share of the contact time in live online classes"),
        .number("online_effectiveness", default: 1.0, range: 0...3, help: "quality of the online course"),
        .number("online_feedback", default: 0.35, range: 0...1, help: "share of online work with feedback"),
        .number("assessment_minutes", default: 60, range: 0...600, unit: "min", help: "length of a control-point test"),
    ]

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        guard week.group.onlineShare == 1 else {
            throw PluginError("fully online teaching has no classroom time, but online_share is \(week.group.onlineShare); set it to 1")
        }
        let p = parameters
        return week.onlineBlocks(
            minutes: week.group.contactMinutes, liveShare: p.liveShare, effectiveness: p.onlineEffectiveness,
            feedback: p.onlineFeedback) + week.independentWork() + week.controlPointAssessment(minutes: p.assessmentMinutes, online: true)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-fully-online", version: "1.0.0", models: [FullyOnline.self])
}
