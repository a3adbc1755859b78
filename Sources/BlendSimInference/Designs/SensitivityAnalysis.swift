import BlendSimCore
/// Sensitivity indices from a design's responses: pure functions of the design's points and the
/// responses measured at them (docs/EXPERIMENTS.md).
public enum SensitivityAnalysis {
    /// Morris elementary-effect statistics of one parameter.
    public struct Morris: Sendable, Equatable {
        /// Mean absolute elementary effect: the parameter's importance.
        public var muStar: Double
        /// Mean elementary effect: its sign says the direction.
        public var mu: Double
        /// Standard deviation of the effects: interactions and non-linearity (NaN with one).
        public var sigma: Double
        /// Effects measured.
        public var effects: Int
    }

    /// Sobol indices of one parameter.
    public struct Sobol: Sendable, Equatable {
        /// First-order index S: the share of the response's variance the parameter explains alone.
        public var firstOrder: Double
        /// Total index ST: its share including every interaction.
        public var total: Double
    }

    /// Morris elementary effects from `SamplingDesign.morris` points: for each trajectory step,
    /// the change in the response divided by the step in the unit cube — the response's change
    /// over the parameter's whole range, so parameters in different units can be ranked together.
    /// Nil when the responses do not match the design.
    public static func morris(samples: [[Double]], responses: [Double], trajectories: Int, dimensions k: Int) -> [Morris]? {
        let points = trajectories * (k + 1)
        guard responses.count == points, samples.count == points else { return nil }
        var effects = [[Double]](repeating: [], count: k)
        for t in 0..<trajectories {
            for step in 0..<k {
                let a = t * (k + 1) + step, b = a + 1
                guard let j = (0..<k).first(where: { samples[a][$0] != samples[b][$0] }) else { continue }
                effects[j].append((responses[b] - responses[a]) / (samples[b][j] - samples[a][j]))
            }
        }
        return effects.map { e in
            let n = Double(max(e.count, 1))
            let mean = e.reduce(0, +) / n
            let meanAbs = e.reduce(0) { $0 + abs($1) } / n
            let sd = e.count > 1 ? (e.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : .nan
            return Morris(muStar: meanAbs, mu: mean, sigma: sd, effects: e.count)
        }
    }

    /// Sobol first-order and total indices from the responses at `SamplingDesign.saltelli`
    /// points, with the estimators of Saltelli et al. (2010). Nil when the responses do not match
    /// the design.
    public static func sobol(responses: [Double], points n: Int, dimensions k: Int) -> [Sobol]? {
        guard n > 0, responses.count == n * (k + 2) else { return nil }
        let a = Array(responses[0..<n]), b = Array(responses[n..<(2 * n)])
        let all = a + b
        let mean = all.reduce(0, +) / Double(all.count)
        let variance = all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(all.count - 1)
        return (0..<k).map { j in
            let ab = Array(responses[((2 + j) * n)..<((3 + j) * n)])
            var first = 0.0, total = 0.0
            for i in 0..<n {
                // Centred on the mean: the estimator's variance grows with the response's level.
                first += (b[i] - mean) * (ab[i] - a[i])
                total += (a[i] - ab[i]) * (a[i] - ab[i])
            }
            return Sobol(
                firstOrder: variance > 0 ? first / Double(n) / variance : .nan,
                total: variance > 0 ? total / (2 * Double(n)) / variance : .nan)
        }
    }
}
