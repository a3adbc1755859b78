public import BlendSimCore
import BlendSimInference
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
import BlendSimSystem

/// A posterior sampler as the calibration commands drive it: whole, resumed from its checkpoint,
/// or one shard of a round at a time with a merge after each round. ABC-SMC and tempered SMC
/// conform; `Calibrator.sample`, `.shard` and `.merge` are written once over this protocol, and
/// `SamplerCheckpoint` is the one checkpoint they save (docs/CALIBRATION.md).
protocol PosteriorSampler: Sendable {
    /// What a checkpoint holds: everything a resumed run continues from.
    associatedtype State: Sendable
    /// One candidate's simulation.
    associatedtype Outcome: Sendable
    /// What the sampler reports as it goes (a generation, a tempering step).
    associatedtype Progress: Sendable
    /// What a finished run leaves for its report.
    associatedtype Finished

    /// A line of progress for standard error.
    static func describe(_ progress: Progress) -> String

    /// The checkpoint's file name under `OUT/.checkpoint/`.
    static var checkpointName: String { get }
    /// The sampler's fingerprint from the one every sampler shares.
    static func fingerprint(_ common: String) -> String

    /// The sampler the plan describes.
    init(plan: CalibrationPlan)

    /// Each candidate's simulation: every scenario of the plan at the candidate's values.
    static func simulator(_ problem: Calibrator.Problem, targets: [CalibrationPlan.Target]) -> ([ABCSMC.Candidate]) throws -> [Outcome]

    /// The checkpoint's fields after its fingerprint.
    static func encode(_ state: State) -> [(String, JSONValue)]
    /// Whether `document` has the shape of this sampler's checkpoint at all.
    static func isCheckpoint(_ document: JSONValue) -> Bool
    /// A checkpoint's state, checked field by field against what `plan` allows.
    static func decode(_ document: JSONValue, file: String, plan: CalibrationPlan, targetCount: Int) throws(Diagnostic) -> State

    /// Runs from `state` (nil: from the prior) to the sampler's stop, calling `save` whenever the
    /// state may be checkpointed.
    func run(
        from state: State?, simulate: ([ABCSMC.Candidate]) throws -> [Outcome], save: (State) throws -> Void,
        progress: ((Progress) -> Void)?
    ) throws -> Finished
    /// The posterior a finished run gives.
    static func report(
        _ finished: Finished, plan: CalibrationPlan, targets: [CalibrationPlan.Target], truth: [Double]?, seconds: Double,
        provenance: ResultProvenance
    ) -> PosteriorReport

    /// Round `round` after `state`, for a shard to simulate or a merge to gather; refuses a
    /// finished calibration or a round that is not the next one.
    func round(_ round: Int, after state: State?, out: String) throws(Diagnostic) -> SamplerRound
    /// An outcome as a shard saves it (after the candidate's index).
    static func encode(outcome: Outcome) -> [JSONValue]
    /// An outcome a shard saved, or nil when it is damaged.
    static func decode(outcome fields: ArraySlice<JSONValue>, plan: CalibrationPlan) -> Outcome?
    /// Applies the rounds the `shards` shards saved after `state` (`read` gathers one round's
    /// outcomes, nil when no shard of it is there), saves what they complete to `checkpoint` and
    /// removes the shard files it has applied.
    func merge(
        _ state: State?, checkpoint: SamplerCheckpoint<Self>, shards: Int, read: (SamplerRound) throws(Diagnostic) -> [Int: Outcome]?
    ) throws(Diagnostic) -> (state: Calibrator.ShardedState, finished: Finished?)
}

/// One round of a sharded calibration: its candidates by index, the fields its shard files carry,
/// and where they go.
struct SamplerRound {
    let label: String
    let header: [(String, JSONValue)]
    let candidates: [(index: Int, candidate: ABCSMC.Candidate)]
    let path: (Shard) -> String
}

/// A sampler's saved state (`OUT/.checkpoint/NAME`), with the fingerprint of everything that
/// shapes it, so `--resume` and a merge continue only the same calibration.
struct SamplerCheckpoint<Sampler: PosteriorSampler> {
    let directory: String
    let fingerprint: String

    var path: String { Self.path(directory) }
    static func path(_ directory: String) -> String { directory + "/.checkpoint/" + Sampler.checkpointName }

    func save(_ state: Sampler.State) throws(Diagnostic) {
        let document = JSONValue.object([("fingerprint", .string(fingerprint))] + Sampler.encode(state))
        try ResultsDirectory.writeFile(path, document.serialized() + "\n")
    }

