import BlendSimCore
import BlendSimInference
import BlendSimScenario
import BlendSimSystem

/// `blendsim calibrate posterior --sampler smc`: the posterior of the plan's parameters given its targets,
/// by a tempered SMC sampler with Metropolis–Hastings moves (`TemperedSMC`, docs/CALIBRATION.md).
///
/// Each candidate runs every scenario of the plan once (common random numbers: the same seed for
/// every candidate). The likelihood is the evidence's own error model: each target is normal
/// around the simulated statistic with variance SE² + MCSE², the finding's standard error plus the
/// simulated mean's Monte Carlo error (a synthetic likelihood, Wood 2010). The particles' summaries
/// get the targets' observation noise (keyed by the candidate), for the posterior predictive check.
extension Calibrator {
    /// Synthetic observations that follow the error model the samplers assume: the statistic the
    /// scenarios give at `truth` (other random numbers: the seed offset), plus each target's
    /// standard error times a normal draw keyed by the offset — so a recovery study measures the
    /// credible intervals' coverage, not only the point's closeness.
    static func syntheticTargets(
        _ plan: CalibrationPlan, problem: Problem, truth: [Double], offset: UInt64
    ) throws(Diagnostic) -> [CalibrationPlan.Target] {
        var targets = plan.targets
        let observed = try problem.simulate(truth, seedOffset: offset)
        let noise = CounterRandom.derive(CounterRandom.derive(plan.posterior.seed, 0x5E7), offset)
        for index in targets.indices {
            let u = min(max(CounterRandom.uniform(noise, UInt64(index)), 1e-12), 1 - 1e-12)
            let mean = problem.value(targets[index], in: observed)?.mean ?? .nan
            targets[index].value = mean + targets[index].tolerance * Quantiles.normal(u)
        }
        return targets
    }

    /// Each candidate's simulation: every scenario of the plan at its values, the log likelihood of
    /// the targets, their standardised root-mean-square error, and the simulated statistics with
    /// their observation noise.
    static func likelihoodSimulator(
        _ problem: Problem, targets: [CalibrationPlan.Target]
    ) -> ([ABCSMC.Candidate]) throws -> [TemperedSMC.Outcome] {
        { candidates in
            try candidates.map { candidate throws(Diagnostic) in
                let summaries = try problem.simulate(candidate.values)
                var noisy: [Double] = []
                var logLikelihood = 0.0
                var squares = 0.0
                for (index, target) in targets.enumerated() {
                    let statistic = problem.value(target, in: summaries)
                    let simulated = statistic?.mean ?? .nan
                    let variance = target.tolerance * target.tolerance + monteCarloVariance(statistic)
                    let error = simulated - target.value
                    if error.isFinite {
                        logLikelihood -= 0.5 * (error * error / variance + log(variance))
                        squares += error * error / (target.tolerance * target.tolerance)
                    } else {
                        logLikelihood = -.infinity
                        squares = .infinity
                    }
                    noisy.append(simulated + target.tolerance * observationNoise(candidate, index))
                }
                return TemperedSMC.Outcome(
                    logLikelihood: logLikelihood, distance: (squares / Double(max(targets.count, 1))).squareRoot(), summaries: noisy)
            }
        }
    }

    /// The squared standard error of a simulated mean: sd²/n over the replications, or from its
    /// 95% interval; 0 for a statistic of one run.
    static func monteCarloVariance(_ statistic: Statistic?) -> Double {
        guard let statistic else { return 0 }
        if let sd = statistic.sd, sd.isFinite, statistic.n > 1 { return sd * sd / Double(statistic.n) }
        if let ci = statistic.ci95, ci.lower.isFinite, ci.upper.isFinite {
            let se = (ci.upper - ci.lower) / (2 * 1.96)
            return se * se
        }
        return 0
    }

    /// A standard normal draw for target `index` of `candidate`'s summaries, keyed by the
    /// candidate: the targets' observation noise, for the posterior predictive check.
    static func observationNoise(_ candidate: ABCSMC.Candidate, _ index: Int) -> Double {
        Quantiles.normal(min(max(CounterRandom.uniform(CounterRandom.derive(candidate.key, 0x0B5E), UInt64(index)), 1e-12), 1 - 1e-12))
    }
}

extension PosteriorReport {
    /// The report of a tempered SMC run: its equally weighted particles.
    init(
        tempered state: TemperedSMC.State, plan: CalibrationPlan, targets: [CalibrationPlan.Target], syntheticTruth: [Double]?, seconds: Double,
        provenance: ResultProvenance
    ) {
        let weight = 1 / Double(max(state.particles.count, 1))
        let generation = ABCSMC.Generation(
            index: state.generation, epsilon: .infinity,
            particles: state.particles.map { ABCSMC.Particle(values: $0.values, weight: weight, distance: $0.distance, summaries: $0.summaries) },
            simulations: state.simulations)
        self.init(
            plan: plan, targets: targets, generations: [generation], stop: .generations, syntheticTruth: syntheticTruth, seconds: seconds,
            provenance: provenance)
        method = .smc
        tempering = state.records
        temperingStop = state.stop
        finalBeta = state.beta
    }
}


