import BlendSimPluginKit

/// Online driver (4.1% of the paper's teachers): classes and courses are conducted primarily
/// online; additional, mandatory classroom classes are the regular delivery of control points.
/// The classroom share of the semester's contact time is held in control-point weeks.
struct OnlineDriver: BlendedModel {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "share of the online time in live classes")
        var liveShare: Double = 0.5
        @Parameter(range: 0...3, help: "quality of the online classes and course")
        var onlineEffectiveness: Double = 1.0
        @Parameter(range: 0...1, help: "share of online work with feedback")
        var onlineFeedback: Double = 0.35
        @Parameter(range: 0...3, help: "quality of the control-point classroom classes")
        var checkpointEffectiveness: Double = 1.2
        @Parameter(range: 0...1, help: "share of control-point class work that gets feedback")
        var checkpointFeedback: Double = 0.7
        @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
        var assessmentMinutes: Double = 60
    }

    static let name = "online-driver"
    static let summary = "mostly online teaching; mandatory classroom classes at the control points"
    static let costs = Cost.onlineCourse

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func planWeek(_ week: Week) throws -> [Activity] {
        let p = parameters
        var plan = week.onlineBlocks(
            minutes: week.onlineMinutes, liveShare: p.liveShare, effectiveness: p.onlineEffectiveness, feedback: p.onlineFeedback)
        if week.isControlPoint && week.classroomMinutes > 0 {
            let perCheckpoint = week.classroomMinutes * Double(week.weeks) / Double(max(week.controlPointCount, 1))
            plan.append(Activity(.classroom, minutes: min(perCheckpoint, 3000), effectiveness: p.checkpointEffectiveness, feedback: p.checkpointFeedback))
        }
        return plan + week.independentWork() + week.controlPointAssessment(minutes: p.assessmentMinutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-online-driver", version: "1.0.0", models: [OnlineDriver.self])
}
