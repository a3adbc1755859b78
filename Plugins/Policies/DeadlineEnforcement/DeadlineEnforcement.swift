import BlendSimPluginKit

/// Deadline enforcement: reminders and penalties that reduce the propensity to hand work in late
/// by `strength`.
struct DeadlineEnforcement: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "reduction of the propensity to miss deadlines")
        var strength: Double = 0.5
    }

    static let name = "deadline-enforcement"
    static let summary = "reminders and penalties that reduce late submissions"

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.deadlineEnforcement = max(conditions.deadlineEnforcement, parameters.strength)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-deadline-enforcement", version: "1.0.0", policies: [DeadlineEnforcement.self])
}
