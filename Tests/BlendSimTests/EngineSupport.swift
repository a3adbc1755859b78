import BlendSimCore
import CBlendSimABI

/// A model compiled into the tests: a fixed weekly plan, optionally with per-student
/// participation that halves online work for students without a PC.
struct FixedPlanModel: ModelFactory {
    var activities: [bs_activity]
    var perStudent = false
    var name: String { "fixed-plan" }
    var provider: String { "tests" }

    func makeInstance() throws(ComponentError) -> any ModelInstance {
        FixedPlanInstance(activities: activities, perStudent: perStudent)
    }
}

final class FixedPlanInstance: ModelInstance, @unchecked Sendable {
    let activities: [bs_activity]
    let perStudent: Bool

    init(activities: [bs_activity], perStudent: Bool) {
        self.activities = activities
        self.perStudent = perStudent
    }

    var decidesPerStudent: Bool { perStudent }

    func planWeek(
        _ week: UnsafePointer<bs_week_context>, into buffer: UnsafeMutableBufferPointer<bs_activity>
    ) throws(ComponentError) -> Int {
        for (index, activity) in activities.enumerated() { buffer[index] = activity }
        return activities.count
    }

    func decide(_ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>) throws(ComponentError) {
        let c = chunk.pointee
        for a in 0..<Int(c.activity_count) where ActivityKind(rawValue: c.activities[a].kind)?.isOnline == true {
            for i in 0..<Int(c.count) where c.device_access[i] == 0 {
                c.participation[a * Int(c.count) + i] = 0.5
            }
        }
    }
}

/// A policy compiled into the tests that sets one condition every week.
struct SetConditionPolicy: PolicyFactory {
    var name: String { "set-condition" }
    var provider: String { "tests" }
    var apply: @Sendable (inout bs_conditions) -> Void

    func makeInstance() throws(ComponentError) -> any PolicyInstance { SetConditionInstance(apply: apply) }
}

final class SetConditionInstance: PolicyInstance, @unchecked Sendable {
    let apply: @Sendable (inout bs_conditions) -> Void
    init(apply: @escaping @Sendable (inout bs_conditions) -> Void) { self.apply = apply }
    var adjustsPerStudent: Bool { false }
    func beginWeek(_ week: UnsafeMutablePointer<bs_week_context>) throws(ComponentError) {
        apply(&week.pointee.conditions.pointee)
    }
    func adjust(_ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>) throws(ComponentError) {}
}

/// A typical blended week: classroom, online practice, SIWT, submitted SIW.
let typicalWeek: [bs_activity] = [
    bs_activity(kind: .classroom, minutes: 150, effectiveness: 1, feedback: 0.3),
    bs_activity(kind: .onlineAsync, flags: UInt32(BS_FLAG_SUBMITTED), minutes: 90, effectiveness: 1, feedback: 0.3),
    bs_activity(kind: .siwt, minutes: 60, effectiveness: 1, feedback: 0.5),
    bs_activity(kind: .siw, flags: UInt32(BS_FLAG_SUBMITTED), minutes: 180, effectiveness: 1, feedback: 0.2),
]

func group(
    _ name: String = "g", students: Int = 400, activities: [bs_activity] = typicalWeek, perStudent: Bool = false,
    policies: [any PolicyFactory] = [], population: PopulationSpec = PopulationSpec()
) -> GroupSpec {
    GroupSpec(
        name: name, students: students, levelShares: [0.05, 0.5, 0.3, 0.15, 0, 0], onlineShare: 0.4,
        contactMinutes: 240, siwtMinutes: 60, siwMinutes: 180, population: population,
        model: FixedPlanModel(activities: activities, perStudent: perStudent), policies: policies)
}

func spec(_ groups: [GroupSpec], seed: UInt64 = 42, replications: Int = 3, weeks: Int = 15, kernel: KernelParameters = KernelParameters()) -> SimulationSpec {
    SimulationSpec(seed: seed, replications: replications, weeks: weeks, controlPoints: [8, weeks], groups: groups, kernel: kernel)
}
