import BlendSimInference
import BlendSimCore
import Foundation
import Testing

/// The tempered SMC sampler, checked on problems whose posterior is known in closed form.
@Suite("Tempered SMC")
struct TemperedSMCTests {
    /// y = θ + e with e ~ N(0, 1), exact Gaussian likelihood, observed twice: θ₁ with a uniform
    /// prior and y₁ = 1, so the posterior is N(1, 1); θ₂ with a N(0, 1) prior and y₂ = 2, so the
    /// posterior is N(1, ½). The sample's mean, standard deviation and 90% interval match.
    @Test func recoversKnownPosteriors() throws {
        let sampler = TemperedSMC(
            priors: [.uniform(lower: -10, upper: 10), .normal(mean: 0, sd: 1, lower: -10, upper: 10)],
            settings: .init(particles: 2000, moves: 5, essFraction: 0.5, generations: 30, maximumSimulations: 1_000_000),
            seed: 11)
        let observed = [1.0, 2.0]
        let final = try sampler.run(simulate: { candidates in
            candidates.map { candidate in
                let squares = (0..<2).reduce(0.0) { $0 + (candidate.values[$1] - observed[$1]) * (candidate.values[$1] - observed[$1]) }
                return TemperedSMC.Outcome(logLikelihood: -0.5 * squares, distance: squares.squareRoot(), summaries: [])
            }
        })
        #expect(final.stop == .converged)
        #expect(final.beta == 1)
        #expect(final.records.count >= 3, "only \(final.records.count) generations")
        #expect(final.records.dropFirst().allSatisfy { $0.acceptance > 0.1 && $0.acceptance < 0.9 }, "\(final.records.map(\.acceptance))")
        // The moves keep the population spread: most particles are distinct at the end.
        #expect(final.records.last!.distinct > 1500, "\(final.records.last!.distinct) distinct of 2000")
        let expected: [(mean: Double, sd: Double)] = [(1.0, 1.0), (1.0, 0.5.squareRoot())]
        for index in 0..<2 {
            let values = final.particles.map { $0.values[index] }
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
            #expect(abs(mean - expected[index].mean) < 0.08, "parameter \(index): mean \(mean)")
            #expect(abs(sd - expected[index].sd) < 0.1 * expected[index].sd, "parameter \(index): sd \(sd)")
            let weights = [Double](repeating: 1, count: values.count)
            let lower = ABCSMC.weightedQuantile(values, weights: weights, 0.05)
            let upper = ABCSMC.weightedQuantile(values, weights: weights, 0.95)
            #expect(abs(lower - (expected[index].mean - 1.645 * expected[index].sd)) < 0.15, "90% interval [\(lower), \(upper)]")
            #expect(abs(upper - (expected[index].mean + 1.645 * expected[index].sd)) < 0.15, "90% interval [\(lower), \(upper)]")
        }
    }

    /// Coverage: 20 recoveries of three parameters from noisy observations of known true values
    /// (y = θ + N(0, 1), uniform priors): the 90% credible interval holds the truth in 80–98% of
    /// the 60 cases.
    @Test func credibleIntervalsCoverTheTruth() throws {
        let truth = [1.0, -2.0, 0.5]
        var covered = 0, cases = 0
        for recovery in 0..<20 {
            let noise = CounterRandom.derive(77, UInt64(recovery))
            let observed = truth.indices.map { truth[$0] + Quantiles.normal(CounterRandom.uniform(noise, UInt64($0))) }
            let sampler = TemperedSMC(
                priors: Array(repeating: .uniform(lower: -8, upper: 8), count: 3),
                settings: .init(particles: 300, moves: 5, essFraction: 0.5, generations: 30, maximumSimulations: 100_000),
                seed: 1000 + UInt64(recovery))
            let final = try sampler.run(simulate: { candidates in
                candidates.map { candidate in
                    let squares = (0..<3).reduce(0.0) { $0 + (candidate.values[$1] - observed[$1]) * (candidate.values[$1] - observed[$1]) }
                    return TemperedSMC.Outcome(logLikelihood: -0.5 * squares, distance: squares.squareRoot(), summaries: [])
                }
            })
            #expect(final.stop == .converged)
            let weights = [Double](repeating: 1, count: final.particles.count)
            for index in 0..<3 {
                let values = final.particles.map { $0.values[index] }
                let lower = ABCSMC.weightedQuantile(values, weights: weights, 0.05)
                let upper = ABCSMC.weightedQuantile(values, weights: weights, 0.95)
                cases += 1
                if truth[index] >= lower && truth[index] <= upper { covered += 1 }
            }
        }
        #expect(covered >= 48 && covered <= 59, "coverage \(covered) of \(cases)")
    }

