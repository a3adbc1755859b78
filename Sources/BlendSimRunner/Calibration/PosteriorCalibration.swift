public import BlendSimCore
public import BlendSimInference
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
import BlendSimSystem

/// `blendsim calibrate --method abc-smc`: the ABC-SMC sampler run over the plan's scenarios,
/// whole, resumed, or one shard of a round at a time (docs/CALIBRATION.md).
extension Calibrator {
    /// Runs ABC-SMC for `plan`. With `checkpoint` (a directory), each finished generation is
    /// saved there; with `resume`, a run continues after the generations saved — to the same
    /// posterior, byte for byte, as an uninterrupted run.
    public static func posterior(
        _ plan: CalibrationPlan, settings: RunSettings, synthetic: UInt64? = nil, checkpoint: String? = nil,
        resume: Bool = false, progress: (@Sendable (ABCSMC.Generation) -> Void)? = nil
    ) throws(Diagnostic) -> PosteriorReport {
        let start = Clock.monotonicSeconds()
        let (problem, targets, truth) = try posteriorStart(plan, settings: settings, synthetic: synthetic, resume: resume).parts
        let sampler = ABCSMC(priors: plan.parameters.map(\.prior), settings: plan.posterior.sampler, seed: plan.posterior.seed)
        let fingerprint = PosteriorCheckpoint.fingerprint(plan: plan, targets: targets, settings: settings, problem: problem)
        var previous: [ABCSMC.Generation] = []
        if let checkpoint, resume {
            try requireCheckpoint(PosteriorCheckpoint.path(checkpoint), directory: checkpoint)
            previous = try PosteriorCheckpoint.load(directory: checkpoint, fingerprint: fingerprint, plan: plan, targetCount: targets.count)
        }
        let simulate = simulator(problem, targets: targets)
        var generations = previous
        let result: (generations: [ABCSMC.Generation], stop: ABCSMC.Stop, discarded: Int) = try diagnosing {
            try sampler.run(previous: previous, simulate: simulate) { generation in
                generations.append(generation)
                if let checkpoint { try PosteriorCheckpoint.save(generations, directory: checkpoint, fingerprint: fingerprint) }
                progress?(generation)
            }
        }
        return PosteriorReport(
            plan: plan, targets: targets, generations: result.generations, stop: result.stop, syntheticTruth: truth,
            seconds: Clock.monotonicSeconds() - start, provenance: problem.provenance, discarded: result.discarded)
    }
}

extension Calibrator {
    /// Each candidate's simulation: every scenario of the plan at its values, the targets'
    /// statistics with their observation noise, and the distance.
    static func simulator(_ problem: Problem, targets: [CalibrationPlan.Target]) -> ([ABCSMC.Candidate]) throws -> [ABCSMC.Outcome] {
        { candidates in
            try candidates.map { candidate throws(Diagnostic) in
                let summaries = try problem.simulate(candidate.values)
                var noisy: [Double] = []
                var squares = 0.0
                for (index, target) in targets.enumerated() {
                    let simulated = problem.value(target, in: summaries)?.mean ?? .nan
                    let u = min(max(CounterRandom.uniform(CounterRandom.derive(candidate.key, 0x0B5E), UInt64(index)), 1e-12), 1 - 1e-12)
                    let value = simulated + target.tolerance * Quantiles.normal(u)
                    noisy.append(value)
                    let error = (value - target.value) / target.tolerance
                    squares += error.isFinite ? error * error : .infinity
                }
                return ABCSMC.Outcome(distance: (squares / Double(max(targets.count, 1))).squareRoot(), summaries: noisy)
            }
        }
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

    /// A sharded ABC-SMC calibration, step one: shard `shard` of round `round` of the generation
    /// after those in `out`'s checkpoint — the candidates of that round whose index is the shard's
    /// modulo the shard count — simulated and saved for `posteriorMerge`. The shards of a round
    /// together evaluate exactly the candidates an unsharded run evaluates in that round.
    public static func posteriorShard(
        _ plan: CalibrationPlan, settings: RunSettings, out: String, shard: Shard, round: Int
    ) throws(Diagnostic) {
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications)
        let sampler = ABCSMC(priors: plan.parameters.map(\.prior), settings: plan.posterior.sampler, seed: plan.posterior.seed)
        let fingerprint = PosteriorCheckpoint.fingerprint(plan: plan, targets: plan.targets, settings: settings, problem: problem)
        let generations = try PosteriorCheckpoint.load(directory: out, fingerprint: fingerprint, plan: plan, targetCount: plan.targets.count)
        if sampler.stop(after: generations) != nil {
            throw Diagnostic("the calibration in \(out) is finished; --merge-shards writes its results")
        }
        let step = sampler.step(after: generations.last)
        let mine = sampler.proposals(step, round: round).filter { $0.index % shard.count == shard.index - 1 }
        let outcomes: [ABCSMC.Outcome] = try diagnosing {
            try simulator(problem, targets: plan.targets)(mine.map(\.candidate))
        }
        let document = JSONValue.object([
            ("fingerprint", .string(fingerprint)),
            ("generation", .integer(step.generation)),
            ("round", .integer(round)),
            ("outcomes", .array(zip(mine, outcomes).map { proposal, outcome in
                .array([.integer(proposal.index), .number(outcome.distance), .array(outcome.summaries.map { $0.isFinite ? .number($0) : .null })])
            })),
        ])
        try ResultsDirectory.writeFile(
            PosteriorCheckpoint.roundPath(out, generation: step.generation, round: round, shard: shard), document.serialized() + "\n")
    }

