public import BlendSimCore
public import BlendSimPluginHost
public import BlendSimScenario

/// From a scenario's model and policy names to plugin code: the plugin path is loaded, each name
/// resolved, each parameter list checked against its schema, one instance of each created, and
/// week 1 of every group tried for one student — so whatever a plugin refuses is reported at the
/// scenario's line before anything runs.
public enum PluginResolution {
    /// Loads every plugin on the standard plugin path with `directories` first.
    public static func host(_ directories: [String]) throws(Diagnostic) -> PluginHost {
        do {
            return try PluginHost(searchPath: PluginHost.standardSearchPath(pluginDirectories: directories))
        } catch {
            throw Diagnostic(error.message)
        }
    }

    /// The files errors can be in: a scenario and the files it includes.
    struct Sources {
        let all: [ScenarioSource]

        init(_ source: ScenarioSource, includes: [ScenarioSource]) { all = [source] + includes }

        /// `message` at `location`, shown with the line of the file the location is in.
        func diagnostic(_ message: String, at location: SourceLocation) -> Diagnostic {
            let source = all.first { $0.path == location.file } ?? all[0]
            return source.diagnostic(message, line: location.line, column: location.column)
        }
    }

    /// Resolves the scenario's models and policies against the loaded plugins and checks their
    /// parameters (and those `model_defaults` and `policy_defaults` give); collects every problem.
    public static func resolve(_ scenario: Scenario, host: PluginHost) -> (spec: SimulationSpec?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let sources = Sources(scenario.source, includes: scenario.includes)
        let groups = groupSpecs(scenario.groups, host: host, sources: sources, diagnostics: &diagnostics)
        // A programme's later semesters: the same groups as each semester teaches them.
        var later: [SemesterSpec] = []
        for semester in (scenario.programme?.semesters ?? []).dropFirst() {
            var problems: [Diagnostic] = []
            let specs = groupSpecs(semester.groups, host: host, sources: sources, diagnostics: &problems)
            for problem in problems where !diagnostics.contains(problem) { diagnostics.append(problem) }
            later.append(SemesterSpec(breakWeeks: semester.breakWeeks, weeks: semester.weeks, controlPoints: semester.controlPoints, groups: specs))
        }
        diagnostics += check(scenario.defaultComponents, host: host, sources: sources)
        diagnostics += Costing.pricing(scenario, host: host).diagnostics
        guard diagnostics.isEmpty else { return (nil, Diagnostic.report(diagnostics)) }
        var spec = SimulationSpec(
            seed: scenario.seed, replications: scenario.replications, weeks: scenario.weeks,
            controlPoints: scenario.controlPoints, groups: groups, kernel: scenario.kernel)
        spec.laterSemesters = later
        // A model that refuses its group's settings (traditional with online time, say) is
        // reported at the group's model, before anything runs: every group that does.
        let failures = Engine(spec: spec, options: EngineOptions(threads: 1)).preflightAll()
        guard failures.isEmpty else {
            return (nil, failures.map { failure in
                // A later semester's refusal is reported where that semester's settings are.
                var group = scenario.groups[failure.group]
                for semester in scenario.programme?.semesters.indices.dropFirst() ?? 0..<0
                where failure.error.message.hasSuffix(" (semester \(semester + 1))") {
                    group = scenario.programme!.semesters[semester].groups[failure.group]
                }
                let location = failure.error.message.hasPrefix("model") ? group.model.location : group.location
                return sources.diagnostic(failure.error.message, at: location)
            })
        }
        return (spec, [])
    }

