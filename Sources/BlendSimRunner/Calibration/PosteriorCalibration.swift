public import BlendSimCore
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
import BlendSimSystem

/// `blendsim calibrate --method abc-smc`: a posterior distribution of the plan's parameters
/// given its targets, by ABC-SMC (`ABCSMC`, docs/CALIBRATION.md).
///
/// Each candidate runs every scenario of the plan once (common random numbers: the same seed for
/// every candidate). Its simulated statistics get the observation noise the targets report —
/// each target's standard error times a normal draw keyed by the candidate — so that as ε falls
/// the accepted particles approach the posterior under the evidence's own error model (Wilkinson
/// 2013). The distance is the root mean square of (noisy simulated − observed) / standard error.
public struct PosteriorReport: Sendable {
    public var plan: CalibrationPlan
    public var targets: [CalibrationPlan.Target]
    public var generations: [ABCSMC.Generation]
    public var stop: ABCSMC.Stop
    /// The values the synthetic targets came from (`--synthetic`), else nil.
    public var syntheticTruth: [Double]?
    public var seconds: Double
    /// How the sample was made.
    public var method: Method = .abcSMC
    /// Simulations of a last generation that could not be filled (not in `generations`).
    public var discarded: Int = 0

    /// The tempered SMC sampler's generations (`--method smc`), its stop and final β.
    public var tempering: [TemperedSMC.Record] = []
    public var temperingStop: TemperedSMC.Stop?
    public var finalBeta: Double = 1

    /// ABC-SMC, tempered SMC, or the normal approximation at the point fit.
    public enum Method: String, Sendable {
        case abcSMC = "abc-smc"
        case smc
        case laplace
    }

    /// Kish's effective sample size of the final population, 1 / Σ w²: how many equally weighted
    /// particles it is worth. Far below the particle count, the sample is degenerate.
    public var effectiveSampleSize: Double { 1 / posterior.particles.reduce(0) { $0 + $1.weight * $1.weight } }

    /// The final population.
    public var posterior: ABCSMC.Generation { generations[generations.count - 1] }
    /// Candidates simulated in all, including a last generation that could not be filled.
    public var simulations: Int { generations.reduce(0) { $0 + $1.simulations } + discarded }

    /// One parameter's summary: posterior mean and 90% credible interval against its prior's.
    public struct Summary: Sendable {
        public var name: String
        public var mean: Double
        public var credible90: (lower: Double, upper: Double)
        public var prior90: (lower: Double, upper: Double)
        /// The posterior's 90% interval is narrower than 80% of the prior's: the evidence moves
        /// the parameter.
        public var informed: Bool { (credible90.upper - credible90.lower) < 0.8 * (prior90.upper - prior90.lower) }
    }

    public var parameters: [Summary] {
        let weights = posterior.particles.map(\.weight)
        return plan.parameters.enumerated().map { index, parameter in
            let values = posterior.particles.map { $0.values[index] }
            let mean = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
            return Summary(
                name: parameter.name, mean: mean,
                credible90: (ABCSMC.weightedQuantile(values, weights: weights, 0.05), ABCSMC.weightedQuantile(values, weights: weights, 0.95)),
                prior90: (parameter.prior.quantile(0.05), parameter.prior.quantile(0.95)))
        }
    }

    /// Weighted correlations between the parameters.
    public var correlations: [[Double]] {
        let weights = posterior.particles.map(\.weight)
        let k = plan.parameters.count
        let means = (0..<k).map { i in zip(posterior.particles, weights).reduce(0) { $0 + $1.1 * $1.0.values[i] } }
        func covariance(_ i: Int, _ j: Int) -> Double {
            zip(posterior.particles, weights).reduce(0) { $0 + $1.1 * ($1.0.values[i] - means[i]) * ($1.0.values[j] - means[j]) }
        }
        return (0..<k).map { i in
            (0..<k).map { j in
                let denominator = (covariance(i, i) * covariance(j, j)).squareRoot()
                return denominator > 0 ? covariance(i, j) / denominator : (i == j ? 1 : 0)
            }
        }
    }

    /// Each target's posterior predictive 90% interval (the particles' noisy simulated values).
    public var predictive: [(target: CalibrationPlan.Target, lower: Double, upper: Double, covers: Bool)] {
        let weights = posterior.particles.map(\.weight)
        return targets.enumerated().map { index, target in
            let values = posterior.particles.map { $0.summaries[index] }
            let lower = ABCSMC.weightedQuantile(values, weights: weights, 0.05)
            let upper = ABCSMC.weightedQuantile(values, weights: weights, 0.95)
            return (target, lower, upper, target.value >= lower && target.value <= upper)
        }
    }

