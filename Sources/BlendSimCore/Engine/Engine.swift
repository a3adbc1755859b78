import CBlendSimABI

/// The core scheduler: steps every group of every replication through the semester.
///
/// Each week runs in fixed phases per group: policies begin the week (they set the conditions) →
/// the model plans the week's activities → per-student hooks decide participation over chunks →
/// the learning kernel applies the plan → assessments at control points → metrics. Replications
/// run concurrently when cohorts are small; chunks of a cohort run concurrently when they are
/// large. Either way every result is the same bit for bit (see `MetricAccumulator`).
public final class Engine: Sendable {
    public let spec: SimulationSpec
    public let options: EngineOptions
    let kernel: LearningKernel
    /// One per group, shared by every replication.
    let initializers: [CohortInitializer]

    /// Activities a model may plan in one week.
    public static let activityCapacity = 64

    public init(spec: SimulationSpec, options: EngineOptions = EngineOptions()) {
        self.spec = spec
        self.options = options
        self.kernel = LearningKernel(parameters: spec.kernel, fastPaths: options.fastPaths)
        self.initializers = spec.groups.map {
            CohortInitializer(
                population: $0.population, levelShares: $0.levelShares, students: $0.students,
                coursePriorSD: spec.kernel.coursePriorSD, regulationLevelCorrelation: spec.kernel.regulationLevelCorrelation,
                coursePriorLevelCorrelation: spec.kernel.coursePriorLevelCorrelation, data: $0.cohort, bootstrap: $0.bootstrap)
        }
    }

    /// Plans and runs the first week of every group for a single student, so a model or policy
    /// that refuses its group's settings is reported before a run starts rather than in the middle
    /// of it. Returns the first group that fails, with the error.
    public func preflight() -> (group: Int, error: SimulationError)? { preflightAll().first }

    /// Every group that fails `preflight`, with its error.
    public func preflightAll() -> [(group: Int, error: SimulationError)] {
        var failures: [(group: Int, error: SimulationError)] = []
        // Every semester's groups: a model may refuse the settings a later semester gives it.
        let semesters = [(spec.weeks, spec.controlPoints, spec.groups)] + spec.laterSemesters.map { ($0.weeks, $0.controlPoints, $0.groups) }
        for (semester, (weeks, controlPoints, groups)) in semesters.enumerated() {
        for (index, group) in groups.enumerated() where !failures.contains(where: { $0.group == index }) {
            var single = group
            single.students = 1
            let initializer = CohortInitializer(
                population: group.population, levelShares: group.levelShares, students: 1,
                coursePriorSD: spec.kernel.coursePriorSD, regulationLevelCorrelation: spec.kernel.regulationLevelCorrelation,
                coursePriorLevelCorrelation: spec.kernel.coursePriorLevelCorrelation, data: group.cohort, bootstrap: group.bootstrap)
            do throws(SimulationError) {
                let run = try GroupRun(
                    index: index, spec: single, initializer: initializer, replication: 0,
                    groupKey: Self.semesterKey(StreamKeys(seed: spec.seed).group(0, index), semester: semester + 1),
                    options: options, threads: 1, semester: semester + 1, semesters: spec.semesterCount)
                try run.step(
                    week: 1, weeks: weeks, isControlPoint: controlPoints.contains(1),
                    controlPointCount: controlPoints.count, kernel: kernel, threads: 1)
            } catch {
                var error = error
                if semester > 0 { error.message += " (semester \(semester + 1))" }
                failures.append((index, error))
            }
        }
        }
        return failures.sorted { $0.group < $1.group }
    }

    /// The random stream of a group in a semester: the group's own in the first semester (so a
    /// scenario of one semester draws what it always drew), a stream derived from it in each
    /// later one.
    static func semesterKey(_ groupKey: UInt64, semester: Int) -> UInt64 {
        semester <= 1 ? groupKey : CounterRandom.derive(groupKey, 0x5E3E_0000 &+ UInt64(semester))
    }

    /// Runs every replication (`Replications.run` with this engine alone).
    public func run() throws(SimulationError) -> SimulationResult {
        let units = (0..<spec.replications).map { Replications.Unit(arm: 0, replication: $0) }
        let outcomes: [ReplicationOutcome]
        do {
            outcomes = try Replications.run(engines: [self], units: units)
        } catch {
            throw error.error
        }
        let students = spec.groups.reduce(0) { $0 + $1.students }
        return SimulationResult(replications: outcomes, studentWeeks: students * spec.totalWeeks * spec.replications)
    }