    /// The saved state, or nil when there is none.
    func load(plan: CalibrationPlan, targetCount: Int) throws(Diagnostic) -> Sampler.State? {
        let file = path
        guard FileSystem.exists(file) else { return nil }
        guard let bytes = FileSystem.contents(file, limit: 1 << 32) else {
            throw Diagnostic("\(file) cannot be read (\(FileSystem.lastError)); remove it to start afresh")
        }
        return try Self.decode(bytes, file: file, fingerprint: fingerprint, plan: plan, targetCount: targetCount)
    }

    /// Saved bytes: a checkpoint of this sampler, of this calibration, whose state `plan` allows.
    static func decode(
        _ bytes: [UInt8], file: String, fingerprint: String, plan: CalibrationPlan, targetCount: Int
    ) throws(Diagnostic) -> Sampler.State {
        guard let document = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)), case .object = document,
            Sampler.isCheckpoint(document)
        else { throw Diagnostic("\(file) is not a calibration checkpoint blendsim wrote; remove it to start afresh") }
        guard document["fingerprint"]?.stringValue == fingerprint else {
            throw Diagnostic("\(file) is from another plan or other settings; remove it or choose another --out")
        }
        return try Sampler.decode(document, file: file, plan: plan, targetCount: targetCount)
    }

    /// Removes a finished calibration's checkpoint (once its results are written).
    static func remove(_ directory: String) {
        FileSystem.remove(path(directory))
        FileSystem.removeDirectory(directory + "/.checkpoint")
    }
}


extension Calibrator {
    /// Everything that shapes a calibration, for every sampler: the plan, every scenario it runs,
    /// every target (statistic, value, tolerance, scenario), the command line's seed and
    /// replications, the plugins the scenarios use and blendsim's version — not the threads or
    /// chunk size, which do not.
    static func fingerprint(plan: CalibrationPlan, targets: [CalibrationPlan.Target], settings: RunSettings, problem: Problem) -> String {
        var text = String(decoding: plan.source.bytes, as: UTF8.self) + "|version=" + BlendSimVersion.current
        text += "|seed=\(settings.seed.map(String.init) ?? "-")|replications=\(settings.replications.map(String.init) ?? "-")"
        for target in targets {
            text += "|target=\(target.statistic);\(JSONValue.number(target.value).serialized());\(JSONValue.number(target.tolerance).serialized());\(target.scenarioPath)"
        }
        for (path, scenario) in problem.scenarios { text += "|scenario=\(path);" + SHA256.hex(scenario.source.bytes) }
        // The plugins the scenarios use (hashing every library on the path would cost more than a
        // simulation).
        let used = Set(problem.scenarios.flatMap { $0.scenario.groups.flatMap { [$0.model.name] + $0.policies.map(\.name) } })
        let host = problem.host
        for plugin in host.plugins
        where host.models.contains(where: { $0.plugin == plugin && used.contains($0.name) })
            || host.policies.contains(where: { $0.plugin == plugin && used.contains($0.name) })
        {
            text += "|plugin=\(plugin.name);\(plugin.version);\(plugin.sha256)"
        }
        return SHA256.hex(Array(text.utf8))
    }

    static func samplerCheckpoint<S: PosteriorSampler>(
        _: S.Type, _ directory: String, plan: CalibrationPlan, targets: [CalibrationPlan.Target], settings: RunSettings, problem: Problem
    ) -> SamplerCheckpoint<S> {
        SamplerCheckpoint(directory: directory, fingerprint: S.fingerprint(fingerprint(plan: plan, targets: targets, settings: settings, problem: problem)))
    }

