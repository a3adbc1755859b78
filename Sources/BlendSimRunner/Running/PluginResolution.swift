public import BlendSimCore
public import BlendSimPluginHost
public import BlendSimScenario

/// From a scenario's model and policy names to plugin code: the plugin path is loaded, each name
/// resolved, each parameter list checked against its schema, one instance of each created, and
/// week 1 of every group tried for one student — so whatever a plugin refuses is reported at the
/// scenario's line before anything runs.
public enum PluginResolution {
    /// Loads every plugin on the standard plugin path with `directories` first.
    public static func load(_ directories: [String]) throws(Diagnostic) -> PluginHost {
        do {
            return try PluginHost(searchPath: PluginHost.standardSearchPath(pluginDirectories: directories))
        } catch {
            throw Diagnostic(error.message)
        }
    }

    /// Resolves the scenario's models and policies against the loaded plugins and checks their
    /// parameters; collects every problem.
    public static func resolve(_ scenario: Scenario, host: PluginHost) -> (spec: SimulationSpec?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var groups: [GroupSpec] = []
        let source = scenario.source
        func located(_ message: String, _ location: SourceLocation) -> Diagnostic {
            source.diagnostic(message, line: location.line, column: location.column)
        }
        func parameterDiagnostic(_ problem: ParameterSchema.Problem, _ reference: ComponentReference, kind: String) -> Diagnostic {
            let location = problem.parameter.flatMap { reference.parameterLocations[$0] } ?? reference.location
            return located("\(kind) '\(reference.name)': \(problem.message)", location)
        }
        for group in scenario.groups {
            var model: (any ModelFactory)?
            if let component = host.model(named: group.model.name) {
                do {
                    let factory = try component.factory(parameters: group.model.parameters)
                    // Create one instance now, so a plugin that refuses these parameters is
                    // reported at the scenario's line, not in the middle of a run.
                    do {
                        _ = try factory.makeInstance()
                        model = factory
                    } catch {
                        diagnostics.append(located(
                            "model '\(group.model.name)' (\(component.plugin.name)) refused its parameters: \(error.message)",
                            group.model.location))
                    }
                } catch {
                    diagnostics.append(parameterDiagnostic(error, group.model, kind: "model"))
                }
            } else {
                diagnostics.append(located(host.notFoundMessage(kind: "model", name: group.model.name), group.model.location))
            }
            var policies: [any PolicyFactory] = []
            for reference in group.policies {
                guard let component = host.policy(named: reference.name) else {
                    diagnostics.append(located(host.notFoundMessage(kind: "policy", name: reference.name), reference.location))
                    continue
                }
                do {
                    let factory = try component.factory(parameters: reference.parameters)
                    do {
                        _ = try factory.makeInstance()
                        policies.append(factory)
                    } catch {
                        diagnostics.append(located(
                            "policy '\(reference.name)' (\(component.plugin.name)) refused its parameters: \(error.message)",
                            reference.location))
                    }
                } catch {
                    diagnostics.append(parameterDiagnostic(error, reference, kind: "policy"))
                }
            }
            if let model {
                groups.append(
                    GroupSpec(
                        name: group.name, students: group.students, levelShares: group.levelShares,
                        onlineShare: group.onlineShare, contactMinutes: group.contactHours * 60,
                        siwtMinutes: group.siwtHours * 60, siwMinutes: group.siwHours * 60,
                        studentsPerTeacher: group.studentsPerTeacher, population: group.population, model: model,
                        policies: policies))
            }
        }
        guard diagnostics.isEmpty else { return (nil, diagnostics) }
        let spec = SimulationSpec(
            seed: scenario.seed, replications: scenario.replications, weeks: scenario.weeks,
            controlPoints: scenario.controlPoints, groups: groups, kernel: scenario.kernel)
        // A model that refuses its group's settings (traditional with online time, say) is
        // reported at the group's model, before anything runs.
        if let failure = Engine(spec: spec, options: EngineOptions(threads: 1)).preflight() {
            let group = scenario.groups[failure.group]
            let location = failure.error.message.hasPrefix("model") ? group.model.location : group.location
            return (nil, [located(failure.error.message, location)])
        }
        return (spec, [])
    }
}