    /// posterior.csv: one row per particle — its number, weight, distance, then one column per
    /// parameter (the plan's names).
    public var csv: String {
        var text = (["particle", "weight", "distance"] + plan.parameters.map(\.name)).joined(separator: ",") + "\n"
        for (index, particle) in posterior.particles.enumerated() {
            let distance = particle.distance.isFinite ? JSONValue.number(particle.distance).serialized() : "inf"
            text += (["\(index + 1)", JSONValue.number(particle.weight).serialized(), distance]
                + particle.values.map { JSONValue.number($0).serialized() }).joined(separator: ",") + "\n"
        }
        return text
    }

    /// calibration.json: the report as data (docs/CALIBRATION.md).
    public var document: JSONValue {
        let correlations = self.correlations
        return .object([
            ("method", .string(method.rawValue)),
            ("plan", .string(plan.source.path)),
            ("particles", .integer(posterior.particles.count)),
            ("effective_sample_size", .finite((effectiveSampleSize * 10).rounded() / 10)),
            ("distinct_particles", .integer(Set(posterior.particles.map { $0.values.map(\.bitPattern) }).count)),
            ("final_beta", method == .smc ? .finite(finalBeta) : .null),
            ("generations", method == .smc ? temperingDocument : .array(generations.map { generation in
                .object([
                    ("generation", .integer(generation.index)),
                    ("epsilon", generation.epsilon.isFinite ? .number(generation.epsilon) : .null),
                    ("simulations", .integer(generation.simulations)),
                    ("acceptance", .finite(generation.acceptance)),
                ])
            })),
            ("simulations", .integer(simulations)),
            ("stopped_because", .string(stoppedBecause)),
            ("parameters", .array(parameters.enumerated().map { index, summary in
                var members: [(String, JSONValue)] = [
                    ("name", .string(summary.name)),
                    ("mean", .finite(summary.mean)),
                    ("credible90", .array([.finite(summary.credible90.lower), .finite(summary.credible90.upper)])),
                    ("prior90", .array([.finite(summary.prior90.lower), .finite(summary.prior90.upper)])),
                    ("informed", .bool(summary.informed)),
                ]
                if let truth = syntheticTruth {
                    members.append(("true", .finite(truth[index])))
                    members.append(("covered", .bool(truth[index] >= summary.credible90.lower && truth[index] <= summary.credible90.upper)))
                }
                return .object(members)
            })),
            ("correlations", .object(plan.parameters.enumerated().map { i, parameter in
                (parameter.name, .object(plan.parameters.enumerated().filter { $0.offset != i }.map { j, other in
                    (other.name, JSONValue.finite((correlations[i][j] * 1000).rounded() / 1000))
                }))
            })),
            ("targets", .array(predictive.map { row in
                .object([
                    ("target", .string(row.target.finding ?? row.target.statistic)),
                    ("observed", .finite(row.target.value)),
                    ("predictive90", .array([.finite(row.lower), .finite(row.upper)])),
                    ("covered", .bool(row.covers)),
                ])
            })),
        ])
    }

    /// Why the sampler stopped, in words.
    var stoppedBecause: String {
        switch method {
        case .laplace: return "the draws are complete"
        case .smc: return (temperingStop ?? .converged).rawValue
        case .abcSMC: return stop.rawValue
        }
    }

    /// The tempered sampler's generations, as data.
    var temperingDocument: JSONValue {
        .array(tempering.map { record in
            .object([
                ("generation", .integer(record.generation)),
                ("beta", .finite(record.beta)),
                ("effective_sample_size", .finite((record.effectiveSampleSize * 10).rounded() / 10)),
                ("acceptance", record.generation == 0 ? .null : .finite(record.acceptance)),
                ("simulations", .integer(record.simulations)),
                ("distinct_particles", .integer(record.distinct)),
            ])
        })
    }

