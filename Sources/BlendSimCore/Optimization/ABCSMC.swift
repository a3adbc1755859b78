import BlendSimSystem

/// Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC; Beaumont, Cornuet, Marin &
/// Robert 2009; Toni et al. 2009), with an adaptive tolerance schedule (Del Moral, Doucet & Jasra
/// 2012): a population of weighted particles is moved from the prior towards the posterior
/// through generations of decreasing tolerance ε.
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

    /// The next population at tolerance `epsilon`, or nil when the simulations the minimum
    /// acceptance allows do not fill it.
    func generation(
        after last: Generation, epsilon: Double, simulate: ([Candidate]) throws -> [Outcome]
    ) rethrows -> Generation? {
        let k = priors.count
        let parents = last.particles.map { latent($0.values) }
        let kernel = Self.kernel(parents, weights: last.particles.map(\.weight))
        let cumulative = last.particles.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1.weight) }
        let total = cumulative.last ?? 1
        var accepted: [(particle: Particle, latent: [Double], logPrior: Double)] = []
        var simulated = 0
        var next = 0
        let batch = settings.particles
        let maximumSimulated = Int((Double(settings.particles) / max(settings.minimumAcceptance, 1e-4)).rounded(.up))
        while simulated < maximumSimulated {
            var candidates: [Candidate] = []
            var latents: [(z: [Double], logPrior: Double)] = []
            for c in next..<(next + batch) {
                let key = candidateKey(generation: last.index + 1, candidate: c)
                let pick = CounterRandom.uniform(key, 0) * total
                let parent = parents[min(cumulative.firstIndex { $0 > pick } ?? cumulative.count - 1, parents.count - 1)]
                let noise = (0..<k).map { Quantiles.normal(min(max(CounterRandom.uniform(key, UInt64(1 + $0)), 1e-12), 1 - 1e-12)) }
                var z = parent
                for i in 0..<k {
                    for j in 0...i { z[i] += kernel.cholesky[i][j] * noise[j] }
                }
                let (values, logPrior) = values(latent: z)
                guard logPrior > -.infinity else { continue }
                candidates.append(Candidate(values: values, key: key))
                latents.append((z, logPrior))
            }
            next += batch
            let outcomes = candidates.isEmpty ? [] : try simulate(candidates)
            for (index, outcome) in outcomes.enumerated() {
                simulated += 1
                if outcome.distance <= epsilon {
                    accepted.append((
                        Particle(values: candidates[index].values, weight: 0, distance: outcome.distance, summaries: outcome.summaries),
                        latents[index].z, latents[index].logPrior))
                    if accepted.count == settings.particles { break }
                }
            }
            if accepted.count == settings.particles { break }
        }
        guard accepted.count == settings.particles else { return nil }
        // Importance weights in the latent space: prior density over the kernel mixture's density,
        // in logarithms (a 17-dimensional Gaussian underflows otherwise).
        let logWeights = accepted.map { item -> Double in
            var terms: [Double] = []
            for (parent, previous) in zip(parents, last.particles) where previous.weight > 0 {
                var quadratic = 0.0
                for i in 0..<k {
                    var row = 0.0
                    for j in 0..<k { row += kernel.inverse[i][j] * (item.latent[j] - parent[j]) }
                    quadratic += (item.latent[i] - parent[i]) * row
                }
                terms.append(log(previous.weight) - 0.5 * quadratic)
            }
            let largest = terms.max() ?? 0
            let logMixture = largest + log(terms.reduce(0) { $0 + exp($1 - largest) })
            return item.logPrior - logMixture
        }
        let largest = logWeights.max() ?? 0
        let weights = logWeights.map { exp($0 - largest) }
        let sum = weights.reduce(0, +)
        var particles = accepted.map(\.particle)
        for index in particles.indices { particles[index].weight = weights[index] / sum }
        return Generation(index: last.index + 1, epsilon: epsilon, particles: particles, simulations: simulated)
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
