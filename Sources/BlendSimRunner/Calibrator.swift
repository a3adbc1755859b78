public import BlendSimCore
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of a calibration.
public struct CalibrationReport: Sendable {
    public struct Row: Sendable {
        public var target: CalibrationPlan.Target
        public var simulated: Statistic
        public var withinTolerance: Bool { abs(simulated.mean - target.value) <= target.tolerance }
    }

    public var plan: CalibrationPlan
    /// Fitted value of each parameter, in plan order.
    public var fitted: [Double]
    /// Sum over targets of ((simulated − target) / tolerance)².
    public var objective: Double
    public var evaluations: Int
    public var rows: [Row]

    /// The fitted parameters as a scenario fragment for `include:`.
    public func fragment(command: String) -> String {
        var kernel: [(String, Double)] = []
        var models: [(String, [(String, Double)])] = []
        var policies: [(String, [(String, Double)])] = []
        func add(_ table: inout [(String, [(String, Double)])], _ name: String, _ entry: (String, Double)) {
            if let index = table.firstIndex(where: { $0.0 == name }) { table[index].1.append(entry) } else { table.append((name, [entry])) }
        }
        for (parameter, value) in zip(plan.parameters, fitted) {
            switch parameter.setting {
            case .kernel(let key): kernel.append((key, value))
            case .modelDefault(let model, let name): add(&models, model, (name, value))
            case .policyDefault(let policy, let name): add(&policies, policy, (name, value))
            }
        }
        var text = "# Fitted by `\(command)`\n"
        text += "# objective \(Calibrator.format(objective)) (sum of squared errors in tolerances) after \(evaluations) evaluations;\n"
        text += "# \(rows.filter(\.withinTolerance).count) of \(rows.count) targets within tolerance.\n"
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
        return text
    }
}

/// Fits scenario parameters to target statistics with Nelder–Mead over common random numbers:
/// every evaluation runs the scenario with the same seed, so the objective is a deterministic
/// function of the parameters and differences between evaluations are the parameters' doing.
public enum Calibrator {
    public static func run(
        _ plan: CalibrationPlan, settings: RunSettings, progress: (@Sendable (Int, Double) -> Void)? = nil
    ) throws(Diagnostic) -> CalibrationReport {
        var scenario = try ScenarioLoader.load(path: plan.scenarioPath)
        if let seed = plan.seed { scenario.seed = seed }
        if let replications = plan.replications { scenario.replications = replications }
        if let seed = settings.seed { scenario.seed = seed }
        if let replications = settings.replications { scenario.replications = replications }
        let host = try Runner.loadPlugins(settings.pluginDirectories)
        try check(plan, scenario: scenario, host: host)

        func simulate(_ values: [Double]) throws(Diagnostic) -> JSONValue {
            let candidate = applied(plan, values, to: scenario, host: host)
            let resolved = Runner.resolve(candidate, host: host)
            guard let spec = resolved.spec else { throw resolved.diagnostics[0] }
            do {
                let result = try Engine(spec: spec, options: settings.engine).run()
                return Summary.document(Runner.describe(candidate), result)
            } catch {
                throw Diagnostic(error.message)
            }
        }
        func objective(_ summary: JSONValue) -> Double {
            plan.targets.reduce(0) { total, target in
                let value = statistic(target.statistic, in: summary)?.mean ?? .nan
                let error = (value - target.value) / target.tolerance
                return total + error * error
            }
        }

        // The targets must name statistics the scenario produces.
        let starts = plan.parameters.map { ($0.start - $0.lower) / ($0.upper - $0.lower) }
        let first = try simulate(values(plan, starts))
        for target in plan.targets where statistic(target.statistic, in: first) == nil {
            throw plan.source.diagnostic(
                "statistic '\(target.statistic)' is not in the scenario's summary.json (see docs/RESULTS.md)",
                line: target.location.line, column: target.location.column)
        }

        let optimizer = NelderMead(maximumEvaluations: plan.maximumEvaluations, restarts: plan.restarts)
        var count = 0
        let best = try optimizer.minimize(from: starts) { (point) throws(Diagnostic) -> Double in
            let value = objective(try simulate(values(plan, point)))
            count += 1
            progress?(count, value)
            return value
        }
        let fitted = values(plan, best.point)
        let summary = try simulate(fitted)
        let rows = plan.targets.map { target in
            CalibrationReport.Row(target: target, simulated: statistic(target.statistic, in: summary) ?? Statistic([]))
        }
        return CalibrationReport(plan: plan, fitted: fitted, objective: objective(summary), evaluations: best.evaluations, rows: rows)
    }

    /// Unit-cube coordinates to parameter values (integer plugin parameters are rounded later).
    static func values(_ plan: CalibrationPlan, _ point: [Double]) -> [Double] {
        zip(plan.parameters, point).map { parameter, x in parameter.lower + x * (parameter.upper - parameter.lower) }
    }

