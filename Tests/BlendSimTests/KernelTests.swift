import BlendSimCore
import CBlendSimABI
import Testing

@Suite("Learning kernel")
struct KernelTests {
    /// Runs one week for a fresh cohort and returns the cohort.
    func oneWeek(_ activities: [bs_activity], conditions: bs_conditions = .defaults, students: Int = 2000,
                 kernel: KernelParameters = KernelParameters(), population: PopulationSpec = PopulationSpec(), week: Int = 1) -> (Cohort, Cohort) {
        let before = Cohort(count: students)
        let after = Cohort(count: students)
        let initializer = CohortInitializer(population: population, levelShares: [0, 0.4, 0.4, 0.2, 0, 0], students: students)
        var sink = MetricAccumulator()
        initializer.initialize(cohort: before, range: 0..<students, groupKey: 99, into: &sink)
        initializer.initialize(cohort: after, range: 0..<students, groupKey: 99, into: &sink)
        let plan = WeekPlan(week: week, isControlPoint: false, activities: activities, conditions: conditions,
                            motivationTarget: population.motivation.mean, kernel: kernel)
        LearningKernel(parameters: kernel).step(cohort: after, range: 0..<students, plan: plan, participation: nil, groupKey: 99, into: &sink)
        return (before, after)
    }

    func meanGain(_ pair: (Cohort, Cohort)) -> Double {
        var total = 0.0
        for i in 0..<pair.0.count where pair.1.active[i] != 0 {
            total += Double(pair.1.overall(i) - pair.0.overall(i))
        }
        return total / Double(pair.0.count)
    }