    /// Runs one replication, spreading chunks over `threads`.
    public func runReplication(_ replication: Int, threads: Int) throws(SimulationError) -> ReplicationOutcome {
        let keys = StreamKeys(seed: spec.seed)
        var runs: [GroupRun] = []
        for (index, group) in spec.groups.enumerated() {
            runs.append(
                try GroupRun(
                    index: index, spec: group, initializer: initializers[index], replication: replication,
                    groupKey: keys.group(replication, index), options: options, threads: threads, semesters: spec.semesterCount))
        }
        let controlPoints = Set(spec.controlPoints)
        if let trace = options.trace {
            for run in runs { trace.record(replication: replication, group: run.spec.name, week: 0, cohort: run.cohort) }
        }
        for week in 1...max(spec.weeks, 1) where spec.weeks > 0 {
            for run in runs {
                try run.step(
                    week: week, weeks: spec.weeks, isControlPoint: controlPoints.contains(week),
                    controlPointCount: controlPoints.count, kernel: kernel, threads: threads)
                options.trace?.record(replication: replication, group: run.spec.name, week: week, cohort: run.cohort)
            }
        }
        var outcomes = runs.map {
            GroupOutcome(
                weekly: $0.weekly, plannedMinutes: $0.plannedMinutes, contactMinutes: $0.contactMinutes,
                onlineMinutes: $0.onlineMinutes, loanShare: $0.loanShare)
        }
        // A programme: the same students (the same cohort columns) through each later semester,
        // after the break before it. Each group's history continues with the semester's start
        // and weeks.
        for (offset, semester) in spec.laterSemesters.enumerated() {
            let number = offset + 2
            let points = Set(semester.controlPoints)
            var next: [GroupRun] = []
            for (index, previous) in runs.enumerated() {
                let group = semester.groups[index]
                kernel.applyBreak(cohort: previous.cohort, weeks: semester.breakWeeks, motivationTarget: outcomes[index].weekly[0].motivation)
                next.append(
                    try GroupRun(
                        index: index, spec: group, continuing: previous.cohort, replication: replication,
                        groupKey: Self.semesterKey(keys.group(replication, index), semester: number), options: options,
                        threads: threads, semester: number, semesters: spec.semesterCount))
            }
            runs = next
            for week in 1...max(semester.weeks, 1) where semester.weeks > 0 {
                for run in runs {
                    try run.step(
                        week: week, weeks: semester.weeks, isControlPoint: points.contains(week),
                        controlPointCount: points.count, kernel: kernel, threads: threads)
                }
            }
            for (index, run) in runs.enumerated() {
                outcomes[index].append(
                    GroupOutcome(
                        weekly: run.weekly, plannedMinutes: run.plannedMinutes, contactMinutes: run.contactMinutes,
                        onlineMinutes: run.onlineMinutes, loanShare: run.loanShare))
            }
        }
        return ReplicationOutcome(replication: replication, groups: outcomes)
    }
}

/// One group in one replication: its cohort, its plugin instances and its history.
final class GroupRun {
    let index: Int
    let spec: GroupSpec
    let replication: Int
    let groupKey: UInt64
    let cohort: Cohort
    let model: any ModelInstance
    let policies: [any PolicyInstance]
    let chunkSize: Int
    let info: UnsafeMutablePointer<bs_group_info>
    let name: UnsafeMutablePointer<CChar>
    /// The activity slots a model plans into, reused every week.
    let activitySlots: UnsafeMutableBufferPointer<bs_activity>
    /// What errors and crash reports call the model and each policy, made once.
    let modelLabel: String
    let policyLabels: [String]
    let modelCall: PluginCallSite.Label
    let policyCalls: [PluginCallSite.Label]
    private(set) var weekly: [WeekMetrics] = []
    private(set) var plannedMinutes: [Double] = []
    private(set) var contactMinutes: [Double] = []
    private(set) var onlineMinutes: [Double] = []
    private(set) var loanShare: Double = 0
    /// The semester of the programme this run teaches (1-based), and the programme's semesters.
    let semester: Int
    let semesters: Int

    /// The group's first semester: its students drawn by `initializer`.
    convenience init(
        index: Int, spec: GroupSpec, initializer: CohortInitializer, replication: Int, groupKey: UInt64,
        options: EngineOptions, threads: Int, semester: Int = 1, semesters: Int = 1
    ) throws(SimulationError) {
        try self.init(
            index: index, spec: spec, students: .drawn(initializer), replication: replication, groupKey: groupKey,
            options: options, threads: threads, semester: semester, semesters: semesters)
    }

