import BlendSimCore
import BlendSimReport
import BlendSimScenario

/// Sensitivity indices from a sweep's responses (docs/EXPERIMENTS.md).
public struct Sensitivity: Sendable {
    public struct Index: Sendable {
        public var parameter: String
        public var values: [(String, Double)]
    }

    public var method: String
    public var indices: [Index]
    /// The column that ranks the parameters.
    var rankBy: String

    func json(outcome: String) -> JSONValue {
        .object([
            ("method", .string(method)),
            ("outcome", .string(outcome)),
            ("indices", .array(ranked.map { index in
                .object([("parameter", .string(index.parameter))] + index.values.map { ($0.0, JSONValue.finite($0.1)) })
            })),
        ])
    }

    var ranked: [Index] {
        indices.sorted { a, b in
            let x = a.values.first { $0.0 == rankBy }?.1 ?? 0
            let y = b.values.first { $0.0 == rankBy }?.1 ?? 0
            return x != y ? x > y : a.parameter < b.parameter
        }
    }

    func table(outcome: String) -> String {
        let out = "\n\(method) sensitivity of \(outcome), ranked by \(rankBy)\n"
        var rows = [["parameter"] + (indices.first?.values.map(\.0) ?? [])]
        for index in ranked {
            rows.append([index.parameter] + index.values.map { TerminalSummary.fixed($0.1, digits: 4) })
        }
        return out + TerminalSummary.table(rows, rightAligned: Set(1..<(rows[0].count)))
    }

    /// Morris elementary effects: for each trajectory and parameter, the change in the response
    /// divided by the step Δ in that parameter in the unit cube — the response's change over the
    /// parameter's whole range. μ* is the mean absolute effect, μ the mean, σ the standard
    /// deviation.
    static func morris(_ plan: SweepPlan, samples: [[Double]], responses: [Double]) -> Sensitivity {
        let k = plan.parameters.count
        var effects = [[Double]](repeating: [], count: k)
        let points = plan.trajectories * (k + 1)
        guard responses.count == points, samples.count == points else { return Sensitivity(method: "morris", indices: [], rankBy: "mu_star") }
        for t in 0..<plan.trajectories {
            for step in 0..<k {
                let a = t * (k + 1) + step, b = a + 1
                guard let j = (0..<k).first(where: { samples[a][$0] != samples[b][$0] }) else { continue }
                // Per step in the unit cube: the change in the response over the parameter's whole
                // range, so parameters in different units can be ranked together.
                let delta = samples[b][j] - samples[a][j]
                effects[j].append((responses[b] - responses[a]) / delta)
            }
        }
        let indices = plan.parameters.enumerated().map { j, parameter in
            let e = effects[j]
            let n = Double(max(e.count, 1))
            let mean = e.reduce(0, +) / n
            let meanAbs = e.reduce(0) { $0 + abs($1) } / n
            let sd = e.count > 1 ? (e.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : .nan
            return Index(parameter: parameter.name, values: [("mu_star", meanAbs), ("mu", mean), ("sigma", sd), ("effects", Double(e.count))])
        }
        return Sensitivity(method: "morris", indices: indices, rankBy: "mu_star")
    }

    /// Sobol first-order (S) and total (ST) indices by Saltelli's scheme with the estimators of
    /// Saltelli et al. (2010): f(A), f(B) and f(A with column i from B) for N base samples.
    static func sobol(_ plan: SweepPlan, responses: [Double], n: Int) -> Sensitivity {
        let k = plan.parameters.count
        guard responses.count == n * (k + 2) else { return Sensitivity(method: "sobol", indices: [], rankBy: "total") }
        let a = Array(responses[0..<n]), b = Array(responses[n..<(2 * n)])
        let all = a + b
        let mean = all.reduce(0, +) / Double(all.count)
        let variance = all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(all.count - 1)
        let indices = plan.parameters.enumerated().map { j, parameter -> Index in
            let ab = Array(responses[((2 + j) * n)..<((3 + j) * n)])
            var first = 0.0, total = 0.0
            for i in 0..<n {
                // Centred on the mean: the estimator's variance grows with the response's level.
                first += (b[i] - mean) * (ab[i] - a[i])
                total += (a[i] - ab[i]) * (a[i] - ab[i])
            }
            let s = variance > 0 ? first / Double(n) / variance : .nan
            let st = variance > 0 ? total / (2 * Double(n)) / variance : .nan
            return Index(parameter: parameter.name, values: [("first_order", s), ("total", st)])
        }
        return Sensitivity(method: "sobol", indices: indices, rankBy: "total")
    }
}