    /// The fixed-point sums round negative values as they round positive ones: the course
    /// mean and sd the accumulator reports equal the mean and sd of the cohort's own column, for a
    /// course prior centred on zero (half its students start below zero).
    @Test func courseAchievementOfNegativeScoresIsSummedExactly() {
        let students = 4000
        let cohort = Cohort(count: students)
        let initializer = CohortInitializer(population: PopulationSpec(), levelShares: [0, 0.4, 0.4, 0.2, 0, 0],
                                            students: students, coursePriorSD: 93)
        var sink = MetricAccumulator()
        initializer.initialize(cohort: cohort, range: 0..<students, groupKey: 7, into: &sink)
        let metrics = sink.metrics(week: 0, enrolled: students)
        let values = (0..<students).map { Double(cohort.course[$0]) }
        let mean = values.reduce(0, +) / Double(students)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(students - 1)).squareRoot()
        #expect(values.filter { $0 < 0 }.count > students / 3)
        #expect(abs(metrics.course - mean) < 1e-4)
        #expect(abs(metrics.courseSD - sd) < 0.01 * sd)
        // The prior is centred on zero: week 0's mean is within sampling error of 0.
        #expect(abs(metrics.course) < 4 * 93 / Double(students).squareRoot())
    }

    /// Acklam's tail coefficients: Φ⁻¹ in the tails agrees with the exact quantiles to 1e-8.
    @Test func normalQuantileTailsMatchTheExactValues() {
        // Φ⁻¹(p) for p = 1e-3, 1e-5, 0.01, 0.02 (exact to 12 digits).
        let cases: [(Double, Double)] = [(1e-3, -3.090232306168), (1e-5, -4.264890793923),
                                         (0.01, -2.326347874041), (0.02, -2.053748910632)]
        for (p, z) in cases {
            #expect(abs(Quantiles.normal(p) - z) < 1e-8 * abs(z), "Φ⁻¹(\(p))")
            #expect(abs(Quantiles.normal(1 - p) + z) < 1e-8 * abs(z), "Φ⁻¹(1 − \(p))")
        }
    }

    /// The week's "without a device" and "poor connection" shares count only students still
    /// enrolled at the week's end: with every student without a device and on a poor line, and a
    /// hazard that makes many withdraw, both shares are exactly 1.
    @Test func accessSharesCountOnlyStudentsStillEnrolled() {
        let online = [bs_activity(kind: .onlineAsync, minutes: 600, effectiveness: 1, feedback: 0)]
        var population = PopulationSpec()
        population.deviceAccess = 0
        population.connectivity = TraitDistribution(mean: 0.1, sd: 0)
        var kernel = KernelParameters()
        kernel.dropoutHazard = 0.5
        let students = 2000
        let cohort = Cohort(count: students)
        let initializer = CohortInitializer(population: population, levelShares: [0, 0.4, 0.4, 0.2, 0, 0], students: students)
        var sink = MetricAccumulator()
        initializer.initialize(cohort: cohort, range: 0..<students, groupKey: 3, into: &sink)
        let plan = WeekPlan(week: 1, isControlPoint: false, activities: online, conditions: .defaults,
                            motivationTarget: population.motivation.mean, kernel: kernel)
        var week = MetricAccumulator()
        LearningKernel(parameters: kernel).step(cohort: cohort, range: 0..<students, plan: plan, participation: nil, groupKey: 3, into: &week)
        let metrics = week.metrics(week: 1, enrolled: students)
        #expect(metrics.dropouts > 100)
        #expect(metrics.withoutDeviceShare == 1)
        #expect(metrics.poorConnectionShare == 1)
    }

    @Test func initialLevelsMatchTheSharesExactly() {
        let cohort = Cohort(count: 1000)
        let initializer = CohortInitializer(population: PopulationSpec(), levelShares: [0, 0.68, 0.22, 0.10, 0, 0], students: 1000)
        var metrics = MetricAccumulator()
        initializer.initialize(cohort: cohort, range: 0..<1000, groupKey: 5, into: &metrics)
        let shares = metrics.metrics(week: 0, enrolled: 1000).bandShares
        #expect(shares == [0, 0.68, 0.22, 0.10, 0, 0])
    }

    @Test func apportionmentIsExactAndSumsToTotal() {
        #expect(CohortInitializer.apportion(shares: [0.68, 0.22, 0.10], total: 50) == [34, 11, 5])
        #expect(CohortInitializer.apportion(shares: [1.0 / 3, 1.0 / 3, 1.0 / 3], total: 10) == [4, 3, 3])
        #expect(CohortInitializer.apportion(shares: [0.5, 0.5], total: 0) == [0, 0])
    }

    @Test func traitsFollowTheirDistributions() {
        let n = 20000
        let cohort = Cohort(count: n)
        var population = PopulationSpec()
        population.motivation = TraitDistribution(mean: 0.6, sd: 0.1)
        population.deviceAccess = 0.7
        let initializer = CohortInitializer(population: population, levelShares: [0, 1, 0, 0, 0, 0], students: n)
        var metrics = MetricAccumulator()
        initializer.initialize(cohort: cohort, range: 0..<n, groupKey: 11, into: &metrics)
        let values = (0..<n).map { Double(cohort.motivation[$0]) }
        let mean = values.reduce(0, +) / Double(n)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
        #expect(abs(mean - 0.6) < 0.005)
        #expect(abs(sd - 0.1) < 0.005)
        let devices = (0..<n).filter { cohort.deviceAccess[$0] == 1 }.count
        #expect(abs(Double(devices) / Double(n) - 0.7) < 0.015)
        let aptitude = (0..<n).map { Double(cohort.aptitude[$0]) }.reduce(0, +) / Double(n)
        #expect(abs(aptitude - 1) < 0.01)
    }

    @Test func skillsAndMotivationStayInRange() throws {
        var kernel = KernelParameters()
        kernel.pointsPerHour = 1
        kernel.motivationNoise = 0.5
        kernel.motivationOverloadPenalty = 1
        kernel.learningNoise = 1
        var population = PopulationSpec()
        population.motivation = TraitDistribution(mean: 0.5, sd: 0.45)
        let heavy = [bs_activity(kind: .classroom, minutes: 3000, effectiveness: 3, feedback: 1)]
        let groups = [group(students: 300, activities: heavy, population: population)]
        let result = try Engine(spec: spec(groups, replications: 2, weeks: 30, kernel: kernel)).run()
        for replication in result.replications {
            for week in replication.groups[0].weekly {
                for skill in week.skills where week.active > 0 {
                    #expect(skill >= CambridgeScale.minimum && skill <= CambridgeScale.maximum)
                }
                #expect(week.motivation >= 0 && week.motivation <= 1)
                #expect(week.bandShares.reduce(0, +) > 0.999)
            }
        }
    }

    @Test func individualStudentsStayInRangeUnderExtremes() {
        var kernel = KernelParameters()
        kernel.pointsPerHour = 1
        kernel.learningNoise = 1
        kernel.motivationNoise = 0.5
        let (_, after) = oneWeek([bs_activity(kind: .classroom, minutes: 3000, effectiveness: 3, feedback: 1)], kernel: kernel)
        for i in 0..<after.count {
            for skill in Skill.allCases {
                #expect(Double(after.skill(skill)[i]) <= CambridgeScale.maximum)
                #expect(Double(after.skill(skill)[i]) >= CambridgeScale.minimum)
            }
            #expect(after.motivation[i] >= 0 && after.motivation[i] <= 1)
        }
    }

    @Test(arguments: [ActivityKind.classroom, .onlineSync, .onlineAsync, .siw, .siwt, .assessment])
    func moreTimeNeverLowersGrowth(kind: ActivityKind) {
        var previous = -1.0
        for minutes in stride(from: 0.0, through: 600, by: 100) {
            let activities = [bs_activity(kind: kind, minutes: minutes, effectiveness: 1, feedback: 0.3)]
            let gain = meanGain(oneWeek(activities, students: 500))
            #expect(gain >= previous, "\(kind.name): \(minutes) min gave \(gain) < \(previous)")
            previous = gain
        }
        #expect(previous > 0)
    }

    /// Each band's pace is the reference band's guided hours over its own (Cambridge English:
    /// about 95 hours to cross A1, 185 A2, 175 B1, 200 B2, 350 C1).
    @Test func eachBandGrowsAtThePaceOfItsGuidedHours() {
        let pace = GuidedHours.pace(reference: 140)
        #expect(pace.factor(110) == Float(175.0 / 95))
        #expect(pace.factor(139.99) == Float(175.0 / 185))
        #expect(pace.factor(140) == 1)
        #expect(pace.factor(165) == Float(175.0 / 200))
        #expect(pace.factor(199) == Float(0.5))
        #expect(pace.factor(229) == Float(0.5))
        #expect(pace.factor(70) == Float(175.0 / 95))   // below the scale: the lowest band's pace
        #expect(GuidedHours.pace(reference: 125).factor(125) == 1)

        // In the kernel: A2 and B1 students (no skill spread) gain in the ratio of their paces.
        var flat = PopulationSpec()
        flat.skillSpread = 0
        flat.aptitudeSD = 0
        let plan = [bs_activity(kind: .classroom, minutes: 240, effectiveness: 1, feedback: 0.3)]
        var kernel = KernelParameters()
        kernel.learningNoise = 0
        func gain(_ shares: [Double]) -> Double {
            let before = Cohort(count: 500), after = Cohort(count: 500)
            let initializer = CohortInitializer(population: flat, levelShares: shares, students: 500)
            var sink = MetricAccumulator()
            initializer.initialize(cohort: before, range: 0..<500, groupKey: 5, into: &sink)
            initializer.initialize(cohort: after, range: 0..<500, groupKey: 5, into: &sink)
            let weekPlan = WeekPlan(week: 1, isControlPoint: false, activities: plan, conditions: .defaults, motivationTarget: 0.55, kernel: kernel)
            LearningKernel(parameters: kernel).step(cohort: after, range: 0..<500, plan: weekPlan, participation: nil, groupKey: 5, into: &sink)
            return meanGain((before, after))
        }
        let a2 = gain([0, 1, 0, 0, 0, 0]), b1 = gain([0, 0, 1, 0, 0, 0])
        #expect(a2 > 0 && abs(a2 / b1 - 175.0 / 185) < 0.02, "A2 \(a2), B1 \(b1)")
    }

    @Test func growthSlowsNearTheTopOfTheScale() {
        var low = PopulationSpec()
        low.skillSpread = 0
        let plan = [bs_activity(kind: .classroom, minutes: 240, effectiveness: 1, feedback: 0.3)]
        let students = 2000
        func gain(_ shares: [Double]) -> Double {
            let before = Cohort(count: students)
            let after = Cohort(count: students)
            let initializer = CohortInitializer(population: low, levelShares: shares, students: students)
            var sink = MetricAccumulator()
            initializer.initialize(cohort: before, range: 0..<students, groupKey: 3, into: &sink)
            initializer.initialize(cohort: after, range: 0..<students, groupKey: 3, into: &sink)
            let weekPlan = WeekPlan(week: 1, isControlPoint: false, activities: plan, conditions: .defaults, motivationTarget: 0.55, kernel: KernelParameters())
            LearningKernel(parameters: KernelParameters()).step(cohort: after, range: 0..<students, plan: weekPlan, participation: nil, groupKey: 3, into: &sink)
            return meanGain((before, after))
        }
        #expect(gain([0, 1, 0, 0, 0, 0]) > gain([0, 0, 0, 0, 1, 0]))
    }

    @Test func focusedSkillGrowsMost() {
        let (before, after) = oneWeek([bs_activity(kind: .classroom, skills: UInt32(BS_SKILL_SPEAKING), minutes: 300, effectiveness: 1, feedback: 0.3)])
        func gain(_ skill: Skill) -> Double {
            (0..<before.count).map { Double(after.skill(skill)[$0] - before.skill(skill)[$0]) }.reduce(0, +)
        }
        #expect(gain(.speaking) > 2 * gain(.listening))
        #expect(gain(.listening) > 0)
    }

    @Test func onlineWorkSuffersWithoutDevicesAndConnectivity() {
        let online = [bs_activity(kind: .onlineAsync, minutes: 240, effectiveness: 1, feedback: 0.3)]
        var connected = PopulationSpec()
        connected.deviceAccess = 1
        connected.connectivity = TraitDistribution(mean: 0.9, sd: 0.05)
        var disconnected = PopulationSpec()
        disconnected.deviceAccess = 0.3
        disconnected.connectivity = TraitDistribution(mean: 0.3, sd: 0.1)
        #expect(meanGain(oneWeek(online, population: connected)) > meanGain(oneWeek(online, population: disconnected)))
        // In the classroom the same students learn alike.
        let classroom = [bs_activity(kind: .classroom, minutes: 240, effectiveness: 1, feedback: 0.3)]
        let a = meanGain(oneWeek(classroom, population: connected))
        let b = meanGain(oneWeek(classroom, population: disconnected))
        #expect(abs(a - b) < 0.02 * max(a, b))
    }

    @Test func conditionsChangeOutcomesThroughTheKernel() {
        let online = [bs_activity(kind: .onlineAsync, flags: UInt32(BS_FLAG_SUBMITTED), minutes: 240, effectiveness: 1, feedback: 0.2)]
        var better = bs_conditions.defaults
        better.online_quality = 1.5
        #expect(meanGain(oneWeek(online, conditions: better)) > meanGain(oneWeek(online)))
        var loans = bs_conditions.defaults
        loans.device_loan_share = 1
        #expect(meanGain(oneWeek(online, conditions: loans)) > meanGain(oneWeek(online)))
    }

    @Test func copyingIsCountedDeterredAndPreventedByEnforcement() throws {
        var careless = PopulationSpec()
        careless.integrity = TraitDistribution(mean: 0.2, sd: 0.1)
        let enforce = SetConditionPolicy { $0.integrity_enforcement = 1 }
        // Known enforcement deters attempts: with the same draws, the attempt chance falls by the
        // factor 1 − detection_deterrence × enforcement, so some attempts are not made ...
        let firstFree = try Engine(spec: spec([group(population: careless)], replications: 1, weeks: 1)).run()
        let firstEnforced = try Engine(spec: spec([group(policies: [enforce], population: careless)], replications: 1, weeks: 1)).run()
        #expect(firstFree.replications[0].groups[0].cheating > 0)
        #expect(firstEnforced.replications[0].groups[0].cheating < firstFree.replications[0].groups[0].cheating)
        var undeterred = spec([group(policies: [enforce], population: careless)], replications: 1, weeks: 1)
        undeterred.kernel.detectionDeterrence = 0
        #expect(try Engine(spec: undeterred).run().replications[0].groups[0].cheating == firstFree.replications[0].groups[0].cheating)
        // ... and caught attempts leave the learning intact, so over a semester students learn more.
        let free = try Engine(spec: spec([group(population: careless)], replications: 1)).run()
        let enforced = try Engine(spec: spec([group(policies: [enforce], population: careless)], replications: 1)).run()
        #expect(enforced.replications[0].groups[0].after.overall > free.replications[0].groups[0].after.overall)
    }

    @Test func deadlineEnforcementReducesLateSubmissions() throws {
        let lax = try Engine(spec: spec([group()], replications: 1)).run()
        let strict = try Engine(spec: spec([group(policies: [SetConditionPolicy { $0.deadline_enforcement = 0.8 }])], replications: 1)).run()
        #expect(strict.replications[0].groups[0].lateSubmissions < lax.replications[0].groups[0].lateSubmissions)
    }

    @Test func feedbackRaisesMotivation() throws {
        let little = [bs_activity(kind: .classroom, minutes: 240, effectiveness: 1, feedback: 0.1)]
        let much = [bs_activity(kind: .classroom, minutes: 240, effectiveness: 1, feedback: 0.9)]
        let a = try Engine(spec: spec([group(activities: little)], replications: 1)).run()
        let b = try Engine(spec: spec([group(activities: much)], replications: 1)).run()
        #expect(b.replications[0].groups[0].after.motivation > a.replications[0].groups[0].after.motivation)
    }

    @Test func overloadLowersMotivation() throws {
        let normal = [bs_activity(kind: .classroom, minutes: 300, effectiveness: 1, feedback: 0.3)]
        let overloaded = [bs_activity(kind: .siw, minutes: 1800, effectiveness: 0, feedback: 0.3),
                          bs_activity(kind: .classroom, minutes: 300, effectiveness: 1, feedback: 0.3)]
        let a = try Engine(spec: spec([group(activities: normal)], replications: 1)).run()
        let b = try Engine(spec: spec([group(activities: overloaded)], replications: 1)).run()
        #expect(b.replications[0].groups[0].after.motivation < a.replications[0].groups[0].after.motivation)
    }
}
