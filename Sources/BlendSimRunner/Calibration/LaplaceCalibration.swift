import BlendSimCore
import BlendSimInference
import BlendSimPluginHost
import BlendSimReport
import BlendSimScenario
import BlendSimSystem

extension Calibrator {
    /// `--method laplace`: the posterior approximated by a normal distribution at the plan's
    /// current parameter values (for the shipped plan, the point fit: the maximum of the posterior
    /// under uniform priors and the findings' normal errors) with covariance (JᵀWJ + P)⁻¹ — the
    /// Gauss–Newton information of the targets plus P, each prior's precision (a uniform prior of
    /// width w as a normal of variance w²/12), so that directions the targets do not pin fall back
    /// to the prior's spread while the combinations they do pin stay pinned — truncated to the
    /// bounds. `particles` equally weighted draws are simulated once each (with the targets' noise)
    /// for the posterior predictive check.
    static func laplace(_ plan: CalibrationPlan, settings: RunSettings, particles: Int) throws(Diagnostic) -> PosteriorReport {
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
        let outcomes: [ABCSMC.Outcome] = try diagnosing {
            try ABCSMC.simulator(problem, targets: plan.targets)(candidates)
        }
        let weight = 1 / Double(max(particles, 1))
        let generation = ABCSMC.Generation(
            index: 0, epsilon: .infinity,
            particles: zip(draws, outcomes).map { ABCSMC.Particle(values: $0, weight: weight, distance: $1.distance, summaries: $1.summaries) },
            simulations: particles + 2 * k)
        return PosteriorReport(
            plan: plan, targets: plan.targets, generations: [generation], stop: .generations, syntheticTruth: nil,
            seconds: Clock.monotonicSeconds() - start, provenance: problem.provenance, method: .laplace)
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
