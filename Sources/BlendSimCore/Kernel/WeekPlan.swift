public import CBlendSimABI

/// One planned activity with everything the kernel needs precomputed for the week.
struct PreparedActivity: Sendable {
    var kind: ActivityKind
    var minutes: Float
    /// Effective hours one fully engaged student gets: hours × kind weight × effectiveness ×
    /// the conditions' multiplier for the kind.
    var hourValue: Float
    /// Per skill: transfer + (1 − transfer) · 4 · (focus share). Sums to 4 over the skills.
    var skillFactors: InlineArray<4, Float>
    /// Feedback share after the conditions, [0, 1].
    var feedback: Float
    /// Handed in by a deadline and done unsupervised: can be late and can be copied.
    var submitted: Bool
    /// An assessment taken online.
    var onlineAssessment: Bool
    /// Index into the kernel's per-student engagement table (`Engagement.Slot.rawValue`).
    var engagementSlot: Int
    /// 1 for online work (live or self-paced), else 0: multiplies minutes into the online count.
    var online: Float
    /// 1 for online work at home (not on campus), else 0.
    var homeOnline: Float
    /// How much a minute of the activity counts as isolated study: 1 for self-paced online work
    /// at home, `live_isolation` for live online work at home, else 0.
    var isolation: Float
    /// 1 for time in person with a teacher or peers — classroom teaching, a test in class, online
    /// work on campus — else 0 (docs/MODEL.md 3.3 (8)).
    var contact: Float
    /// Per-minute factors the kernel multiplies by a student's share and engagement:
    /// hourValue · (1 + feedback gain · feedback), for work on time and for late work.
    var valueOnTime: Float
    var valueLate: Float
    /// Feedback × minutes, on time and late.
    var feedbackMinutesOnTime: Float
    var feedbackMinutesLate: Float
    /// `skillFactors` as one vector: the kernel adds an activity's hours to the four skills in one
    /// multiply-add per lane (the same operations, lane by lane, as four scalar ones).
    var factors: SIMD4<Float>
}

/// A group's week, ready for the kernel: the model's activities under the week's conditions.
public struct WeekPlan: Sendable {
    public let week: Int
    public let isControlPoint: Bool
    /// The semester's last week: the end-of-course test is taken and its statistics gathered.
    public let isFinalWeek: Bool
    /// Course-achievement points per effective hour, before aptitude: 100 / (expected effective
    /// hours per week × weeks), so a student who gets the expected hours every week ends at 100.
    public let coursePointsPerHour: Float
    /// Blend complementarity multiplier on every teaching hour this week (1 when not blended).
    public let blendFactor: Double
    public let conditions: bs_conditions
    let activities: [PreparedActivity]
    /// The per-student sums of the kernel's activity loop when every participation multiplier is
    /// 1, added in the loop's order so they are the same bits: minutes, online minutes, online
    /// minutes at home, isolated minutes, and feedback minutes for a student on time and late.
    let uniformSums: UniformSums
    public let hasSubmittedWork: Bool
    public let hasOnlineAssessment: Bool
    /// The mean of the group's population motivation distribution, which motivation reverts to.
    public let motivationTarget: Float
    /// Teachers' marking load for the week: demanded over available feedback time (1 = full).
    public let teacherLoad: Double

