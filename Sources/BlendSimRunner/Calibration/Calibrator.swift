public import BlendSimCore
import BlendSimInference
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
import BlendSimSystem

/// Fits scenario parameters to target statistics with Nelder–Mead over common random numbers:
/// every evaluation runs each scenario with the same seed, so the objective is a deterministic
/// function of the parameters and differences between evaluations are the parameters' doing.
/// Targets may come from several scenarios (an evidence set); each evaluation runs each scenario
/// once.
public enum Calibrator {
    /// A calibration's scenarios, ready to run with candidate parameters.
    struct Problem {
        let plan: CalibrationPlan
        let host: PluginHost
        let scenarios: [(path: String, scenario: Scenario)]
        let settings: RunSettings

        /// A posterior's provenance: the sampler's seed, the replications of each experiment and
        /// the plugins its scenarios use.
        var provenance: ResultProvenance {
            ResultProvenance(
                seed: plan.posterior.seed, replications: scenarios.first?.scenario.replications ?? 0,
                scenarios: scenarios.map(\.scenario), host: host)
        }

        /// summary.json of every scenario, by path, at `values`.
        func simulate(_ values: [Double], seedOffset: UInt64 = 0) throws(Diagnostic) -> [String: JSONValue] {
            var summaries: [String: JSONValue] = [:]
            for (path, scenario) in scenarios {
                var candidate = Calibrator.applied(plan, values, to: scenario, host: host)
                candidate.seed = scenario.seed &+ seedOffset
                summaries[path] = try ScenarioRun.summary(of: candidate, host: host, options: settings.engine)
            }
            return summaries
        }

        func value(_ target: CalibrationPlan.Target, in summaries: [String: JSONValue]) -> Statistic? {
            summaries[target.scenarioPath].flatMap { Summary.statistic(target.statistic, in: $0) }
        }

        func objective(_ summaries: [String: JSONValue], targets: [CalibrationPlan.Target]) -> Double {
            targets.reduce(0) { total, target in
                let error = ((value(target, in: summaries)?.mean ?? .nan) - target.value) / target.tolerance
                return total + error * error
            }
        }
    }

    /// The plan's scenarios, loaded with the plan's (or `replications`) and the command line's
    /// settings, resolved against the plugins, with every target checked to name a statistic they
    /// produce (one simulation at the starts).
    static func problem(
        _ plan: CalibrationPlan, settings: RunSettings, replications: Int? = nil, checkTargets: Bool = true
    ) throws(Diagnostic) -> Problem {
        var scenarios: [(path: String, scenario: Scenario)] = []
        for target in plan.targets where !scenarios.contains(where: { $0.path == target.scenarioPath }) {
            var scenario = try ScenarioLoader.load(path: target.scenarioPath)
            if let seed = plan.seed { scenario.seed = seed }
            if let replications = replications ?? plan.replications { scenario.replications = replications }
            scenario = settings.apply(to: scenario)
            try ResourceCheck.check(scenario, settings: settings)
            scenarios.append((target.scenarioPath, scenario))
        }
        let host = try PluginResolution.host(settings.pluginDirectories)
        try check(plan, scenarios: scenarios.map(\.scenario), host: host)
        let problem = Problem(plan: plan, host: host, scenarios: scenarios, settings: settings)
        guard checkTargets else { return problem }
        let starts = plan.parameters.map { ($0.start - $0.lower) / ($0.upper - $0.lower) }
        let first = try problem.simulate(values(plan, starts))
        for target in plan.targets where problem.value(target, in: first) == nil {
            throw plan.source.diagnostic(
                "statistic '\(target.statistic)' is not in the summary.json of \(target.scenarioPath) (see docs/RESULTS.md)",
                line: target.location.line, column: target.location.column)
        }
        return problem
    }

