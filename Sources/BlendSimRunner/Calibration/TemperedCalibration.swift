public import BlendSimCore
public import BlendSimInference
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
import BlendSimSystem

/// `blendsim calibrate --method smc`: the posterior of the plan's parameters given its targets,
/// by a tempered SMC sampler with Metropolis–Hastings moves (`TemperedSMC`, docs/CALIBRATION.md).
///
/// Each candidate runs every scenario of the plan once (common random numbers: the same seed for
/// every candidate). The likelihood is the evidence's own error model: each target is normal
/// around the simulated statistic with variance SE² + MCSE², the finding's standard error plus the
/// simulated mean's Monte Carlo error (a synthetic likelihood, Wood 2010). The particles' summaries
/// get the targets' observation noise (keyed by the candidate), for the posterior predictive check.
extension Calibrator {
    /// Runs the tempered SMC sampler for `plan`. With `checkpoint` (a directory), the state is saved
    /// there after every round; with `resume`, a run continues from it — to the same posterior,
    /// byte for byte, as an uninterrupted run.
    public static func temperedPosterior(
        _ plan: CalibrationPlan, settings: RunSettings, synthetic: UInt64? = nil, checkpoint: String? = nil,
        resume: Bool = false, progress: (@Sendable (TemperedSMC.Record) -> Void)? = nil
    ) throws(Diagnostic) -> PosteriorReport {
        let start = Clock.monotonicSeconds()
        let (problem, targets, truth) = try posteriorStart(plan, settings: settings, synthetic: synthetic, resume: resume).parts
        let sampler = TemperedSMC(priors: plan.parameters.map(\.prior), settings: plan.posterior.tempering, seed: plan.posterior.seed)
        let fingerprint = TemperedCheckpoint.fingerprint(plan: plan, targets: targets, settings: settings, problem: problem)
        var state: TemperedSMC.State?
        if let checkpoint, resume {
            try requireCheckpoint(TemperedCheckpoint.path(checkpoint), directory: checkpoint)
            state = try TemperedCheckpoint.load(directory: checkpoint, fingerprint: fingerprint, plan: plan, targetCount: targets.count)
        }
        let simulate = likelihoodSimulator(problem, targets: targets)
        var reported = state?.records.count ?? 0
        let final: TemperedSMC.State = try diagnosing {
            try sampler.run(from: state, simulate: simulate) { state in
                if let checkpoint { try TemperedCheckpoint.save(state, directory: checkpoint, fingerprint: fingerprint) }
                while reported < state.records.count {
                    progress?(state.records[reported])
                    reported += 1
                }
            }
        }
        return PosteriorReport(
            tempered: final, plan: plan, targets: targets, syntheticTruth: truth, seconds: Clock.monotonicSeconds() - start,
            provenance: problem.provenance)
    }

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
                    let u = min(max(CounterRandom.uniform(CounterRandom.derive(candidate.key, 0x0B5E), UInt64(index)), 1e-12), 1 - 1e-12)
                    noisy.append(simulated + target.tolerance * Quantiles.normal(u))
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

