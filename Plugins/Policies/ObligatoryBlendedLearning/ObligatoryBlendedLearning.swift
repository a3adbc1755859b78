import BlendSimPluginKit

/// Obligatory use of blended learning: a university-wide rule, with electronic courses checked
/// against one methodological standard and online work a regular, required part of every course.
/// The standard raises the quality of online activities (`standardisation`); the regularity acts
/// like a mild deadline discipline (`regularity`) and a steady pull on motivation (`routine`).
struct ObligatoryBlendedLearning: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "relative rise in the quality of online activities from checked e-courses")
        var standardisation: Double = 0.1
        @Parameter(range: 0...1, help: "reduction of the propensity to miss deadlines from required, regular online work")
        var regularity: Double = 0.2
        @Parameter(range: 0...1, help: "motivation support from a familiar routine")
        var routine: Double = 0.1
    }

    static let name = "obligatory-blended-learning"
    static let summary = "blended learning required university-wide, with standardised e-courses"
    static let costs: [Cost] = [
        Cost(
            "course_review", .perOnlineHour, teacherHours: 2,
            source: "assumption: checking an e-course against the standard takes 2 teacher hours per hour of self-paced "
                + "material; no measured figure was found",
            help: "checking the e-courses, per hour of self-paced material"),
    ]

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.onlineQuality = min(3, conditions.onlineQuality * (1 + parameters.standardisation))
        conditions.deadlineEnforcement = max(conditions.deadlineEnforcement, parameters.regularity)
        conditions.motivationSupport = min(1, conditions.motivationSupport + parameters.routine)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-obligatory-blended-learning", version: "1.0.0", policies: [ObligatoryBlendedLearning.self])
}
