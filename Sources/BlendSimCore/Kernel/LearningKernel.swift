import CBlendSimABI

/// The learning kernel: one week of learning for a range of a group's students.
///
/// Every equation is written out in docs/MODEL.md ("Details: the learning kernel"); the comments
/// here name the equation numbers used there. The loop touches only the cohort's columns and the
/// prepared plan, draws from counter-based streams, allocates nothing and calls nothing outside.
public struct LearningKernel: Sendable {
    public let parameters: KernelParameters

    public init(parameters: KernelParameters) { self.parameters = parameters }

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
        let k = parameters
        let beta = Float(k.pointsPerHour)
        let ceiling = Float(min(k.ceilingScore, CambridgeScale.maximum))
        let inverseRange = 1 / Float(max(k.ceilingScore - k.referenceScore, 1))
        let growthNoise = Float(k.learningNoise * 3.0.squareRoot())
        let motivationNoise = Float(k.motivationNoise * 3.0.squareRoot())
        let assessmentNoise = Float(k.assessmentNoise * 3.0.squareRoot())
        let feedbackGain = Float(k.feedbackGain)
        let classroomFloor = Float(k.classroomEngagementFloor)
        let selfPacedFloor = Float(k.selfPacedEngagementFloor)
        let siwFloor = Float(k.siwEngagementFloor)
        let noDevice = Float(k.noDeviceAccess)
        let asyncFloor = Float(k.asyncConnectivityFloor)
        let syncFloor = Float(k.syncConnectivityFloor)
        let digitalFloor = Float(k.digitalCompetenceFloor)
        let capacityMinutes = Float(k.capacityHours * 60)
        let expectedGain = 4 * beta * Float(k.expectedEffectiveHours)
        let conditions = plan.conditions
        let connectivityFloor = Float(conditions.connectivity_floor)
        let loanShare = conditions.device_loan_share
        let integrityEnforcement = conditions.integrity_enforcement
        let deadlineFactor = Float(1 - conditions.deadline_enforcement)
        let support = Float(conditions.motivation_support * k.motivationSupportGain)
        let target = plan.motivationTarget
        let digitalRate = Float(k.digitalLearningRate)
        let poorConnection = MetricAccumulator.poorConnectionThreshold
        let week = UInt64(plan.week)
        let stride = range.count