    /// A sharded tempered calibration, step one: shard `shard` of round `round` — the candidates of
    /// that round whose particle index is the shard's modulo the shard count — simulated and saved
    /// for `temperedMerge`.
    public static func temperedShard(
        _ plan: CalibrationPlan, settings: RunSettings, out: String, shard: Shard, round: Int
    ) throws(Diagnostic) {
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications)
        let sampler = TemperedSMC(priors: plan.parameters.map(\.prior), settings: plan.posterior.tempering, seed: plan.posterior.seed)
        let fingerprint = TemperedCheckpoint.fingerprint(plan: plan, targets: plan.targets, settings: settings, problem: problem)
        let state = try TemperedCheckpoint.load(directory: out, fingerprint: fingerprint, plan: plan, targetCount: plan.targets.count)
        if state?.stop != nil { throw Diagnostic("the calibration in \(out) is finished; --merge-shards writes its results") }
        let expected = state?.round ?? 0
        guard round == expected else {
            throw Diagnostic("the calibration in \(out) is at round \(expected), not \(round); run round \(expected)")
        }
        let mine = sampler.candidates(state).enumerated().filter { $0.offset % shard.count == shard.index - 1 }
        let outcomes: [TemperedSMC.Outcome] = try diagnosing {
            try likelihoodSimulator(problem, targets: plan.targets)(mine.map(\.element))
        }
        let document = JSONValue.object([
            ("fingerprint", .string(fingerprint)),
            ("round", .integer(round)),
            ("outcomes", .array(zip(mine, outcomes).map { item, outcome in
                .array([.integer(item.offset), TemperedCheckpoint.number(outcome.logLikelihood), TemperedCheckpoint.number(outcome.distance),
                        .array(outcome.summaries.map(TemperedCheckpoint.number))])
            })),
        ])
        try ResultsDirectory.writeFile(TemperedCheckpoint.roundPath(out, round: round, shard: shard), document.serialized() + "\n")
    }

    /// A sharded tempered calibration, step two: gathers the shards of the next round and applies
    /// them exactly as an unsharded run does. When the sampler stops, the posterior is written to
    /// `out` as an unsharded run writes it, byte for byte.
    public static func temperedMerge(
        _ plan: CalibrationPlan, settings: RunSettings, out: String, shards: Int, invocation: [String], force: Bool = false
    ) throws(Diagnostic) -> (state: ShardedState, report: PosteriorReport?) {
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications, checkTargets: false)
        let sampler = TemperedSMC(priors: plan.parameters.map(\.prior), settings: plan.posterior.tempering, seed: plan.posterior.seed)
        let fingerprint = TemperedCheckpoint.fingerprint(plan: plan, targets: plan.targets, settings: settings, problem: problem)
        var state = try TemperedCheckpoint.load(directory: out, fingerprint: fingerprint, plan: plan, targetCount: plan.targets.count)
        if state?.stop == nil {
            let round = state?.round ?? 0
            let candidates = sampler.candidates(state)
            var outcomes: [Int: TemperedSMC.Outcome] = [:]
            var found = 0
            for index in 1...shards {
                let shard = Shard(index: index, count: shards)
                let path = TemperedCheckpoint.roundPath(out, round: round, shard: shard)
                guard let bytes = FileSystem.contents(path, limit: 1 << 30) else { continue }
                found += 1
                guard let document = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
                    document["fingerprint"]?.stringValue == fingerprint, case .integer(round)? = document["round"],
                    case .array(let items)? = document["outcomes"]
                else { throw Diagnostic("\(path) is not a shard of this calibration; remove it and run that shard again") }
                for item in items {
                    guard case .array(let fields) = item, fields.count == 4, case .integer(let particle) = fields[0],
                        candidates.indices.contains(particle), particle % shards == index - 1, outcomes[particle] == nil,
                        let logLikelihood = TemperedCheckpoint.double(fields[1]), let distance = TemperedCheckpoint.double(fields[2]),
                        case .array(let summaries) = fields[3], summaries.count == plan.targets.count
                    else { throw Diagnostic("\(path) holds a damaged outcome; run that shard again") }
                    guard !logLikelihood.isNaN, logLikelihood <= TemperedCheckpoint.largestLogLikelihood(plan), !(distance < 0) else {
                        throw Diagnostic("\(path) holds a damaged outcome; run that shard again")
                    }
                    outcomes[particle] = TemperedSMC.Outcome(
                        logLikelihood: logLikelihood, distance: distance, summaries: summaries.map { TemperedCheckpoint.double($0) ?? .nan })
                }
            }
            if found == 0 { return (.more(round: round), nil) }
            guard found == shards else {
                throw Diagnostic("round \(round) has \(found) of its \(shards) shards in \(out); run the missing ones")
            }
            guard outcomes.count == candidates.count else {
                throw Diagnostic("the shards of round \(round) do not cover its candidates; were they run with another --shard count?")
            }
            let next = sampler.advance(state, candidates.indices.map { outcomes[$0]! })
            try TemperedCheckpoint.save(next, directory: out, fingerprint: fingerprint)
            TemperedCheckpoint.removeRound(out, round: round, shards: shards)
            state = next
            if next.stop == nil { return (.more(round: next.round), nil) }
        }
        // Finished (now, or earlier and the results write failed or the merge runs again): write
        // the results, the same bytes each time.
        let report = PosteriorReport(
            tempered: state!, plan: plan, targets: plan.targets, syntheticTruth: nil, seconds: 0, provenance: problem.provenance)
        try report.write(to: out, planPath: plan.source.path, invocation: invocation, force: force)
        return (.done, report)
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