    /// Runs `sampler` for `plan`. With `checkpoint` (a directory), the state is saved there as the
    /// sampler allows; with `resume`, a run continues from it — to the same posterior, byte for
    /// byte, as an uninterrupted run.
    static func sample<S: PosteriorSampler>(
        _: S.Type, _ plan: CalibrationPlan, settings: RunSettings, synthetic: UInt64? = nil, checkpoint directory: String? = nil,
        resume: Bool = false, progress: ((S.Progress) -> Void)? = nil
    ) throws(Diagnostic) -> PosteriorReport {
        let start = Clock.monotonicSeconds()
        let (problem, targets, truth) = try posteriorStart(plan, settings: settings, synthetic: synthetic, resume: resume).parts
        let checkpoint = directory.map { samplerCheckpoint(S.self, $0, plan: plan, targets: targets, settings: settings, problem: problem) }
        var state: S.State?
        if let checkpoint, resume {
            try requireCheckpoint(checkpoint.path, directory: checkpoint.directory)
            state = try checkpoint.load(plan: plan, targetCount: targets.count)
        }
        let simulate = S.simulator(problem, targets: targets)
        let finished: S.Finished = try diagnosing {
            try S(plan: plan).run(from: state, simulate: simulate, save: { try checkpoint?.save($0) }, progress: progress)
        }
        return S.report(
            finished, plan: plan, targets: targets, truth: truth, seconds: Clock.monotonicSeconds() - start, provenance: problem.provenance)
    }

    /// A posterior sample by `method` (docs/CALIBRATION.md). The samplers (ABC-SMC, tempered SMC)
    /// save their state in `checkpoint` and continue from it with `resume`; the normal
    /// approximation at the point fit takes neither, nor `synthetic`. `progress` gets a line per
    /// generation.
    public static func posterior(
        _ method: PosteriorReport.Method, _ plan: CalibrationPlan, settings: RunSettings, synthetic: UInt64? = nil,
        checkpoint: String? = nil, resume: Bool = false, progress: ((String) -> Void)? = nil
    ) throws(Diagnostic) -> PosteriorReport {
        let line = { (text: String) in progress?(text) }
        switch method {
        case .abcSMC:
            return try sample(ABCSMC.self, plan, settings: settings, synthetic: synthetic, checkpoint: checkpoint, resume: resume) { line(ABCSMC.describe($0)) }
        case .smc:
            return try sample(TemperedSMC.self, plan, settings: settings, synthetic: synthetic, checkpoint: checkpoint, resume: resume) { line(TemperedSMC.describe($0)) }
        case .laplace:
            guard synthetic == nil, !resume else { throw Diagnostic("the normal approximation takes neither --resume nor --synthetic") }
            return try laplace(plan, settings: settings, particles: plan.posterior.sampler.particles)
        }
    }

    /// One shard of a round of a sharded calibration by `method` (ABC-SMC or tempered SMC).
    public static func shard(
        _ method: PosteriorReport.Method, _ plan: CalibrationPlan, settings: RunSettings, out: String, shard: Shard, round: Int
    ) throws(Diagnostic) {
        switch method {
        case .abcSMC: try self.shard(ABCSMC.self, plan, settings: settings, out: out, shard: shard, round: round)
        case .smc: try self.shard(TemperedSMC.self, plan, settings: settings, out: out, shard: shard, round: round)
        case .laplace: throw Diagnostic("the normal approximation is not sharded")
        }
    }

    /// The merge after a round of a sharded calibration by `method` (ABC-SMC or tempered SMC).
    public static func merge(
        _ method: PosteriorReport.Method, _ plan: CalibrationPlan, settings: RunSettings, out: String, shards: Int, invocation: [String],
        force: Bool = false
    ) throws(Diagnostic) -> (state: ShardedState, report: PosteriorReport?) {
        switch method {
        case .abcSMC: return try merge(ABCSMC.self, plan, settings: settings, out: out, shards: shards, invocation: invocation, force: force)
        case .smc: return try merge(TemperedSMC.self, plan, settings: settings, out: out, shards: shards, invocation: invocation, force: force)
        case .laplace: throw Diagnostic("the normal approximation is not sharded")
        }
    }

    /// Removes a finished calibration's checkpoint, whichever sampler wrote it (once its results
    /// are written).
    public static func removeCheckpoint(_ directory: String) {
        SamplerCheckpoint<ABCSMC>.remove(directory)
        SamplerCheckpoint<TemperedSMC>.remove(directory)
    }

    /// What a merge of shards found.
    public enum ShardedState: Sendable, Equatable {
        /// Run round `round` of the same generation: the population is not full yet.
        case more(round: Int)
        /// A generation was completed: run round 0 of the next.
        case next
        /// The calibration is finished and its results are written.
        case done
    }

