import BlendSimCore
import BlendSimInference
import BlendSimReport
import BlendSimScenario

/// Sensitivity indices from a sweep's responses (docs/EXPERIMENTS.md).
public struct SensitivityReport: Sendable {
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

    /// The Morris statistics of a sweep (`SensitivityAnalysis.morris`): μ* ranks the parameters.
    static func morris(_ plan: SweepPlan, samples: [[Double]], responses: [Double]) -> SensitivityReport {
        let indices = SensitivityAnalysis.morris(
            samples: samples, responses: responses, trajectories: plan.trajectories, dimensions: plan.parameters.count)
        return SensitivityReport(
            method: "morris",
            indices: zip(plan.parameters, indices ?? []).map { parameter, m in
                Index(parameter: parameter.name, values: [("mu_star", m.muStar), ("mu", m.mu), ("sigma", m.sigma), ("effects", Double(m.effects))])
            },
            rankBy: "mu_star")
    }

    /// The Sobol indices of a sweep (`SensitivityAnalysis.sobol`): the total index ranks them.
    static func sobol(_ plan: SweepPlan, responses: [Double]) -> SensitivityReport {
        let indices = SensitivityAnalysis.sobol(responses: responses, points: plan.points, dimensions: plan.parameters.count)
        return SensitivityReport(
            method: "sobol",
            indices: zip(plan.parameters, indices ?? []).map { parameter, s in
                Index(parameter: parameter.name, values: [("first_order", s.firstOrder), ("total", s.total)])
            },
            rankBy: "total")
    }
}
