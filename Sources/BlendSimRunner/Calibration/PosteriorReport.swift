public import BlendSimCore
public import BlendSimInference
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
    /// The sampler's seed, the replications per experiment and the plugins that ran (for
    /// manifest.json).
    public var provenance: ResultProvenance
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
