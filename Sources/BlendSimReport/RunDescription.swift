import BlendSimCore

/// What was run, as the results files describe it: the scenario's identity and its groups.
public struct RunDescription: Sendable {
    public struct Group: Sendable {
        public var name: String
        public var model: String
        public var onlineShare: Double
        public var students: Int
        public var policies: [String]

        public init(name: String, model: String, onlineShare: Double, students: Int, policies: [String]) {
            self.name = name
            self.model = model
            self.onlineShare = onlineShare
            self.students = students
            self.policies = policies
        }
    }

    public var scenario: String
    public var seed: UInt64
    public var replications: Int
    public var weeks: Int
    public var controlPoints: [Int]
    /// The group the others are compared with, if any.
    public var baseline: String?
    public var groups: [Group]

    public init(
        scenario: String, seed: UInt64, replications: Int, weeks: Int, controlPoints: [Int], baseline: String? = nil,
        groups: [Group]
    ) {
        self.scenario = scenario
        self.seed = seed
        self.replications = replications
        self.weeks = weeks
        self.controlPoints = controlPoints
        self.baseline = baseline
        self.groups = groups
    }
}