/// The state of a tempered SMC run saved after every round (`OUT/.checkpoint/smc-state.json`),
/// with the fingerprint of everything that shapes it, so `--resume` continues only the same run.
enum TemperedCheckpoint {
    static func path(_ directory: String) -> String { directory + "/.checkpoint/smc-state.json" }

    static func roundPath(_ directory: String, round: Int, shard: Shard) -> String {
        directory + "/.checkpoint/smc-round-\(round)-shard-\(shard.index)-of-\(shard.count).json"
    }

    static func removeRound(_ directory: String, round: Int, shards: Int) {
        for index in 1...shards { FileSystem.remove(roundPath(directory, round: round, shard: Shard(index: index, count: shards))) }
    }

    static func fingerprint(plan: CalibrationPlan, targets: [CalibrationPlan.Target], settings: RunSettings, problem: Calibrator.Problem) -> String {
        SHA256.hex(Array(("smc|" + PosteriorCheckpoint.fingerprint(plan: plan, targets: targets, settings: settings, problem: problem)).utf8))
    }

    /// A number, with the infinities and NaN as strings (JSON has none).
    static func number(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("nan") }
        if value.isInfinite { return .string(value > 0 ? "inf" : "-inf") }
        return .number(value)
    }

    static func double(_ value: JSONValue) -> Double? {
        switch value.stringValue {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return value.doubleValue
        }
    }

    static func save(_ state: TemperedSMC.State, directory: String, fingerprint: String) throws(Diagnostic) {
        let document = JSONValue.object([
            ("fingerprint", .string(fingerprint)),
            ("round", .integer(state.round)),
            ("generation", .integer(state.generation)),
            ("beta", .number(state.beta)),
            ("sweep", .integer(state.sweep)),
            ("scale", .number(state.scale)),
            ("effective_sample_size", .number(state.effectiveSampleSize)),
            ("accepted", .integer(state.accepted)),
            ("stop", state.stop.map { .string($0.rawValue) } ?? .null),
            ("cholesky", .array(state.cholesky.map { .array($0.map { .number($0) }) })),
            ("records", .array(state.records.map { record in
                .array([.integer(record.generation), .number(record.beta), .number(record.effectiveSampleSize), .number(record.acceptance),
                        .integer(record.simulations), .integer(record.distinct)])
            })),
            ("particles", .array(state.particles.map { particle in
                .array([.array(particle.values.map { .number($0) }), number(particle.logLikelihood), number(particle.distance),
                        .array(particle.summaries.map(number))])
            })),
        ])
        try ResultsDirectory.writeFile(path(directory), document.serialized() + "\n")
    }

    /// The saved state, or nil when there is none.
    static func load(directory: String, fingerprint: String, plan: CalibrationPlan, targetCount: Int) throws(Diagnostic) -> TemperedSMC.State? {
        let file = path(directory)
        guard FileSystem.exists(file) else { return nil }
        guard let bytes = FileSystem.contents(file, limit: 1 << 32) else {
            throw Diagnostic("\(file) cannot be read (\(FileSystem.lastError)); remove it to start afresh")
        }
        return try decode(bytes, file: file, fingerprint: fingerprint, plan: plan, targetCount: targetCount)
    }

    /// The largest log-likelihood a candidate can have: each target's variance is at least its
    /// tolerance squared, so its term −½(z² + log variance) is at most −log(tolerance). A value
    /// read back above it was not computed.
    static func largestLogLikelihood(_ plan: CalibrationPlan) -> Double {
        let bound = plan.targets.reduce(0.0) { $0 - log($1.tolerance) }
        return bound + 1e-9 * max(abs(bound), 1)
    }

    /// A saved state's bytes, checked field by field against what `plan` allows.
    static func decode(_ bytes: [UInt8], file: String, fingerprint: String, plan: CalibrationPlan, targetCount: Int) throws(Diagnostic) -> TemperedSMC.State {
        guard let document = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)), case .object = document else {
            throw Diagnostic("\(file) is not a calibration checkpoint blendsim wrote; remove it to start afresh")
        }
        guard document["fingerprint"]?.stringValue == fingerprint else {
            throw Diagnostic("\(file) is from another plan or other settings; remove it or choose another --out")
        }
        let damaged = Diagnostic("\(file) is damaged; remove the checkpoint to start afresh")
        let k = plan.parameters.count
        let n = plan.posterior.sampler.particles
        let moves = plan.posterior.moves
        // Counters are bounded by what the plan allows (a generation is one reweighting and
        // `moves` rounds of proposals), so none can overflow or keep a loop going.
        let roundLimit = 1 + (plan.posterior.sampler.generations + 1) * (moves + 1)
        guard case .integer(let round)? = document["round"], round >= 1, round <= roundLimit,
            case .integer(let generation)? = document["generation"],
            generation >= 0, generation <= plan.posterior.sampler.generations,
            let beta = document["beta"]?.doubleValue, beta >= 0, beta <= 1,
            case .integer(let sweep)? = document["sweep"], sweep >= 0, sweep < moves,
            // The sampler keeps its proposal scale within [0.05, 3] (TemperedSMC.adapt).
            let scale = document["scale"]?.doubleValue, scale >= 0.05, scale <= 3,
            let ess = document["effective_sample_size"]?.doubleValue, ess >= 0, ess <= Double(n) * (1 + 1e-9),
            case .integer(let accepted)? = document["accepted"], accepted >= 0, accepted <= sweep * n,
            case .array(let cholesky)? = document["cholesky"], cholesky.count == (generation == 0 ? 0 : k),
            case .array(let records)? = document["records"],
            case .array(let particles)? = document["particles"], particles.count == n
        else { throw damaged }
        var stop: TemperedSMC.Stop?
        if let text = document["stop"]?.stringValue {
            guard let value = TemperedSMC.Stop(rawValue: text) else { throw damaged }
            stop = value
        }
        var factor: [[Double]] = []
        for row in cholesky {
            guard case .array(let items) = row, items.count == k else { throw damaged }
            let numbers = items.compactMap(\.doubleValue)
            guard numbers.count == k, numbers.allSatisfy(\.isFinite) else { throw damaged }
            factor.append(numbers)
        }
        var history: [TemperedSMC.Record] = []
        for record in records {
            guard case .array(let fields) = record, fields.count == 6, case .integer(let index) = fields[0], index == history.count,
                let b = fields[1].doubleValue, b >= 0, b <= 1, let e = fields[2].doubleValue, e >= 0,
                let a = fields[3].doubleValue, a >= 0, a <= 1,
                case .integer(let simulations) = fields[4], simulations >= 0, simulations <= n * (moves + 1) * (index + 1),
                case .integer(let distinct) = fields[5], distinct >= 0, distinct <= n
            else { throw damaged }
            history.append(TemperedSMC.Record(generation: index, beta: b, effectiveSampleSize: e, acceptance: a, simulations: simulations, distinct: distinct))
        }
        guard history.count == generation + (stop == nil ? 0 : 1) else { throw damaged }
        var population: [TemperedSMC.Particle] = []
        for particle in particles {
            guard case .array(let fields) = particle, fields.count == 4, case .array(let values) = fields[0],
                let logLikelihood = double(fields[1]), !logLikelihood.isNaN, logLikelihood <= largestLogLikelihood(plan),
                let distance = double(fields[2]), !(distance < 0), case .array(let summaries) = fields[3], summaries.count == targetCount
            else { throw damaged }
            let numbers = values.compactMap(\.doubleValue)
            guard numbers.count == values.count, numbers.count == k,
                zip(numbers, plan.parameters).allSatisfy({ $0 >= $1.lower && $0 <= $1.upper })
            else { throw damaged }
            population.append(TemperedSMC.Particle(
                values: numbers, logLikelihood: logLikelihood, distance: distance, summaries: summaries.map { double($0) ?? .nan }))
        }
        // A population in which no particle can produce the targets has no weight to resample.
        guard population.contains(where: { $0.logLikelihood.isFinite }) else {
            throw Diagnostic("\(file) holds no particle that produces every target; remove the checkpoint to start afresh")
        }
        return TemperedSMC.State(
            round: round, generation: generation, beta: beta, sweep: sweep, particles: population, cholesky: factor, scale: scale,
            effectiveSampleSize: ess, accepted: accepted, records: history, stop: stop)
    }
}

/// Removes a finished tempered calibration's checkpoint (once its results are written).
public enum TemperedCheckpointCleanup {
    public static func remove(_ directory: String) {
        FileSystem.remove(TemperedCheckpoint.path(directory))
        FileSystem.removeDirectory(directory + "/.checkpoint")
    }
}