    /// The posterior is a function of the seed alone: resuming from any saved state, or simulating
    /// each round in other batches, gives the same particles.
    @Test func resumingGivesTheSamePosterior() throws {
        let sampler = TemperedSMC(
            priors: [.logUniform(lower: 0.1, upper: 10), .beta(alpha: 2, beta: 5, lower: 0, upper: 1)],
            settings: .init(particles: 100, moves: 3, essFraction: 0.5, generations: 20, maximumSimulations: 100_000),
            seed: 3)
        func outcome(_ candidate: ABCSMC.Candidate) -> TemperedSMC.Outcome {
            let error = (log(candidate.values[0]) - 0.5) / 0.1, other = (candidate.values[1] - 0.3) / 0.05
            return TemperedSMC.Outcome(logLikelihood: -0.5 * (error * error + other * other), distance: 0, summaries: [candidate.values[0]])
        }
        var states: [TemperedSMC.State] = []
        let whole = sampler.run(simulate: { $0.map(outcome) }, saved: { states.append($0) })
        #expect(whole.stop == .converged)
        #expect(states.count > 6)
        for cut in stride(from: 0, to: states.count - 1, by: 3) {
            // In batches of 7, in reverse order within each round.
            let resumed = try sampler.run(from: states[cut], simulate: { candidates in
                var outcomes = [TemperedSMC.Outcome?](repeating: nil, count: candidates.count)
                for start in stride(from: 0, to: candidates.count, by: 7).reversed() {
                    for index in start..<min(start + 7, candidates.count) { outcomes[index] = outcome(candidates[index]) }
                }
                return outcomes.map { $0! }
            })
            let same = resumed == whole
            #expect(same, "resumed after round \(states[cut].round)")
        }
    }

    /// A stop before β = 1 says so: the generation limit and the budget.
    @Test func stoppingEarlyIsNamed() throws {
        func simulate(_ candidates: [ABCSMC.Candidate]) -> [TemperedSMC.Outcome] {
            candidates.map { TemperedSMC.Outcome(logLikelihood: -0.5 * pow(($0.values[0] - 0.5) / 0.001, 2), distance: 0, summaries: []) }
        }
        let limited = try TemperedSMC(
            priors: [.uniform(lower: 0, upper: 1)],
            settings: .init(particles: 50, moves: 2, essFraction: 0.5, generations: 2, maximumSimulations: 100_000), seed: 1
        ).run(simulate: simulate)
        #expect(limited.stop == .generations)
        #expect(limited.beta < 1)
        #expect(limited.records.count == 3)
        let budget = try TemperedSMC(
            priors: [.uniform(lower: 0, upper: 1)],
            settings: .init(particles: 50, moves: 2, essFraction: 0.5, generations: 50, maximumSimulations: 300), seed: 1
        ).run(simulate: simulate)
        #expect(budget.stop == .budget)
        #expect(budget.simulations <= 300)
        let impossible = try TemperedSMC(
            priors: [.uniform(lower: 0, upper: 1)],
            settings: .init(particles: 50, moves: 2, essFraction: 0.5, generations: 5, maximumSimulations: 1000), seed: 1
        ).run(simulate: { $0.map { _ in TemperedSMC.Outcome(logLikelihood: -.infinity, distance: .infinity, summaries: []) } })
        #expect(impossible.stop == .degenerate)
    }
}
