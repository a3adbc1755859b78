import BlendSimCore
import BlendSimSystem

/// Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Beaumont, Cornuet, Marin &
/// Robert 2009; Toni et al. 2009), with ε set from a quantile of the previous distances: a
/// population of weighted particles is moved from the prior towards the posterior through
/// generations of decreasing tolerance ε.
///
/// Generation 0 samples the prior. Generation g ≥ 1 sets ε to a quantile of the previous
/// generation's distances, then proposes candidates — a parent drawn by weight, moved by a
/// Gaussian kernel with twice the population's weighted covariance (Beaumont et al. 2009) in a
/// latent space where each parameter is the logit of its place between its bounds, so every
/// proposal lies inside them — and accepts those whose
/// simulated distance is at most ε, until the population is full. Weights are prior density over
/// the kernel mixture density. Everything random is a counter draw keyed by (seed, generation,
/// candidate), and candidates are accepted in index order, so the posterior is a pure function of
/// the seed, the priors and the distance — whatever the batch size, thread count or interruption.
public struct ABCSMC: Sendable {
    /// How large a population, how many generations, and when to stop.
    public struct Settings: Sendable, Equatable {
        /// Particles per generation.
        public var particles: Int
        /// Generations after the prior's (at most).
        public var generations: Int
        /// ε of the next generation: this quantile of the current distances.
        public var quantile: Double
        /// Stop when a generation accepts fewer than this share of its simulated candidates.
        public var minimumAcceptance: Double
        /// Stop before a generation that would take the total past this many simulations.
        public var maximumSimulations: Int

        public init(particles: Int, generations: Int, quantile: Double, minimumAcceptance: Double, maximumSimulations: Int) {
            self.particles = particles
            self.generations = generations
            self.quantile = quantile
            self.minimumAcceptance = minimumAcceptance
            self.maximumSimulations = maximumSimulations
        }
    }

    /// One weighted point of the posterior, with what its simulation gave.
    public struct Particle: Sendable, Equatable {
        public var values: [Double]
        /// Normalised within its generation.
        public var weight: Double
        public var distance: Double
        /// The simulated summaries (with their observation noise), for posterior predictive checks.
        public var summaries: [Double]

        public init(values: [Double], weight: Double, distance: Double, summaries: [Double]) {
            self.values = values
            self.weight = weight
            self.distance = distance
            self.summaries = summaries
        }
    }

    /// One finished generation.
    public struct Generation: Sendable, Equatable {
        public var index: Int
        /// The tolerance its particles met (infinite for the prior's).
        public var epsilon: Double
        public var particles: [Particle]
        /// Candidates simulated in this generation up to the one that filled it.
        public var simulations: Int

        public init(index: Int, epsilon: Double, particles: [Particle], simulations: Int) {
            self.index = index
            self.epsilon = epsilon
            self.particles = particles
            self.simulations = simulations
        }

        /// Accepted over simulated.
        public var acceptance: Double { simulations > 0 ? Double(particles.count) / Double(simulations) : 0 }
    }

    /// A candidate to simulate: its values and the key for any noise its simulation adds.
    public struct Candidate: Sendable {
        public var values: [Double]
        public var key: UInt64

        public init(values: [Double], key: UInt64) {
            self.values = values
            self.key = key
        }
    }

    /// What a simulation returns for one candidate.
    public struct Outcome: Sendable {
        public var distance: Double
        public var summaries: [Double]

        public init(distance: Double, summaries: [Double]) {
            self.distance = distance
            self.summaries = summaries
        }
    }

    /// Why the sampler stopped.
    public enum Stop: String, Sendable {
        case generations = "the generation limit was reached"
        case acceptance = "the acceptance rate fell below its minimum"
        case budget = "the next generation would exceed the simulation budget"
        case converged = "ε stopped falling (less than 1% from one generation to the next)"
    }

    public let priors: [Prior]
    public let settings: Settings
    public let seed: UInt64

    public init(priors: [Prior], settings: Settings, seed: UInt64) {
        self.priors = priors
        self.settings = settings
        self.seed = seed
    }

    /// Runs the sampler, continuing after `previous` (the generations an interrupted run
    /// finished; they are the state, nothing else is). `simulate` evaluates a batch of candidates
    /// (in any order or concurrently; it must be a function of each candidate alone);
    /// `finished` is called after every generation, for checkpoints. `discarded` counts the
    /// simulations of a last generation that could not be filled.
    public func run(
        previous: [Generation] = [],
        simulate: ([Candidate]) throws -> [Outcome],
        finished: (Generation) throws -> Void = { _ in }
    ) rethrows -> (generations: [Generation], stop: Stop, discarded: Int) {
        var generations = previous
        while true {
            if let stop = stop(after: generations) { return (generations, stop, 0) }
            let step = step(after: generations.last)
            var evaluated: [(Proposal, Outcome)] = []
            var round = 0
            var next: Generation?
            while next == nil {
                let proposals = self.proposals(step, round: round)
                let outcomes = proposals.isEmpty ? [] : try simulate(proposals.map(\.candidate))
                evaluated += zip(proposals, outcomes).map { ($0, $1) }
                switch assemble(step, evaluated) {
                case .complete(let generation): next = generation
                case .incomplete: round += 1
                case .exhausted: return (generations, .acceptance, evaluated.count)
                }
            }
            try finished(next!)
            generations.append(next!)
        }
    }

