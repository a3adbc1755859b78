import BlendSimCore
import CBlendSimABI

/// The limit blendsim's kernel is measured against (docs/PERFORMANCE.md): the week of
/// docs/MODEL.md 3.3 for one group written as the tightest plain loop we know how to write, with
/// nothing general in it, compiled with -Ounchecked.
///
/// It is written from the model's equations, not from `LearningKernel`:
///
/// - the week's activities reduced to a closed form per engagement slot (for work not handed in,
///   handed in on time, and late), so a student's effective hours are a few SIMD4 multiply-adds;
/// - the four skills grow as one SIMD4 computation;
/// - every quotient of week constants computed once per week, and the two that depend on the
///   student multiplied by a reciprocal (the overload ratio only when minutes exceed capacity);
/// - a level band from one comparison vector of the score against the band edges, and a
///   skill's level-up as one comparison with its start band's upper edge;
/// - every counter an integer add of a comparison (no branch), metric sums in plain doubles;
/// - its own copies of the counter-based random functions.
///
/// It updates every column and weekly metric blendsim's kernel updates, draws the same cohort
/// (blendsim's initializer) and the same random numbers, so its means agree with blendsim's up to
/// the rounding of the closed form (about 1e-6) and its incident counts are the same.
public enum TightReference {
    /// What a run leaves: the end-of-semester means and the semester's incidents, to compare.
    public struct Result: Sendable {
        public var studentWeeks: Int
        public var meanOverall: Double
        public var meanMotivation: Double
        public var activeShare: Double
        public var cheating: Int
        public var late: Int
        public var dropouts: Int

        public init(studentWeeks: Int, meanOverall: Double, meanMotivation: Double, activeShare: Double, cheating: Int, late: Int, dropouts: Int) {
            self.studentWeeks = studentWeeks
            self.meanOverall = meanOverall
            self.meanMotivation = meanMotivation
            self.activeShare = activeShare
            self.cheating = cheating
            self.late = late
            self.dropouts = dropouts
        }
    }

    /// Runs one group of `spec` (its first) for the semester on `threads` threads.
    public static func run(spec: SimulationSpec, threads: Int, chunkSize: Int = 4096) throws -> Result {
        let group = spec.groups[0]
        let students = group.students
        let cohort = Cohort(count: students)
        let initializer = CohortInitializer(
            population: group.population, levelShares: group.levelShares, students: students, coursePriorSD: spec.kernel.coursePriorSD,
            regulationLevelCorrelation: spec.kernel.regulationLevelCorrelation,
            coursePriorLevelCorrelation: spec.kernel.coursePriorLevelCorrelation)
        let groupKey = StreamKeys(seed: spec.seed).group(0, 0)
        let chunks = (students + chunkSize - 1) / chunkSize
        var start = [MetricAccumulator](repeating: MetricAccumulator(), count: chunks)
        start.withUnsafeMutableBufferPointer { slots in
            let shared = UncheckedSendable(slots)
            ParallelFor.run(iterations: chunks, threads: threads) { chunk, _ in
                let range = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, students)
                initializer.initialize(cohort: cohort, range: range, groupKey: groupKey, into: &shared.value[chunk])
            }
        }
        var totalStart = MetricAccumulator()
        for partial in start { totalStart.merge(partial) }
        let first = totalStart.metrics(week: 0, enrolled: students)
        var previous = Means(motivation: first.motivation, skill: first.overall, activeShare: first.activeShare, course: first.course)

