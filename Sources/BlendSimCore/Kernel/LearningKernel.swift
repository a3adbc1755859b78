import CBlendSimABI

/// The learning kernel: one week of learning for a range of a group's students.
///
/// Every equation is written out in docs/MODEL.md (section 3.3); the comments here carry its
/// numbers. The loop reads and writes only the cohort's columns (hoisted into locals), draws from
/// counter-based streams, allocates nothing, takes no lock and calls nothing outside — not even
/// the C library's rounding functions.
public struct LearningKernel: Sendable {
    public let parameters: KernelParameters
    /// Whether weeks without per-student participation take the fast path (the default). Off,
    /// they run the general path with every multiplier 1; results are the same bits either way.
    public let fastPaths: Bool

    public init(parameters: KernelParameters, fastPaths: Bool = true) {
        self.parameters = parameters
        self.fastPaths = fastPaths
    }

    /// Applies `plan` to students `range` of `cohort` and adds their end-of-week state to
    /// `metrics`.
    ///
    /// - Parameters:
    ///   - participation: per-activity rows of per-student multipliers for this range
    ///     (`participation[a * range.count + local]`), or nil when every multiplier is 1.
    ///   - groupKey: the group's stream key in this replication.
    public func step(
        cohort: Cohort, range: Range<Int>, plan: WeekPlan, participation: UnsafePointer<Float>?,
        groupKey: UInt64, into metrics: inout MetricAccumulator
    ) {
        if let participation {
            run(cohort: cohort, range: range, plan: plan, shares: ParticipationRows(rows: participation, stride: range.count),
                groupKey: groupKey, into: &metrics)
        } else if fastPaths {
            run(cohort: cohort, range: range, plan: plan, shares: FullParticipation(), groupKey: groupKey, into: &metrics)
        } else {
            // The general path, reading a multiplier of 1 for every activity and student from one
            // row of ones (what the fast path is checked against, `--no-fast-paths`).
            let ones = [Float](repeating: 1, count: max(plan.activities.count, 1))
            ones.withUnsafeBufferPointer { buffer in
                run(cohort: cohort, range: range, plan: plan, shares: ActivityRow(row: buffer.baseAddress!), groupKey: groupKey, into: &metrics)
            }
        }
    }