    public static func run(
        _ plan: CalibrationPlan, settings: RunSettings, synthetic: UInt64? = nil,
        progress: (@Sendable (Int, Double) -> Void)? = nil
    ) throws(Diagnostic) -> CalibrationReport {
        let problem = try problem(plan, settings: settings)
        let host = problem.host
        let scenarios = problem.scenarios
        var starts = plan.parameters.map { ($0.start - $0.lower) / ($0.upper - $0.lower) }

        // Synthetic targets: the statistics the scenarios produce with their own parameters (the
        // truth), simulated with other random numbers; the fit then starts a third of the way
        // from the truth to the middle of every parameter's bounds, not from the plan's starts
        // (which may be the previous fit, that is, the truth).
        var targets = plan.targets
        var truth: [Double]?
        if let synthetic {
            let values = try current(plan, scenarios: scenarios.map(\.scenario), host: host)
            starts = zip(plan.parameters, values).map { parameter, value in
                let x = (value - parameter.lower) / (parameter.upper - parameter.lower)
                return x + (0.5 - x) / 3
            }
            truth = values
            let observed = try problem.simulate(truth!, seedOffset: synthetic)
            for index in targets.indices {
                let value = problem.value(targets[index], in: observed)?.mean ?? .nan
                // The interval moves with the value, so "ok" keeps meaning "within the finding's
                // uncertainty of the target".
                if let interval = targets[index].interval {
                    let shift = value - targets[index].value
                    targets[index].interval = (interval.lower + shift, interval.upper + shift)
                }
                targets[index].value = value
            }
        }

        let optimizer = NelderMead(maximumEvaluations: plan.maximumEvaluations, restarts: plan.restarts)
        var count = 0
        let best = try optimizer.minimize(from: starts) { (point) throws(Diagnostic) -> Double in
            let value = problem.objective(try problem.simulate(values(plan, point)), targets: targets)
            count += 1
            progress?(count, value)
            return value
        }
        let fitted = integersRounded(plan, values(plan, best.point), host: host)
        let summaries = try problem.simulate(fitted)
        let rows = targets.map { target in
            CalibrationReport.Row(target: target, simulated: problem.value(target, in: summaries) ?? Statistic([]))
        }
        let uncertainty = try uncertainty(problem, fitted: fitted, at: summaries, targets: targets)
        var fittedPlan = plan
        fittedPlan.targets = targets
        return CalibrationReport(
            plan: fittedPlan, fitted: fitted, objective: problem.objective(summaries, targets: targets),
            evaluations: best.evaluations, rows: rows, uncertainty: uncertainty, syntheticTruth: truth)
    }

    /// The parameters' values in the scenarios as they stand (kernel values, or the model or
    /// policy parameter of the first group that uses it, or its schema default).
    static func current(_ plan: CalibrationPlan, scenarios: [Scenario], host: PluginHost) throws(Diagnostic) -> [Double] {
        var values: [Double] = []
        for parameter in plan.parameters {
            var value: Double?
            switch parameter.setting {
            case .kernel(let key):
                value = KernelParameters.catalog.first { $0.key == key }.map { scenarios[0].kernel[keyPath: $0.keyPath] }
            case .modelDefault(let model, let name):
                for scenario in scenarios {
                    for index in ParameterSettings.groups(reachedBy: parameter.setting, in: scenario) where value == nil {
                        value = scenario.groups[index].model.parameters.first { $0.0 == name }?.1.doubleValue
                    }
                }
                if value == nil { value = host.model(named: model)?.schema.parameters.first { $0.name == name }?.defaultValue.doubleValue }
            case .policyDefault(let policy, let name):
                for scenario in scenarios {
                    for group in scenario.groups {
                        for reference in group.policies where reference.name == policy && !reference.setsOwn(name) && value == nil {
                            value = reference.parameters.first { $0.0 == name }?.1.doubleValue
                        }
                    }
                }
                if value == nil { value = host.policy(named: policy)?.schema.parameters.first { $0.name == name }?.defaultValue.doubleValue }
            case .group(let scenarioName, let groupName, let model, let name):
                for scenario in scenarios where scenario.name == scenarioName {
                    for group in scenario.groups where group.name == groupName && group.model.name == model && value == nil {
                        value = group.model.parameters.first { $0.0 == name }?.1.doubleValue
                    }
                }
                if value == nil { value = host.model(named: model)?.schema.parameters.first { $0.name == name }?.defaultValue.doubleValue }
            }
            guard let value else { throw Diagnostic("cannot tell the current value of '\(parameter.name)'") }
            values.append(value)
        }
        return values
    }

    /// Standard errors from the Gauss–Newton approximation: J is the targets' sensitivity to
    /// each parameter (central differences over 2% of its range, common random numbers), W the
    /// inverse squared tolerances, P the bounds' prior precision; cov = (JᵀWJ + P)⁻¹.
    static func uncertainty(
        _ problem: Problem, fitted: [Double], at summaries: [String: JSONValue], targets: [CalibrationPlan.Target]
    ) throws(Diagnostic) -> [CalibrationReport.Uncertainty] {
        try curvature(problem, fitted: fitted, targets: targets).uncertainty
    }

