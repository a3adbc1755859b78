import BlendSimCore
import BlendSimSystem

/// A sequential Monte Carlo sampler with likelihood tempering and Metropolis–Hastings moves
/// (Del Moral, Doucet & Jasra 2006, "Sequential Monte Carlo samplers", JRSS B 68(3):411–436;
/// adaptive tempering as in Jasra, Stephens, Doucet & Tsagaris 2011, Scand. J. Stat.
/// 38(1):1–22): a population of particles moves from the prior π₀ to the posterior
/// π₁ ∝ π₀ · L through the bridges π_β ∝ π₀ · L^β, 0 = β₀ < β₁ < … < β_T = 1.
///
/// Generation 0 draws the particles from the prior. Each later generation
/// 1. chooses the next β so that the incremental weights L^(β′ − β) keep an effective sample size
///    of `essFraction` of the particles (bisection; β′ = 1 as soon as that is allowed),
/// 2. resamples the particles by those weights (systematic resampling), so all weigh the same again,
/// 3. moves every particle `moves` times with a random-walk Metropolis–Hastings kernel that leaves
///    π_β′ invariant: a Gaussian step in the latent space where each parameter is the logit of its
///    place between its bounds, with covariance scale² × the weighted covariance of the particles
///    before resampling (the scale starts at 2.38/√d, Roberts & Rosenthal 2001, and is adapted
///    between generations towards an acceptance of 0.234).
///
/// The sampler stops when β reaches 1; its particles are then an equally weighted sample of the
/// posterior. Unlike ABC with importance weights (`ABCSMC`), the weights never degenerate across
/// generations — resampling and moves keep the population spread — which is what a posterior of
/// many parameters needs.
///
/// Everything random is a counter draw keyed by (seed, generation, sweep, particle), and the
/// sampler is a state machine: `candidates(state)` lists the simulations of the next round (the
/// prior's draws, or one proposal per particle), `advance(state, outcomes)` applies them. The
/// posterior is therefore a pure function of the seed, the priors and the likelihood — whatever
/// the batch size, thread count, sharding or interruption.
public struct TemperedSMC: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Particles in the population.
        public var particles: Int
        /// Metropolis–Hastings sweeps over the population per generation.
        public var moves: Int
        /// The share of the particles the effective sample size is kept at when choosing the next β.
        public var essFraction: Double
        /// Generations after the prior's (at most); stopping before β = 1 leaves a tempered sample.
        public var generations: Int
        /// Stop before a generation that would take the total past this many simulations.
        public var maximumSimulations: Int

        public init(particles: Int, moves: Int, essFraction: Double, generations: Int, maximumSimulations: Int) {
            self.particles = particles
            self.moves = moves
            self.essFraction = essFraction
            self.generations = generations
            self.maximumSimulations = maximumSimulations
        }
    }

    /// One particle: its parameter values and what its simulation gave.
    public struct Particle: Sendable, Equatable {
        public var values: [Double]
        /// log L at `values` (−∞ when the simulation cannot produce a target).
        public var logLikelihood: Double
        /// A distance to the observations, for display (the sampler does not use it).
        public var distance: Double
        /// The simulated summaries, for posterior predictive checks.
        public var summaries: [Double]

        public init(values: [Double], logLikelihood: Double, distance: Double, summaries: [Double]) {
            self.values = values
            self.logLikelihood = logLikelihood
            self.distance = distance
            self.summaries = summaries
        }
    }

    /// What a simulation returns for one candidate.
    public struct Outcome: Sendable, Equatable {
        public var logLikelihood: Double
        /// A distance to the observations, for display.
        public var distance: Double
        public var summaries: [Double]

        public init(logLikelihood: Double, distance: Double, summaries: [Double]) {
            self.logLikelihood = logLikelihood
            self.distance = distance
            self.summaries = summaries
        }
    }

    /// One finished generation, as the report shows it.
    public struct Record: Sendable, Equatable {
        public var generation: Int
        /// The tempering exponent its particles are distributed by.
        public var beta: Double
        /// The effective sample size of the incremental weights before resampling.
        public var effectiveSampleSize: Double
        /// Accepted moves over proposed (0 for the prior's generation, which makes no moves).
        public var acceptance: Double
        /// Simulations the generation ran.
        public var simulations: Int
        /// Distinct particles after its moves.
        public var distinct: Int

        public init(generation: Int, beta: Double, effectiveSampleSize: Double, acceptance: Double, simulations: Int, distinct: Int) {
            self.generation = generation
            self.beta = beta
            self.effectiveSampleSize = effectiveSampleSize
            self.acceptance = acceptance
            self.simulations = simulations
            self.distinct = distinct
        }
    }

    /// Why the sampler stopped.
    public enum Stop: String, Sendable, Equatable {
        case converged = "the tempering reached the posterior (β = 1)"
        case generations = "the generation limit was reached before β = 1"
        case budget = "the next generation would exceed the simulation budget before β = 1"
        case degenerate = "no particle's simulation could produce every target"
    }

    /// Everything a run has done: its particles and where it is. Saved as the checkpoint.
    public struct State: Sendable, Equatable {
        /// Rounds of simulations applied so far (the prior's draws are round 0).
        public var round: Int
        public var generation: Int
        public var beta: Double
        /// Sweeps of moves done in this generation.
        public var sweep: Int
        /// The population, equally weighted.
        public var particles: [Particle]
        /// The Cholesky factor of this generation's proposal covariance (latent space).
        public var cholesky: [[Double]]
        /// The proposal's scale factor.
        public var scale: Double
        /// The effective sample size of this generation's incremental weights.
        public var effectiveSampleSize: Double
        /// Moves accepted in this generation so far.
        public var accepted: Int
        /// The finished generations.
        public var records: [Record]
        /// Set once the sampler has stopped.
        public var stop: Stop?

        public init(
            round: Int, generation: Int, beta: Double, sweep: Int, particles: [Particle], cholesky: [[Double]], scale: Double,
            effectiveSampleSize: Double, accepted: Int, records: [Record], stop: Stop?
        ) {
            self.round = round
            self.generation = generation
            self.beta = beta
            self.sweep = sweep
            self.particles = particles
            self.cholesky = cholesky
            self.scale = scale
            self.effectiveSampleSize = effectiveSampleSize
            self.accepted = accepted
            self.records = records
            self.stop = stop
        }

        /// Simulations run so far.
        public var simulations: Int { records.reduce(0) { $0 + $1.simulations } + sweep * particles.count }
    }

    public let priors: [Prior]
    public let settings: Settings
    public let seed: UInt64
    /// The latent transformation and prior densities (shared with ABC-SMC).
    let space: ABCSMC

    public init(priors: [Prior], settings: Settings, seed: UInt64) {
        self.priors = priors
        self.settings = settings
        self.seed = seed
        self.space = ABCSMC(
            priors: priors,
            settings: .init(particles: settings.particles, generations: 1, quantile: 0.5, minimumAcceptance: 0, maximumSimulations: 0),
            seed: seed)
    }

    /// Runs the sampler from `state` (nil: from the prior) to its stop. `simulate` evaluates a batch
    /// of candidates (in any order or concurrently; it must be a function of each candidate alone);
    /// `saved` is called after every round, for checkpoints.
    public func run(
        from state: State? = nil,
        simulate: ([ABCSMC.Candidate]) throws -> [Outcome],
        saved: (State) throws -> Void = { _ in }
    ) rethrows -> State {
        var state = state
        while state?.stop == nil {
            let outcomes = try simulate(candidates(state))
            state = advance(state, outcomes)
            try saved(state!)
        }
        return state!
    }

    /// The candidates of the next round, in particle order: the prior's draws, or one proposal per
    /// particle. Empty once the sampler has stopped.
    public func candidates(_ state: State?) -> [ABCSMC.Candidate] {
        guard let state else {
            return (0..<settings.particles).map { index in
                let key = key(generation: 0, sweep: 0, particle: index)
                return ABCSMC.Candidate(
                    values: priors.indices.map { priors[$0].quantile(CounterRandom.uniform(key, UInt64($0 + 1))) }, key: key)
            }
        }
        guard state.stop == nil else { return [] }
        return state.particles.indices.map { proposal(state, particle: $0) }
    }

    /// The state after the round `candidates(state)` listed, given their outcomes in that order.
    public func advance(_ state: State?, _ outcomes: [Outcome]) -> State {
        let candidates = candidates(state)
        precondition(outcomes.count == candidates.count, "one outcome per candidate")
        guard var state else {
            let particles = zip(candidates, outcomes).map { Particle(values: $0.values, logLikelihood: $1.logLikelihood, distance: $1.distance, summaries: $1.summaries) }
            let prior = State(
                round: 1, generation: 0, beta: 0, sweep: 0, particles: particles, cholesky: [], scale: 2.38 / Double(max(priors.count, 1)).squareRoot(),
                effectiveSampleSize: Double(particles.count), accepted: 0,
                records: [Record(
                    generation: 0, beta: 0, effectiveSampleSize: Double(particles.count), acceptance: 0, simulations: particles.count,
                    distinct: Self.distinct(particles))],
                stop: nil)
            return next(prior)
        }
        // One Metropolis–Hastings sweep: accept each proposal with probability
        // min(1, π₀(z′) L(z′)^β / π₀(z) L(z)^β) (the Gaussian step is symmetric in the latent space,
        // and the latent prior density carries the transformation's Jacobian).
        for index in state.particles.indices {
            let current = state.particles[index]
            let proposed = candidates[index]
            let outcome = outcomes[index]
            guard !outcome.logLikelihood.isNaN, outcome.logLikelihood > -.infinity else { continue }
            let before = space.values(latent: space.latent(current.values)).logDensity + Self.tempered(state.beta, current.logLikelihood)
            let after = space.values(latent: space.latent(proposed.values)).logDensity + Self.tempered(state.beta, outcome.logLikelihood)
            let u = min(max(CounterRandom.uniform(proposed.key, 0), 1e-300), 1)
            if log(u) < after - before {
                state.particles[index] = Particle(values: proposed.values, logLikelihood: outcome.logLikelihood, distance: outcome.distance, summaries: outcome.summaries)
                state.accepted += 1
            }
        }
        state.sweep += 1
        state.round += 1
        guard state.sweep == settings.moves else { return state }
        let proposals = settings.moves * state.particles.count
        state.records.append(Record(
            generation: state.generation, beta: state.beta, effectiveSampleSize: state.effectiveSampleSize,
            acceptance: Double(state.accepted) / Double(max(proposals, 1)), simulations: proposals, distinct: Self.distinct(state.particles)))
        state.sweep = 0
        state.accepted = 0
        return next(state)
    }

    /// After a finished generation: the stop, or the next generation's β, resampled population and
    /// proposal.
    func next(_ finished: State) -> State {
        var state = finished
        if state.beta >= 1 { state.stop = .converged; return state }
        let likelihoods = state.particles.map(\.logLikelihood)
        let largest = likelihoods.filter { $0.isFinite }.max()
        guard let largest else { state.stop = .degenerate; return state }
        if state.generation >= settings.generations { state.stop = .generations; return state }
        if state.simulations + settings.moves * settings.particles > settings.maximumSimulations { state.stop = .budget; return state }
        func weights(_ delta: Double) -> [Double] {
            likelihoods.map { $0.isFinite ? exp(delta * ($0 - largest)) : 0 }
        }
        func ess(_ delta: Double) -> Double {
            let w = weights(delta)
            let sum = w.reduce(0, +), squares = w.reduce(0) { $0 + $1 * $1 }
            return squares > 0 ? sum * sum / squares : 0
        }
        let wanted = settings.essFraction * Double(state.particles.count)
        var delta = 1 - state.beta
        if ess(delta) < wanted {
            var low = 0.0, high = delta
            for _ in 0..<100 {
                let middle = (low + high) / 2
                if ess(middle) >= wanted { low = middle } else { high = middle }
            }
            // At least a small step, so the tempering always advances.
            delta = max(low, 1e-12)
        }
        let beta = delta >= 1 - state.beta ? 1 : state.beta + delta
        let w = weights(delta)
        let total = w.reduce(0, +)
        // The proposal: the weighted covariance of the latent particles before resampling.
        let latents = state.particles.map { space.latent($0.values) }
        var scale = state.scale
        if let last = state.records.last, last.generation > 0 {
            scale = min(max(scale * exp(2 * (last.acceptance - 0.234)), 0.05), 3)
        }
        let covariance = Self.covariance(latents, weights: w.map { $0 / total }, scale: scale)
        // Systematic resampling: one uniform keyed by the generation.
        let generation = state.generation + 1
        let u = CounterRandom.uniform(key(generation: generation, sweep: UInt64.max, particle: 0), 0)
        let n = state.particles.count
        var resampled: [Particle] = []
        resampled.reserveCapacity(n)
        var cumulative = 0.0
        var index = 0
        for i in 0..<n {
            let point = (Double(i) + u) / Double(n) * total
            while index < n - 1 && cumulative + w[index] <= point {
                cumulative += w[index]
                index += 1
            }
            var chosen = index
            while w[chosen] == 0 && chosen > 0 { chosen -= 1 }
            resampled.append(state.particles[chosen])
        }
        state.generation = generation
        state.beta = beta
        state.sweep = 0
        state.particles = resampled
        state.cholesky = covariance
        state.scale = scale
        state.effectiveSampleSize = ess(delta)
        state.accepted = 0
        return state
    }

    /// Particle `particle`'s proposal in the current sweep.
    func proposal(_ state: State, particle: Int) -> ABCSMC.Candidate {
        let key = key(generation: state.generation, sweep: UInt64(state.sweep), particle: particle)
        let k = priors.count
        let noise = (0..<k).map { Quantiles.normal(min(max(CounterRandom.uniform(key, UInt64(1 + $0)), 1e-12), 1 - 1e-12)) }
        var z = space.latent(state.particles[particle].values)
        for i in 0..<k {
            for j in 0...i { z[i] += state.cholesky[i][j] * noise[j] }
        }
        return ABCSMC.Candidate(values: space.values(latent: z).values, key: key)
    }

    func key(generation: Int, sweep: UInt64, particle: Int) -> UInt64 {
        CounterRandom.derive(
            CounterRandom.derive(CounterRandom.derive(CounterRandom.derive(seed, 0x7E_3B5C), UInt64(generation)), sweep), UInt64(particle))
    }

    /// β · log L, with 0 · (−∞) taken as 0 (the prior's bridge ignores the likelihood).
    static func tempered(_ beta: Double, _ logLikelihood: Double) -> Double {
        beta == 0 ? 0 : beta * logLikelihood
    }

    /// The Cholesky factor of scale² × the weighted covariance (with a small floor, so a collapsed
    /// parameter can still move).
    static func covariance(_ points: [[Double]], weights: [Double], scale: Double) -> [[Double]] {
        let k = points.first?.count ?? 0
        var mean = [Double](repeating: 0, count: k)
        for (point, weight) in zip(points, weights) { for i in 0..<k { mean[i] += weight * point[i] } }
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for (point, weight) in zip(points, weights) where weight > 0 {
            for i in 0..<k {
                for j in 0..<k { covariance[i][j] += weight * (point[i] - mean[i]) * (point[j] - mean[j]) }
            }
        }
        for i in 0..<k {
            for j in 0..<k { covariance[i][j] *= scale * scale }
            covariance[i][i] += 1e-8
        }
        if let cholesky = LinearAlgebra.cholesky(covariance) { return cholesky }
        return (0..<k).map { i in (0..<k).map { j in i == j ? covariance[i][i].squareRoot() : 0 } }
    }

    /// How many particles have distinct values.
    static func distinct(_ particles: [Particle]) -> Int {
        var seen = Set<[UInt64]>()
        for particle in particles { seen.insert(particle.values.map(\.bitPattern)) }
        return seen.count
    }
}
