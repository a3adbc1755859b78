public import BlendSimCore

/// Lossless JSON for one group's outcome in one replication, so shards written by different
/// processes merge into exactly the figures of a single run: every number is written as the
/// shortest text that reads back as the same double.
public enum OutcomeCodec {
    public static func encode(_ outcome: GroupOutcome) -> JSONValue {
        .object([
            ("weekly", .array(outcome.weekly.map(encode))),
            ("planned_minutes", .array(outcome.plannedMinutes.map(number))),
            ("contact_minutes", .array(outcome.contactMinutes.map(number))),
            ("online_minutes", .array(outcome.onlineMinutes.map(number))),
            ("loan_share", number(outcome.loanShare)),
        ])
    }

    public static func decode(_ value: JSONValue) -> GroupOutcome? {
        guard case .array(let weeks)? = value["weekly"], case .array(let planned)? = value["planned_minutes"] else { return nil }
        var weekly: [WeekMetrics] = []
        for week in weeks {
            guard let metrics = decodeWeek(week) else { return nil }
            weekly.append(metrics)
        }
        // What costs are counted from: minutes per week, each finite, non-negative and at most the
        // week's planned minutes (required: a merge must price exactly what a whole run prices).
        func minutes(_ key: String) -> [Double]? {
            guard let member = value[key] else { return nil }
            guard case .array(let list) = member, list.count == planned.count else { return nil }
            let values = list.map(double)
            guard zip(values, planned.map(double)).allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= $1 + 1e-9 }) else { return nil }
            return values
        }
        guard let contact = minutes("contact_minutes"), let online = minutes("online_minutes") else { return nil }
        guard let loanShare = value["loan_share"]?.doubleValue, loanShare >= 0, loanShare <= 1 else { return nil }
        return GroupOutcome(weekly: weekly, plannedMinutes: planned.map(double), contactMinutes: contact, onlineMinutes: online, loanShare: loanShare)
    }

    static func number(_ value: Double) -> JSONValue { value.isFinite ? .number(value) : .null }
    static func double(_ value: JSONValue) -> Double { value.doubleValue ?? .nan }

    static func encode(_ w: WeekMetrics) -> JSONValue {
        var values: [Double] = [Double(w.week), Double(w.active), w.activeShare]
        values += w.skills
        values += [w.overall, w.overallSD, w.motivation]
        values += w.bandShares
        values += [w.onlineMinutes, Double(w.cheating), Double(w.late), Double(w.dropouts), w.measured, w.digitalCompetence,
                   w.withoutDeviceShare, w.poorConnectionShare, w.lowMotivationShare, w.teacherLoad]
        values += w.levelUpShares
        values += [w.course, w.courseSD, w.cheaterShare, w.regulationCourseCorrelation]
        return .array(values.map(number))
    }

    /// A week's row, or nil when it is not one blendsim writes: counts must be whole numbers in
    /// [0, 2⁵³], shares in [0, 1]; means may be missing (null) only where a run leaves them so.
    static func decodeWeek(_ value: JSONValue) -> WeekMetrics? {
        guard case .array(let items) = value, items.count == 35 else { return nil }
        let v = items.map(double)
        for index in [0, 1, 17, 18, 19] {
            guard v[index].isFinite, v[index] >= 0, v[index] <= 0x1p53, v[index] == v[index].rounded() else { return nil }
        }
        for index in [2] + Array(10..<16) + [22, 23, 24] + Array(26..<31) + [33] {
            guard v[index].isFinite, v[index] >= 0, v[index] <= 1 else { return nil }
        }
        for index in Array(3..<10) + [16, 21, 25, 31, 32] {
            guard v[index].isFinite || (v[1] == 0 && v[index].isNaN) else { return nil }
        }
        return WeekMetrics(
            week: Int(v[0]), active: Int(v[1]), activeShare: v[2], skills: Array(v[3..<7]), overall: v[7], overallSD: v[8],
            motivation: v[9], bandShares: Array(v[10..<16]), onlineMinutes: v[16], cheating: Int(v[17]), late: Int(v[18]),
            dropouts: Int(v[19]), measured: v[20], digitalCompetence: v[21], withoutDeviceShare: v[22],
            poorConnectionShare: v[23], lowMotivationShare: v[24], teacherLoad: v[25], levelUpShares: Array(v[26..<31]),
            course: v[31], courseSD: v[32], cheaterShare: v[33], regulationCourseCorrelation: v[34])
    }
}

/// The outcomes compared between variants and reported per sweep run, read from a group's
/// outcome in one replication.
public enum Outcomes {
    public typealias Reader = @Sendable (GroupOutcome, Int) -> Double

    /// Name and reader; the second argument is the group's enrolled students.
    public static let catalog: [(name: String, read: Reader)] = {
        var list: [(String, Reader)] = [("overall", { o, _ in o.after.overall })]
        for skill in Skill.allCases {
            let index = skill.rawValue
            list.append((skill.name, { o, _ in o.after.skills[index] }))
        }
        list.append(("motivation", { o, _ in o.after.motivation }))
        for (name, bands) in Summary.paperLevels {
            list.append(("\(name)_share", { o, _ in Summary.paperShare(o.after, bands) }))
        }
        list.append(("level_up_share", { o, _ in o.after.levelUpShares[4] }))
        list.append(("course_achievement", { o, _ in o.after.course }))
        list.append(("cheater_share", { o, _ in o.after.cheaterShare }))
        list.append(("cheating", { o, _ in Double(o.cheating) }))
        list.append(("late_submissions", { o, _ in Double(o.lateSubmissions) }))
        list.append(("dropouts", { o, _ in Double(o.dropouts) }))
        list.append(("online_minutes", { o, _ in o.after.onlineMinutes }))
        return list
    }()

    /// Hedges' g of the students' end-of-semester course achievement, group a against group b, in
    /// one replication: the effect size education studies report on a course post-test.
    public static func courseHedgesG(_ a: GroupOutcome, _ b: GroupOutcome) -> Double {
        standardized(a.after.course - b.after.course, a.after.active, a.after.courseSD, b.after.active, b.after.courseSD)
    }

    /// (difference / pooled sd) × the small-sample correction 1 − 3/(4(n₁ + n₂) − 9).
    static func standardized(_ difference: Double, _ a: Int, _ s1: Double, _ b: Int, _ s2: Double) -> Double {
        let n1 = Double(a), n2 = Double(b)
        guard n1 > 1, n2 > 1 else { return .nan }
        let pooled = (((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (n1 + n2 - 2)).squareRoot()
        guard pooled > 0 else { return .nan }
        return (1 - 3 / (4 * (n1 + n2) - 9)) * difference / pooled
    }

    /// Hedges' g of the students' end-of-semester overall scores, group a against group b, in one
    /// replication: the pooled-sd standardised difference with the small-sample correction.
    public static func hedgesG(_ a: GroupOutcome, _ b: GroupOutcome) -> Double {
        standardized(a.after.overall - b.after.overall, a.after.active, a.after.overallSD, b.after.active, b.after.overallSD)
    }
}
