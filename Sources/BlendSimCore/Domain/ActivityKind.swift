public import CBlendSimABI

/// The kinds of learning activity a model can plan, mirroring `BS_ACTIVITY_*` in the ABI.
public enum ActivityKind: UInt32, CaseIterable, Sendable {
    case classroom = 0
    case onlineSync = 1
    case onlineAsync = 2
    case siw = 3
    case siwt = 4
    case assessment = 5

    /// The name used in docs and results.
    public var name: String {
        switch self {
        case .classroom: "classroom"
        case .onlineSync: "online_sync"
        case .onlineAsync: "online_async"
        case .siw: "siw"
        case .siwt: "siwt"
        case .assessment: "assessment"
        }
    }

    /// Whether the activity needs a device and an internet connection.
    public var isOnline: Bool { self == .onlineSync || self == .onlineAsync }
}

extension bs_activity {
    /// An activity with the ABI's field order spelled out.
    public init(
        kind: ActivityKind, skills: UInt32 = UInt32(BS_SKILL_ALL), flags: UInt32 = 0,
        minutes: Double, effectiveness: Double = 1, feedback: Double = 0
    ) {
        self.init(
            kind: kind.rawValue, skills: skills, flags: flags, reserved: 0, minutes: minutes,
            effectiveness: effectiveness, feedback: feedback)
    }

    /// Led by a teacher, who is paid for its minutes (docs/COSTS.md): classroom teaching, live
    /// online sessions, independent work with a teacher, and tests not taken online.
    var isTeacherLed: Bool {
        switch kind {
        case ActivityKind.classroom.rawValue, ActivityKind.onlineSync.rawValue, ActivityKind.siwt.rawValue: true
        case ActivityKind.assessment.rawValue: flags & UInt32(BS_FLAG_ONLINE) == 0
        default: false
        }
    }

    /// Self-paced online work: material someone has to make (live online sessions are led by a
    /// teacher and counted as contact).
    var isOnlineWork: Bool { kind == ActivityKind.onlineAsync.rawValue }
}

extension bs_conditions {
    /// The conditions every week starts from, before policies change them.
    public static var defaults: bs_conditions {
        bs_conditions(
            struct_size: UInt32(MemoryLayout<bs_conditions>.size), reserved: 0,
            online_quality: 1, feedback_quality: 1, feedback_channel: 0,
            integrity_enforcement: 0, deadline_enforcement: 0, device_loan_share: 0,
            connectivity_floor: 0, classroom_equipment: 1, extra_siw_minutes: 0,
            motivation_support: 0)
    }
}