    /// The report as a planner reads it: the verdict first, then each parameter and target.
    public func table() -> String {
        func number(_ value: Double) -> String { Calibrator.format(value) }
        let summaries = parameters
        let informed = summaries.filter(\.informed).count
        let covered = predictive.filter(\.covers).count
        var out: String
        switch method {
        case .abcSMC:
            out = "Posterior (ABC-SMC): \(posterior.particles.count) particles after \(generations.count - 1) generations, "
            out += "\(simulations) simulations in \(Int(seconds.rounded())) s; stopped because \(stop.rawValue).\n"
        case .laplace:
            out = "Posterior (normal approximation at the point fit): \(posterior.particles.count) draws, "
            out += "\(simulations) simulations in \(Int(seconds.rounded())) s.\n"
        case .smc:
            let distinct = tempering.last?.distinct ?? posterior.particles.count
            out = "Posterior (tempered SMC): \(posterior.particles.count) particles (\(distinct) distinct) after \(tempering.count - 1) generations, "
            out += "\(simulations) simulations in \(Int(seconds.rounded())) s; stopped because \(stoppedBecause).\n"
            if finalBeta < 1 {
                out += "warning: the sampler stopped at β = \(number(finalBeta)) before reaching the posterior (β = 1): the intervals below are wider than the posterior's\n"
            }
        }
        let ess = effectiveSampleSize
        if method != .smc && ess < 0.1 * Double(posterior.particles.count) {
            out += "warning: the weights are degenerate: the sample is worth \(number(ess)) equally weighted particles of \(posterior.particles.count); its intervals are not to be trusted\n"
        }
        out += "The evidence informs \(informed) of \(summaries.count) parameters; \(covered) of \(predictive.count) findings lie in their posterior predictive 90% interval.\n\n"
        let width = summaries.map(\.name.count).max() ?? 0
        out += "Parameters: posterior mean [90% credible interval]   prior 90%\n"
        for (index, summary) in summaries.enumerated() {
            out += "  " + summary.name + String(repeating: " ", count: width - summary.name.count)
            out += "  \(number(summary.mean)) [\(number(summary.credible90.lower)), \(number(summary.credible90.upper))]"
            out += "   [\(number(summary.prior90.lower)), \(number(summary.prior90.upper))]"
            out += summary.informed ? "" : "   not informed (posterior ≈ prior)"
            if let truth = syntheticTruth {
                let inside = truth[index] >= summary.credible90.lower && truth[index] <= summary.credible90.upper
                out += "   true \(number(truth[index])): " + (inside ? "covered" : "NOT COVERED")
            }
            out += "\n"
        }
        out += "\nFindings: observed   posterior predictive 90%\n"
        let labels = predictive.map { $0.target.finding ?? $0.target.statistic }
        let labelWidth = labels.map(\.count).max() ?? 0
        for (label, row) in zip(labels, predictive) {
            out += "  " + label + String(repeating: " ", count: labelWidth - label.count)
            out += "  \(number(row.target.value))   [\(number(row.lower)), \(number(row.upper))]" + (row.covers ? "" : "   OUTSIDE") + "\n"
        }
        return out
    }
}

extension Calibrator {
    /// Runs ABC-SMC for `plan`. With `checkpoint` (a directory), each finished generation is
    /// saved there; with `resume`, a run continues after the generations saved — to the same
    /// posterior, byte for byte, as an uninterrupted run.
    public static func posterior(
        _ plan: CalibrationPlan, settings: RunSettings, synthetic: UInt64? = nil, checkpoint: String? = nil,
        resume: Bool = false, progress: (@Sendable (ABCSMC.Generation) -> Void)? = nil
    ) throws(Diagnostic) -> PosteriorReport {
        let start = Clock.monotonicSeconds()
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications)
        var targets = plan.targets
        var truth: [Double]?
        if let synthetic {
            truth = try current(plan, scenarios: problem.scenarios.map(\.scenario), host: problem.host)
            targets = try syntheticTargets(plan, problem: problem, truth: truth!, offset: synthetic)
        }
        let sampler = ABCSMC(priors: plan.parameters.map(\.prior), settings: plan.posterior.sampler, seed: plan.posterior.seed)
        let fingerprint = PosteriorCheckpoint.fingerprint(plan: plan, targets: targets, settings: settings, problem: problem)
        var previous: [ABCSMC.Generation] = []
        if let checkpoint, resume {
            guard FileSystem.exists(PosteriorCheckpoint.path(checkpoint)) else {
                throw Diagnostic("\(checkpoint) holds no interrupted calibration to resume (no .checkpoint/generations.json)")
            }
            previous = try PosteriorCheckpoint.load(directory: checkpoint, fingerprint: fingerprint, plan: plan, targetCount: targets.count)
        }
        let simulate = simulator(problem, targets: targets)
        var generations = previous
        let result: (generations: [ABCSMC.Generation], stop: ABCSMC.Stop, discarded: Int)
        do {
            result = try sampler.run(previous: previous, simulate: simulate) { generation in
                generations.append(generation)
                if let checkpoint { try PosteriorCheckpoint.save(generations, directory: checkpoint, fingerprint: fingerprint) }
                progress?(generation)
            }
        } catch let error as Diagnostic {
            throw error
        } catch {
            throw Diagnostic("\(error)")
        }
        return PosteriorReport(
            plan: plan, targets: targets, generations: result.generations, stop: result.stop, syntheticTruth: truth,
            seconds: Clock.monotonicSeconds() - start, discarded: result.discarded)
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
        let outcomes: [ABCSMC.Outcome]
        do {
            outcomes = try simulator(problem, targets: plan.targets)(mine.map(\.candidate))
        } catch let error as Diagnostic {
            throw error
        } catch {
            throw Diagnostic("\(error)")
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
                plan: plan, targets: plan.targets, generations: generations, stop: stop, syntheticTruth: nil, seconds: 0)
            try ResultsDirectory.write(
                [("posterior.csv", report.csv), ("calibration.json", report.document.serialized(pretty: true))], to: out,
                planPath: plan.source.path, invocation: invocation, force: force)
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
            discarded: discarded)
        try ResultsDirectory.write(
            [("posterior.csv", report.csv), ("calibration.json", report.document.serialized(pretty: true))], to: out,
            planPath: plan.source.path, invocation: invocation, force: force)
        return (.done, report)
    }
}

