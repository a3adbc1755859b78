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
        for group in scenario.groups {
            let model = modelFactory(group.model, host: host, source: source, diagnostics: &diagnostics)
            var policies: [any PolicyFactory] = []
            for reference in group.policies {
                if let factory = policyFactory(reference, host: host, source: source, diagnostics: &diagnostics) { policies.append(factory) }
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

    /// Checks the models and policies a scenario names even when the scenario itself has errors
    /// (`ScenarioLoader.Checked.components`), so a misspelt model is reported with the rest.
    public static func check(_ components: [(kind: String, reference: ComponentReference)], host: PluginHost, source: ScenarioSource) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (kind, reference) in components {
            if kind == "model" {
                _ = modelFactory(reference, host: host, source: source, diagnostics: &diagnostics)
            } else {
                _ = policyFactory(reference, host: host, source: source, diagnostics: &diagnostics)
            }
        }
        return diagnostics
    }

    /// Reads and checks the scenario at `path` and, with `host`, the plugins it names: the
    /// scenario, or every error in the file as one diagnostic.
    public static func load(path: String, host: () throws(Diagnostic) -> PluginHost) throws(Diagnostic) -> Scenario {
        let checked = ScenarioLoader.check(path: path)
        if let scenario = checked.scenario { return scenario }
        var diagnostics = checked.diagnostics
        if let source = checked.source, !checked.components.isEmpty, diagnostics.count < 100 {
            diagnostics += check(checked.components, host: try host(), source: source)
        }
        throw Diagnostic.collected(inFileOrder(diagnostics))!
    }

    /// Diagnostics sorted by line and column (stable; those without a place keep their order at
    /// the end).
    public static func inFileOrder(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let x = a.element.location, y = b.element.location
            switch (x, y) {
            case (let x?, let y?): return (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return false
            case (_, nil): return true
            }
        }.map(\.element)
    }

    static func modelFactory(
        _ reference: ComponentReference, host: PluginHost, source: ScenarioSource, diagnostics: inout [Diagnostic]
    ) -> (any ModelFactory)? {
        guard let component = host.model(named: reference.name) else {
            diagnostics.append(located(host.notFoundMessage(kind: "model", name: reference.name), reference.location, source))
            return nil
        }
        let problems = component.schema.problems(reference.parameters)
        guard problems.isEmpty, let factory = try? component.factory(parameters: reference.parameters) else {
            diagnostics += problems.map { parameterDiagnostic($0, reference, kind: "model", source) }
            return nil
        }
        // Create one instance now, so a plugin that refuses these parameters is reported at the
        // scenario's line, not in the middle of a run.
        do {
            _ = try factory.makeInstance()
            return factory
        } catch {
            diagnostics.append(located(
                "model '\(reference.name)' (\(component.plugin.name)) refused its parameters: \(error.message)", reference.location, source))
            return nil
        }
    }

    static func policyFactory(
        _ reference: ComponentReference, host: PluginHost, source: ScenarioSource, diagnostics: inout [Diagnostic]
    ) -> (any PolicyFactory)? {
        guard let component = host.policy(named: reference.name) else {
            diagnostics.append(located(host.notFoundMessage(kind: "policy", name: reference.name), reference.location, source))
            return nil
        }
        let problems = component.schema.problems(reference.parameters)
        guard problems.isEmpty, let factory = try? component.factory(parameters: reference.parameters) else {
            diagnostics += problems.map { parameterDiagnostic($0, reference, kind: "policy", source) }
            return nil
        }
        do {
            _ = try factory.makeInstance()
            return factory
        } catch {
            diagnostics.append(located(
                "policy '\(reference.name)' (\(component.plugin.name)) refused its parameters: \(error.message)", reference.location, source))
            return nil
        }
    }

    static func located(_ message: String, _ location: SourceLocation, _ source: ScenarioSource) -> Diagnostic {
        source.diagnostic(message, line: location.line, column: location.column)
    }

    static func parameterDiagnostic(_ problem: ParameterSchema.Problem, _ reference: ComponentReference, kind: String, _ source: ScenarioSource) -> Diagnostic {
        let location = problem.parameter.flatMap { reference.parameterLocations[$0] } ?? reference.location
        return located("\(kind) '\(reference.name)': \(problem.message)", location, source)
    }
}
