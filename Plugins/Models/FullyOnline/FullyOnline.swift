import BlendSimPluginKit

/// Fully online: every contact minute is online — live classes and self-paced work — and the
/// control-point tests are taken online, unsupervised unless a policy proctors them.
struct FullyOnline: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "share of the contact time in live online classes")
        var liveShare: Double = 0.4
        @Parameter(range: 0...3, help: "quality of the online course")
        var onlineEffectiveness: Double = 1.0
        @Parameter(range: 0...1, help: "share of online work with feedback")
        var onlineFeedback: Double = 0.35
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "fully-online"
    static let summary = "all teaching online, live and self-paced; tests taken online"
    static let costs = Cost.onlineCourse

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
