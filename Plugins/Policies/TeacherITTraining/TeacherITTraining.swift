import BlendSimPluginKit
import Glibc

/// Teacher IT training: regular professional development (courses, seminars, workshops) raises
/// the quality of the teachers' online activities over the weeks of the semester:
/// online_quality × (1 + gain · (1 − exp(−(week − 1) / weeks_to_effect))).
struct TeacherITTraining: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...2, help: "full rise in the quality of online activities")
        var gain: Double = 0.508821
        @Parameter(range: 0.1...52, unit: "weeks", help: "time constant of the rise")
        var weeksToEffect: Double = 4
    }

    static let name = "teacher-it-training"
    static let summary = "professional development that raises the quality of online teaching over the weeks"
    static let costs: [Cost] = [
        Cost(
            "training_time", .perTeacher, teacherHours: 36,
            source: "assumption: a 36-hour course per teacher, paid at the teacher hour; no per-teacher cost of IT training "
                + "in Kazakhstan was found (workshops elsewhere cost $8–181 per teacher-day besides the teachers' time: "
                + "International Rescue Committee, Cost efficiency: teacher professional development)",
            help: "the teachers' time in training, per teacher and semester"),
    ]

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        let progress = 1 - exp(-Double(week.number - 1) / parameters.weeksToEffect)
        conditions.onlineQuality = min(3, conditions.onlineQuality * (1 + parameters.gain * progress))
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-teacher-it-training", version: "1.0.0", policies: [TeacherITTraining.self])
}
