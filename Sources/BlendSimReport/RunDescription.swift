public import BlendSimCore

/// What was run, as the results files describe it: the scenario's identity and its groups.
public struct RunDescription: Sendable {
    public struct Group: Sendable {
        public var name: String
        public var model: String
        public var onlineShare: Double
        public var students: Int
        public var policies: [String]
        /// The group's prices, when the scenario asks for costs (`costs:`).
        public var pricing: GroupPricing?

        public init(name: String, model: String, onlineShare: Double, students: Int, policies: [String], pricing: GroupPricing? = nil) {
            self.name = name
            self.model = model
            self.onlineShare = onlineShare
            self.students = students
            self.policies = policies
            self.pricing = pricing
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
    /// With `--uncertainty model`: the posterior each replication drew its parameters from.
    public var uncertainty: Uncertainty?
    /// With `--replications auto`: what the stopping rule asked for and reached.
    public var stopping: Stopping?
    /// A programme of several semesters (`programme:`); nil for a scenario of one semester.
    public var programme: ProgrammeDescription?

    /// The models and policies the groups are taught with, in every semester (a programme's
    /// later semesters may use others), in the groups' order.
    public var models: [String] { groups.map(\.model) + (programme?.semesters.dropFirst().flatMap { $0.groups.map(\.model) } ?? []) }
    public var policies: [String] { groups.flatMap(\.policies) + (programme?.semesters.dropFirst().flatMap { $0.groups.flatMap(\.policies) } ?? []) }

    /// How `--replications auto` ended.
    public struct Stopping: Sendable, Equatable {
        /// The asked 95% CI half-width.
        public var halfWidth: Double
        /// The widest half-width at the final count.
        public var achieved: Double
        /// The most replications allowed.
        public var maximum: Int
        /// Whether the final count met the asked precision.
        public var targetMet: Bool

        public init(halfWidth: Double, achieved: Double, maximum: Int, targetMet: Bool) {
            self.halfWidth = halfWidth
            self.achieved = achieved
            self.maximum = maximum
            self.targetMet = targetMet
        }

        /// The `replications_auto` member of summary.json.
        public var json: JSONValue {
            .object([
                ("half_width", .finite(halfWidth)),
                ("achieved_half_width", .finite(achieved)),
                ("max_replications", .integer(maximum)),
                ("target_met", .bool(targetMet)),
            ])
        }

        /// The warning a run that stopped at the maximum prints, or nil when the target was met.
        public var warning: String? {
            guard !targetMet else { return nil }
            func rounded(_ x: Double) -> String { JSONValue.number((x * 10_000).rounded() / 10_000).serialized() }
            return "warning: --replications auto stopped at its maximum of \(maximum) replications with a 95% CI half-width of \(rounded(achieved)), wider than the asked \(rounded(halfWidth)); raise --max-replications or accept the wider interval"
        }
    }

    /// Where a run's parameters came from when they were drawn from a posterior.
    public struct Uncertainty: Sendable {
        /// The posterior file.
        public var posterior: String
        public var sha256: String
        public var particles: Int
        /// The parameters drawn.
        public var parameters: [String]

        public init(posterior: String, sha256: String, particles: Int, parameters: [String]) {
            self.posterior = posterior
            self.sha256 = sha256
            self.particles = particles
            self.parameters = parameters
        }

        /// The `uncertainty` member of summary.json.
        public var json: JSONValue {
            .object([
                ("source", .string("model")),
                ("posterior", .string(posterior)),
                ("sha256", .string(sha256)),
                ("particles", .integer(particles)),
                ("parameters", .array(parameters.map { .string($0) })),
            ])
        }
    }

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
