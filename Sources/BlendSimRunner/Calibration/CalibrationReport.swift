public import BlendSimCore
import BlendSimInference
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
import BlendSimSystem

/// The outcome of a calibration.
public struct CalibrationReport: Sendable {
    public struct Row: Sendable {
        public var target: CalibrationPlan.Target
        public var simulated: Statistic
        public var withinTolerance: Bool {
            if let interval = target.interval { return simulated.mean >= interval.lower && simulated.mean <= interval.upper }
            return abs(simulated.mean - target.value) <= target.tolerance
        }
    }

    /// What the targets say about one fitted parameter.
    public struct Uncertainty: Sendable {
        /// Approximate standard error from the curvature of the objective at the fit, (JᵀWJ + P)⁻¹;
        /// at most the bounds' prior sd (width/√12) when the targets do not move the parameter.
        public var standardError: Double
        /// Whether the targets inform the parameter: its 95% interval is narrower than its bounds.
        public var informed: Bool
        /// Whether the fit ended within 1% of the range from a bound.
        public var atBound: Bool
    }

    public var plan: CalibrationPlan
    /// Fitted value of each parameter, in plan order.
    public var fitted: [Double]
    /// Sum over targets of ((simulated − target) / tolerance)².
    public var objective: Double
    public var evaluations: Int
    public var rows: [Row]
    /// Per parameter, in plan order.
    public var uncertainty: [Uncertainty]
    /// The target values the fit used when they were synthetic (`--synthetic`), else nil.
    public var syntheticTruth: [Double]?

    /// The fitted parameters as a scenario fragment for `include:`.
    public func fragment(command: String) -> String {
        var kernel: [(String, Double)] = []
        var models: [(String, [(String, Double)])] = []
        var policies: [(String, [(String, Double)])] = []
        func add(_ table: inout [(String, [(String, Double)])], _ name: String, _ entry: (String, Double)) {
            if let index = table.firstIndex(where: { $0.0 == name }) { table[index].1.append(entry) } else { table.append((name, [entry])) }
        }
        var studies: [(String, Double)] = []
        for (parameter, value) in zip(plan.parameters, fitted) {
            switch parameter.setting {
            case .kernel(let key): kernel.append((key, value))
            case .modelDefault(let model, let name): add(&models, model, (name, value))
            case .policyDefault(let policy, let name): add(&policies, policy, (name, value))
            case .group: studies.append((parameter.name, value))
            }
        }
        // The command names the plan's path, which may hold any character: a line break or other
        // control character in it becomes '?', so the comment stays one line of the fragment.
        let shownCommand = GeneratedText.oneLine(command)
        var text = "# Fitted by `\(shownCommand)`\n"
        text += "# objective \(Calibrator.format(objective)) (sum of squared errors in tolerances) after \(evaluations) evaluations;\n"
        text += "# \(rows.filter(\.withinTolerance).count) of \(rows.count) targets within tolerance.\n"
        for (parameter, u) in zip(plan.parameters, uncertainty) where u.atBound || !u.informed {
            text += "# warning: \(parameter.name) " + (u.atBound ? "ended on a bound of its range" : "is not informed by the targets") + "\n"
        }
        if !kernel.isEmpty {
            text += "kernel:\n"
            for (key, value) in kernel { text += "  \(key): \(Calibrator.format(value))\n" }
        }
        for (title, table) in [("model_defaults", models), ("policy_defaults", policies)] where !table.isEmpty {
            text += "\(title):\n"
            for (name, entries) in table {
                text += "  \(name):\n"
                for (key, value) in entries { text += "    \(key): \(Calibrator.format(value))\n" }
            }
        }
        if !studies.isEmpty {
            text += "# Studies' own values, set in the group of each study's scenario (not by this fragment):\n"
            for (name, value) in studies { text += "# study: \(name) = \(Calibrator.format(value))\n" }
        }
        return text
    }
}