    /// The scenario with the parameters set to `values`.
    static func applied(_ plan: CalibrationPlan, _ values: [Double], to scenario: Scenario, host: PluginHost) -> Scenario {
        var scenario = scenario
        func set(_ reference: inout ComponentReference, _ name: String, _ value: Double, integer: Bool) {
            let json: JSONValue = integer ? .integer(Int(value.rounded())) : .number(value)
            if let index = reference.parameters.firstIndex(where: { $0.0 == name }) {
                reference.parameters[index].1 = json
            } else {
                reference.parameters.append((name, json))
            }
        }
        for (parameter, value) in zip(plan.parameters, values) {
            switch parameter.setting {
            case .kernel(let key):
                if let info = KernelParameters.catalog.first(where: { $0.key == key }) { scenario.kernel[keyPath: info.keyPath] = value }
            case .modelDefault(let model, let name):
                let integer = host.model(named: model)?.schema.parameters.first { $0.name == name }?.type == "integer"
                for index in scenario.groups.indices where scenario.groups[index].model.name == model {
                    set(&scenario.groups[index].model, name, value, integer: integer)
                }
            case .policyDefault(let policy, let name):
                let integer = host.policy(named: policy)?.schema.parameters.first { $0.name == name }?.type == "integer"
                for group in scenario.groups.indices {
                    for index in scenario.groups[group].policies.indices where scenario.groups[group].policies[index].name == policy {
                        set(&scenario.groups[group].policies[index], name, value, integer: integer)
                    }
                }
            }
        }
        return scenario
    }

    /// Every parameter must exist, be used by the scenario and have bounds within its range.
    static func check(_ plan: CalibrationPlan, scenario: Scenario, host: PluginHost) throws(Diagnostic) {
        for parameter in plan.parameters {
            func fail(_ message: String) -> Diagnostic {
                plan.source.diagnostic(message, line: parameter.location.line, column: parameter.location.column)
            }
            var range: ClosedRange<Double>?
            switch parameter.setting {
            case .kernel(let key):
                range = KernelParameters.catalog.first { $0.key == key }?.range
            case .modelDefault(let model, let name):
                guard let component = host.model(named: model) else { throw fail(host.notFoundMessage(kind: "model", name: model)) }
                guard scenario.groups.contains(where: { $0.model.name == model }) else {
                    throw fail("no group of the scenario uses model '\(model)'")
                }
                guard let spec = component.schema.parameters.first(where: { $0.name == name }), spec.type == "number" || spec.type == "integer" else {
                    throw fail("model '\(model)' has no numeric parameter '\(name)'\(Suggestion.phrase(for: name, in: component.schema.parameters.map(\.name)))")
                }
                range = (spec.minimum ?? -.infinity)...(spec.maximum ?? .infinity)
            case .policyDefault(let policy, let name):
                guard let component = host.policy(named: policy) else { throw fail(host.notFoundMessage(kind: "policy", name: policy)) }
                guard scenario.groups.contains(where: { $0.policies.contains { $0.name == policy } }) else {
                    throw fail("no group of the scenario uses policy '\(policy)'")
                }
                guard let spec = component.schema.parameters.first(where: { $0.name == name }), spec.type == "number" || spec.type == "integer" else {
                    throw fail("policy '\(policy)' has no numeric parameter '\(name)'\(Suggestion.phrase(for: name, in: component.schema.parameters.map(\.name)))")
                }
                range = (spec.minimum ?? -.infinity)...(spec.maximum ?? .infinity)
            }
            if let range, parameter.lower < range.lowerBound || parameter.upper > range.upperBound {
                throw fail("the bounds of '\(parameter.name)' must lie within [\(format(range.lowerBound)), \(format(range.upperBound))]")
            }
        }
    }

    /// The statistic at a dotted path of summary.json; list elements are chosen by their
    /// `name` (groups) or `group` (gains).
    public static func statistic(_ path: String, in summary: JSONValue) -> Statistic? {
        var node = summary
        for segment in path.split(separator: ".").map(String.init) {
            switch node {
            case .object:
                guard let next = node[segment] else { return nil }
                node = next
            case .array(let items):
                guard let next = items.first(where: { $0["name"]?.stringValue == segment || $0["group"]?.stringValue == segment }) else {
                    return nil
                }
                node = next
            default:
                return nil
            }
        }
        if let value = node.doubleValue { return Statistic([value]) }
        guard case .object = node, let meanNode = node["mean"] else { return nil }
        let mean = meanNode.doubleValue ?? .nan
        let n = node["n"].flatMap { $0.doubleValue }.map { Int($0) } ?? 0
        var ci: (Double, Double)?
        if case .array(let bounds)? = node["ci95"], bounds.count == 2, let lower = bounds[0].doubleValue, let upper = bounds[1].doubleValue {
            ci = (lower, upper)
        }
        return Statistic(mean: mean, sd: node["sd"]?.doubleValue, ci95: ci, n: n)
    }

    /// Six significant digits.
    static func format(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return value.isFinite ? "0" : "\(value)" }
        let digits = 5 - Int(log10(abs(value)).rounded(.down))
        var scale = 1.0
        for _ in 0..<abs(digits) { scale *= 10 }
        let rounded = digits >= 0 ? (value * scale).rounded() / scale : (value / scale).rounded() * scale
        return JSONValue.number(rounded).serialized()
    }
}
