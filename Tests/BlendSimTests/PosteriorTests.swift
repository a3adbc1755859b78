import BlendSimCore
import Foundation
import Testing

/// The ABC-SMC sampler, checked on problems whose posterior is known in closed form.
@Suite("Posterior calibration")
struct PosteriorTests {
    /// y = θ + e with e ~ N(0, 1) observed twice: θ₁ with a uniform prior and y₁ = 1, so the
    /// posterior is N(1, 1); θ₂ with a N(0, 1) prior and y₂ = 2, so the posterior is N(1, ½).
    /// The sampler's weighted mean and standard deviation match within Monte Carlo error.
    @Test func recoversKnownPosteriors() throws {
        let sampler = ABCSMC(
            priors: [.uniform(lower: -10, upper: 10), .normal(mean: 0, sd: 1, lower: -10, upper: 10)],
            settings: .init(particles: 2000, generations: 12, quantile: 0.5, minimumAcceptance: 0.01, maximumSimulations: 400_000),
            seed: 11)
        let observed = [1.0, 2.0]
        func simulate(_ candidates: [ABCSMC.Candidate]) -> [ABCSMC.Outcome] {
            var outcomes: [ABCSMC.Outcome] = []
            for candidate in candidates {
                var simulated: [Double] = []
                var squares = 0.0
                for index in 0..<2 {
                    let u = min(max(CounterRandom.uniform(candidate.key, 100 + UInt64(index)), 1e-12), 1 - 1e-12)
                    let value = candidate.values[index] + Quantiles.normal(u)
                    simulated.append(value)
                    squares += (value - observed[index]) * (value - observed[index])
                }
                outcomes.append(ABCSMC.Outcome(distance: squares.squareRoot(), summaries: simulated))
            }
            return outcomes
        }
        let generations = try sampler.run(simulate: simulate).generations
        let final = try #require(generations.last)
        #expect(final.index >= 5, "only \(final.index) generations")
        #expect(final.epsilon < 0.5, "ε \(final.epsilon)")
        let weights = final.particles.map(\.weight)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-9)
        let expected: [(mean: Double, sd: Double)] = [(1.0, 1.0), (1.0, 0.5.squareRoot())]
        for index in 0..<2 {
            let mean = expected[index].mean, sd = expected[index].sd
            let values = final.particles.map { $0.values[index] }
            let m: Double = zip(values, weights).reduce(0.0) { $0 + $1.0 * $1.1 }
            let variance: Double = zip(values, weights).reduce(0.0) { $0 + $1.1 * ($1.0 - m) * ($1.0 - m) }
            let s: Double = variance.squareRoot()
            let meanError: Double = abs(m - mean), sdError: Double = abs(s - sd)
            #expect(meanError < 0.1, "parameter \(index): mean \(m), expected \(mean)")
            #expect(sdError < 0.12 * sd, "parameter \(index): sd \(s), expected \(sd)")
            let lower = ABCSMC.weightedQuantile(values, weights: weights, 0.05)
            let upper = ABCSMC.weightedQuantile(values, weights: weights, 0.95)
            let expectedLower: Double = mean - 1.645 * sd, expectedUpper: Double = mean + 1.645 * sd
            let lowerError: Double = abs(lower - expectedLower), upperError: Double = abs(upper - expectedUpper)
            #expect(lowerError < 0.2, "90% interval [\(lower), \(upper)]")
            #expect(upperError < 0.2, "90% interval [\(lower), \(upper)]")
        }
    }

    /// The posterior is a function of the seed alone: resuming after any generation, or
    /// simulating in other batches, gives the same particles.
    @Test func resumingGivesTheSamePosterior() throws {
        let sampler = ABCSMC(
            priors: [.logUniform(lower: 0.1, upper: 10), .beta(alpha: 2, beta: 5, lower: 0, upper: 1)],
            settings: .init(particles: 200, generations: 4, quantile: 0.5, minimumAcceptance: 0.01, maximumSimulations: 100_000),
            seed: 3)
        func simulate(_ candidates: [ABCSMC.Candidate]) -> [ABCSMC.Outcome] {
            candidates.map { ABCSMC.Outcome(distance: abs(log($0.values[0]) - 0.5) + abs($0.values[1] - 0.3), summaries: []) }
        }
        let whole = try sampler.run(simulate: simulate)
        #expect(whole.generations.count == 5)
        for cut in 1..<whole.generations.count {
            let resumed = try sampler.run(previous: Array(whole.generations.prefix(cut)), simulate: simulate)
            #expect(resumed.generations == whole.generations, "resumed after generation \(cut - 1)")
        }
        // Priors: draws stay within the bounds and follow the declared shape.
        let draws: [Double] = (0..<2000).map { Prior.beta(alpha: 2, beta: 5, lower: 0, upper: 1).quantile((Double($0) + 0.5) / 2000) }
        let betaMean: Double = draws.reduce(0, +) / 2000
        #expect(abs(betaMean - 2.0 / 7.0) < 0.005)
        let median: Double = Prior.logUniform(lower: 0.1, upper: 10).quantile(0.5)
        #expect(abs(median - 1) < 1e-9)
        #expect(Prior.normal(mean: 0, sd: 1, lower: -1, upper: 1).quantile(0.999_999) <= 1)
    }
}