    /// The kernel's loop, specialised for how participation is given: `FullParticipation` (no
    /// model or policy of the group has a per-student hook; the common case) drops the multiplications by 1 and takes the
    /// week's minute and feedback sums from `WeekPlan.uniformSums` — the same bits, since x × 1 is
    /// x and those sums are added in the same order — while `ParticipationRows` reads each
    /// student's multipliers.
    @inline(__always)
    func run<Shares: ParticipationSource>(
        cohort: Cohort, range: Range<Int>, plan: WeekPlan, shares: Shares, groupKey: UInt64,
        into metrics: inout MetricAccumulator
    ) {
        let k = parameters
        let beta = Float(k.pointsPerHour)
        let ceiling = Float(min(k.ceilingScore, CambridgeScale.maximum))
        let pace = GuidedHours.pace(reference: k.referenceScore)
        let growthNoise = Float(k.learningNoise * 3.0.squareRoot())
        let motivationNoise = Float(k.motivationNoise * 3.0.squareRoot())
        let assessmentNoise = Float(k.assessmentNoise * 3.0.squareRoot())
        let classroomFloor = Float(k.classroomEngagementFloor)
        let selfPacedFloor = Float(k.selfPacedEngagementFloor)
        let siwFloor = Float(k.siwEngagementFloor)
        let noDevice = Float(k.noDeviceAccess)
        let asyncFloor = Float(k.asyncConnectivityFloor)
        let syncFloor = Float(k.syncConnectivityFloor)
        let digitalFloor = Float(k.digitalCompetenceFloor)
        let capacityMinutes = Float(k.capacityHours * 60)
        let expectedGain = 4 * beta * Float(k.expectedEffectiveHours)
        let cheatingPropensity = Float(k.cheatingPropensity)
        let latenessPropensity = Float(k.latenessPropensity)
        let copiedLearningKept = Float(1 - k.cheatingLearningLoss)
        let progressGain = Float(k.motivationProgressGain)
        let motivationFeedbackGain = Float(k.motivationFeedbackGain)
        let feedbackReference = Float(k.feedbackReference)
        let overloadPenalty = Float(k.motivationOverloadPenalty)
        let reversion = Float(k.motivationReversion)
        let dropoutHazard = Float(k.dropoutHazard)
        let isolationHazard = Float(k.isolationHazard)
        let protects = k.contactProtection > 0
        // 1/π, kept finite for any π > 0 (a tiny π must not give 0 × ∞ = NaN for a week without
        // contact, which max(0, ·) would turn into no isolation at all).
        let inverseProtection = Float(k.contactProtection > 0 ? min(1 / k.contactProtection, Double(Float.greatestFiniteMagnitude)) : 0)
        let accessHazard = Float(k.accessHazard)
        let coursePerHour = plan.coursePointsPerHour * 0.25
        let isFinalWeek = plan.isFinalWeek
        let inflation = Float(k.cheatingScoreInflation)
        let digitalRate = Float(k.digitalLearningRate)
        let conditions = plan.conditions
        let connectivityFloor = Float(conditions.connectivity_floor)
        let loanShare = conditions.device_loan_share
        let integrityEnforcement = Float(conditions.integrity_enforcement)
        let deterred = Float(1 - k.detectionDeterrence * conditions.integrity_enforcement)
        let deadlineFactor = Float(1 - conditions.deadline_enforcement)
        let support = Float(conditions.motivation_support * k.motivationSupportGain)
        let target = plan.motivationTarget
        let poorConnection = MetricAccumulator.poorConnectionThreshold
        let week = UInt64(plan.week)
        let hasSubmittedWork = plan.hasSubmittedWork
        let hasOnlineAssessment = plan.hasOnlineAssessment
        let isControlPoint = plan.isControlPoint

        // The cohort's columns, hoisted: no class access inside the loop.
        let listeningColumn = cohort.listening
        let readingColumn = cohort.reading
        let writingColumn = cohort.writing
        let speakingColumn = cohort.speaking
        let motivationColumn = cohort.motivation
        let selfRegulationColumn = cohort.selfRegulation
        let integrityColumn = cohort.integrity
        let digitalColumn = cohort.digitalCompetence
        let connectivityColumn = cohort.connectivity
        let aptitudeColumn = cohort.aptitude
        let deviceColumn = cohort.deviceAccess
        let activeColumn = cohort.active
        let onlineColumn = cohort.onlineMinutes
        let courseColumn = cohort.course
        let cheatingColumn = cohort.cheatingIncidents
        let lateColumn = cohort.lateSubmissions
        let startBands = cohort.startBands

        var local = MetricAccumulator()
        defer { metrics.merge(local) }
        // Band of a score, inlined here: five comparisons (see `LevelBand.index(of:)`).
        @inline(__always)
        func band(_ score: Float) -> Int {
            (score >= 120 ? 1 : 0) &+ (score >= 140 ? 1 : 0) &+ (score >= 160 ? 1 : 0)
                &+ (score >= 180 ? 1 : 0) &+ (score >= 200 ? 1 : 0)
        }
        // The score at which a skill has risen above the band it started in (the start band's
        // upper edge; none above C2): one comparison per skill instead of the band's five, and
        // the same answer — a band is the count of edges at or below the score.
        let levelUpEdges: (Float, Float, Float, Float, Float, Float, Float, Float) = (120, 140, 160, 180, 200, .infinity, .infinity, .infinity)
        let activityCount = plan.activities.count
        let uniform = plan.uniformSums
        // On the fast path the week's minutes are the same for every student, so are their
        // quotients: the feedback level (on time, late) and isolated study, computed once here
        // with the same operations the loop would do.
        let uniformMinutes = uniform.minutes
        let uniformFeedbackOnTime = uniformMinutes > 0 ? uniform.feedbackMinutesOnTime / uniformMinutes : 0
        let uniformFeedbackLate = uniformMinutes > 0 ? uniform.feedbackMinutesLate / uniformMinutes : 0
        var uniformIsolation = uniformMinutes > 0 ? uniform.isolatedMinutes / uniformMinutes : 0
        if protects && uniformMinutes > 0 { uniformIsolation *= max(0, 1 - uniform.contactMinutes / uniformMinutes * inverseProtection) }
        plan.activities.withUnsafeBufferPointer { activities in
            // One small table on the stack: the engagement slots, then the pace per band and the
            // level-up edges (written once here, read by index in the loop, where a tuple would be
            // copied to memory at every lookup).
            withUnsafeTemporaryAllocation(of: Float.self, capacity: Engagement.count + 16) { engagement in
            guard let base = activities.baseAddress, let engagementSlots = engagement.baseAddress else { return }
            let paceTable = engagementSlots + Engagement.count
            let edgeTable = paceTable + 8
            withUnsafeBytes(of: pace.factors) { factors in
                for b in 0..<8 { paceTable[b] = factors.load(fromByteOffset: b * 4, as: Float.self) }
            }
            withUnsafeBytes(of: levelUpEdges) { edges in
                for b in 0..<8 { edgeTable[b] = edges.load(fromByteOffset: b * 4, as: Float.self) }
            }
            @inline(__always)
            func edge(_ startBand: Int) -> Float { edgeTable[startBand & 7] }
            for i in range {
                guard activeColumn[i] != 0 else { continue }
                let studentOffset = i &- range.lowerBound
                let weekKey = CounterRandom.studentWeek(groupKey, student: i, week: week)
                let cheatingAndDropout = CounterRandom.word(weekKey, DrawPurpose.cheatingAndDropout)
                let lateAndMotivation = CounterRandom.word(weekKey, DrawPurpose.lateAndMotivation)
                let m = motivationColumn[i]
                let r = selfRegulationColumn[i]
                let g = integrityColumn[i]

                // (1) Access to online work.
                var hasDevice = deviceColumn[i] != 0
                if !hasDevice && loanShare > 0 {
                    // i is a student index, never negative: the conversion needs no check.
                    let initKey = CounterRandom.derive(CounterRandom.derive(groupKey, UInt64(truncatingIfNeeded: i)), 0)
                    hasDevice = CounterRandom.uniform(initKey, DrawPurpose.deviceLoan) < loanShare
                }
                let access: Float = hasDevice ? 1 : noDevice
                let connectivity = max(connectivityColumn[i], connectivityFloor)
                let homeReach = access * (asyncFloor + (1 - asyncFloor) * connectivity)
                let digitalBefore = digitalColumn[i]
                let digital = digitalFloor + (1 - digitalFloor) * digitalBefore
                let asyncAvailability = homeReach * digital
                let syncAvailability = access * (syncFloor + (1 - syncFloor) * connectivity) * digital

                // (2) Engagement per activity kind (`Engagement.Slot`); online work on campus has
                // slots of its own, where the institution's devices and network stand in for the
                // student's own.
                let selfPaced = 0.5 * (m + r)
                let classroomEngagement = classroomFloor + (1 - classroomFloor) * m
                let siwEngagement = siwFloor + (1 - siwFloor) * selfPaced
                let selfPacedEngagement = selfPacedFloor + (1 - selfPacedFloor) * selfPaced
                engagementSlots[Engagement.Slot.classroom.rawValue] = classroomEngagement
                engagementSlots[Engagement.Slot.onlineSync.rawValue] = classroomEngagement * syncAvailability
                engagementSlots[Engagement.Slot.onlineAsync.rawValue] = selfPacedEngagement * asyncAvailability
                engagementSlots[Engagement.Slot.siw.rawValue] = siwEngagement
                engagementSlots[Engagement.Slot.siwt.rawValue] = 0.5 * (classroomEngagement + siwEngagement)
                engagementSlots[Engagement.Slot.assessment.rawValue] = classroomEngagement
                engagementSlots[Engagement.Slot.onlineSyncOnCampus.rawValue] = classroomEngagement * digital
                engagementSlots[Engagement.Slot.onlineAsyncOnCampus.rawValue] = selfPacedEngagement * digital

                // (4) Copying and lateness on submitted work (decided first: they change what the
                // week's hours are worth).
                var copied = false
                var late = false
                if hasSubmittedWork {
                    let copyChance = cheatingPropensity * (1 - g) * (1 - 0.5 * m) * deterred
                    if CounterRandom.unit24(cheatingAndDropout, 0) < copyChance {
                        local.cheating &+= 1
                        cheatingColumn[i] &+= 1
                        copied = CounterRandom.unit24(CounterRandom.word(weekKey, DrawPurpose.caught), 0) >= integrityEnforcement
                    }
                    // Counted as integer adds: whether a student is late is a coin toss the branch
                    // predictor cannot learn.
                    let lateChance = latenessPropensity * (1 - r) * (1 - 0.5 * m) * deadlineFactor
                    late = CounterRandom.unit24(lateAndMotivation, 0) < lateChance
                    local.late &+= late ? 1 : 0
                    lateColumn[i] &+= late ? 1 : 0
                }

                // (3) and (5): time on task, and effective hours per skill, in one pass.
                var minutes: Float = 0
                var onlineMinutes: Float = 0
                var homeOnlineMinutes: Float = 0
                var isolatedMinutes: Float = 0
                var contactMinutes: Float = 0
                // Effective hours per skill, a lane each.
                var h = SIMD4<Float>.zero
                var feedbackMinutes: Float = 0
                if Shares.full {
                    minutes = uniform.minutes
                    onlineMinutes = uniform.onlineMinutes
                    homeOnlineMinutes = uniform.homeOnlineMinutes
                    isolatedMinutes = uniform.isolatedMinutes
                    contactMinutes = uniform.contactMinutes
                    feedbackMinutes = late ? uniform.feedbackMinutesLate : uniform.feedbackMinutesOnTime
                    for a in 0..<activityCount {
                        let activity = base + a
                        let isLate = late && activity.pointee.submitted
                        var value = (isLate ? activity.pointee.valueLate : activity.pointee.valueOnTime)
                            * engagementSlots[activity.pointee.engagementSlot]
                        if copied && activity.pointee.submitted { value *= copiedLearningKept }
                        h += value * activity.pointee.factors
                    }
                } else {
                    for a in 0..<activityCount {
                        let activity = base + a
                        let share = shares.share(activity: a, student: studentOffset)
                        let t = activity.pointee.minutes * share
                        minutes += t
                        onlineMinutes += activity.pointee.online * t
                        homeOnlineMinutes += activity.pointee.homeOnline * t
                        isolatedMinutes += activity.pointee.isolation * t
                        contactMinutes += activity.pointee.contact * t
                        let isLate = late && activity.pointee.submitted
                        var value = (isLate ? activity.pointee.valueLate : activity.pointee.valueOnTime) * share
                            * engagementSlots[activity.pointee.engagementSlot]
                        if copied && activity.pointee.submitted { value *= copiedLearningKept }
                        h += value * activity.pointee.factors
                        feedbackMinutes += (isLate ? activity.pointee.feedbackMinutesLate : activity.pointee.feedbackMinutesOnTime) * share
                    }
                }
                // max(0, minutes / capacity − 1), divided only when minutes exceed capacity (a
                // correctly rounded quotient of minutes ≤ capacity is ≤ 1: the same 0).
                let capacity = capacityMinutes * (0.7 + 0.6 * r)
                let overload = minutes > capacity ? minutes / capacity - 1 : 0
                let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3]

                // (6) Skill growth at the pace of the skill's band, one skill at a time (unrolled).
                let rate = beta * aptitudeColumn[i]
                @inline(__always)
                func grow(_ column: UnsafeMutablePointer<Float>, _ hours: Float, _ slot: UInt64) -> Float {
                    let before = column[i]
                    let room = before < ceiling ? paceTable[GuidedHours.band(before)] : 0
                    let u = CounterRandom.unit16(skillNoise, slot)
                    let noise = max(0, 1 + growthNoise * (2 * u - 1))
                    let after = min(before + rate * hours * room * noise, ceiling)
                    column[i] = after
                    return after
                }
                let before = listeningColumn[i] + readingColumn[i] + writingColumn[i] + speakingColumn[i]
                let skillNoise = CounterRandom.word(weekKey, DrawPurpose.skillNoise)
                let l = grow(listeningColumn, h0, 0)
                let rd = grow(readingColumn, h1, 1)
                let w = grow(writingColumn, h2, 2)
                let sp = grow(speakingColumn, h3, 3)
                let gained = (l + rd + w + sp) - before
                let courseAfter = courseColumn[i] + coursePerHour * aptitudeColumn[i] * (h0 + h1 + h2 + h3)
                courseColumn[i] = courseAfter

                // (7) Motivation.
                let progress = expectedGain > 0 ? gained / expectedGain : 1
                let feedbackLevel = Shares.full
                    ? (late ? uniformFeedbackLate : uniformFeedbackOnTime) : (minutes > 0 ? feedbackMinutes / minutes : 0)
                let u = CounterRandom.unit24(lateAndMotivation, 1)
                var next = m
                next += progressGain * (min(progress, 2) - 1)
                next += motivationFeedbackGain * (feedbackLevel - feedbackReference)
                next -= overloadPenalty * overload
                next += reversion * (target - m)
                next += support * (1 - m)
                next += motivationNoise * (2 * u - 1)
                next = min(max(next, 0), 1)
                motivationColumn[i] = next

                // (8) Withdrawal: motivation, isolated online study (worse with low
                // self-regulation) and lost access to online work at home.
                var isolation = uniformIsolation
                if !Shares.full {
                    isolation = minutes > 0 ? isolatedMinutes / minutes : 0
                    if protects && minutes > 0 { isolation *= max(0, 1 - contactMinutes / minutes * inverseProtection) }
                }
                let lostAccess = minutes > 0 ? (1 - homeReach) * homeOnlineMinutes / minutes : 0
                let quit = dropoutHazard * (1 - next) * (1 - next)
                    * (1 + isolationHazard * isolation * 2 * (1 - r)) * (1 + accessHazard * lostAccess)
                if CounterRandom.unit24(cheatingAndDropout, 1) < quit {
                    activeColumn[i] = 0
                    local.dropouts &+= 1
                    continue
                }

                // Students still enrolled at the week's end who had online work at home without
                // a device or over a poor line (shares of the week's active students, so those who
                // withdrew this week are not counted).
                if homeOnlineMinutes > 0 {
                    local.withoutDevice &+= hasDevice ? 0 : 1
                    local.poorConnection &+= connectivity < poorConnection ? 1 : 0
                }

                // (9) Digital competence grows with online practice.
                let digitalAfter = min(1, digitalBefore + digitalRate * (onlineMinutes * (1 / 60)) * (1 - digitalBefore))
                digitalColumn[i] = digitalAfter
                let totalOnline = onlineColumn[i] + onlineMinutes
                onlineColumn[i] = totalOnline
                let overall = (l + rd + w + sp) * 0.25
                let overallBand = band(overall)
                local.addStudent(
                    listening: l, reading: rd, writing: w, speaking: sp, overall: overall, band: overallBand,
                    motivation: next, onlineMinutes: totalOnline, digitalCompetence: digitalAfter)
                let start = Int(startBands[i])
                local.countLevelUps(
                    l >= edge(start), rd >= edge(start >> 3), w >= edge(start >> 6), sp >= edge(start >> 9),
                    overallBand > (start >> 12) & 7)

                // (10) Assessment at a control point.
                if isControlPoint {
                    let noiseWord = CounterRandom.word(weekKey, DrawPurpose.assessmentNoise)
                    let z = CounterRandom.unit16(noiseWord, 0) + CounterRandom.unit16(noiseWord, 1)
                        + CounterRandom.unit16(noiseWord, 2) + CounterRandom.unit16(noiseWord, 3) - 2
                    var measured = overall + assessmentNoise * z
                    if hasOnlineAssessment {
                        let copyChance = cheatingPropensity * (1 - g) * (1 - 0.5 * next) * deterred
                        if CounterRandom.unit24(CounterRandom.word(weekKey, DrawPurpose.assessmentCheating), 0) < copyChance {
                            local.cheating &+= 1
                            cheatingColumn[i] &+= 1
                            if CounterRandom.unit24(CounterRandom.word(weekKey, DrawPurpose.caught), 1) >= integrityEnforcement {
                                measured += inflation
                            }
                        }
                    }
                    local.addMeasured(measured)
                }
                // Course achievement and whether the student has ever tried to copy, after the
                // week's assessment; the end-of-course statistics in the last week.
                local.addCourse(courseAfter, cheated: cheatingColumn[i] > 0)
                if isFinalWeek { local.addFinal(course: courseAfter, selfRegulation: r) }
            }
            }
        }
    }
}

/// Where the kernel reads a student's participation multiplier for an activity.
protocol ParticipationSource {
    /// Every multiplier is 1 (no model or policy of the group has a per-student hook).
    static var full: Bool { get }
    func share(activity: Int, student: Int) -> Float
}

/// No per-student participation this week: every multiplier is 1.
struct FullParticipation: ParticipationSource {
    static var full: Bool { true }
    @inline(__always) func share(activity: Int, student: Int) -> Float { 1 }
}

/// Rows of per-student multipliers, one row of `stride` students per activity.
struct ParticipationRows: ParticipationSource {
    let rows: UnsafePointer<Float>
    let stride: Int
    static var full: Bool { false }
    @inline(__always) func share(activity: Int, student: Int) -> Float { rows[activity &* stride &+ student] }
}

/// One multiplier per activity, the same for every student (the general path without hooks).
struct ActivityRow: ParticipationSource {
    let row: UnsafePointer<Float>
    static var full: Bool { false }
    @inline(__always) func share(activity: Int, student: Int) -> Float { row[activity] }
}
