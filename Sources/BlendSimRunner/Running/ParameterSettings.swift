import BlendSimCore
public import BlendSimPluginHost
public import BlendSimScenario

/// Where a calibration plan's or a posterior sample's settings (`CalibrationPlan.Setting`) reach
/// a scenario, and the scenario with them set: what a calibration's candidates and a run's
/// parameter draws (`--uncertainty model`) both do.
public enum ParameterSettings {
    /// The groups of `scenario` a setting reaches: for a model or policy default, every group that
    /// uses the model or policy and does not set the parameter itself (as `model_defaults` and
    /// `policy_defaults` do in a scenario); for a study's value, its own group, which sets the
    /// parameter itself (the study's value replaces the group's own).
    public static func groups(reachedBy setting: CalibrationPlan.Setting, in scenario: Scenario) -> [Int] {
        scenario.groups.indices.filter { index in
            let group = scenario.groups[index]
            switch setting {
            case .kernel: return false
            case .modelDefault(let model, let name): return group.model.name == model && !group.model.setsOwn(name)
            case .policyDefault(let policy, let name): return group.policies.contains { $0.name == policy && !$0.setsOwn(name) }
            case .group(let scenarioName, let groupName, let model, let name):
                return scenario.name == scenarioName && group.name == groupName && group.model.name == model && group.model.setsOwn(name)
            }
        }
    }

    /// The scenario with each setting at its value: a kernel value, a model's or policy's
    /// parameter in every group that uses it without setting it itself, a study's value in its
    /// group.
    public static func applied(_ settings: [CalibrationPlan.Setting], _ values: [Double], to scenario: Scenario, host: PluginHost) -> Scenario {
        var scenario = scenario
        func set(_ reference: inout ComponentReference, _ name: String, _ value: Double, integer: Bool) {
            let json: JSONValue = integer ? .integer(Int(value.rounded())) : .number(value)
            if let index = reference.parameters.firstIndex(where: { $0.0 == name }) {
                reference.parameters[index].1 = json
            } else {
                reference.parameters.append((name, json))
            }
        }
        // Defaults reach only groups without their own value and studies' values only groups with
        // one, so the order of the settings does not matter; the pairs are applied in order.
        for (setting, value) in zip(settings, values) {
            switch setting {
            case .kernel(let key):
                if let info = KernelParameters.catalog.first(where: { $0.key == key }) { scenario.kernel[keyPath: info.keyPath] = value }
            case .modelDefault(let model, let name), .group(_, _, let model, let name):
                let integer = host.model(named: model)?.schema.parameters.first { $0.name == name }?.type == "integer"
                for index in groups(reachedBy: setting, in: scenario) {
                    set(&scenario.groups[index].model, name, value, integer: integer)
                }
            case .policyDefault(let policy, let name):
                let integer = host.policy(named: policy)?.schema.parameters.first { $0.name == name }?.type == "integer"
                for group in groups(reachedBy: setting, in: scenario) {
                    for index in scenario.groups[group].policies.indices
                    where scenario.groups[group].policies[index].name == policy && !scenario.groups[group].policies[index].setsOwn(name) {
                        set(&scenario.groups[group].policies[index], name, value, integer: integer)
                    }
                }
            }
        }
        return scenario
    }
}