    /// Why to stop after `generations`, or nil to go on.
    public func stop(after generations: [Generation]) -> Stop? {
        guard let last = generations.last else { return nil }
        if last.index >= settings.generations { return .generations }
        if last.index > 0 && last.acceptance < settings.minimumAcceptance { return .acceptance }
        let spent = generations.reduce(0) { $0 + $1.simulations }
        let expected = Int((Double(settings.particles) / max(last.index == 0 ? 1 : last.acceptance * settings.quantile, 1e-6)).rounded(.up))
        if spent + expected > settings.maximumSimulations { return .budget }
        let epsilon = Self.quantile(last.particles.map(\.distance), settings.quantile)
        if last.index > 1, last.epsilon.isFinite, epsilon > 0.99 * last.epsilon { return .converged }
        return nil
    }

    /// What the next generation's candidates depend on: the previous population (none for the
    /// prior's), its kernel in the latent space and the tolerance.
    public struct Step: Sendable {
        public let generation: Int
        public let epsilon: Double
        let last: Generation?
        let parents: [[Double]]
        let kernel: (cholesky: [[Double]], inverse: [[Double]])
        let cumulative: [Double]
    }

    /// One candidate of a generation, with its place in the candidate order.
    public struct Proposal: Sendable {
        public let index: Int
        public let candidate: Candidate
        let latent: [Double]
        let logPrior: Double
    }

    /// How far a generation has got with the candidates evaluated so far.
    public enum Assembly: Sendable {
        case complete(Generation)
        /// Not full yet: evaluate the next round.
        case incomplete
        /// The simulations the minimum acceptance allows did not fill it.
        case exhausted
    }

