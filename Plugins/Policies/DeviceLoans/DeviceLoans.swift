import BlendSimPluginKit

/// Device loans: the university lends a computer to a share of the students who have no
/// personal PC (the same students all semester).
struct DeviceLoans: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "share of students without a PC who get a loaned one")
        var share: Double = 0.8
    }

    static let name = "device-loans"
    static let summary = "loaned computers for students without a personal PC"
    static let costs: [Cost] = [
        Cost(
            "device", .perLoanedDevice, 20_000, currency: "KZT",
            source: "derived: Kazakh regional purchases of computers for students in 2020 came to 153,000–171,000 KZT a "
                + "device (Kazinform, 24 September 2020; Kursiv, 13 August 2020), here 160,000, written off over the "
                + "4-year refresh of the FCC's Project RED cost model: 8 semesters",
            help: "a lent computer, per student lent one and semester"),
    ]

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.deviceLoanShare = max(conditions.deviceLoanShare, parameters.share)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-device-loans", version: "1.0.0", policies: [DeviceLoans.self])
}
