public import CBlendSimABI

/// The contract a planned activity must meet (see docs/PLUGINS.md).
public enum ActivityCheck {
    /// Why `activity` breaks the contract, or nil.
    public static func problem(in activity: bs_activity) -> String? {
        guard ActivityKind(rawValue: activity.kind) != nil else {
            return "unknown kind \(activity.kind)"
        }
        guard activity.skills & ~UInt32(BS_SKILL_ALL) == 0 else {
            return "skills mask \(activity.skills) has bits beyond the four skills"
        }
        guard activity.minutes.isFinite, (0...3000).contains(activity.minutes) else {
            return "minutes \(activity.minutes) is outside [0, 3000]"
        }
        guard activity.effectiveness.isFinite, (0...3).contains(activity.effectiveness) else {
            return "effectiveness \(activity.effectiveness) is outside [0, 3]"
        }
        guard activity.feedback.isFinite, (0...1).contains(activity.feedback) else {
            return "feedback \(activity.feedback) is outside [0, 1]"
        }
        return nil
    }
}

/// The contract the week's conditions must meet after each policy.
public enum ConditionsCheck {
    /// Whether two sets of conditions are the same bit for bit (NaN included).
    public static func identical(_ a: bs_conditions, _ b: bs_conditions) -> Bool {
        withUnsafeBytes(of: a) { x in
            withUnsafeBytes(of: b) { y in
                // Word by word (the struct's size is a multiple of 8), then any bytes left.
                var offset = 0
                while offset + 8 <= x.count {
                    if x.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != y.loadUnaligned(fromByteOffset: offset, as: UInt64.self) {
                        return false
                    }
                    offset += 8
                }
                while offset < x.count {
                    if x[offset] != y[offset] { return false }
                    offset += 1
                }
                return true
            }
        }
    }

    public static func problem(in c: bs_conditions) -> String? {
        // Every value in range (the usual case) is told without building anything.
        func fits(_ value: Double, _ high: Double) -> Bool { value.isFinite && value >= 0 && value <= high }
        if fits(c.online_quality, 3) && fits(c.feedback_quality, 3) && fits(c.feedback_channel, 1)
            && fits(c.integrity_enforcement, 1) && fits(c.deadline_enforcement, 1) && fits(c.device_loan_share, 1)
            && fits(c.connectivity_floor, 1) && fits(c.classroom_equipment, 3) && fits(c.extra_siw_minutes, 3000)
            && fits(c.motivation_support, 1)
        {
            return nil
        }
        let fields: [(String, Double, ClosedRange<Double>)] = [
            ("online_quality", c.online_quality, 0...3),
            ("feedback_quality", c.feedback_quality, 0...3),
            ("feedback_channel", c.feedback_channel, 0...1),
            ("integrity_enforcement", c.integrity_enforcement, 0...1),
            ("deadline_enforcement", c.deadline_enforcement, 0...1),
            ("device_loan_share", c.device_loan_share, 0...1),
            ("connectivity_floor", c.connectivity_floor, 0...1),
            ("classroom_equipment", c.classroom_equipment, 0...3),
            ("extra_siw_minutes", c.extra_siw_minutes, 0...3000),
            ("motivation_support", c.motivation_support, 0...1),
        ]
        for (name, value, range) in fields where !(value.isFinite && range.contains(value)) {
            return "condition \(name) = \(value) is outside [\(range.lowerBound), \(range.upperBound)]"
        }
        return nil
    }
}