/// The generations of an ABC-SMC run saved as they finish (`OUT/.checkpoint/generations.json`),
/// with a fingerprint of everything that shapes them, so `--resume` continues only the same run.
enum PosteriorCheckpoint {
    static func path(_ directory: String) -> String { directory + "/.checkpoint/generations.json" }

    /// Where shard `shard` of round `round` of generation `generation` saves its outcomes.
    static func roundPath(_ directory: String, generation: Int, round: Int, shard: Shard) -> String {
        directory + "/.checkpoint/generation-\(generation)-round-\(round)-shard-\(shard.index)-of-\(shard.count).json"
    }

    static func removeRounds(_ directory: String, generation: Int, rounds: Int, shards: Int) {
        for round in 0..<rounds {
            for index in 1...shards {
                FileSystem.remove(roundPath(directory, generation: generation, round: round, shard: Shard(index: index, count: shards)))
            }
        }
    }

    /// Everything that shapes the generations: the plan, every scenario it runs, every target
    /// (statistic, value, tolerance, scenario), the command line's seed and replications, the
    /// plugins the scenarios use and blendsim's version — not the threads or chunk size, which do
    /// not.
    static func fingerprint(plan: CalibrationPlan, targets: [CalibrationPlan.Target], settings: RunSettings, problem: Calibrator.Problem? = nil) -> String {
        var text = String(decoding: plan.source.bytes, as: UTF8.self) + "|version=" + BlendSimVersion.current
        text += "|seed=\(settings.seed.map(String.init) ?? "-")|replications=\(settings.replications.map(String.init) ?? "-")"
        for target in targets {
            text += "|target=\(target.statistic);\(JSONValue.number(target.value).serialized());\(JSONValue.number(target.tolerance).serialized());\(target.scenarioPath)"
        }
        if let problem {
            for (path, scenario) in problem.scenarios { text += "|scenario=\(path);" + SHA256.hex(scenario.source.bytes) }
            // The plugins the scenarios use (hashing every library on the path would cost more than
            // a simulation).
            let used = Set(problem.scenarios.flatMap { $0.scenario.groups.flatMap { [$0.model.name] + $0.policies.map(\.name) } })
            let host = problem.host
            for plugin in host.plugins
            where host.models.contains(where: { $0.plugin == plugin && used.contains($0.name) })
                || host.policies.contains(where: { $0.plugin == plugin && used.contains($0.name) })
            {
                text += "|plugin=\(plugin.name);\(plugin.version);\(plugin.sha256)"
            }
        }
        return SHA256.hex(Array(text.utf8))
    }

    static func save(_ generations: [ABCSMC.Generation], directory: String, fingerprint: String) throws(Diagnostic) {
        let document = JSONValue.object([
            ("fingerprint", .string(fingerprint)),
            ("generations", .array(generations.map { generation in
                .object([
                    ("index", .integer(generation.index)),
                    ("epsilon", generation.epsilon.isFinite ? .number(generation.epsilon) : .null),
                    ("simulations", .integer(generation.simulations)),
                    ("particles", .array(generation.particles.map { particle in
                        .array([.number(particle.weight), .number(particle.distance), .array(particle.values.map { .number($0) }),
                                .array(particle.summaries.map { $0.isFinite ? .number($0) : .null })])
                    })),
                ])
            })),
        ])
        try ResultsDirectory.writeFile(path(directory), document.serialized() + "\n")
    }