    /// A later semester of a programme: the students of `cohort`, as the semester before and the
    /// break left them.
    convenience init(
        index: Int, spec: GroupSpec, continuing cohort: Cohort, replication: Int, groupKey: UInt64,
        options: EngineOptions, threads: Int, semester: Int, semesters: Int
    ) throws(SimulationError) {
        try self.init(
            index: index, spec: spec, students: .continuing(cohort), replication: replication, groupKey: groupKey,
            options: options, threads: threads, semester: semester, semesters: semesters)
    }

    enum Students {
        case drawn(CohortInitializer)
        case continuing(Cohort)
    }

    private init(
        index: Int, spec: GroupSpec, students: Students, replication: Int, groupKey: UInt64,
        options: EngineOptions, threads: Int, semester: Int, semesters: Int
    ) throws(SimulationError) {
        self.semester = semester
        self.semesters = semesters
        self.index = index
        self.spec = spec
        self.replication = replication
        self.groupKey = groupKey
        self.chunkSize = options.chunkSize
        do {
            model = try spec.model.makeInstance()
        } catch {
            throw SimulationError(
                "model '\(spec.model.name)' (\(spec.model.provider)) could not be created for group '\(spec.name)': \(error.message)")
        }
        var policies: [any PolicyInstance] = []
        for factory in spec.policies {
            do {
                policies.append(try factory.makeInstance())
            } catch {
                throw SimulationError(
                    "policy '\(factory.name)' (\(factory.provider)) could not be created for group '\(spec.name)': \(error.message)")
            }
        }
        self.policies = policies
        modelLabel = "model '\(spec.model.name)' (\(spec.model.provider))"
        policyLabels = spec.policies.map { "policy '\($0.name)' (\($0.provider))" }
        modelCall = PluginCallSite.Label("\(modelLabel) in group '\(spec.name)'")
        policyCalls = policyLabels.map { PluginCallSite.Label("\($0) in group '\(spec.name)'") }
        activitySlots = .allocate(capacity: Engine.activityCapacity)
        activitySlots.initialize(repeating: bs_activity(kind: .classroom, minutes: 0))
        weekly.reserveCapacity(16)
        plannedMinutes.reserveCapacity(16)
        switch students {
        case .drawn: cohort = Cohort(count: spec.students)
        case .continuing(let existing): cohort = existing
        }
        let utf8 = Array(spec.name.utf8CString)
        name = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        name.initialize(from: utf8, count: utf8.count)
        info = UnsafeMutablePointer<bs_group_info>.allocate(capacity: 1)
        info.initialize(
            to: bs_group_info(
                struct_size: UInt32(MemoryLayout<bs_group_info>.size), index: UInt32(index),
                name: UnsafePointer(name), students: UInt64(spec.students),
                online_share: spec.onlineShare, contact_minutes: spec.contactMinutes,
                siwt_minutes: spec.siwtMinutes, siw_minutes: spec.siwMinutes,
                students_per_teacher: spec.studentsPerTeacher))

        let cohort = self.cohort
        let start: MetricAccumulator
        switch students {
        case .drawn(let initializer):
            start = forEachChunk(threads: threads) { range, metrics in
                initializer.initialize(cohort: cohort, range: range, groupKey: groupKey, into: &metrics)
            }
        case .continuing:
            start = forEachChunk(threads: threads) { range, metrics in
                LearningKernel.measureStart(cohort: cohort, range: range, into: &metrics)
            }
        }
        weekly.append(start.metrics(week: 0, enrolled: spec.students))
    }

    deinit {
        info.deallocate()
        name.deallocate()
        activitySlots.deallocate()
    }

    var chunkCount: Int { (spec.students + chunkSize - 1) / chunkSize }