        plan.activities.withUnsafeBufferPointer { activities in
            for i in range {
                guard cohort.active[i] != 0 else { continue }
                let local = i - range.lowerBound
                let studentKey = CounterRandom.derive(groupKey, UInt64(i))
                let weekKey = CounterRandom.derive(studentKey, week)
                let m = cohort.motivation[i]
                let r = cohort.selfRegulation[i]
                let g = cohort.integrity[i]

                // (1) Access to online work.
                var hasDevice = cohort.deviceAccess[i] != 0
                if !hasDevice && loanShare > 0 {
                    let initKey = CounterRandom.derive(studentKey, 0)
                    hasDevice = CounterRandom.uniform(initKey, DrawPurpose.deviceLoan) < loanShare
                }
                let access: Float = hasDevice ? 1 : noDevice
                let connectivity = max(cohort.connectivity[i], connectivityFloor)
                let digital = digitalFloor + (1 - digitalFloor) * cohort.digitalCompetence[i]
                let asyncAvailability = access * (asyncFloor + (1 - asyncFloor) * connectivity) * digital
                let syncAvailability = access * (syncFloor + (1 - syncFloor) * connectivity) * digital
                // On campus the institution's devices and network stand in for the student's own.

                // (2) Engagement per activity kind.
                let selfPaced = 0.5 * (m + r)
                let classroomEngagement = classroomFloor + (1 - classroomFloor) * m
                let siwEngagement = siwFloor + (1 - siwFloor) * selfPaced
                let selfPacedEngagement = selfPacedFloor + (1 - selfPacedFloor) * selfPaced
                let engagement: InlineArray<8, Float> = [
                    classroomEngagement,
                    classroomEngagement * syncAvailability,
                    selfPacedEngagement * asyncAvailability,
                    siwEngagement,
                    0.5 * (classroomEngagement + siwEngagement),
                    classroomEngagement,
                    classroomEngagement * digital,
                    selfPacedEngagement * digital,
                ]

                // (3) Time on task and overload.
                var minutes: Float = 0
                var onlineMinutes: Float = 0
                var homeOnlineMinutes: Float = 0
                for a in 0..<activities.count {
                    let share = participation.map { $0[a * stride + local] } ?? 1
                    let t = activities[a].minutes * share
                    minutes += t
                    if activities[a].kind.isOnline {
                        onlineMinutes += t
                        if activities[a].engagementSlot < 6 { homeOnlineMinutes += t }
                    }
                }
                if homeOnlineMinutes > 0 {
                    if !hasDevice { metrics.withoutDevice += 1 }
                    if connectivity < poorConnection { metrics.poorConnection += 1 }
                }
                let overload = max(0, minutes / (capacityMinutes * (0.7 + 0.6 * r)) - 1)

                // (4) Copying and lateness on submitted work.
                var copied = false
                var late = false
                if plan.hasSubmittedWork {
                    let copyChance = Float(k.cheatingPropensity) * (1 - g) * (1 - 0.5 * m)
                    if CounterRandom.uniformFloat(weekKey, DrawPurpose.cheating) < copyChance {
                        metrics.cheating += 1
                        cohort.cheatingIncidents[i] &+= 1
                        copied = CounterRandom.uniform(weekKey, DrawPurpose.cheatingCaught) >= integrityEnforcement
                    }
                    let lateChance = Float(k.latenessPropensity) * (1 - r) * (1 - 0.5 * m) * deadlineFactor
                    if CounterRandom.uniformFloat(weekKey, DrawPurpose.lateSubmission) < lateChance {
                        late = true
                        metrics.late += 1
                        cohort.lateSubmissions[i] &+= 1
                    }
                }

                // (5) Effective hours per skill.
                var hours = InlineArray<4, Float>(repeating: 0)
                var feedbackMinutes: Float = 0
                for a in 0..<activities.count {
                    let activity = activities[a]
                    let share = participation.map { $0[a * stride + local] } ?? 1
                    var feedback = activity.feedback
                    var kept: Float = 1
                    if activity.submitted {
                        if late { feedback *= Float(1 - k.lateFeedbackLoss) }
                        if copied { kept = Float(1 - k.cheatingLearningLoss) }
                    }
                    let value = activity.hourValue * share * engagement[activity.engagementSlot]
                        * (1 + feedbackGain * feedback) * kept
                    for s in 0..<4 { hours[s] += value * activity.skillFactors[s] }
                    feedbackMinutes += feedback * activity.minutes * share
                }

                // (6) Skill growth with diminishing returns.
                let aptitude = cohort.aptitude[i]
                var gained: Float = 0
                var skills = InlineArray<4, Float>(repeating: 0)
                for s in 0..<4 {
                    let column = cohort.skill(Skill(rawValue: s)!)
                    let before = column[i]
                    let room = min(max((ceiling - before) * inverseRange, 0), 2)
                    let u = CounterRandom.uniformFloat(weekKey, DrawPurpose.skillNoise + UInt64(s))
                    let noise = max(0, 1 + growthNoise * (2 * u - 1))
                    let after = min(before + beta * aptitude * hours[s] * room * noise, ceiling)
                    column[i] = after
                    skills[s] = after
                    gained += after - before
                }

                // (7) Motivation.
                let progress = expectedGain > 0 ? gained / expectedGain : 1
                let feedbackLevel = minutes > 0 ? feedbackMinutes / minutes : 0
                let u = CounterRandom.uniformFloat(weekKey, DrawPurpose.motivationNoise)
                var next = m
                next += Float(k.motivationProgressGain) * (min(progress, 2) - 1)
                next += Float(k.motivationFeedbackGain) * (feedbackLevel - Float(k.feedbackReference))
                next -= Float(k.motivationOverloadPenalty) * overload
                next += Float(k.motivationReversion) * (target - m)
                next += support * (1 - m)
                next += motivationNoise * (2 * u - 1)
                next = min(max(next, 0), 1)
                cohort.motivation[i] = next

                // (8) Dropout.
                let quit = Float(k.dropoutHazard) * (1 - next) * (1 - next)
                if CounterRandom.uniformFloat(weekKey, DrawPurpose.dropout) < quit {
                    cohort.active[i] = 0
                    metrics.dropouts += 1
                    continue
                }

                // (8b) Digital competence grows with online practice.
                let digitalBefore = cohort.digitalCompetence[i]
                let digitalAfter = min(1, digitalBefore + digitalRate * (onlineMinutes / 60) * (1 - digitalBefore))
                cohort.digitalCompetence[i] = digitalAfter
                cohort.onlineMinutes[i] += onlineMinutes
                metrics.addStudent(
                    listening: skills[0], reading: skills[1], writing: skills[2], speaking: skills[3],
                    motivation: next, onlineMinutes: cohort.onlineMinutes[i], digitalCompetence: digitalAfter)
                let count = cohort.count
                for s in 0..<4 where LevelBand.of(score: skills[s]).rawValue > Int(cohort.startBands[s * count + i]) {
                    metrics.levelUps[s] += 1
                }
                let overall = (skills[0] + skills[1] + skills[2] + skills[3]) * 0.25
                if LevelBand.of(score: overall).rawValue > Int(cohort.startBands[4 * count + i]) {
                    metrics.levelUps[4] += 1
                }

                // (9) Assessment at a control point.
                if plan.isControlPoint {
                    var z: Float = -2
                    for c in 0..<4 {
                        z += CounterRandom.uniformFloat(weekKey, DrawPurpose.assessmentNoise + UInt64(c))
                    }
                    let truth: Float = (skills[0] + skills[1] + skills[2] + skills[3]) * 0.25
                    let error: Float = assessmentNoise * z
                    var measured: Float = truth + error
                    if plan.hasOnlineAssessment {
                        let copyChance = Float(k.cheatingPropensity) * (1 - g) * (1 - 0.5 * next)
                        if CounterRandom.uniformFloat(weekKey, DrawPurpose.assessmentCheating) < copyChance {
                            metrics.cheating += 1
                            cohort.cheatingIncidents[i] &+= 1
                            if CounterRandom.uniform(weekKey, DrawPurpose.cheatingCaught) >= integrityEnforcement {
                                measured += Float(k.cheatingScoreInflation)
                            }
                        }
                    }
                    metrics.addMeasured(measured)
                }
            }
        }
    }
}
