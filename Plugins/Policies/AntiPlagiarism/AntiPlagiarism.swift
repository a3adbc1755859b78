import BlendSimPluginKit

/// Anti-plagiarism checks and proctoring of online work: an attempt to copy submitted work or an
/// online test is caught and prevented with probability `detection`.
struct AntiPlagiarism: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "chance that a copying attempt is caught and prevented")
        var detection: Double = 0.6
    }

    static let name = "anti-plagiarism"
    static let summary = "plagiarism checks and proctoring that catch copied online work"

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.integrityEnforcement = max(conditions.integrityEnforcement, parameters.detection)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-anti-plagiarism", version: "1.0.0", policies: [AntiPlagiarism.self])
}