    /// The step after `last` (nil: the prior's generation).
    public func step(after last: Generation?) -> Step {
        guard let last else {
            return Step(generation: 0, epsilon: .infinity, last: nil, parents: [], kernel: ([], []), cumulative: [])
        }
        let parents = last.particles.map { latent($0.values) }
        return Step(
            generation: last.index + 1, epsilon: Self.quantile(last.particles.map(\.distance), settings.quantile), last: last,
            parents: parents, kernel: Self.kernel(parents, weights: last.particles.map(\.weight)),
            cumulative: last.particles.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1.weight) })
    }

    /// The candidates of round `round` — indices round·particles ..< (round + 1)·particles — that
    /// lie inside the bounds (every one does: they are proposed in the latent space), in index
    /// order. The prior's generation has one round.
    public func proposals(_ step: Step, round: Int) -> [Proposal] {
        let range = (round * settings.particles)..<((round + 1) * settings.particles)
        guard step.last != nil else {
            guard round == 0 else { return [] }
            return range.map { c in
                let key = candidateKey(generation: 0, candidate: c)
                let values = priors.indices.map { priors[$0].quantile(CounterRandom.uniform(key, UInt64($0))) }
                return Proposal(index: c, candidate: Candidate(values: values, key: key), latent: [], logPrior: 0)
            }
        }
        let k = priors.count
        let total = step.cumulative.last ?? 1
        return range.compactMap { c in
            let key = candidateKey(generation: step.generation, candidate: c)
            let pick = CounterRandom.uniform(key, 0) * total
            let parent = step.parents[min(step.cumulative.firstIndex { $0 > pick } ?? step.cumulative.count - 1, step.parents.count - 1)]
            let noise = (0..<k).map { Quantiles.normal(min(max(CounterRandom.uniform(key, UInt64(1 + $0)), 1e-12), 1 - 1e-12)) }
            var z = parent
            for i in 0..<k {
                for j in 0...i { z[i] += step.kernel.cholesky[i][j] * noise[j] }
            }
            let (values, logPrior) = values(latent: z)
            guard logPrior > -.infinity else { return nil }
            return Proposal(index: c, candidate: Candidate(values: values, key: key), latent: z, logPrior: logPrior)
        }
    }

    /// Accepts the evaluated candidates in index order (they must be every candidate of rounds
    /// 0…r): the generation once it is full.
    public func assemble(_ step: Step, _ evaluated: [(Proposal, Outcome)]) -> Assembly {
        let ordered = evaluated.sorted { $0.0.index < $1.0.index }
        guard let last = step.last else {
            guard ordered.count == settings.particles else { return .incomplete }
            let weight = 1 / Double(settings.particles)
            return .complete(Generation(
                index: 0, epsilon: .infinity,
                particles: ordered.map { Particle(values: $0.0.candidate.values, weight: weight, distance: $0.1.distance, summaries: $0.1.summaries) },
                simulations: settings.particles))
        }
        let maximumSimulated = Int((Double(settings.particles) / max(settings.minimumAcceptance, 1e-4)).rounded(.up))
        var accepted: [(proposal: Proposal, outcome: Outcome)] = []
        var simulated = 0
        for (proposal, outcome) in ordered {
            if simulated >= maximumSimulated { return .exhausted }
            simulated += 1
            if outcome.distance <= step.epsilon {
                accepted.append((proposal, outcome))
                if accepted.count == settings.particles { break }
            }
        }
        guard accepted.count == settings.particles else { return simulated >= maximumSimulated ? .exhausted : .incomplete }
        // Importance weights in the latent space: prior density over the kernel mixture's density,
        // in logarithms (a 17-dimensional Gaussian underflows otherwise).
        let k = priors.count
        let logWeights = accepted.map { item -> Double in
            var terms: [Double] = []
            for (parent, previous) in zip(step.parents, last.particles) where previous.weight > 0 {
                var quadratic = 0.0
                for i in 0..<k {
                    var row = 0.0
                    for j in 0..<k { row += step.kernel.inverse[i][j] * (item.proposal.latent[j] - parent[j]) }
                    quadratic += (item.proposal.latent[i] - parent[i]) * row
                }
                terms.append(log(previous.weight) - 0.5 * quadratic)
            }
            let largest = terms.max() ?? 0
            return item.proposal.logPrior - (largest + log(terms.reduce(0) { $0 + exp($1 - largest) }))
        }
        let largest = logWeights.max() ?? 0
        let weights = logWeights.map { exp($0 - largest) }
        let sum = weights.reduce(0, +)
        return .complete(Generation(
            index: step.generation, epsilon: step.epsilon,
            particles: zip(accepted, weights).map {
                Particle(values: $0.proposal.candidate.values, weight: $1 / sum, distance: $0.outcome.distance, summaries: $0.outcome.summaries)
            },
            simulations: simulated))
    }

    func candidateKey(generation: Int, candidate: Int) -> UInt64 {
        CounterRandom.derive(CounterRandom.derive(CounterRandom.derive(seed, 0xABC5_3C), UInt64(generation)), UInt64(candidate))
    }

    /// A value's position on the whole real line: the logit of its place between its prior's
    /// bounds. The kernel moves particles there, so every proposal lands inside the bounds.
    func latent(_ values: [Double]) -> [Double] {
        zip(priors, values).map { prior, x in
            let bounds = prior.bounds
            let t = min(max((x - bounds.lowerBound) / (bounds.upperBound - bounds.lowerBound), 1e-12), 1 - 1e-12)
            return log(t / (1 - t))
        }
    }

    /// The values at latent positions `z`, with the log prior density of `z` there (the prior's
    /// density times the transformation's Jacobian).
    func values(latent z: [Double]) -> (values: [Double], logDensity: Double) {
        var values: [Double] = []
        var logDensity = 0.0
        for (prior, zi) in zip(priors, z) {
            let bounds = prior.bounds
            let t = min(max(1 / (1 + exp(-zi)), 1e-15), 1 - 1e-15)
            let x = bounds.lowerBound + t * (bounds.upperBound - bounds.lowerBound)
            values.append(x)
            logDensity += prior.logDensity(x) + log(t) + log(1 - t)
        }
        return (values, logDensity)
    }

    /// The perturbation kernel in the latent space: twice the particles' weighted covariance
    /// (Beaumont et al. 2009), with a small floor so a collapsed parameter can still move.
    static func kernel(_ points: [[Double]], weights: [Double]) -> (cholesky: [[Double]], inverse: [[Double]]) {
        let k = points.first?.count ?? 0
        var mean = [Double](repeating: 0, count: k)
        for (point, weight) in zip(points, weights) { for i in 0..<k { mean[i] += weight * point[i] } }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for (point, weight) in zip(points, weights) {
            for i in 0..<k {
                for j in 0..<k { covariance[i][j] += weight * (point[i] - mean[i]) * (point[j] - mean[j]) }
            }
        }
        for i in 0..<k {
            for j in 0..<k { covariance[i][j] *= 2 }
            covariance[i][i] += 1e-6
        }
        if let cholesky = LinearAlgebra.cholesky(covariance), let inverse = LinearAlgebra.inverse(covariance) {
            return (cholesky, inverse)
        }
        // Not positive definite (perfectly correlated particles): the diagonal alone.
        return (
            (0..<k).map { i in (0..<k).map { j in i == j ? covariance[i][i].squareRoot() : 0 } },
            (0..<k).map { i in (0..<k).map { j in i == j ? 1 / covariance[i][i] : 0 } })
    }

    /// The `q` quantile of `values` (the smallest value with at least that share at or below it).
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .infinity }
        let index = min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[index]
    }

    /// A weighted quantile of one parameter's values.
    public static func weightedQuantile(_ values: [Double], weights: [Double], _ q: Double) -> Double {
        let order = values.indices.sorted { values[$0] < values[$1] }
        let total = weights.reduce(0, +)
        var cumulative = 0.0
        for index in order {
            cumulative += weights[index] / total
            if cumulative >= q { return values[index] }
        }
        return values[order.last ?? 0]
    }
}
