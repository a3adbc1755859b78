/// What one group went through in one replication.
public struct GroupOutcome: Sendable {
    /// End-of-week metrics; index 0 is the start of the semester, index `w` the end of week `w`.
    /// A programme's history is each semester's in turn: its start (after the break), then its
    /// weeks.
    public var weekly: [WeekMetrics]
    /// Activities the model planned per week (after policies), index `w - 1` for week `w`.
    public var plannedMinutes: [Double]
    /// Of those, per week, the minutes a teacher leads (classroom, live online, independent work
    /// with a teacher, tests not taken online) and the minutes of self-paced online work: what teacher hours and online hours cost (docs/COSTS.md).
    public var contactMinutes: [Double]
    public var onlineMinutes: [Double]
    /// The largest share of students without a computer of their own who were lent one in any week.
    public var loanShare: Double

    public init(
        weekly: [WeekMetrics], plannedMinutes: [Double], contactMinutes: [Double] = [], onlineMinutes: [Double] = [],
        loanShare: Double = 0
    ) {
        self.weekly = weekly
        self.plannedMinutes = plannedMinutes
        self.contactMinutes = contactMinutes
        self.onlineMinutes = onlineMinutes
        self.loanShare = loanShare
    }

    /// Continues this history with a later semester's (a programme): its start, its weeks, and
    /// the largest loan share of either.
    public mutating func append(_ next: GroupOutcome) {
        weekly += next.weekly
        plannedMinutes += next.plannedMinutes
        contactMinutes += next.contactMinutes
        onlineMinutes += next.onlineMinutes
        loanShare = max(loanShare, next.loanShare)
    }

    public var before: WeekMetrics { weekly[0] }
    public var after: WeekMetrics { weekly[weekly.count - 1] }
    public var cheating: Int { weekly.reduce(0) { $0 + $1.cheating } }
    public var lateSubmissions: Int { weekly.reduce(0) { $0 + $1.late } }
    public var dropouts: Int { weekly.reduce(0) { $0 + $1.dropouts } }
    /// Students enrolled at the start.
    public var enrolled: Int { weekly[0].active }
}

/// One replication of the whole scenario.
public struct ReplicationOutcome: Sendable {
    public var replication: Int
    public var groups: [GroupOutcome]

    public init(replication: Int, groups: [GroupOutcome]) {
        self.replication = replication
        self.groups = groups
    }
}

/// Every replication, in replication order.
public struct SimulationResult: Sendable {
    public var replications: [ReplicationOutcome]
    /// Student-weeks simulated (enrolled students × weeks × replications).
    public var studentWeeks: Int

    public init(replications: [ReplicationOutcome], studentWeeks: Int) {
        self.replications = replications
        self.studentWeeks = studentWeeks
    }
}

/// Why a run stopped: a plugin failed or returned something outside its contract.
public struct SimulationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
