import BlendSimCore
import BlendSimScenario

/// The fit, as a planner reads it: parameters, then each target against its simulated value.
extension CalibrationReport {
    public func table() -> String {
        let report = self
        func number(_ value: Double) -> String { Self.number(value) }
        var out = "Calibration: objective \(number(report.objective)) after \(report.evaluations) evaluations\n\n"
        out += "Fitted parameters (± approximate standard error from the targets' curvature)\n"
        let width = report.plan.parameters.map(\.name.count).max() ?? 0
        var warnings: [String] = []
        for (index, (parameter, value)) in zip(report.plan.parameters, report.fitted).enumerated() {
            let u = report.uncertainty[index]
            out += "  " + parameter.name.padding(width) + "  " + number(value)
                + (u.standardError.isFinite ? " ± " + number(u.standardError) : " ± ∞")
                + "   (bounds \(number(parameter.lower)) … \(number(parameter.upper)))"
            if let truth = report.syntheticTruth {
                let recovered = abs(value - truth[index]) <= 1.96 * u.standardError
                out += "  true \(number(truth[index])): " + (u.informed ? (recovered ? "recovered" : "NOT RECOVERED") : "not informed")
            }
            out += "\n"
            if u.atBound { warnings.append("warning: \(parameter.name) ended on a bound of its range (\(number(value)))") }
            if !u.informed { warnings.append("warning: the targets do not inform \(parameter.name): its 95% interval is wider than its bounds") }
        }
        if !warnings.isEmpty { out += "\n" + warnings.joined(separator: "\n") + "\n" }
        out += "\nTargets\n"
        let labels = report.rows.map { $0.target.finding ?? $0.target.statistic }
        let statWidth = labels.map(\.count).max() ?? 0
        for (label, row) in zip(labels, report.rows) {
            var simulated = number(row.simulated.mean)
            if let ci = row.simulated.ci95 { simulated += " [\(number(ci.lower)), \(number(ci.upper))]" }
            let target = row.target.interval.map { "target \(number(row.target.value)) [\(number($0.lower)), \(number($0.upper))]" }
                ?? "target \(number(row.target.value)) ± \(number(row.target.tolerance))"
            out += "  " + label.padding(statWidth) + "  " + target + "  simulated \(simulated)  " + (row.withinTolerance ? "ok" : "OUTSIDE") + "\n"
        }
        return out
    }

    /// Four decimals, as the tables print.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        let rounded = (value * 10_000).rounded() / 10_000
        return JSONValue.number(rounded).serialized()
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
