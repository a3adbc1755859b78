import BlendSimCore
import CBlendSimABI

/// The reference blendsim's kernel is measured against (docs/PERFORMANCE.md): the week of
/// docs/MODEL.md 3.3 for one group, written as one hand-fused loop over the cohort's columns,
/// compiled with -Ounchecked, with nothing general left in it:
///
/// - the week's activities reduced to a closed form per engagement slot (for a student on time,
///   late, and copying), so a student's effective hours are a few multiply-adds;
/// - no participation multipliers, no per-student minute sums (they are the week's constants);
/// - metric sums in plain doubles, no fixed point;
/// - its own copies of the counter-based random functions, inlined.
///
/// It draws the same cohort (blendsim's initializer) and the same random numbers, so its results
/// agree with blendsim's up to the rounding of the closed form. Keep it in step with
/// `LearningKernel`: a change of the model there is a change here.
public enum FusedReference {
    /// What a run leaves: the end-of-semester means, to compare with blendsim's.
    public struct Result: Sendable {
        public var studentWeeks: Int
        public var meanOverall: Double
        public var meanMotivation: Double
        public var activeShare: Double
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
        // The cohort, drawn as blendsim draws it.
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

        // The plugins plan each week as in blendsim.
        let model = try group.model.makeInstance()
        let policies = try group.policies.map { try $0.makeInstance() }
        let name = Array(group.name.utf8CString)
        var sums = Sums()
        for week in 1...spec.weeks {
            let plan = try name.withUnsafeBufferPointer { namePointer in
                try planWeek(
                    week: week, spec: spec, group: group, name: namePointer.baseAddress!, model: model, policies: policies,
                    previous: previous, groupKey: groupKey)
            }
            let form = ClosedForm(plan: plan, kernel: spec.kernel)
            var partials = [Sums](repeating: Sums(), count: chunks)
            partials.withUnsafeMutableBufferPointer { slots in
                let shared = UncheckedSendable(slots)
                ParallelFor.run(iterations: chunks, threads: threads) { chunk, _ in
                    let range = (chunk * chunkSize)..<min((chunk + 1) * chunkSize, students)
                    form.step(cohort: cohort, range: range, groupKey: groupKey, into: &shared.value[chunk])
                }
            }
            sums = Sums()
            for partial in partials { sums.add(partial) }
            let n = max(sums.active, 1)
            previous = Means(
                motivation: sums.motivation / n, skill: sums.overall / n, activeShare: sums.active / Double(students),
                course: sums.course / n)
        }
        let n = max(sums.active, 1)
        return Result(
            studentWeeks: students * spec.weeks, meanOverall: sums.overall / n, meanMotivation: sums.motivation / n,
            activeShare: sums.active / Double(students))
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
                    control_point_count: UInt32(spec.controlPoints.count), reserved: 0, mean_course: previous.course)
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

    /// Sums over students, in doubles.
    struct Sums {
        var active = 0.0, overall = 0.0, motivation = 0.0, course = 0.0, measured = 0.0
        var skills = (0.0, 0.0, 0.0, 0.0)
        var bands = InlineArray<8, Double>(repeating: 0)
        var finalCount = 0.0, regulation = 0.0, regulationSquares = 0.0, regulationCourse = 0.0
        var levelUps = (0.0, 0.0, 0.0, 0.0, 0.0)
        var cheating = 0.0, late = 0.0, dropouts = 0.0, lowMotivation = 0.0, withoutDevice = 0.0, poorConnection = 0.0
        var online = 0.0, digital = 0.0, cheaters = 0.0, overallSquares = 0.0, courseSquares = 0.0

        mutating func add(_ o: Sums) {
            active += o.active; overall += o.overall; motivation += o.motivation; course += o.course; measured += o.measured
            skills.0 += o.skills.0; skills.1 += o.skills.1; skills.2 += o.skills.2; skills.3 += o.skills.3
            for b in 0..<8 { bands[b] += o.bands[b] }
            finalCount += o.finalCount; regulation += o.regulation; regulationSquares += o.regulationSquares; regulationCourse += o.regulationCourse
            levelUps.0 += o.levelUps.0; levelUps.1 += o.levelUps.1; levelUps.2 += o.levelUps.2; levelUps.3 += o.levelUps.3; levelUps.4 += o.levelUps.4
            cheating += o.cheating; late += o.late; dropouts += o.dropouts; lowMotivation += o.lowMotivation
            withoutDevice += o.withoutDevice; poorConnection += o.poorConnection; online += o.online; digital += o.digital
            cheaters += o.cheaters; overallSquares += o.overallSquares; courseSquares += o.courseSquares
        }
    }

