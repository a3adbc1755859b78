import BlendSimSystem

/// Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Beaumont, Cornuet, Marin &
/// Robert 2009; Toni et al. 2009), with an adaptive tolerance schedule (Del Moral, Doucet & Jasra
/// 2012): a population of weighted particles is moved from the prior towards the posterior
/// through generations of decreasing tolerance ε.
///
/// Generation 0 samples the prior. Generation g ≥ 1 sets ε to a quantile of the previous
/// generation's distances, then proposes candidates — a parent drawn by weight, moved by a
/// Gaussian kernel with the population's weighted covariance scaled by Silverman's rule (the
/// default of pyabc; Beaumont's factor 2 leaves almost no proposal inside the bounds of a dozen
/// parameters) — and accepts those whose
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
        /// Candidates simulated in this generation (proposals outside the priors' bounds are not
        /// simulated and not counted).
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
    /// `finished` is called after every generation, for checkpoints.
    public func run(
        previous: [Generation] = [],
        simulate: ([Candidate]) throws -> [Outcome],
        finished: (Generation) throws -> Void = { _ in }
    ) rethrows -> (generations: [Generation], stop: Stop) {
        var generations = previous
        if generations.isEmpty {
            let candidates = (0..<settings.particles).map { c -> Candidate in
                let key = candidateKey(generation: 0, candidate: c)
                return Candidate(values: priors.indices.map { priors[$0].quantile(CounterRandom.uniform(key, UInt64($0))) }, key: key)
            }
            let outcomes = try simulate(candidates)
            let weight = 1 / Double(candidates.count)
            let prior = Generation(
                index: 0, epsilon: .infinity,
                particles: zip(candidates, outcomes).map {
                    Particle(values: $0.values, weight: weight, distance: $1.distance, summaries: $1.summaries)
                },
                simulations: candidates.count)
            try finished(prior)
            generations.append(prior)
        }
        while true {
            let last = generations[generations.count - 1]
            if last.index >= settings.generations { return (generations, .generations) }
            if last.index > 0 && last.acceptance < settings.minimumAcceptance { return (generations, .acceptance) }
            let spent = generations.reduce(0) { $0 + $1.simulations }
            let expected = Int((Double(settings.particles) / max(last.index == 0 ? 1 : last.acceptance * settings.quantile, 1e-6)).rounded(.up))
            if spent + expected > settings.maximumSimulations { return (generations, .budget) }
            let epsilon = Self.quantile(last.particles.map(\.distance), settings.quantile)
            if last.index > 1, last.epsilon.isFinite, epsilon > 0.99 * last.epsilon { return (generations, .converged) }
            let next = try generation(after: last, epsilon: epsilon, simulate: simulate)
            guard let next else { return (generations, .acceptance) }
            try finished(next)
            generations.append(next)
        }
    }

    func candidateKey(generation: Int, candidate: Int) -> UInt64 {
        CounterRandom.derive(CounterRandom.derive(CounterRandom.derive(seed, 0xABC5_3C), UInt64(generation)), UInt64(candidate))
    }

    /// The next population at tolerance `epsilon`, or nil when even many batches do not fill it.
    func generation(
        after last: Generation, epsilon: Double, simulate: ([Candidate]) throws -> [Outcome]
    ) rethrows -> Generation? {
        let k = priors.count
        let kernel = Self.kernel(last.particles, priors: priors)
        let cumulative = last.particles.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1.weight) }
        let total = cumulative.last ?? 1
        var accepted: [Particle] = []
        var simulated = 0
        var next = 0
        let batch = settings.particles
        // Proposals outside the bounds cost no simulation; the simulations a generation may use
        // are bounded by the minimum acceptance rate.
        let maximumSimulated = Int((Double(settings.particles) / max(settings.minimumAcceptance, 1e-4)).rounded(.up))
        let maximumProposals = 10_000 * settings.particles
        while simulated < maximumSimulated && next < maximumProposals {
            var candidates: [Candidate] = []
            var indices: [Int] = []
            for c in next..<(next + batch) {
                let key = candidateKey(generation: last.index + 1, candidate: c)
                let pick = CounterRandom.uniform(key, 0) * total
                let parent = last.particles[min(cumulative.firstIndex { $0 > pick } ?? cumulative.count - 1, last.particles.count - 1)]
                let z = (0..<k).map { Quantiles.normal(min(max(CounterRandom.uniform(key, UInt64(1 + $0)), 1e-12), 1 - 1e-12)) }
                var values = parent.values
                for i in 0..<k {
                    for j in 0...i { values[i] += kernel.cholesky[i][j] * z[j] }
                }
                guard zip(priors, values).allSatisfy({ $0.logDensity($1) > -.infinity }) else { continue }
                candidates.append(Candidate(values: values, key: key))
                indices.append(c)
            }
            next += batch
            let outcomes = candidates.isEmpty ? [] : try simulate(candidates)
            for (candidate, outcome) in zip(candidates, outcomes) {
                simulated += 1
                if outcome.distance <= epsilon {
                    accepted.append(Particle(values: candidate.values, weight: 0, distance: outcome.distance, summaries: outcome.summaries))
                    if accepted.count == settings.particles { break }
                }
            }
            if accepted.count == settings.particles { break }
        }
        guard accepted.count == settings.particles else { return nil }
        // Importance weights: prior density over the kernel mixture's density.
        var weights = accepted.map { particle -> Double in
            let logPrior = zip(priors, particle.values).reduce(0) { $0 + $1.0.logDensity($1.1) }
            var mixture = 0.0
            for previous in last.particles {
                var quadratic = 0.0
                for i in 0..<k {
                    var row = 0.0
                    for j in 0..<k { row += kernel.inverse[i][j] * (particle.values[j] - previous.values[j]) }
                    quadratic += (particle.values[i] - previous.values[i]) * row
                }
                mixture += previous.weight * exp(-0.5 * quadratic)
            }
            return exp(logPrior) / max(mixture, .leastNormalMagnitude)
        }
        let sum = weights.reduce(0, +)
        weights = weights.map { $0 / sum }
        for index in accepted.indices { accepted[index].weight = weights[index] }
        return Generation(index: last.index + 1, epsilon: epsilon, particles: accepted, simulations: simulated)
    }

    /// The perturbation kernel: the weighted covariance of the particles times Silverman's factor
    /// h² = (4 / (k + 2))^(2 / (k + 4)) · n^(−2 / (k + 4)), with a floor of 10⁻⁶ of each prior
    /// range squared so a collapsed parameter can move.
    static func kernel(_ particles: [Particle], priors: [Prior]) -> (cholesky: [[Double]], inverse: [[Double]]) {
        let k = priors.count
        var mean = [Double](repeating: 0, count: k)
        for p in particles { for i in 0..<k { mean[i] += p.weight * p.values[i] } }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for p in particles {
            for i in 0..<k {
                for j in 0..<k { covariance[i][j] += p.weight * (p.values[i] - mean[i]) * (p.values[j] - mean[j]) }
            }
        }
        let n = Double(max(particles.count, 1)), d = Double(k)
        let silverman = pow(4 / (d + 2), 2 / (d + 4)) * pow(n, -2 / (d + 4))
        for i in 0..<k {
            for j in 0..<k { covariance[i][j] *= silverman }
            let width = priors[i].bounds.upperBound - priors[i].bounds.lowerBound
            covariance[i][i] += 1e-6 * width * width
        }
        if let cholesky = LinearAlgebra.cholesky(covariance), let inverse = LinearAlgebra.inverse(covariance) {
            return (cholesky, inverse)
        }
        // Not positive definite (perfectly correlated particles): the diagonal alone.
        let diagonal = (0..<k).map { i in (0..<k).map { j in i == j ? covariance[i][i] : 0 } }
        return (
            (0..<k).map { i in (0..<k).map { j in i == j ? diagonal[i][i].squareRoot() : 0 } },
            (0..<k).map { i in (0..<k).map { j in i == j ? 1 / diagonal[i][i] : 0 } })
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
