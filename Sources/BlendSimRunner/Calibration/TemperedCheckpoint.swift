import BlendSimCore
import BlendSimInference
import BlendSimScenario
import BlendSimSystem

/// The checkpoint of a tempered SMC run (`OUT/.checkpoint/smc-state.json`): the sampler's whole
/// state after every round, checked on reading against what the plan allows.
extension TemperedSMC {
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

    static func encode(_ state: State) -> [(String, JSONValue)] {
        [
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
        ]
    }


    /// Any JSON object: the fields are checked one by one.
    static func isCheckpoint(_ document: JSONValue) -> Bool { true }

    /// The largest log-likelihood a candidate can have: each target's variance is at least its
    /// tolerance squared, so its term −½(z² + log variance) is at most −log(tolerance). A value
    /// read back above it was not computed.
    static func largestLogLikelihood(_ plan: CalibrationPlan) -> Double {
        let bound = plan.targets.reduce(0.0) { $0 - log($1.tolerance) }
        return bound + 1e-9 * max(abs(bound), 1)
    }

    /// A saved state, checked field by field against what `plan` allows.
    static func decode(_ document: JSONValue, file: String, plan: CalibrationPlan, targetCount: Int) throws(Diagnostic) -> State {
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