    /// J: each target's change per unit of each parameter, in the target's tolerances, by central
    /// differences over ±2% of the parameter's range (common random numbers); NaN where a target
    /// cannot be read.
    static func jacobian(_ problem: Problem, at center: [Double], targets: [CalibrationPlan.Target]) throws(Diagnostic) -> [[Double]] {
        let parameters = problem.plan.parameters
        var jacobian = [[Double]](repeating: [Double](repeating: 0, count: parameters.count), count: targets.count)
        for (p, parameter) in parameters.enumerated() {
            let step = 0.02 * (parameter.upper - parameter.lower)
            var up = center, down = center
            up[p] = min(parameter.upper, center[p] + step)
            down[p] = max(parameter.lower, center[p] - step)
            let high = try problem.simulate(up), low = try problem.simulate(down)
            for (t, target) in targets.enumerated() {
                let a = problem.value(target, in: high)?.mean ?? .nan, b = problem.value(target, in: low)?.mean ?? .nan
                jacobian[t][p] = (a - b) / (up[p] - down[p]) / target.tolerance
            }
        }
        return jacobian
    }

    /// The Gauss–Newton curvature at `fitted`: each parameter's uncertainty and the covariance
    /// (JᵀWJ + P)⁻¹, P the diagonal precision of the uniform prior over each parameter's bounds
    /// (nil when the matrix is singular).
    static func curvature(
        _ problem: Problem, fitted: [Double], targets: [CalibrationPlan.Target]
    ) throws(Diagnostic) -> (uncertainty: [CalibrationReport.Uncertainty], covariance: [[Double]]?) {
        let parameters = problem.plan.parameters
        let jacobian = try self.jacobian(problem, at: fitted, targets: targets)
        var information = [[Double]](repeating: [Double](repeating: 0, count: parameters.count), count: parameters.count)
        for i in parameters.indices {
            for j in parameters.indices {
                information[i][j] = targets.indices.reduce(0) { $0 + (jacobian[$1][i].isFinite && jacobian[$1][j].isFinite ? jacobian[$1][i] * jacobian[$1][j] : 0) }
            }
        }
        // The bounds' uniform prior adds its precision 12/width² to each parameter, so a
        // direction the targets do not inform keeps the spread of its range (and reads as not
        // informed) instead of making the whole matrix singular.
        for (p, parameter) in parameters.enumerated() {
            let width = parameter.upper - parameter.lower
            information[p][p] += 12 / (width * width)
        }
        let covariance = LinearAlgebra.inverse(information)
        let uncertainty = parameters.enumerated().map { p, parameter in
            let width = parameter.upper - parameter.lower
            let variance = covariance?[p][p] ?? .infinity
            let se = variance.isFinite && variance >= 0 ? variance.squareRoot() : .infinity
            let position = (fitted[p] - parameter.lower) / width
            return CalibrationReport.Uncertainty(
                standardError: se, informed: 2 * 1.96 * se < width, atBound: position < 0.01 || position > 0.99)
        }
        return (uncertainty, covariance)
    }

    /// `values` with every integer plugin parameter rounded, as the scenarios receive them: the
    /// fit reported and written is the one that was simulated, and a fragment never gives an
    /// integer parameter a fraction its plugin would refuse.
    static func integersRounded(_ plan: CalibrationPlan, _ values: [Double], host: PluginHost) -> [Double] {
        zip(plan.parameters, values).map { parameter, value in
            let type: String? = switch parameter.setting {
            case .kernel: nil
            case .modelDefault(let model, let name): host.model(named: model)?.schema.parameters.first { $0.name == name }?.type
            case .policyDefault(let policy, let name): host.policy(named: policy)?.schema.parameters.first { $0.name == name }?.type
            case .group(_, _, let model, let name): host.model(named: model)?.schema.parameters.first { $0.name == name }?.type
            }
            return type == "integer" ? value.rounded() : value
        }
    }

    /// Unit-cube coordinates to parameter values (integer plugin parameters are rounded later).
    static func values(_ plan: CalibrationPlan, _ point: [Double]) -> [Double] {
        zip(plan.parameters, point).map { parameter, x in parameter.lower + x * (parameter.upper - parameter.lower) }
    }

    /// The scenario with the plan's parameters set to `values`.
    static func applied(_ plan: CalibrationPlan, _ values: [Double], to scenario: Scenario, host: PluginHost) -> Scenario {
        ParameterSettings.applied(plan.parameters.map(\.setting), values, to: scenario, host: host)
    }

