import BlendSimCore
import BlendSimInference
import BlendSimScenario

/// `blendsim calibrate posterior --sampler abc-smc`: the ABC-SMC sampler run over the plan's
/// scenarios, whole, resumed, or one shard of a round at a time (docs/CALIBRATION.md). Its
/// checkpoint holds the finished generations (`ABCCheckpoint.swift`).
extension ABCSMC: PosteriorSampler {
    typealias State = [Generation]
    typealias Progress = Generation
    typealias Finished = (generations: [Generation], stop: Stop, discarded: Int)

    static let checkpointName = "generations.json"
    static func fingerprint(_ common: String) -> String { common }

    init(plan: CalibrationPlan) {
        self.init(priors: plan.parameters.map(\.prior), settings: plan.posterior.sampler, seed: plan.posterior.seed)
    }

    static func describe(_ generation: Generation) -> String {
        let epsilon = generation.epsilon.isFinite ? CalibrationReport.number(generation.epsilon) : "∞"
        return "generation \(generation.index): ε \(epsilon), \(generation.simulations) simulations, acceptance \(CalibrationReport.number(generation.acceptance))"
    }

    /// Each candidate's simulation: every scenario of the plan at its values, the targets'
    /// statistics with their observation noise, and the distance.
    static func simulator(_ problem: Calibrator.Problem, targets: [CalibrationPlan.Target]) -> ([Candidate]) throws -> [Outcome] {
        { candidates in
            try candidates.map { candidate throws(Diagnostic) in
                let summaries = try problem.simulate(candidate.values)
                var noisy: [Double] = []
                var squares = 0.0
                for (index, target) in targets.enumerated() {
                    let simulated = problem.value(target, in: summaries)?.mean ?? .nan
                    let value = simulated + target.tolerance * Calibrator.observationNoise(candidate, index)
                    noisy.append(value)
                    let error = (value - target.value) / target.tolerance
                    squares += error.isFinite ? error * error : .infinity
                }
                return Outcome(distance: (squares / Double(max(targets.count, 1))).squareRoot(), summaries: noisy)
            }
        }
    }

    func run(
        from state: State?, simulate: ([Candidate]) throws -> [Outcome], save: (State) throws -> Void, progress: ((Generation) -> Void)?
    ) throws -> Finished {
        var generations = state ?? []
        return try run(previous: generations, simulate: simulate) { generation in
            generations.append(generation)
            try save(generations)
            progress?(generation)
        }
    }

    static func report(
        _ finished: Finished, plan: CalibrationPlan, targets: [CalibrationPlan.Target], truth: [Double]?, seconds: Double,
        provenance: ResultProvenance
    ) -> PosteriorReport {
        PosteriorReport(
            plan: plan, targets: targets, generations: finished.generations, stop: finished.stop, syntheticTruth: truth, seconds: seconds,
            provenance: provenance, discarded: finished.discarded)
    }

    /// Round `round` of the generation after `generations`.
    func round(_ round: Int, after generations: State?, out: String) throws(Diagnostic) -> SamplerRound {
        let generations = generations ?? []
        if stop(after: generations) != nil { throw Diagnostic("the calibration in \(out) is finished; --merge-shards writes its results") }
        return self.round(round, of: step(after: generations.last), out: out)
    }

    func round(_ round: Int, of step: Step, out: String) -> SamplerRound {
        let generation = step.generation
        return SamplerRound(
            label: "round \(round) of generation \(generation)", header: [("generation", .integer(generation)), ("round", .integer(round))],
            candidates: proposals(step, round: round).map { ($0.index, $0.candidate) },
            path: { out + "/.checkpoint/generation-\(generation)-round-\(round)-shard-\($0.index)-of-\($0.count).json" })
    }

    static func encode(outcome: Outcome) -> [JSONValue] {
        [.number(outcome.distance), .array(outcome.summaries.map { $0.isFinite ? .number($0) : .null })]
    }

    static func decode(outcome fields: ArraySlice<JSONValue>, plan: CalibrationPlan) -> Outcome? {
        guard fields.count == 2, case .array(let summaries) = fields[fields.startIndex + 1] else { return nil }
        // An infinite distance (a statistic the candidate's run cannot produce) is stored as null.
        let first = fields[fields.startIndex]
        let distance = first == .null ? .infinity : first.doubleValue ?? -1
        guard distance >= 0, summaries.count == plan.targets.count, summaries.allSatisfy({ $0 == .null || $0.doubleValue?.isFinite == true })
        else { return nil }
        return Outcome(distance: distance, summaries: summaries.map { $0.doubleValue ?? .nan })
    }

    /// Gathers the rounds the shards saved for the next generation and accepts their candidates in
    /// index order, exactly as an unsharded run does; a full population becomes a generation of
    /// the checkpoint.
    func merge(
        _ state: State?, checkpoint: SamplerCheckpoint<ABCSMC>, shards: Int, read: (SamplerRound) throws(Diagnostic) -> [Int: Outcome]?
    ) throws(Diagnostic) -> (state: Calibrator.ShardedState, finished: Finished?) {
        var generations = state ?? []
        // A calibration already finished (the results write failed, or the merge runs again):
        // its results again, the same bytes.
        if let stop = stop(after: generations) { return (.done, (generations, stop, 0)) }
        let step = step(after: generations.last)
        var evaluated: [(Proposal, Outcome)] = []
        var rounds: [SamplerRound] = []
        var assembly = Assembly.incomplete
        while case .incomplete = assembly {
            let work = round(rounds.count, of: step, out: checkpoint.directory)
            guard let outcomes = try read(work) else { break }
            rounds.append(work)
            evaluated += proposals(step, round: rounds.count - 1).map { ($0, outcomes[$0.index]!) }
            assembly = assemble(step, evaluated)
        }
        switch assembly {
        case .incomplete:
            return (.more(round: rounds.count), nil)
        case .exhausted:
            return (.done, (generations, .acceptance, evaluated.count))
        case .complete(let generation):
            generations.append(generation)
            try checkpoint.save(generations)
            Calibrator.removeRounds(rounds, shards: shards)
            guard let stop = stop(after: generations) else { return (.next, nil) }
            return (.done, (generations, stop, 0))
        }
    }
}