    /// The groups' specs, each with its model and policies resolved; a group whose model cannot
    /// be resolved is left out, with its problems in `diagnostics`.
    static func groupSpecs(_ scenarioGroups: [GroupScenario], host: PluginHost, sources: Sources, diagnostics: inout [Diagnostic]) -> [GroupSpec] {
        var groups: [GroupSpec] = []
        for group in scenarioGroups {
            let model = factory(host.model(named: group.model.name), group.model, host: host, sources: sources, diagnostics: &diagnostics)
            var policies: [any PolicyFactory] = []
            for reference in group.policies {
                if let policy = factory(host.policy(named: reference.name), reference, host: host, sources: sources, diagnostics: &diagnostics) {
                    policies.append(policy)
                }
            }
            if let model {
                var spec = GroupSpec(
                    name: group.name, students: group.students, levelShares: group.levelShares,
                    onlineShare: group.onlineShare, contactMinutes: group.contactHours * 60,
                    siwtMinutes: group.siwtHours * 60, siwMinutes: group.siwHours * 60,
                    studentsPerTeacher: group.studentsPerTeacher, population: group.population, model: model,
                    policies: policies)
                spec.cohort = group.cohort
                spec.bootstrap = group.bootstrap
                groups.append(spec)
            }
        }
        return groups
    }

    /// Resolves each named scenario (a comparison's variants, say) and gathers their problems:
    /// each once, and — when it is not a problem of every scenario — with the variants it is in.
    public static func resolve(
        _ named: [(name: String?, scenario: Scenario)], host: PluginHost
    ) -> (specs: [SimulationSpec], diagnostics: [Diagnostic]) {
        var specs: [SimulationSpec] = []
        var order: [String] = []
        var found: [String: (diagnostic: Diagnostic, variants: [String], count: Int)] = [:]
        for item in named {
            let resolved = resolve(item.scenario, host: host)
            if let spec = resolved.spec { specs.append(spec) }
            for diagnostic in resolved.diagnostics {
                let key = "\(diagnostic.location?.description ?? "")\u{0}\(diagnostic.message)"
                if found[key] == nil {
                    order.append(key)
                    found[key] = (diagnostic, [], 0)
                }
                found[key]!.count += 1
                if let name = item.name { found[key]!.variants.append(name) }
            }
        }
        let diagnostics = order.map { key -> Diagnostic in
            var (diagnostic, variants, count) = found[key]!
            if count < named.count, !variants.isEmpty, !diagnostic.message.contains("(in variant") {
                diagnostic.message += " (in variant\(variants.count == 1 ? "" : "s") " + variants.map { "'\($0)'" }.joined(separator: ", ") + ")"
            }
            return diagnostic
        }
        return (specs, Diagnostic.report(diagnostics))
    }

    /// Checks the models and policies a scenario names even when the scenario itself has errors
    /// (`ScenarioLoader.Checked.components`), so a misspelt model is reported with the rest.
    static func check(
        _ components: [(kind: String, reference: ComponentReference)], host: PluginHost, sources: Sources
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (kind, reference) in components {
            if kind == "model" {
                _ = factory(host.model(named: reference.name), reference, host: host, sources: sources, diagnostics: &diagnostics)
            } else {
                _ = factory(host.policy(named: reference.name), reference, host: host, sources: sources, diagnostics: &diagnostics)
            }
        }
        return diagnostics
    }

    /// Every problem of the scenario at `path`: its own errors and, with the plugins from `host`,
    /// those of the models and policies it names — checked even when the file has other errors —
    /// and, with `variants`, those of every variant. The scenario when there are none.
    public static func problems(
        path: String, variants: Bool, host: () throws(Diagnostic) -> PluginHost
    ) -> (scenario: Scenario?, diagnostics: [Diagnostic]) {
        let checked = ScenarioLoader.check(path: path)
        var diagnostics = checked.diagnostics
        do throws(Diagnostic) {
            if let scenario = checked.scenario {
                let named = [(name: String?.none, scenario: scenario)]
                    + (variants ? scenario.variants.map { (name: Optional($0.name), scenario: $0.scenario) } : [])
                diagnostics += resolve(named, host: try host()).diagnostics
            } else if let source = checked.source, !checked.components.isEmpty, diagnostics.count < Diagnostic.maximumListed {
                diagnostics += check(checked.components, host: try host(), sources: Sources(source, includes: checked.includes))
            }
        } catch {
            diagnostics.append(error)
        }
        let report = Diagnostic.report(diagnostics, mainFile: path)
        return (report.isEmpty ? checked.scenario : nil, report)
    }