    /// Every parameter must exist, be used by the scenario and have bounds within its range.
    static func check(_ plan: CalibrationPlan, scenarios: [Scenario], host: PluginHost) throws(Diagnostic) {
        for parameter in plan.parameters {
            func fail(_ message: String) -> Diagnostic {
                plan.source.diagnostic(message, line: parameter.location.line, column: parameter.location.column)
            }
            var range: ClosedRange<Double>?
            switch parameter.setting {
            case .kernel(let key):
                range = KernelParameters.catalog.first { $0.key == key }?.range
            case .modelDefault(let model, let name):
                range = try defaultRange(
                    kind: "model", component: model, name: name, schema: host.model(named: model)?.schema, setting: parameter.setting,
                    uses: { $0.model.name == model }, scenarios: scenarios, host: host, fail: fail)
            case .policyDefault(let policy, let name):
                range = try defaultRange(
                    kind: "policy", component: policy, name: name, schema: host.policy(named: policy)?.schema, setting: parameter.setting,
                    uses: { $0.policies.contains { $0.name == policy } }, scenarios: scenarios, host: host, fail: fail)
            case .group(let scenarioName, let groupName, let model, let name):
                guard let component = host.model(named: model) else { throw fail(host.notFoundMessage(kind: "model", name: model)) }
                let hasGroup = { (scenario: Scenario) in
                    scenario.name == scenarioName && scenario.groups.contains { $0.name == groupName && $0.model.name == model }
                }
                guard scenarios.contains(where: hasGroup) else {
                    let named = scenarios.filter { $0.name == scenarioName }
                    let hint = named.isEmpty
                        ? Suggestion.phrase(for: scenarioName, in: scenarios.map(\.name))
                        : Suggestion.phrase(for: groupName, in: named.flatMap { $0.groups.filter { $0.model.name == model }.map(\.name) })
                    throw fail("no scenario of the calibration named '\(scenarioName)' has a group '\(groupName)' with model '\(model)'\(hint)")
                }
                let numeric = try numericRange(kind: "model", component: model, name: name, schema: component.schema, fail: fail)
                guard scenarios.contains(where: { !ParameterSettings.groups(reachedBy: parameter.setting, in: $0).isEmpty }) else {
                    throw fail("group '\(groupName)' of '\(scenarioName)' does not set '\(name)' itself; a study's value replaces the group's own, so set it in the group")
                }
                range = numeric
            }
            if let range, parameter.lower < range.lowerBound || parameter.upper > range.upperBound {
                throw fail("the bounds of '\(parameter.name)' must lie within [\(format(range.lowerBound)), \(format(range.upperBound))]")
            }
        }
    }

    /// The range of a model's or policy's default that the plan fits: the component must exist,
    /// a group of the scenarios must use it without setting the parameter itself, and the parameter
    /// must be a number.
    static func defaultRange(
        kind: String, component: String, name: String, schema: ParameterSchema?, setting: CalibrationPlan.Setting,
        uses: (GroupScenario) -> Bool, scenarios: [Scenario], host: PluginHost, fail: (String) -> Diagnostic
    ) throws(Diagnostic) -> ClosedRange<Double> {
        guard let schema else { throw fail(host.notFoundMessage(kind: kind, name: component)) }
        guard scenarios.contains(where: { $0.groups.contains(where: uses) }) else {
            throw fail("no group of the calibration's scenarios uses \(kind) '\(component)'")
        }
        guard scenarios.contains(where: { !ParameterSettings.groups(reachedBy: setting, in: $0).isEmpty }) else {
            throw fail("every group of the calibration's scenarios with \(kind) '\(component)' sets '\(name)' itself, so a default would change nothing")
        }
        return try numericRange(kind: kind, component: component, name: name, schema: schema, fail: fail)
    }

    /// The range of a numeric parameter of a model or policy.
    static func numericRange(
        kind: String, component: String, name: String, schema: ParameterSchema, fail: (String) -> Diagnostic
    ) throws(Diagnostic) -> ClosedRange<Double> {
        guard let spec = schema.parameters.first(where: { $0.name == name }), spec.type == "number" || spec.type == "integer" else {
            throw fail("\(kind) '\(component)' has no numeric parameter '\(name)'\(Suggestion.phrase(for: name, in: schema.parameters.map(\.name)))")
        }
        return (spec.minimum ?? -.infinity)...(spec.maximum ?? .infinity)
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