    /// Prepares the plan. `activities` must already be validated.
    public init(
        week: Int, isControlPoint: Bool, activities: [bs_activity], conditions: bs_conditions,
        motivationTarget: Double, kernel: KernelParameters, studentsPerTeacher: Double = 25,
        activeShare: Double = 1, weeks: Int = 15
    ) {
        self.week = week
        self.isControlPoint = isControlPoint
        isFinalWeek = week == weeks
        coursePointsPerHour = Float(100 / (kernel.expectedEffectiveHours * Double(max(weeks, 1))))
        self.conditions = conditions
        self.motivationTarget = Float(motivationTarget)
        var planned: [PreparedActivity] = []
        planned.reserveCapacity(activities.count + 1)
        var all = activities
        if conditions.extra_siw_minutes > 0 {
            all.append(
                bs_activity(
                    kind: .siw, flags: UInt32(BS_FLAG_SUBMITTED), minutes: conditions.extra_siw_minutes,
                    effectiveness: 1, feedback: 0))
        }
        // Teacher workload: marking asynchronous work takes teachers' time; beyond what they have,
        // every student's feedback on that work shrinks in proportion.
        var markingMinutes = 0.0
        for activity in all where Self.isMarked(activity) {
            markingMinutes += activity.feedback * conditions.feedback_quality * activity.minutes
        }
        markingMinutes *= kernel.markingMinutesPerMinute * studentsPerTeacher * activeShare
        let load = markingMinutes / (60 * kernel.teacherFeedbackHours)
        teacherLoad = load
        let markingFactor = load > 1 ? 1 / load : 1
        // Blend complementarity: ρ is the online share of the week's teaching minutes (classroom
        // and online activities); 4ρ(1 − ρ) is 0 for a pure form and 1 for an even blend.
        var classroomMinutes = 0.0, onlineTeachingMinutes = 0.0
        for activity in all {
            if activity.kind == ActivityKind.classroom.rawValue { classroomMinutes += activity.minutes }
            if ActivityKind(rawValue: activity.kind)?.isOnline == true { onlineTeachingMinutes += activity.minutes }
        }
        let teaching = classroomMinutes + onlineTeachingMinutes
        let rho = teaching > 0 ? onlineTeachingMinutes / teaching : 0
        blendFactor = 1 + kernel.blendComplementarity * 4 * rho * (1 - rho)
        for activity in all {
            let kind = ActivityKind(rawValue: activity.kind)!
            let weight: Double
            var conditionFactor = 1.0
            var feedback = activity.feedback * conditions.feedback_quality
            if Self.isMarked(activity) { feedback *= markingFactor }
            switch kind {
            case .classroom:
                weight = kernel.classroomWeight
                conditionFactor = conditions.classroom_equipment
            case .onlineSync:
                weight = kernel.onlineSyncWeight
                conditionFactor = conditions.online_quality
                feedback += conditions.feedback_channel * (1 - feedback)
            case .onlineAsync:
                weight = kernel.onlineAsyncWeight
                conditionFactor = conditions.online_quality
                feedback += conditions.feedback_channel * (1 - feedback)
            case .siw:
                weight = kernel.siwWeight
                feedback += conditions.feedback_channel * (1 - feedback)
            case .siwt:
                weight = kernel.siwtWeight
            case .assessment:
                weight = kernel.assessmentWeight
            }
            // The skills in focus, from the mask's bits (checked to be within BS_SKILL_ALL).
            let focusedCount = Skill.allCases.reduce(0) { $0 + (activity.skills & $1.maskBit != 0 ? 1 : 0) }
            let share = focusedCount == 0 ? 0.25 : 1.0 / Double(focusedCount)
            var factors = InlineArray<4, Float>(repeating: 0)
            for skill in Skill.allCases {
                let focus = focusedCount == 0 || activity.skills & skill.maskBit != 0 ? share : 0
                factors[skill.rawValue] = Float(
                    kernel.transferShare + (1 - kernel.transferShare) * 4 * focus)
            }
            let unsupervised = kind == .onlineAsync || kind == .siw
            let submitted = unsupervised && activity.flags & UInt32(BS_FLAG_SUBMITTED) != 0
            let clampedFeedback = Float(min(1, max(0, feedback)))
            let lateFeedback = submitted ? clampedFeedback * Float(1 - kernel.lateFeedbackLoss) : clampedFeedback
            let teachingFactor = kind == .classroom || kind.isOnline ? blendFactor : 1
            let hourValue = Float(activity.minutes / 60 * weight * activity.effectiveness * conditionFactor * teachingFactor)
            let gain = Float(kernel.feedbackGain)
            let onCampus = kind.isOnline && activity.flags & UInt32(BS_FLAG_ON_CAMPUS) != 0
            planned.append(
                PreparedActivity(
                    kind: kind,
                    minutes: Float(activity.minutes),
                    hourValue: hourValue,
                    skillFactors: factors,
                    feedback: clampedFeedback,
                    submitted: submitted,
                    onlineAssessment: kind == .assessment && activity.flags & UInt32(BS_FLAG_ONLINE) != 0,
                    engagementSlot: Engagement.Slot(kind, onCampus: onCampus).rawValue,
                    online: kind.isOnline ? 1 : 0, homeOnline: kind.isOnline && !onCampus ? 1 : 0,
                    isolation: kind.isOnline && !onCampus ? (kind == .onlineSync ? Float(kernel.liveIsolation) : 1) : 0,
                    contact: kind == .classroom || onCampus || (kind == .assessment && activity.flags & UInt32(BS_FLAG_ONLINE) == 0) ? 1 : 0,
                    valueOnTime: hourValue * (1 + gain * clampedFeedback),
                    valueLate: hourValue * (1 + gain * lateFeedback),
                    feedbackMinutesOnTime: clampedFeedback * Float(activity.minutes),
                    feedbackMinutesLate: lateFeedback * Float(activity.minutes),
                    factors: SIMD4(factors[0], factors[1], factors[2], factors[3])))
        }
        self.activities = planned
        uniformSums = UniformSums(planned)
        hasSubmittedWork = planned.contains { $0.submitted }
        hasOnlineAssessment = planned.contains { $0.onlineAssessment }
    }

