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
    static let costs: [Cost] = [
        Cost(
            "licence", .perStudent, 550, currency: "KZT",
            source: "derived: the California State University system spent over $1.1 M on Turnitin in 2025 (The Markup / "
                + "CalMatters, 26 June 2025) for about 460,000 students, about $2.4 per student a year; half for a semester, "
                + "at 455.69 KZT per USD (National Bank of Kazakhstan, 14 December 2023); no price of StrikePlagiarism or "
                + "Antiplagiat in Kazakhstan was found",
            help: "text-matching licence, per student and semester"),
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