extension TemperedSMC: PosteriorSampler {
    typealias Progress = Record
    typealias Finished = State

    static let checkpointName = "smc-state.json"
    static func fingerprint(_ common: String) -> String { SHA256.hex(Array(("smc|" + common).utf8)) }

    init(plan: CalibrationPlan) {
        self.init(priors: plan.parameters.map(\.prior), settings: plan.posterior.tempering, seed: plan.posterior.seed)
    }

    static func describe(_ record: Record) -> String {
        var line = "generation \(record.generation): β \(CalibrationReport.number(record.beta)), \(record.simulations) simulations"
        if record.generation > 0 {
            line += ", ESS \(Int(record.effectiveSampleSize.rounded())), acceptance \(CalibrationReport.number(record.acceptance)), \(record.distinct) distinct"
        }
        return line
    }

    static func simulator(_ problem: Calibrator.Problem, targets: [CalibrationPlan.Target]) -> ([ABCSMC.Candidate]) throws -> [Outcome] {
        Calibrator.likelihoodSimulator(problem, targets: targets)
    }

    /// The state is saved after every round; a generation is reported once its record is written.
    func run(
        from state: State?, simulate: ([ABCSMC.Candidate]) throws -> [Outcome], save: (State) throws -> Void, progress: ((Record) -> Void)?
    ) throws -> State {
        var reported = state?.records.count ?? 0
        return try run(from: state, simulate: simulate) { state in
            try save(state)
            while reported < state.records.count {
                progress?(state.records[reported])
                reported += 1
            }
        }
    }

    static func report(
        _ finished: State, plan: CalibrationPlan, targets: [CalibrationPlan.Target], truth: [Double]?, seconds: Double,
        provenance: ResultProvenance
    ) -> PosteriorReport {
        PosteriorReport(tempered: finished, plan: plan, targets: targets, syntheticTruth: truth, seconds: seconds, provenance: provenance)
    }

    /// Round `round`: the one after `state`, one candidate per particle.
    func round(_ round: Int, after state: State?, out: String) throws(Diagnostic) -> SamplerRound {
        if state?.stop != nil { throw Diagnostic("the calibration in \(out) is finished; --merge-shards writes its results") }
        let expected = state?.round ?? 0
        guard round == expected else {
            throw Diagnostic("the calibration in \(out) is at round \(expected), not \(round); run round \(expected)")
        }
        return SamplerRound(
            label: "round \(round)", header: [("round", .integer(round))],
            candidates: candidates(state).enumerated().map { ($0.offset, $0.element) },
            path: { out + "/.checkpoint/smc-round-\(round)-shard-\($0.index)-of-\($0.count).json" })
    }

    static func encode(outcome: Outcome) -> [JSONValue] {
        [number(outcome.logLikelihood), number(outcome.distance), .array(outcome.summaries.map(number))]
    }

    static func decode(outcome fields: ArraySlice<JSONValue>, plan: CalibrationPlan) -> Outcome? {
        let start = fields.startIndex
        guard fields.count == 3, let logLikelihood = double(fields[start]), let distance = double(fields[start + 1]),
            case .array(let summaries) = fields[start + 2], summaries.count == plan.targets.count,
            !logLikelihood.isNaN, logLikelihood <= largestLogLikelihood(plan), !(distance < 0)
        else { return nil }
        return Outcome(logLikelihood: logLikelihood, distance: distance, summaries: summaries.map { double($0) ?? .nan })
    }

    /// Gathers the shards of the next round and applies them exactly as an unsharded run does.
    func merge(
        _ state: State?, checkpoint: SamplerCheckpoint<TemperedSMC>, shards: Int, read: (SamplerRound) throws(Diagnostic) -> [Int: Outcome]?
    ) throws(Diagnostic) -> (state: Calibrator.ShardedState, finished: State?) {
        // Finished (now, or earlier and the results write failed or the merge runs again): the
        // results again, the same bytes each time.
        if let state, state.stop != nil { return (.done, state) }
        let work = try round(state?.round ?? 0, after: state, out: checkpoint.directory)
        guard let outcomes = try read(work) else { return (.more(round: state?.round ?? 0), nil) }
        let next = advance(state, work.candidates.map { outcomes[$0.index]! })
        try checkpoint.save(next)
        Calibrator.removeRounds([work], shards: shards)
        return next.stop == nil ? (.more(round: next.round), nil) : (.done, next)
    }
}