        let model = try group.model.makeInstance()
        let policies = try group.policies.map { try $0.makeInstance() }
        let name = Array(group.name.utf8CString)
        var sums = Sums()
        var cheating = 0, late = 0, dropouts = 0
        for week in 1...spec.weeks {
            let plan = try name.withUnsafeBufferPointer { namePointer in
                try planWeek(
                    week: week, spec: spec, group: group, name: namePointer.baseAddress!, model: model, policies: policies,
                    previous: previous, groupKey: groupKey)
            }
            let form = Week(plan: plan, kernel: spec.kernel, groupKey: groupKey)
            var partials = [Sums](repeating: Sums(), count: chunks)
            partials.withUnsafeMutableBufferPointer { slots in
                let shared = UncheckedSendable(slots)
                ParallelFor.run(iterations: chunks, threads: threads) { chunk, _ in
                    let range = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, students)
                    form.step(cohort: cohort, range: range, into: &shared.value[chunk])
                }
            }
            sums = Sums()
            for partial in partials { sums.add(partial) }
            cheating += sums.cheating
            late += sums.late
            dropouts += sums.dropouts
            let n = Double(max(sums.active, 1))
            previous = Means(
                motivation: sums.motivation / n, skill: sums.overall / n, activeShare: Double(sums.active) / Double(students),
                course: sums.course / n)
        }
        let n = Double(max(sums.active, 1))
        return Result(
            studentWeeks: students * spec.weeks, meanOverall: sums.overall / n, meanMotivation: sums.motivation / n,
            activeShare: Double(sums.active) / Double(students), cheating: cheating, late: late, dropouts: dropouts)
    }

    struct Means {
        var motivation: Double
        var skill: Double
        var activeShare: Double
        var course: Double
    }

    /// The group's week as its policies and model plan it (the engine's phases 1 and 2).
    static func planWeek(
        week: Int, spec: SimulationSpec, group: GroupSpec, name: UnsafePointer<CChar>, model: any ModelInstance,
        policies: [any PolicyInstance], previous: Means, groupKey: UInt64
    ) throws -> WeekPlan {
        var info = bs_group_info(
            struct_size: UInt32(MemoryLayout<bs_group_info>.size), index: 0, name: name, students: UInt64(group.students),
            online_share: group.onlineShare, contact_minutes: group.contactMinutes, siwt_minutes: group.siwtMinutes,
            siw_minutes: group.siwMinutes, students_per_teacher: group.studentsPerTeacher)
        var conditions = bs_conditions.defaults
        var activities = [bs_activity](repeating: bs_activity(kind: .classroom, minutes: 0), count: Engine.activityCapacity)
        let isControlPoint = spec.controlPoints.contains(week)
        let weekStream = CounterRandom.derive(CounterRandom.derive(groupKey, 0xB10C), UInt64(week))
        let planned = try withUnsafePointer(to: &info) { infoPointer in
            try withUnsafeMutablePointer(to: &conditions) { conditionsPointer in
                var context = bs_week_context(
                    struct_size: UInt32(MemoryLayout<bs_week_context>.size), week: UInt32(week), weeks: UInt32(spec.weeks),
                    is_control_point: isControlPoint ? 1 : 0, replication: 0, stream: 0,
                    group_stream: CounterRandom.derive(groupKey, 0x6A0F), group: infoPointer, conditions: conditionsPointer,
                    mean_motivation: previous.motivation, mean_skill: previous.skill, active_share: previous.activeShare,
                    control_point_count: UInt32(spec.controlPoints.count), reserved: 0, mean_course: previous.course,
                    semester: 1, semesters: 1)
                for (p, policy) in policies.enumerated() {
                    context.stream = CounterRandom.derive(weekStream, UInt64(p + 1))
                    try policy.beginWeek(&context)
                }
                context.stream = CounterRandom.derive(weekStream, 0)
                return try activities.withUnsafeMutableBufferPointer { buffer in try model.planWeek(&context, into: buffer) }
            }
        }
        return WeekPlan(
            week: week, isControlPoint: isControlPoint, activities: Array(activities[0..<planned]), conditions: conditions,
            motivationTarget: group.population.motivation.mean, kernel: spec.kernel, studentsPerTeacher: group.studentsPerTeacher,
            activeShare: previous.activeShare, weeks: spec.weeks)
    }

    /// Sums over a chunk's students: counts as integers, the rest in doubles.
    struct Sums {
        var active = 0, cheating = 0, late = 0, dropouts = 0, lowMotivation = 0, withoutDevice = 0, poorConnection = 0
        var cheaters = 0, finalCount = 0
        var bands = [Int](repeating: 0, count: 8)
        var levelUps = (0, 0, 0, 0, 0)
        var overall = 0.0, overallSquares = 0.0, motivation = 0.0, course = 0.0, courseSquares = 0.0, measured = 0.0
        var skills = SIMD4<Double>.zero
        var online = 0.0, digital = 0.0, regulation = 0.0, regulationSquares = 0.0, regulationCourse = 0.0

        mutating func add(_ o: Sums) {
            active += o.active; cheating += o.cheating; late += o.late; dropouts += o.dropouts; lowMotivation += o.lowMotivation
            withoutDevice += o.withoutDevice; poorConnection += o.poorConnection; cheaters += o.cheaters; finalCount += o.finalCount
            for b in 0..<8 { bands[b] += o.bands[b] }
            levelUps.0 += o.levelUps.0; levelUps.1 += o.levelUps.1; levelUps.2 += o.levelUps.2; levelUps.3 += o.levelUps.3
            levelUps.4 += o.levelUps.4
            overall += o.overall; overallSquares += o.overallSquares; motivation += o.motivation; course += o.course
            courseSquares += o.courseSquares; measured += o.measured; skills += o.skills; online += o.online; digital += o.digital
            regulation += o.regulation; regulationSquares += o.regulationSquares; regulationCourse += o.regulationCourse
        }
    }

    @inline(__always) static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    @inline(__always) static func word(_ stream: UInt64, _ n: UInt64) -> UInt64 { mix(stream &+ (n &+ 1) &* 0x9E37_79B9_7F4A_7C15) }
    @inline(__always) static func unit24(_ word: UInt64, _ half: UInt64) -> Float { Float((word >> (32 &* half &+ 8)) & 0xFF_FFFF) * 0x1.0p-24 }
    /// Four uniforms in (0, 1) from the four 16-bit quarters of `word`.
    @inline(__always) static func unit16x4(_ word: UInt64) -> SIMD4<Float> {
        let quarters = SIMD4<UInt32>(
            UInt32(truncatingIfNeeded: word) & 0xFFFF, UInt32(truncatingIfNeeded: word >> 16) & 0xFFFF,
            UInt32(truncatingIfNeeded: word >> 32) & 0xFFFF, UInt32(truncatingIfNeeded: word >> 48))
        return (SIMD4<Float>(quarters) + 0.5) * 0x1.0p-16
    }

    /// One week of the group, in closed form: everything that is the same for every student.
    struct Week {
        /// Per engagement slot (0 classroom, 1 live online, 2 self-paced online, 3 SIW, 4 SIWT,
        /// 5 assessment, 6 live online on campus, 7 self-paced online on campus), a lane per skill:
        /// the effective hours per unit of engagement of work not handed in, handed in on time,
        /// and handed in late.
        var base = [SIMD4<Float>](repeating: .zero, count: 8)
        var onTime = [SIMD4<Float>](repeating: .zero, count: 8)
        var lateWork = [SIMD4<Float>](repeating: .zero, count: 8)
        var used = [Bool](repeating: false, count: 8)
        var minutes: Float = 0, online: Float = 0, homeOnline: Float = 0, isolated: Float = 0, contact: Float = 0
        var feedbackOnTime: Float = 0, feedbackLate: Float = 0
        let plan: WeekPlan
        let k: KernelParameters
        let groupKey: UInt64

        init(plan: WeekPlan, kernel: KernelParameters, groupKey: UInt64) {
            self.plan = plan
            k = kernel
            self.groupKey = groupKey
            for a in plan.kernelActivities {
                minutes += a.minutes
                online += a.online * a.minutes
                homeOnline += a.homeOnline * a.minutes
                isolated += a.isolation * a.minutes
                contact += a.contact * a.minutes
                feedbackOnTime += a.feedbackMinutesOnTime
                feedbackLate += a.submitted ? a.feedbackMinutesLate : a.feedbackMinutesOnTime
                used[a.engagementSlot] = true
                let factors = SIMD4<Float>(a.factors.0, a.factors.1, a.factors.2, a.factors.3)
                if a.submitted {
                    onTime[a.engagementSlot] += a.valueOnTime * factors
                    lateWork[a.engagementSlot] += a.valueLate * factors
                } else {
                    base[a.engagementSlot] += a.valueOnTime * factors
                }
            }
        }

        @inline(never)
        func step(cohort: Cohort, range: Range<Int>, into sums: inout Sums) {
            let beta = Float(k.pointsPerHour)
            let ceiling = Float(min(k.ceilingScore, 230))
            let referenceHours = GuidedHours.perBand[GuidedHours.band(Float(k.referenceScore))]
            // Pace per 20-point band from 80 (GuidedHours), as a table of eight.
            var paceTable = InlineArray<8, Float>(repeating: 0)
            for b in 0..<8 { paceTable[b] = Float(referenceHours / GuidedHours.perBand[b]) }
            let growthNoise = Float(k.learningNoise * 3.0.squareRoot())
            let motivationNoise = Float(k.motivationNoise * 3.0.squareRoot())
            let assessmentNoise = Float(k.assessmentNoise * 3.0.squareRoot())
            let classroomFloor = Float(k.classroomEngagementFloor), selfPacedFloor = Float(k.selfPacedEngagementFloor)
            let siwFloor = Float(k.siwEngagementFloor), noDevice = Float(k.noDeviceAccess)
            let asyncFloor = Float(k.asyncConnectivityFloor), syncFloor = Float(k.syncConnectivityFloor)
            let digitalFloor = Float(k.digitalCompetenceFloor)
            let capacityMinutes = Float(k.capacityHours * 60)
            let expectedGain = 4 * beta * Float(k.expectedEffectiveHours)
            let inverseExpectedGain: Float = expectedGain > 0 ? 1 / expectedGain : 0
            let cheatingPropensity = Float(k.cheatingPropensity), latenessPropensity = Float(k.latenessPropensity)
            let kept = Float(1 - k.cheatingLearningLoss)
            let progressGain = Float(k.motivationProgressGain), feedbackGain = Float(k.motivationFeedbackGain)
            let overloadPenalty = Float(k.motivationOverloadPenalty)
            let reversion = Float(k.motivationReversion)
            let dropoutHazard = Float(k.dropoutHazard), isolationHazard = Float(k.isolationHazard), accessHazard = Float(k.accessHazard)
            let coursePerHour = plan.coursePointsPerHour * 0.25
            let inflation = Float(k.cheatingScoreInflation), digitalRate = Float(k.digitalLearningRate)
            let c = plan.conditions
            let connectivityFloor = Float(c.connectivity_floor), loanShare = c.device_loan_share
            let integrityEnforcement = Float(c.integrity_enforcement)
            let deterred = Float(1 - k.detectionDeterrence * c.integrity_enforcement)
            let deadlineFactor = Float(1 - c.deadline_enforcement)
            let support = Float(c.motivation_support * k.motivationSupportGain)
            let target = plan.motivationTarget
            let week = UInt64(plan.week)
            let hasSubmitted = plan.hasSubmittedWork, hasOnlineTest = plan.hasOnlineAssessment
            let isControlPoint = plan.isControlPoint, isFinalWeek = plan.isFinalWeek
            let minutes = self.minutes, homeOnline = self.homeOnline
            let hasHomeOnline = homeOnline > 0
            let digitalStep = digitalRate * (online * (1 / 60))
            // The week's quotients: the feedback level (on time, late), isolation, and the share
            // of minutes online at home.
            let feedbackReference = Float(k.feedbackReference)
            let feedbackOnTimeTerm = feedbackGain * ((minutes > 0 ? feedbackOnTime / minutes : 0) - feedbackReference)
            let feedbackLateTerm = feedbackGain * ((minutes > 0 ? feedbackLate / minutes : 0) - feedbackReference)
            let shield: Float = k.contactProtection > 0 && minutes > 0
                ? max(0, 1 - contact / minutes * Float(min(1 / k.contactProtection, Double(Float.greatestFiniteMagnitude)))) : 1
            let isolationTerm = isolationHazard * (minutes > 0 ? isolated / minutes * shield : 0) * 2
            let homeOnlineShare = minutes > 0 ? homeOnline / minutes : 0
            let overloadAt = capacityMinutes
            // The upper edge of each level band (A1…C2 from 100 on the Cambridge English Scale, 20
            // points apart; none above C2).
            let upperEdge: InlineArray<8, Float> = [120, 140, 160, 180, 200, .infinity, .infinity, .infinity]
            let L = cohort.listening, R = cohort.reading, W = cohort.writing, S = cohort.speaking
            let M = cohort.motivation, SR = cohort.selfRegulation, G = cohort.integrity, D = cohort.digitalCompetence
            let C = cohort.connectivity, A = cohort.aptitude, DEV = cohort.deviceAccess, ACT = cohort.active
            let ON = cohort.onlineMinutes, CO = cohort.course, CH = cohort.cheatingIncidents, LA = cohort.lateSubmissions
            let SB = cohort.startBands
            let groupKey = self.groupKey
            var a_active = 0, a_cheating = 0, a_late = 0, a_dropouts = 0, a_lowMotivation = 0, a_withoutDevice = 0, a_poorConnection = 0, a_cheaters = 0, a_finalCount = 0
            var a_overall = 0.0, a_overallSquares = 0.0, a_motivation = 0.0, a_course = 0.0, a_courseSquares = 0.0, a_measured = 0.0, a_online = 0.0, a_digital = 0.0, a_regulation = 0.0, a_regulationSquares = 0.0, a_regulationCourse = 0.0
            var up0 = 0, up1 = 0, up2 = 0, up3 = 0, up4 = 0
            // Per slot, three rows: not handed in, on time, late (read from memory, not held in
            // registers).
            let table = UnsafeMutablePointer<SIMD4<Float>>.allocate(capacity: 24)
            defer { table.deallocate() }
            for slot in 0..<8 {
                table[3 * slot] = base[slot]
                table[3 * slot + 1] = onTime[slot]
                table[3 * slot + 2] = lateWork[slot]
            }
            let u0 = used[0], u1 = used[1], u2 = used[2], u3 = used[3], u4 = used[4], u5 = used[5], u6 = used[6], u7 = used[7]
            var bands = InlineArray<8, Int>(repeating: 0)
            var skillSums = SIMD4<Double>.zero
            for i in range {
                guard ACT[i] != 0 else { continue }
                let weekKey = mix(groupKey &+ ((UInt64(i) &<< 16) | week) &* 0xD1B5_4A32_D192_ED03)
                let cd = word(weekKey, 1), lm = word(weekKey, 2)
                let m = M[i], r = SR[i], g = G[i]
                var hasDevice = DEV[i] != 0
                if !hasDevice && loanShare > 0 {
                    let initKey = mix(mix(groupKey &+ (UInt64(i) &+ 1) &* 0xD1B5_4A32_D192_ED03) &+ 1 &* 0xD1B5_4A32_D192_ED03)
                    hasDevice = Double(mix(initKey &+ 15 &* 0x9E37_79B9_7F4A_7C15) >> 11) * 0x1.0p-53 < loanShare
                }
                let access: Float = hasDevice ? 1 : noDevice
                let connectivity = max(C[i], connectivityFloor)
                let homeReach = access * (asyncFloor + (1 - asyncFloor) * connectivity)
                let digitalBefore = D[i]
                let digital = digitalFloor + (1 - digitalFloor) * digitalBefore
                let selfPaced = 0.5 * (m + r)
                let classroom = classroomFloor + (1 - classroomFloor) * m
                let siw = siwFloor + (1 - siwFloor) * selfPaced
                let selfPacedEngagement = selfPacedFloor + (1 - selfPacedFloor) * selfPaced
                let unmotivated = 1 - 0.5 * m
                var copied = false, late = false
                if hasSubmitted {
                    let copies = unit24(cd, 0) < cheatingPropensity * (1 - g) * unmotivated * deterred
                    if copies {
                        a_cheating &+= 1
                        CH[i] &+= 1
                        copied = unit24(word(weekKey, 3), 0) >= integrityEnforcement
                    }
                    late = unit24(lm, 0) < latenessPropensity * (1 - r) * unmotivated * deadlineFactor
                    a_late &+= late ? 1 : 0
                    LA[i] &+= late ? 1 : 0
                }
                // Effective hours, a lane per skill.
                let copyFactor: Float = copied ? kept : 1
                var h = SIMD4<Float>.zero
                let handedIn = late ? 2 : 1
                @inline(__always) func add(_ engagement: Float, _ slot: Int) {
                    h += engagement * (table[3 &* slot] + table[3 &* slot &+ handedIn] * copyFactor)
                }
                if u0 { add(classroom, 0) }
                if u1 { add(classroom * access * (syncFloor + (1 - syncFloor) * connectivity) * digital, 1) }
                if u2 { add(selfPacedEngagement * homeReach * digital, 2) }
                if u3 { add(siw, 3) }
                if u4 { add(0.5 * (classroom + siw), 4) }
                if u5 { add(classroom, 5) }
                if u6 { add(classroom * digital, 6) }
                if u7 { add(selfPacedEngagement * digital, 7) }
                // Growth of the four skills at the pace of each one's band.
                let before = SIMD4<Float>(L[i], R[i], W[i], S[i])
                let position = (before - 80) * 0.05
                @inline(__always) func pace(_ x: Float) -> Float { paceTable[Int(x >= 0 ? (x < 7 ? x : 7) : 0)] }
                var room = SIMD4<Float>(pace(position[0]), pace(position[1]), pace(position[2]), pace(position[3]))
                room.replace(with: 0, where: before .>= ceiling)
                var noise = 1 + growthNoise * (2 * unit16x4(word(weekKey, 0)) - 1)
                noise.replace(with: 0, where: noise .< 0)
                let rate = beta * A[i]
                var after = before + rate * h * room * noise
                after.replace(with: ceiling, where: after .> ceiling)
                L[i] = after[0]; R[i] = after[1]; W[i] = after[2]; S[i] = after[3]
                let total = after.sum()
                let courseAfter = CO[i] + coursePerHour * A[i] * h.sum()
                CO[i] = courseAfter
                // Motivation.
                let progress = expectedGain > 0 ? (total - before.sum()) * inverseExpectedGain : 1
                let capacity = overloadAt * (0.7 + 0.6 * r)
                let overload = minutes > capacity ? minutes / capacity - 1 : 0
                var next = m
                next += progressGain * (min(progress, 2) - 1)
                next += late ? feedbackLateTerm : feedbackOnTimeTerm
                next -= overloadPenalty * overload
                next += reversion * (target - m)
                next += support * (1 - m)
                next += motivationNoise * (2 * unit24(lm, 1) - 1)
                next = min(max(next, 0), 1)
                M[i] = next
                // Withdrawal.
                let quit = dropoutHazard * (1 - next) * (1 - next) * (1 + isolationTerm * (1 - r))
                    * (1 + accessHazard * (1 - homeReach) * homeOnlineShare)
                if unit24(cd, 1) < quit {
                    ACT[i] = 0
                    a_dropouts &+= 1
                    continue
                }
                if hasHomeOnline {
                    a_withoutDevice &+= hasDevice ? 0 : 1
                    a_poorConnection &+= connectivity < 0.4 ? 1 : 0
                }
                let digitalAfter = min(1, digitalBefore + digitalStep * (1 - digitalBefore))
                D[i] = digitalAfter
                let totalOnline = ON[i] + online
                ON[i] = totalOnline
                let overall = total * 0.25
                // The band: the edges at or below the score; a level-up: at or above the start
                // band's upper edge.
                let band = (overall >= 120 ? 1 : 0) &+ (overall >= 140 ? 1 : 0) &+ (overall >= 160 ? 1 : 0)
                    &+ (overall >= 180 ? 1 : 0) &+ (overall >= 200 ? 1 : 0)
                bands[band & 7] &+= 1
                let start = Int(truncatingIfNeeded: SB[i])
                up0 &+= after[0] >= upperEdge[start & 7] ? 1 : 0
                up1 &+= after[1] >= upperEdge[(start >> 3) & 7] ? 1 : 0
                up2 &+= after[2] >= upperEdge[(start >> 6) & 7] ? 1 : 0
                up3 &+= after[3] >= upperEdge[(start >> 9) & 7] ? 1 : 0
                up4 &+= band > (start >> 12) & 7 ? 1 : 0
                a_active &+= 1
                a_overall += Double(overall)
                a_overallSquares += Double(overall) * Double(overall)
                a_motivation += Double(next)
                skillSums += SIMD4<Double>(Double(after[0]), Double(after[1]), Double(after[2]), Double(after[3]))
                a_lowMotivation &+= next < 0.3 ? 1 : 0
                a_online += Double(totalOnline)
                a_digital += Double(digitalAfter)
                if isControlPoint {
                    let z = unit16x4(word(weekKey, 4)).sum() - 2
                    var measured = overall + assessmentNoise * z
                    if hasOnlineTest, unit24(word(weekKey, 5), 0) < cheatingPropensity * (1 - g) * (1 - 0.5 * next) * deterred {
                        a_cheating &+= 1
                        CH[i] &+= 1
                        if unit24(word(weekKey, 3), 1) >= integrityEnforcement { measured += inflation }
                    }
                    a_measured += Double(measured)
                }
                a_course += Double(courseAfter)
                a_courseSquares += Double(courseAfter) * Double(courseAfter)
                a_cheaters &+= CH[i] > 0 ? 1 : 0
                if isFinalWeek {
                    a_finalCount &+= 1
                    a_regulation += Double(r)
                    a_regulationSquares += Double(r * r)
                    a_regulationCourse += Double(r * courseAfter)
                }
            }
            var s = Sums()
            for b in 0..<8 { s.bands[b] = bands[b] }
            s.skills = skillSums
            s.active = a_active
            s.cheating = a_cheating
            s.late = a_late
            s.dropouts = a_dropouts
            s.lowMotivation = a_lowMotivation
            s.withoutDevice = a_withoutDevice
            s.poorConnection = a_poorConnection
            s.cheaters = a_cheaters
            s.finalCount = a_finalCount
            s.overall = a_overall
            s.overallSquares = a_overallSquares
            s.motivation = a_motivation
            s.course = a_course
            s.courseSquares = a_courseSquares
            s.measured = a_measured
            s.online = a_online
            s.digital = a_digital
            s.regulation = a_regulation
            s.regulationSquares = a_regulationSquares
            s.regulationCourse = a_regulationCourse
            s.levelUps = (up0, up1, up2, up3, up4)
            sums = s
        }
    }
}
