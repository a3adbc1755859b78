import BlendSimPluginKit

/// More hours of students' independent work: adds `minutes` of submitted independent work (SIW)
/// to every week.
struct MoreSIW: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1200, unit: "min/week", help: "independent work added per week")
        var minutes: Double = 60
    }

    static let name = "more-siw"
    static let summary = "more hours of students' independent work"

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.extraSIWMinutes = min(3000, conditions.extraSIWMinutes + parameters.minutes)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-more-siw", version: "1.0.0", policies: [MoreSIW.self])
}