    /// Whether a teacher marks the activity after the fact: online self-paced work and SIW.
    static func isMarked(_ activity: bs_activity) -> Bool {
        activity.kind == ActivityKind.onlineAsync.rawValue || activity.kind == ActivityKind.siw.rawValue
    }

    /// Activities as planned, after the conditions added any (for reporting).
    public var activityCount: Int { activities.count }
}

/// The sums `LearningKernel` would add up over a week's activities for a student whose every
/// participation multiplier is 1 (`share` = 1, so `minutes × share` is `minutes` exactly).
struct UniformSums: Sendable {
    var minutes: Float = 0
    var onlineMinutes: Float = 0
    var homeOnlineMinutes: Float = 0
    var isolatedMinutes: Float = 0
    var contactMinutes: Float = 0
    var feedbackMinutesOnTime: Float = 0
    var feedbackMinutesLate: Float = 0

    init(_ activities: [PreparedActivity]) {
        for activity in activities {
            let t = activity.minutes
            minutes += t
            onlineMinutes += activity.online * t
            homeOnlineMinutes += activity.homeOnline * t
            isolatedMinutes += activity.isolation * t
            contactMinutes += activity.contact * t
            feedbackMinutesOnTime += activity.feedbackMinutesOnTime
            feedbackMinutesLate += activity.submitted ? activity.feedbackMinutesLate : activity.feedbackMinutesOnTime
        }
    }
}

/// The per-student engagement table of the learning kernel: one value per kind of activity, and
/// two more for online work done on campus, where the institution's devices and network stand in
/// for the student's own (docs/MODEL.md 3.2). `WeekPlan` gives each prepared activity its slot;
/// `LearningKernel.step` fills the table for each student.
enum Engagement {
    enum Slot: Int, CaseIterable {
        case classroom = 0
        case onlineSync = 1
        case onlineAsync = 2
        case siw = 3
        case siwt = 4
        case assessment = 5
        /// Live online work on campus.
        case onlineSyncOnCampus = 6
        /// Self-paced online work on campus.
        case onlineAsyncOnCampus = 7

        /// The slot of an activity of `kind`, done on campus or not.
        init(_ kind: ActivityKind, onCampus: Bool) {
            switch kind {
            case .classroom: self = .classroom
            case .onlineSync: self = onCampus ? .onlineSyncOnCampus : .onlineSync
            case .onlineAsync: self = onCampus ? .onlineAsyncOnCampus : .onlineAsync
            case .siw: self = .siw
            case .siwt: self = .siwt
            case .assessment: self = .assessment
            }
        }
    }

    /// Slots in the table.
    static let count = Slot.allCases.count
}

/// A prepared activity as the kernel reads it, for code that re-implements the kernel's week —
/// the benchmark's tight reference loop (Benchmarks/, docs/PERFORMANCE.md), which must stay in
/// step with `LearningKernel`.
public struct KernelActivity: Sendable {
    public let minutes: Float
    public let valueOnTime: Float
    public let valueLate: Float
    public let feedbackMinutesOnTime: Float
    public let feedbackMinutesLate: Float
    public let online: Float
    public let homeOnline: Float
    public let isolation: Float
    public let contact: Float
    public let factors: (Float, Float, Float, Float)
    public let submitted: Bool
    public let onlineAssessment: Bool
    /// The engagement slot: 0 classroom, 1 live online, 2 self-paced online, 3 SIW, 4 SIWT,
    /// 5 assessment, 6 live online on campus, 7 self-paced online on campus.
    public let engagementSlot: Int
}

extension WeekPlan {
    /// The week's prepared activities, in the kernel's order.
    public var kernelActivities: [KernelActivity] {
        activities.map {
            KernelActivity(
                minutes: $0.minutes, valueOnTime: $0.valueOnTime, valueLate: $0.valueLate,
                feedbackMinutesOnTime: $0.feedbackMinutesOnTime, feedbackMinutesLate: $0.feedbackMinutesLate,
                online: $0.online, homeOnline: $0.homeOnline, isolation: $0.isolation, contact: $0.contact,
                factors: ($0.factors[0], $0.factors[1], $0.factors[2], $0.factors[3]), submitted: $0.submitted,
                onlineAssessment: $0.onlineAssessment, engagementSlot: $0.engagementSlot)
        }
    }
}