    static func load(
        directory: String, fingerprint: String, plan: CalibrationPlan, targetCount: Int
    ) throws(Diagnostic) -> [ABCSMC.Generation] {
        let file = path(directory)
        guard FileSystem.exists(file) else { return [] }
        guard let bytes = FileSystem.contents(file, limit: 1 << 32) else {
            throw Diagnostic("\(file) cannot be read (\(FileSystem.lastError)); remove it to start afresh")
        }
        return try decode(bytes, file: file, fingerprint: fingerprint, plan: plan, targetCount: targetCount)
    }

    /// Saved generations' bytes, checked field by field against what `plan` allows.
    static func decode(
        _ bytes: [UInt8], file: String, fingerprint: String, plan: CalibrationPlan, targetCount: Int
    ) throws(Diagnostic) -> [ABCSMC.Generation] {
        guard let document = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
            case .array(let items)? = document["generations"]
        else { throw Diagnostic("\(file) is not a calibration checkpoint blendsim wrote; remove it to start afresh") }
        guard document["fingerprint"]?.stringValue == fingerprint else {
            throw Diagnostic("\(file) is from another plan or other settings; remove it or choose another --out")
        }
        var generations: [ABCSMC.Generation] = []
        // Every count is bounded by what the plan allows, so no counter read here can overflow
        // or make a later loop run without end; a generation must hold the plan's particles with
        // positive total weight (an empty or weightless one cannot be resampled).
        let particleCount = plan.posterior.sampler.particles
        let simulationLimit = max(plan.posterior.sampler.maximumSimulations, particleCount) &* 4
        guard items.count <= plan.posterior.sampler.generations + 1 else {
            throw Diagnostic("\(file) holds \(items.count) generations, more than the plan's \(plan.posterior.sampler.generations) and its prior's; remove the checkpoint to start afresh")
        }
        var totalSimulations = 0
        for item in items {
            guard case .integer(let index)? = item["index"], case .integer(let simulations)? = item["simulations"],
                case .array(let particles)? = item["particles"], index == generations.count,
                simulations >= particles.count, simulations <= simulationLimit, (1...particleCount).contains(particles.count)
            else { throw Diagnostic("\(file): a generation is damaged; remove the checkpoint to start afresh") }
            totalSimulations += simulations
            guard totalSimulations <= simulationLimit else {
                throw Diagnostic("\(file): its generations count more simulations than the plan allows; remove the checkpoint to start afresh")
            }
            var parsed: [ABCSMC.Particle] = []
            for particle in particles {
                guard case .array(let fields) = particle, fields.count == 4, let weight = fields[0].doubleValue, weight.isFinite,
                    weight >= 0, case .array(let values) = fields[2],
                    case .array(let summaries) = fields[3]
                else { throw Diagnostic("\(file): a particle is damaged; remove the checkpoint to start afresh") }
                let numbers = values.compactMap(\.doubleValue)
                guard numbers.count == values.count, numbers.count == plan.parameters.count, summaries.count == targetCount else {
                    throw Diagnostic("\(file): a particle is damaged; remove the checkpoint to start afresh")
                }
                // A distance is a number from 0 or null (infinite, as written); a summary a number
                // or null (a statistic the run could not produce).
                let distance = fields[1] == .null ? .infinity : fields[1].doubleValue ?? -1
                guard distance >= 0, summaries.allSatisfy({ $0 == .null || $0.doubleValue?.isFinite == true }) else {
                    throw Diagnostic("\(file): a particle is damaged; remove the checkpoint to start afresh")
                }
                parsed.append(ABCSMC.Particle(
                    values: numbers, weight: weight, distance: distance, summaries: summaries.map { $0.doubleValue ?? .nan }))
            }
            let total = parsed.reduce(0) { $0 + $1.weight }
            guard total > 0, total.isFinite else {
                throw Diagnostic("\(file): generation \(index) holds no particle with positive weight; remove the checkpoint to start afresh")
            }
            if let epsilon = item["epsilon"]?.doubleValue, !(epsilon >= 0 && epsilon.isFinite) {
                throw Diagnostic("\(file): a generation is damaged; remove the checkpoint to start afresh")
            }
            generations.append(ABCSMC.Generation(
                index: index, epsilon: item["epsilon"]?.doubleValue ?? .infinity, particles: parsed, simulations: simulations))
        }
        return generations
    }
}