    /// A sharded calibration, step one: shard `shard` of round `round` after `out`'s checkpoint —
    /// the round's candidates whose index is the shard's modulo the shard count — simulated and
    /// saved for `merge`. The shards of a round together evaluate exactly the candidates an
    /// unsharded run evaluates in it.
    static func shard<S: PosteriorSampler>(
        _: S.Type, _ plan: CalibrationPlan, settings: RunSettings, out: String, shard: Shard, round: Int
    ) throws(Diagnostic) {
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications)
        let checkpoint = samplerCheckpoint(S.self, out, plan: plan, targets: plan.targets, settings: settings, problem: problem)
        let state = try checkpoint.load(plan: plan, targetCount: plan.targets.count)
        let work = try S(plan: plan).round(round, after: state, out: out)
        let mine = work.candidates.filter { $0.index % shard.count == shard.index - 1 }
        let outcomes: [S.Outcome] = try diagnosing { try S.simulator(problem, targets: plan.targets)(mine.map(\.candidate)) }
        let document = JSONValue.object(
            [("fingerprint", .string(checkpoint.fingerprint))] + work.header
                + [("outcomes", .array(zip(mine, outcomes).map { .array([.integer($0.index)] + S.encode(outcome: $1)) }))])
        try ResultsDirectory.writeFile(work.path(shard), document.serialized() + "\n")
    }

    /// A sharded calibration, step two: gathers the rounds the shards saved and applies them
    /// exactly as an unsharded run does. When the sampler stops, the posterior is written to `out`
    /// as an unsharded run writes it, byte for byte (again, the same bytes, if the merge runs
    /// after that).
    static func merge<S: PosteriorSampler>(
        _: S.Type, _ plan: CalibrationPlan, settings: RunSettings, out: String, shards: Int, invocation: [String], force: Bool = false
    ) throws(Diagnostic) -> (state: ShardedState, report: PosteriorReport?) {
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications, checkTargets: false)
        let checkpoint = samplerCheckpoint(S.self, out, plan: plan, targets: plan.targets, settings: settings, problem: problem)
        let state = try checkpoint.load(plan: plan, targetCount: plan.targets.count)
        let (next, finished) = try S(plan: plan).merge(state, checkpoint: checkpoint, shards: shards) { work throws(Diagnostic) in
            try readRound(S.self, work, shards: shards, out: out, fingerprint: checkpoint.fingerprint, plan: plan)
        }
        guard let finished else { return (next, nil) }
        let report = S.report(finished, plan: plan, targets: plan.targets, truth: nil, seconds: 0, provenance: problem.provenance)
        try report.write(to: out, planPath: plan.source.path, invocation: invocation, force: force)
        return (.done, report)
    }

    /// The outcomes the shards of `work` saved, by candidate index; nil when none of its shards is
    /// there. Every shard must be there, of this calibration, and together they must cover the
    /// round's candidates once.
    static func readRound<S: PosteriorSampler>(
        _: S.Type, _ work: SamplerRound, shards: Int, out: String, fingerprint: String, plan: CalibrationPlan
    ) throws(Diagnostic) -> [Int: S.Outcome]? {
        let indices = Set(work.candidates.map(\.index))
        var outcomes: [Int: S.Outcome] = [:]
        var found = 0
        for index in 1...shards {
            let path = work.path(Shard(index: index, count: shards))
            guard let bytes = FileSystem.contents(path, limit: 1 << 30) else { continue }
            found += 1
            guard let document = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
                document["fingerprint"]?.stringValue == fingerprint,
                work.header.allSatisfy({ document[$0.0] == $0.1 }), case .array(let items)? = document["outcomes"]
            else { throw Diagnostic("\(path) is not a shard of this calibration; remove it and run that shard again") }
            for item in items {
                guard case .array(let fields) = item, case .integer(let candidate)? = fields.first, indices.contains(candidate),
                    candidate % shards == index - 1, outcomes[candidate] == nil,
                    let outcome = S.decode(outcome: fields.dropFirst(), plan: plan)
                else { throw Diagnostic("\(path) holds a damaged outcome; run that shard again") }
                outcomes[candidate] = outcome
            }
        }
        if found == 0 { return nil }
        guard found == shards else {
            throw Diagnostic("\(work.label) has \(found) of its \(shards) shards in \(out); run the missing ones")
        }
        guard outcomes.count == indices.count else {
            throw Diagnostic("the shards of \(work.label) do not cover its candidates; were they run with another --shard count?")
        }
        return outcomes
    }

    /// Removes the shard files of `rounds`.
    static func removeRounds(_ rounds: [SamplerRound], shards: Int) {
        for work in rounds {
            for index in 1...shards { FileSystem.remove(work.path(Shard(index: index, count: shards))) }
        }
    }
}