    /// Runs `body` over every chunk, concurrently when there are several, and merges the
    /// chunks' metrics in chunk order.
    func forEachChunk(
        threads: Int, _ body: (Range<Int>, inout MetricAccumulator) -> Void
    ) -> MetricAccumulator {
        let count = chunkCount
        let students = spec.students
        // One chunk (a small cohort): no slots to merge, nothing to spread.
        if count <= 1 {
            var total = MetricAccumulator()
            if count == 1 { body(0..<students, &total) }
            return total
        }
        var partials = [MetricAccumulator](repeating: MetricAccumulator(), count: count)
        let size = chunkSize
        partials.withUnsafeMutableBufferPointer { slots in
            let shared = UncheckedSendable(slots)
            ParallelFor.run(iterations: count, threads: threads) { chunk, _ in
                let range = (chunk * size)..<min((chunk + 1) * size, students)
                body(range, &shared.value[chunk])
            }
        }
        var total = MetricAccumulator()
        for partial in partials { total.merge(partial) }
        return total
    }

    private func failure(_ what: String, _ message: String, week: Int) -> SimulationError {
        SimulationError(
            "\(what) failed in group '\(spec.name)', week \(week), replication \(replication + 1): \(message)")
    }

    /// One week of this group.
    func step(
        week: Int, weeks: Int, isControlPoint: Bool, controlPointCount: Int, kernel: LearningKernel,
        threads: Int
    ) throws(SimulationError) {
        let last = weekly[weekly.count - 1]
        let weekStream = CounterRandom.derive(CounterRandom.derive(groupKey, 0xB10C), UInt64(week))
        var conditions = bs_conditions.defaults
        let activities = activitySlots
        activities.update(repeating: bs_activity(kind: .classroom, minutes: 0))
        var planned = 0
        let modelLabel = self.modelLabel
        var context = bs_week_context()
        try withUnsafeMutablePointer(to: &conditions) { (conditionsPointer) throws(SimulationError) in
            context = bs_week_context(
                struct_size: UInt32(MemoryLayout<bs_week_context>.size), week: UInt32(week),
                weeks: UInt32(weeks), is_control_point: isControlPoint ? 1 : 0,
                replication: UInt64(replication), stream: 0,
                group_stream: CounterRandom.derive(groupKey, 0x6A0F), group: UnsafePointer(info),
                conditions: conditionsPointer,
                mean_motivation: last.motivation, mean_skill: last.overall, active_share: last.activeShare,
                control_point_count: UInt32(controlPointCount), reserved: 0, mean_course: last.course,
                semester: UInt32(semester), semesters: UInt32(semesters))

            // Phase 1: policies set the week's conditions.
            for (p, policy) in policies.enumerated() {
                let label = policyLabels[p]
                context.stream = CounterRandom.derive(weekStream, UInt64(p + 1))
                do throws(ComponentError) {
                    try withUnsafeMutablePointer(to: &context) { (pointer) throws(ComponentError) in
                        try PluginCallSite.within(policyCalls[p], week: week) { () throws(ComponentError) in
                            try policy.beginWeek(pointer)
                        }
                    }
                } catch {
                    throw failure(label, error.message, week: week)
                }
                if let problem = ConditionsCheck.problem(in: conditionsPointer.pointee) {
                    throw failure(label, problem, week: week)
                }
            }

            // Phase 2: the model plans the week. The conditions are the policies' alone: a model
            // that writes them is stopped.
            let settled = conditionsPointer.pointee
            context.stream = CounterRandom.derive(weekStream, 0)
            do throws(ComponentError) {
                planned = try withUnsafePointer(to: &context) { (pointer) throws(ComponentError) in
                    try PluginCallSite.within(modelCall, week: week) { () throws(ComponentError) in
                        try model.planWeek(pointer, into: activities)
                    }
                }
            } catch {
                throw failure(modelLabel, error.message, week: week)
            }
            if !ConditionsCheck.identical(conditionsPointer.pointee, settled) {
                throw failure(modelLabel, "wrote the week's conditions, which only policies may change (in begin_week)", week: week)
            }
        }
        context.conditions = nil
        guard planned >= 0 && planned <= Engine.activityCapacity else {
            throw failure(modelLabel, "planned \(planned) activities; at most \(Engine.activityCapacity) are allowed", week: week)
        }
        let plan = Array(activities[0..<planned])
        for (a, activity) in plan.enumerated() {
            if let problem = ActivityCheck.problem(in: activity) {
                throw failure(modelLabel, "activity \(a + 1): \(problem)", week: week)
            }
        }
        plannedMinutes.append(plan.reduce(0) { $0 + $1.minutes } + conditions.extra_siw_minutes)
        contactMinutes.append(plan.reduce(0) { $0 + ($1.isTeacherLed ? $1.minutes : 0) })
        onlineMinutes.append(plan.reduce(0) { $0 + ($1.isOnlineWork ? $1.minutes : 0) })
        loanShare = max(loanShare, conditions.device_loan_share)
        let weekPlan = WeekPlan(
            week: week, isControlPoint: isControlPoint, activities: plan, conditions: conditions,
            motivationTarget: spec.population.motivation.mean, kernel: kernel.parameters,
            studentsPerTeacher: spec.studentsPerTeacher, activeShare: last.activeShare, weeks: weeks)

        // Phases 3–5: per-student hooks, the kernel, assessments, metrics — chunk by chunk.
        let hookModel = self.model
        let hookPolicies = self.policies
        let hooks = hookModel.decidesPerStudent || hookPolicies.contains { $0.adjustsPerStudent }
        let rows = weekPlan.activityCount
        let cohort = self.cohort
        let policyNames = policyLabels
        let hookModelCall = self.modelCall
        let hookPolicyCalls = self.policyCalls
        var chunkErrors = [SimulationError?](repeating: nil, count: hooks ? chunkCount : 0)
        let frozenContext = context
        let total = chunkErrors.withUnsafeMutableBufferPointer { errorSlots in
            let errors = UncheckedSendable(errorSlots)
            return forEachChunk(threads: threads) { range, metrics in
                guard hooks else {
                    kernel.step(
                        cohort: cohort, range: range, plan: weekPlan, participation: nil,
                        groupKey: groupKey, into: &metrics)
                    return
                }
                let chunkIndex = range.lowerBound / chunkSize
                let participation = UnsafeMutablePointer<Float>.allocate(capacity: max(rows * range.count, 1))
                defer { participation.deallocate() }
                participation.initialize(repeating: 1, count: max(rows * range.count, 1))
                var chunk = ChunkView.make(
                    cohort: cohort, range: range, activities: plan, participation: participation)
                var context = frozenContext
                do throws(SimulationError) {
                    try plan.withUnsafeBufferPointer { (planBuffer) throws(SimulationError) in
                        chunk.activities = planBuffer.baseAddress
                        chunk.activity_count = UInt32(plan.count)
                        // Hooks may write participation only: the columns they see are read-only,
                        // and a checksum of them before and after each hook holds them to it.
                        var checksum = cohort.readOnlyChecksum(range)
                        func verify(_ label: String) throws(SimulationError) {
                            let after = cohort.readOnlyChecksum(range)
                            guard after == checksum else {
                                throw failure(label, "wrote into the students' read-only state (skills, motivation or traits) in its per-student hook", week: week)
                            }
                            checksum = after
                        }
                        if hookModel.decidesPerStudent {
                            context.stream = CounterRandom.derive(weekStream, 0x100)
                            do throws(ComponentError) {
                                try PluginCallSite.within(hookModelCall, week: week) { () throws(ComponentError) in
                                    try hookModel.decide(&context, chunk: &chunk)
                                }
                            } catch {
                                throw failure(modelLabel, error.message, week: week)
                            }
                            try verify(modelLabel)
                        }
                        for (p, policy) in hookPolicies.enumerated() where policy.adjustsPerStudent {
                            context.stream = CounterRandom.derive(weekStream, 0x100 + UInt64(p + 1))
                            do throws(ComponentError) {
                                try PluginCallSite.within(hookPolicyCalls[p], week: week) { () throws(ComponentError) in
                                    try policy.adjust(&context, chunk: &chunk)
                                }
                            } catch {
                                throw failure(policyNames[p], error.message, week: week)
                            }
                            try verify(policyNames[p])
                        }
                    }
                    for index in 0..<(plan.count * range.count) {
                        let value = participation[index]
                        guard value.isFinite && value >= 0 && value <= 8 else {
                            throw failure(
                                "per-student participation",
                                "student \(range.lowerBound + index % range.count + 1), activity \(index / range.count + 1): \(value) is outside [0, 8]",
                                week: week)
                        }
                    }
                } catch {
                    errors.value[chunkIndex] = error
                    return
                }
                kernel.step(
                    cohort: cohort, range: range, plan: weekPlan, participation: participation,
                    groupKey: groupKey, into: &metrics)
            }
        }
        if let error = chunkErrors.lazy.compactMap({ $0 }).first { throw error }
        var metrics = total.metrics(week: week, enrolled: spec.students)
        if !isControlPoint { metrics.measured = .nan }
        metrics.teacherLoad = weekPlan.teacherLoad
        weekly.append(metrics)
    }
}