    /// Reads and checks the scenario at `path` and, with `host`, the plugins it names: the
    /// scenario, or every error in the file as one diagnostic.
    public static func scenario(at path: String, host: () throws(Diagnostic) -> PluginHost) throws(Diagnostic) -> Scenario {
        let checked = ScenarioLoader.check(path: path)
        if let scenario = checked.scenario { return scenario }
        var diagnostics = checked.diagnostics
        if let source = checked.source, !checked.components.isEmpty, diagnostics.count < Diagnostic.maximumListed {
            diagnostics += check(checked.components, host: try host(), sources: Sources(source, includes: checked.includes))
        }
        throw Diagnostic.collected(Diagnostic.report(diagnostics, mainFile: path))!
    }

    /// The factory of a model or policy `reference` names, checked (`checked`); `found` is the
    /// component of that name on the plugin path, if any.
    static func factory<Component: ResolvableComponent>(
        _ found: Component?, _ reference: ComponentReference, host: PluginHost, sources: Sources, diagnostics: inout [Diagnostic]
    ) -> Component.Factory? {
        checked(
            kind: Component.kind, reference, host: host, sources: sources, diagnostics: &diagnostics,
            component: found.map { ($0.schema, $0.plugin.name, $0.factory(parameters:)) }, instantiate: Component.instantiate)
    }

    /// A model's or policy's factory for `reference`, or nil with every problem added to
    /// `diagnostics`: a name no plugin provides, each parameter the schema refuses, or a plugin
    /// that refuses to create an instance with these parameters — tried now, so that is reported
    /// at the scenario's line, not in the middle of a run.
    static func checked<Factory>(
        kind: String, _ reference: ComponentReference, host: PluginHost, sources: Sources, diagnostics: inout [Diagnostic],
        component: (schema: ParameterSchema, plugin: String, make: ([(String, JSONValue)]) throws(ParameterSchema.Problem) -> Factory)?,
        instantiate: (Factory) throws(ComponentError) -> Void
    ) -> Factory? {
        guard let component else {
            diagnostics.append(sources.diagnostic(host.notFoundMessage(kind: kind, name: reference.name), at: reference.location))
            return nil
        }
        let problems = component.schema.problems(reference.parameters)
        guard problems.isEmpty, let factory = try? component.make(reference.parameters) else {
            diagnostics += problems.map { parameterDiagnostic($0, reference, kind: kind, sources) }
            return nil
        }
        do throws(ComponentError) {
            try instantiate(factory)
            return factory
        } catch {
            diagnostics.append(sources.diagnostic(
                "\(kind) '\(reference.name)' (\(component.plugin)) refused its parameters: \(error.message)", at: reference.location))
            return nil
        }
    }

    static func parameterDiagnostic(_ problem: ParameterSchema.Problem, _ reference: ComponentReference, kind: String, _ sources: Sources) -> Diagnostic {
        let location = problem.parameter.flatMap { reference.parameterLocations[$0] } ?? reference.location
        return sources.diagnostic("\(kind) '\(reference.name)': \(problem.message)", at: location)
    }
}

/// A model or policy as the plugin host lists it: what `PluginResolution.factory` resolves.
protocol ResolvableComponent {
    associatedtype Factory
    static var kind: String { get }
    var schema: ParameterSchema { get }
    var plugin: LoadedPlugin { get }
    func factory(parameters: [(String, JSONValue)]) throws(ParameterSchema.Problem) -> Factory
    /// Tries an instance, so a plugin refusing its parameters is found at the scenario's line.
    static func instantiate(_ factory: Factory) throws(ComponentError)
}

extension ModelComponent: ResolvableComponent {
    static var kind: String { "model" }
    static func instantiate(_ factory: any ModelFactory) throws(ComponentError) { _ = try factory.makeInstance() }
}

extension PolicyComponent: ResolvableComponent {
    static var kind: String { "policy" }
    static func instantiate(_ factory: any PolicyFactory) throws(ComponentError) { _ = try factory.makeInstance() }
}
