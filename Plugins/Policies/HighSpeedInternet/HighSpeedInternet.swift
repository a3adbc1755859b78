import BlendSimPluginKit

/// High-speed internet: campus Wi-Fi and subsidised connections raise every student's
/// connectivity to at least `floor`.
struct HighSpeedInternet: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "connectivity every student has at least")
        var floor: Double = 0.8
    }

    static let name = "high-speed-internet"
    static let summary = "campus and subsidised internet that lifts poor connections"
    static let costs: [Cost] = [
        Cost(
            "data", .perStudent, 5_000, currency: "KZT",
            source: "derived: Kcell's 'Yearly Internet+' plan, 20 GB a month for 14,970 KZT a year (kcell.kz, date not "
                + "shown), about 1,250 KZT a month, for the four months of a semester; mobile data in Kazakhstan cost "
                + "$0.41 per GB in 2023 (Cable.co.uk)",
            help: "a data plan for each student, per semester"),
    ]

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.connectivityFloor = max(conditions.connectivityFloor, parameters.floor)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-high-speed-internet", version: "1.0.0", policies: [HighSpeedInternet.self])
}
