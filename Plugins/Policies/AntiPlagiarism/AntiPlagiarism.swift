import BlendSimPluginKit

/// Anti-plagiarism checks and proctoring of online work: an attempt to copy submitted work or an
/// online test is caught and prevented with probability `detection`.
struct AntiPlagiarism: Policy {
    struct Parameters: Decodable, Sendable { var detection: Double }

    static let name = "anti-plagiarism"
    static let summary = "plagiarism checks and proctoring that catch copied online work"
    static let parameters: [ParameterSpec] = [
        .number("detection", default: 0.6, range: 0...1, help: "chance that a copying attempt is caught and prevented"),
    ]

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