/// Removes a finished calibration's checkpoint (once its results are written).
public enum PosteriorCheckpointCleanup {
    public static func remove(_ directory: String) {
        FileSystem.remove(PosteriorCheckpoint.path(directory))
        FileSystem.removeDirectory(directory + "/.checkpoint")
    }
}

extension Calibrator {
    /// `--method laplace`: the posterior approximated by a normal distribution at the plan's
    /// current parameter values (for the shipped plan, the point fit: the maximum of the posterior
    /// under uniform priors and the findings' normal errors) with covariance (JᵀWJ + P)⁻¹ — the
    /// Gauss–Newton information of the targets plus P, each prior's precision (a uniform prior of
    /// width w as a normal of variance w²/12), so that directions the targets do not pin fall back
    /// to the prior's spread while the combinations they do pin stay pinned — truncated to the
    /// bounds. `particles` equally weighted draws are simulated once each (with the targets' noise)
    /// for the posterior predictive check.
    public static func laplace(_ plan: CalibrationPlan, settings: RunSettings, particles: Int) throws(Diagnostic) -> PosteriorReport {
        let start = Clock.monotonicSeconds()
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications)
        let center = try current(plan, scenarios: problem.scenarios.map(\.scenario), host: problem.host)
        let covariance = try laplaceCovariance(problem, center: center)
        let k = plan.parameters.count
        var diagonal = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k { diagonal[i][i] = covariance[i][i].squareRoot() }
        let cholesky: [[Double]] = LinearAlgebra.cholesky(covariance) ?? diagonal
        var draws: [[Double]] = []
        for particle in 0..<particles {
            let key = CounterRandom.derive(CounterRandom.derive(plan.posterior.seed, 0x1A91), UInt64(particle))
            var values = center
            for attempt in 0..<UInt64(200) {
                let normals = (0..<k).map { Quantiles.normal(min(max(CounterRandom.uniform(key, attempt * 64 + UInt64($0)), 1e-12), 1 - 1e-12)) }
                for i in 0..<k {
                    values[i] = center[i]
                    for j in 0...i { values[i] += cholesky[i][j] * normals[j] }
                }
                if zip(values, plan.parameters).allSatisfy({ $0 >= $1.lower && $0 <= $1.upper }) { break }
            }
            draws.append(zip(values, plan.parameters).map { min(max($0, $1.lower), $1.upper) })
        }
        let candidates = draws.enumerated().map { index, values in
            ABCSMC.Candidate(values: values, key: CounterRandom.derive(CounterRandom.derive(plan.posterior.seed, 0x1A92), UInt64(index)))
        }
        let outcomes: [ABCSMC.Outcome]
        do {
            outcomes = try simulator(problem, targets: plan.targets)(candidates)
        } catch let error as Diagnostic {
            throw error
        } catch {
            throw Diagnostic("\(error)")
        }
        let weight = 1 / Double(max(particles, 1))
        let generation = ABCSMC.Generation(
            index: 0, epsilon: .infinity,
            particles: zip(draws, outcomes).map { ABCSMC.Particle(values: $0, weight: weight, distance: $1.distance, summaries: $1.summaries) },
            simulations: particles + 2 * k)
        return PosteriorReport(
            plan: plan, targets: plan.targets, generations: [generation], stop: .generations, syntheticTruth: nil,
            seconds: Clock.monotonicSeconds() - start, method: .laplace)
    }
}

extension Calibrator {
    /// (JᵀWJ + P)⁻¹ at `center` (see `laplace`).
    static func laplaceCovariance(_ problem: Problem, center: [Double]) throws(Diagnostic) -> [[Double]] {
        let parameters = problem.plan.parameters
        let targets = problem.plan.targets
        let k = parameters.count
        let jacobian = try self.jacobian(problem, at: center, targets: targets).map { $0.map { $0.isFinite ? $0 : 0 } }
        var precision = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k {
            for j in 0..<k { precision[i][j] = targets.indices.reduce(0) { $0 + jacobian[$1][i] * jacobian[$1][j] } }
            let width = parameters[i].upper - parameters[i].lower
            precision[i][i] += 12 / (width * width)
        }
        if let covariance = LinearAlgebra.inverse(precision) { return covariance }
        var prior = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k {
            let width = parameters[i].upper - parameters[i].lower
            prior[i][i] = width * width / 12
        }
        return prior
    }
}
