public import BlendSimSystem
/// One group of students and how it is taught, resolved and ready to simulate.
public struct GroupSpec: Sendable {
    public var name: String
    public var students: Int
    /// Share of students starting in each `LevelBand`, indexed by `rawValue`; sums to 1.
    public var levelShares: [Double]
    /// Share of the teaching time that is online, [0, 1].
    public var onlineShare: Double
    /// Teaching minutes per week (classroom + online).
    public var contactMinutes: Double
    /// Independent work with a teacher (SIWT), minutes per week.
    public var siwtMinutes: Double
    /// Independent work (SIW), minutes per week.
    public var siwMinutes: Double
    /// Students per teacher: with the marking each activity needs, sets the teachers' load.
    public var studentsPerTeacher: Double
    public var population: PopulationSpec
    public var model: any ModelFactory
    public var policies: [any PolicyFactory]
    /// The university's own students, when the group reads them from a file (`cohort:`), and
    /// whether they are resampled with replacement.
    public var cohort: CohortData?
    public var bootstrap = false

    public init(
        name: String, students: Int, levelShares: [Double], onlineShare: Double,
        contactMinutes: Double, siwtMinutes: Double, siwMinutes: Double, studentsPerTeacher: Double = 25,
        population: PopulationSpec, model: any ModelFactory, policies: [any PolicyFactory]
    ) {
        self.name = name
        self.students = students
        self.levelShares = levelShares
        self.onlineShare = onlineShare
        self.contactMinutes = contactMinutes
        self.siwtMinutes = siwtMinutes
        self.siwMinutes = siwMinutes
        self.studentsPerTeacher = studentsPerTeacher
        self.population = population
        self.model = model
        self.policies = policies
    }
}

/// A semester of a programme after the first: the break before it, its weeks and how each group
/// is taught in it (the same groups, in the same order, with the same students).
public struct SemesterSpec: Sendable {
    /// Weeks of break before the semester.
    public var breakWeeks: Int
    public var weeks: Int
    /// Weeks (1-based, within the semester) that end with an assessment.
    public var controlPoints: [Int]
    public var groups: [GroupSpec]

    public init(breakWeeks: Int, weeks: Int, controlPoints: [Int], groups: [GroupSpec]) {
        self.breakWeeks = breakWeeks
        self.weeks = weeks
        self.controlPoints = controlPoints
        self.groups = groups
    }
}

/// Everything the engine needs for a run: the semester, the groups, the kernel's parameters.
public struct SimulationSpec: Sendable {
    public var seed: UInt64
    public var replications: Int
    /// The first (or only) semester's weeks.
    public var weeks: Int
    /// Weeks (1-based) that end with an assessment.
    public var controlPoints: [Int]
    public var groups: [GroupSpec]
    public var kernel: KernelParameters
    /// A programme's semesters after the first; empty for a scenario of one semester.
    public var laterSemesters: [SemesterSpec] = []

    /// Semesters in the run.
    public var semesterCount: Int { 1 + laterSemesters.count }
    /// Teaching weeks over every semester.
    public var totalWeeks: Int { weeks + laterSemesters.reduce(0) { $0 + $1.weeks } }

    public init(
        seed: UInt64, replications: Int, weeks: Int, controlPoints: [Int], groups: [GroupSpec],
        kernel: KernelParameters = KernelParameters()
    ) {
        self.seed = seed
        self.replications = replications
        self.weeks = weeks
        self.controlPoints = controlPoints
        self.groups = groups
        self.kernel = kernel
    }
}

/// How the engine uses the machine. Neither setting changes any result.
public struct EngineOptions: Sendable {
    /// Worker threads at most; defaults to the number of active processors.
    public var threads: Int
    /// Students per chunk: the unit of parallel work and of plugin batch calls.
    public var chunkSize: Int
    /// Where to send every student's weekly state, if anywhere (`--trace`).
    public var trace: (any TraceSink)?
    /// Whether the learning kernel takes its fast path in weeks without per-student
    /// participation (`--no-fast-paths` turns it off, to check the results are the same).
    public var fastPaths: Bool

    /// The largest chunk: 2²⁴ students (larger values only make one chunk of any real cohort).
    public static let maximumChunkSize = 1 << 24

    public init(threads: Int = ProcessorCount.active, chunkSize: Int = 4096, trace: (any TraceSink)? = nil, fastPaths: Bool = true) {
        self.threads = max(1, threads)
        self.chunkSize = min(max(1, chunkSize), EngineOptions.maximumChunkSize)
        self.trace = trace
        self.fastPaths = fastPaths
    }
}