    /// The week in closed form: per engagement slot and skill, the effective hours per unit of
    /// engagement of the activities in the slot — those not handed in, and those handed in on
    /// time and late.
    struct ClosedForm {
        /// Per engagement slot (all eight, zero where unused), the effective hours per unit of
        /// engagement, a lane per skill: of the work not handed in, and of the work handed in on
        /// time and late.
        var used = [Bool](repeating: false, count: 8)
        var base = [SIMD4<Float>](repeating: .zero, count: 8)
        var onTime = [SIMD4<Float>](repeating: .zero, count: 8)
        var lateWork = [SIMD4<Float>](repeating: .zero, count: 8)
        var minutes: Float = 0, online: Float = 0, homeOnline: Float = 0, isolated: Float = 0, contact: Float = 0
        var feedbackOnTime: Float = 0, feedbackLate: Float = 0
        let plan: WeekPlan
        let k: KernelParameters

        init(plan: WeekPlan, kernel: KernelParameters) {
            self.plan = plan
            k = kernel
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

        @inline(__always) static func mix(_ value: UInt64) -> UInt64 {
            var z = value
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        @inline(__always) static func word(_ stream: UInt64, _ n: UInt64) -> UInt64 { mix(stream &+ (n &+ 1) &* 0x9E37_79B9_7F4A_7C15) }
        @inline(__always) static func unit16(_ word: UInt64, _ slot: UInt64) -> Float { (Float((word >> (16 &* slot)) & 0xFFFF) + 0.5) * 0x1.0p-16 }
        @inline(__always) static func unit24(_ word: UInt64, _ half: UInt64) -> Float { Float((word >> (32 &* half &+ 8)) & 0xFF_FFFF) * 0x1.0p-24 }

        func step(cohort: Cohort, range: Range<Int>, groupKey: UInt64, into sums: inout Sums) {
            let beta = Float(k.pointsPerHour)
            let ceiling = Float(min(k.ceilingScore, 230))
            let referenceHours = GuidedHours.perBand[GuidedHours.band(Float(k.referenceScore))]
            let paceFactors = GuidedHours.perBand.map { Float(referenceHours / $0) }
            let growthNoise = Float(k.learningNoise * 3.0.squareRoot())
            let motivationNoise = Float(k.motivationNoise * 3.0.squareRoot())
            let assessmentNoise = Float(k.assessmentNoise * 3.0.squareRoot())
            let classroomFloor = Float(k.classroomEngagementFloor), selfPacedFloor = Float(k.selfPacedEngagementFloor)
            let siwFloor = Float(k.siwEngagementFloor), noDevice = Float(k.noDeviceAccess)
            let asyncFloor = Float(k.asyncConnectivityFloor), syncFloor = Float(k.syncConnectivityFloor)
            let digitalFloor = Float(k.digitalCompetenceFloor)
            let capacityMinutes = Float(k.capacityHours * 60)
            let expectedGain = 4 * beta * Float(k.expectedEffectiveHours)
            let cheatingPropensity = Float(k.cheatingPropensity), latenessPropensity = Float(k.latenessPropensity)
            let kept = Float(1 - k.cheatingLearningLoss)
            let progressGain = Float(k.motivationProgressGain), feedbackGain = Float(k.motivationFeedbackGain)
            let feedbackReference = Float(k.feedbackReference), overloadPenalty = Float(k.motivationOverloadPenalty)
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
            let minutes = self.minutes, onlineMinutes = self.online, homeOnline = self.homeOnline
            let shield: Float = k.contactProtection > 0 && minutes > 0 ? max(0, 1 - contact / minutes * Float(min(1 / k.contactProtection, Double(Float.greatestFiniteMagnitude)))) : 1
            let isolation = minutes > 0 ? isolated / minutes * shield : 0
            let overloadBase = minutes / capacityMinutes
            let L = cohort.listening, R = cohort.reading, W = cohort.writing, S = cohort.speaking
            let M = cohort.motivation, SR = cohort.selfRegulation, G = cohort.integrity, D = cohort.digitalCompetence
            let C = cohort.connectivity, A = cohort.aptitude, DEV = cohort.deviceAccess, ACT = cohort.active
            let ON = cohort.onlineMinutes, CO = cohort.course, CH = cohort.cheatingIncidents, LA = cohort.lateSubmissions
            let SB = cohort.startBands
            var s = Sums()
            let b0 = base[0], b1 = base[1], b2 = base[2], b3 = base[3], b4 = base[4], b5 = base[5], b6 = base[6], b7 = base[7]
            let t0 = onTime[0], t1 = onTime[1], t2 = onTime[2], t3 = onTime[3], t4 = onTime[4], t5 = onTime[5], t6 = onTime[6], t7 = onTime[7]
            let l0s = lateWork[0], l1s = lateWork[1], l2s = lateWork[2], l3s = lateWork[3], l4s = lateWork[4], l5s = lateWork[5], l6s = lateWork[6], l7s = lateWork[7]
            // The week's slots, as constants: a slot the week does not use costs nothing (the
            // branches go the same way for every student).
            let u0 = used[0], u1 = used[1], u2 = used[2], u3 = used[3], u4 = used[4], u5 = used[5], u6 = used[6], u7 = used[7]
            do {
                do {
                    for i in range {
                        guard ACT[i] != 0 else { continue }
                        let weekKey = Self.mix(groupKey &+ ((UInt64(i) &<< 16) | week) &* 0xD1B5_4A32_D192_ED03)
                        let cd = Self.word(weekKey, 1), lm = Self.word(weekKey, 2)
                        let m = M[i], r = SR[i], g = G[i]
                        var hasDevice = DEV[i] != 0
                        if !hasDevice && loanShare > 0 {
                            let initKey = Self.mix(Self.mix(groupKey &+ (UInt64(i) &+ 1) &* 0xD1B5_4A32_D192_ED03) &+ 1 &* 0xD1B5_4A32_D192_ED03)
                            hasDevice = Double(Self.mix(initKey &+ (14 &+ 1) &* 0x9E37_79B9_7F4A_7C15) >> 11) * 0x1.0p-53 < loanShare
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
                        var copied = false, late = false
                        if hasSubmitted {
                            if Self.unit24(cd, 0) < cheatingPropensity * (1 - g) * (1 - 0.5 * m) * deterred {
                                s.cheating += 1
                                CH[i] &+= 1
                                copied = Self.unit24(Self.word(weekKey, 3), 0) >= integrityEnforcement
                            }
                            if Self.unit24(lm, 0) < latenessPropensity * (1 - r) * (1 - 0.5 * m) * deadlineFactor {
                                late = true
                                s.late += 1
                                LA[i] &+= 1
                            }
                        }
                        // Effective hours per skill: the closed form over the week's slots, a lane
                        // per skill.
                        let copyFactor: Float = copied ? kept : 1
                        var h = SIMD4<Float>.zero
                        @inline(__always) func add(_ engagement: Float, _ b: SIMD4<Float>, _ onTime: SIMD4<Float>, _ lateRow: SIMD4<Float>) {
                            h += engagement * (b + (late ? lateRow : onTime) * copyFactor)
                        }
                        if u0 { add(classroom, b0, t0, l0s) }
                        if u1 { add(classroom * access * (syncFloor + (1 - syncFloor) * connectivity) * digital, b1, t1, l1s) }
                        if u2 { add(selfPacedEngagement * homeReach * digital, b2, t2, l2s) }
                        if u3 { add(siw, b3, t3, l3s) }
                        if u4 { add(0.5 * (classroom + siw), b4, t4, l4s) }
                        if u5 { add(classroom, b5, t5, l5s) }
                        if u6 { add(classroom * digital, b6, t6, l6s) }
                        if u7 { add(selfPacedEngagement * digital, b7, t7, l7s) }
                        let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3]
                        let overload = max(0, overloadBase / (0.7 + 0.6 * r) - 1)
                        let rate = beta * A[i]
                        let noise = Self.word(weekKey, 0)
                        @inline(__always) func grow(_ before: Float, _ hours: Float, _ slot: UInt64) -> Float {
                            let room = before < ceiling ? paceFactors[Int(min(max((before - 80) * 0.05, 0), 7))] : 0
                            let factor = max(0, 1 + growthNoise * (2 * Self.unit16(noise, slot) - 1))
                            return min(before + rate * hours * room * factor, ceiling)
                        }
                        let l0 = L[i], r0 = R[i], w0 = W[i], s0 = S[i]
                        let l = grow(l0, h0, 0), rd = grow(r0, h1, 1), w = grow(w0, h2, 2), sp = grow(s0, h3, 3)
                        L[i] = l; R[i] = rd; W[i] = w; S[i] = sp
                        let gained = (l + rd + w + sp) - (l0 + r0 + w0 + s0)
                        let courseAfter = CO[i] + coursePerHour * A[i] * (h0 + h1 + h2 + h3)
                        CO[i] = courseAfter
                        let feedback = minutes > 0 ? (late ? feedbackLate : feedbackOnTime) / minutes : 0
                        var next = m
                        next += progressGain * (min(expectedGain > 0 ? gained / expectedGain : 1, 2) - 1)
                        next += feedbackGain * (feedback - feedbackReference)
                        next -= overloadPenalty * overload
                        next += reversion * (target - m)
                        next += support * (1 - m)
                        next += motivationNoise * (2 * Self.unit24(lm, 1) - 1)
                        next = min(max(next, 0), 1)
                        M[i] = next
                        let lostAccess = minutes > 0 ? (1 - homeReach) * homeOnline / minutes : 0
                        let quit = dropoutHazard * (1 - next) * (1 - next) * (1 + isolationHazard * isolation * 2 * (1 - r)) * (1 + accessHazard * lostAccess)
                        if Self.unit24(cd, 1) < quit {
                            ACT[i] = 0
                            s.dropouts += 1
                            continue
                        }
                        if homeOnline > 0 {
                            if !hasDevice { s.withoutDevice += 1 }
                            if connectivity < 0.4 { s.poorConnection += 1 }
                        }
                        let digitalAfter = min(1, digitalBefore + digitalRate * (onlineMinutes * (1 / 60)) * (1 - digitalBefore))
                        D[i] = digitalAfter
                        let totalOnline = ON[i] + onlineMinutes
                        ON[i] = totalOnline
                        let overall = (l + rd + w + sp) * 0.25
                        @inline(__always) func band(_ x: Float) -> Int {
                            (x >= 120 ? 1 : 0) &+ (x >= 140 ? 1 : 0) &+ (x >= 160 ? 1 : 0) &+ (x >= 180 ? 1 : 0) &+ (x >= 200 ? 1 : 0)
                        }
                        let overallBand = band(overall)
                        s.active += 1
                        s.overall += Double(overall)
                        s.overallSquares += Double(overall) * Double(overall)
                        s.motivation += Double(next)
                        s.skills.0 += Double(l); s.skills.1 += Double(rd); s.skills.2 += Double(w); s.skills.3 += Double(sp)
                        s.bands[overallBand & 7] += 1
                        if next < 0.3 { s.lowMotivation += 1 }
                        s.online += Double(totalOnline)
                        s.digital += Double(digitalAfter)
                        let start = Int(SB[i])
                        s.levelUps.0 += band(l) > start & 7 ? 1 : 0
                        s.levelUps.1 += band(rd) > (start >> 3) & 7 ? 1 : 0
                        s.levelUps.2 += band(w) > (start >> 6) & 7 ? 1 : 0
                        s.levelUps.3 += band(sp) > (start >> 9) & 7 ? 1 : 0
                        s.levelUps.4 += overallBand > (start >> 12) & 7 ? 1 : 0
                        if isControlPoint {
                            let z = Self.word(weekKey, 4)
                            var measured = overall + assessmentNoise * (Self.unit16(z, 0) + Self.unit16(z, 1) + Self.unit16(z, 2) + Self.unit16(z, 3) - 2)
                            if hasOnlineTest, Self.unit24(Self.word(weekKey, 5), 0) < cheatingPropensity * (1 - g) * (1 - 0.5 * next) * deterred {
                                s.cheating += 1
                                CH[i] &+= 1
                                if Self.unit24(Self.word(weekKey, 3), 1) >= integrityEnforcement { measured += inflation }
                            }
                            s.measured += Double(measured)
                        }
                        s.course += Double(courseAfter)
                        s.courseSquares += Double(courseAfter) * Double(courseAfter)
                        s.cheaters += CH[i] > 0 ? 1 : 0
                        if isFinalWeek {
                            s.finalCount += 1
                            s.regulation += Double(r)
                            s.regulationSquares += Double(r * r)
                            s.regulationCourse += Double(r * courseAfter)
                        }
                    }
                }
            }
            sums = s
        }
    }
}