    /// A sharded ABC-SMC calibration, step two: gathers the rounds the shards saved for the next
    /// generation and accepts their candidates in index order, exactly as an unsharded run does.
    /// A full population becomes a generation of the checkpoint; when the sampler stops, the
    /// posterior is written to `out` as an unsharded run writes it, byte for byte.
    public static func posteriorMerge(
        _ plan: CalibrationPlan, settings: RunSettings, out: String, shards: Int, invocation: [String], force: Bool = false
    ) throws(Diagnostic) -> (state: ShardedState, report: PosteriorReport?) {
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications, checkTargets: false)
        let sampler = ABCSMC(priors: plan.parameters.map(\.prior), settings: plan.posterior.sampler, seed: plan.posterior.seed)
        let fingerprint = PosteriorCheckpoint.fingerprint(plan: plan, targets: plan.targets, settings: settings, problem: problem)
        var generations = try PosteriorCheckpoint.load(directory: out, fingerprint: fingerprint, plan: plan, targetCount: plan.targets.count)
        // A calibration already finished (the results write failed, or the merge runs again): write
        // its results again, the same bytes.
        if let stop = sampler.stop(after: generations) {
            let report = PosteriorReport(
                plan: plan, targets: plan.targets, generations: generations, stop: stop, syntheticTruth: nil, seconds: 0,
                provenance: problem.provenance)
            try report.write(to: out, planPath: plan.source.path, invocation: invocation, force: force)
            return (.done, report)
        }
        let step = sampler.step(after: generations.last)
        var evaluated: [(ABCSMC.Proposal, ABCSMC.Outcome)] = []
        var round = 0
        var assembly = ABCSMC.Assembly.incomplete
        while true {
            var outcomes: [Int: ABCSMC.Outcome] = [:]
            var found = 0
            for index in 1...shards {
                let shard = Shard(index: index, count: shards)
                let path = PosteriorCheckpoint.roundPath(out, generation: step.generation, round: round, shard: shard)
                guard let bytes = FileSystem.contents(path, limit: 1 << 30) else { continue }
                found += 1
                guard let document = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
                    document["fingerprint"]?.stringValue == fingerprint, case .array(let items)? = document["outcomes"]
                else { throw Diagnostic("\(path) is not a shard of this calibration; remove it and run that shard again") }
                for item in items {
                    guard case .array(let fields) = item, fields.count == 3, case .integer(let candidate) = fields[0],
                        candidate % shards == index - 1, case .array(let summaries) = fields[2]
                    else { throw Diagnostic("\(path) holds a damaged outcome; run that shard again") }
                    // An infinite distance (a statistic the candidate's run cannot produce) is stored as null.
                    let distance = fields[1] == .null ? .infinity : fields[1].doubleValue ?? -1
                    guard distance >= 0, summaries.count == plan.targets.count,
                        summaries.allSatisfy({ $0 == .null || $0.doubleValue?.isFinite == true })
                    else { throw Diagnostic("\(path) holds a damaged outcome; run that shard again") }
                    outcomes[candidate] = ABCSMC.Outcome(distance: distance, summaries: summaries.map { $0.doubleValue ?? .nan })
                }
            }
            if found == 0 { break }
            guard found == shards else {
                throw Diagnostic("round \(round) of generation \(step.generation) has \(found) of its \(shards) shards in \(out); run the missing ones")
            }
            let proposals = sampler.proposals(step, round: round)
            guard proposals.count == outcomes.count, proposals.allSatisfy({ outcomes[$0.index] != nil }) else {
                throw Diagnostic("the shards of round \(round) of generation \(step.generation) do not cover its candidates; were they run with another --shard count?")
            }
            evaluated += proposals.map { ($0, outcomes[$0.index]!) }
            assembly = sampler.assemble(step, evaluated)
            round += 1
            if case .incomplete = assembly { continue }
            break
        }
        var stop: ABCSMC.Stop?
        var discarded = 0
        switch assembly {
        case .incomplete:
            return (.more(round: round), nil)
        case .exhausted:
            stop = .acceptance
            discarded = evaluated.count
        case .complete(let generation):
            generations.append(generation)
            try PosteriorCheckpoint.save(generations, directory: out, fingerprint: fingerprint)
            PosteriorCheckpoint.removeRounds(out, generation: generation.index, rounds: round, shards: shards)
            stop = sampler.stop(after: generations)
        }
        guard let stop else { return (.next, nil) }
        let report = PosteriorReport(
            plan: plan, targets: plan.targets, generations: generations, stop: stop, syntheticTruth: nil, seconds: 0,
            provenance: problem.provenance, discarded: discarded)
        try report.write(to: out, planPath: plan.source.path, invocation: invocation, force: force)
        return (.done, report)
    }
}
