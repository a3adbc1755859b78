import BlendSimCore
import CBlendSimABI

/// The flipped classroom with the shipped defaults, compiled into the benchmark instead of loaded
/// as a plugin: the same plan, so the difference in time is the plugin boundary's cost.
struct CompiledFlippedClassroom: ModelFactory {
    var name: String { "flipped-classroom" }
    var provider: String { "compiled in" }
    func makeInstance() throws(ComponentError) -> any ModelInstance { Instance() }

    final class Instance: ModelInstance, @unchecked Sendable {
        var decidesPerStudent: Bool { false }

        func planWeek(
            _ week: UnsafePointer<bs_week_context>, into activities: UnsafeMutableBufferPointer<bs_activity>
        ) throws(ComponentError) -> Int {
            let w = week.pointee
            let g = w.group.pointee
            let online = g.contact_minutes * g.online_share
            var plan = [
                bs_activity(kind: .onlineAsync, skills: 3, flags: UInt32(BS_FLAG_SUBMITTED), minutes: online, effectiveness: 2.99368, feedback: 0.3),
                bs_activity(kind: .classroom, minutes: g.contact_minutes - online, effectiveness: 2.64076, feedback: 0.6),
                bs_activity(kind: .siwt, minutes: g.siwt_minutes, effectiveness: 1, feedback: 0.5),
                bs_activity(kind: .siw, flags: UInt32(BS_FLAG_SUBMITTED), minutes: g.siw_minutes, effectiveness: 1, feedback: 0.2),
            ]
            if w.is_control_point != 0 { plan.append(bs_activity(kind: .assessment, minutes: 60, effectiveness: 1, feedback: 0.5)) }
            for (index, activity) in plan.enumerated() { activities[index] = activity }
            return plan.count
        }

        func decide(_ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>) throws(ComponentError) {}
    }
}
