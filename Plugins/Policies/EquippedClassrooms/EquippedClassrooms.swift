import BlendSimPluginKit

/// Equipped classrooms: interactive whiteboards, audio and video equipment and computers in the
/// department's classrooms make classroom activities more effective.
struct EquippedClassrooms: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "relative rise in the effectiveness of classroom activities")
        var effect: Double = 0.1
    }

    static let name = "equipped-classrooms"
    static let summary = "technical teaching aids in the classrooms"
    static let costs: [Cost] = [
        Cost(
            "equipment", .perTeacher, 20_000, currency: "KZT",
            source: "derived, as device-loans: one computer at 160,000 KZT written off over 8 semesters, per teacher's "
                + "classroom; the projector and the rest of the room are an assumption left unpriced",
            help: "technical aids in each teacher's classroom, per semester"),
    ]

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.classroomEquipment = min(3, conditions.classroomEquipment * (1 + parameters.effect))
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-equipped-classrooms", version: "1.0.0", policies: [EquippedClassrooms.self])
}
