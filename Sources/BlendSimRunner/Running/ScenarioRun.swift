public import BlendSimCore
public import BlendSimPluginHost
public import BlendSimReport
public import BlendSimScenario
import BlendSimSystem

/// A finished run and everything to show or write about it.
public struct RunReport: Sendable {
    public var scenario: Scenario
    public var description: RunDescription
    public var result: SimulationResult
    public var plugins: [LoadedPlugin]
    public var seconds: Double

    /// summary.json's document.
    public var summary: JSONValue { Summary.document(description, result) }
    /// weekly.csv's text.
    public var weeklyCSV: String { WeeklyTable.csv(description, result) }
    /// The summary table for the terminal; bold headings when `color`.
    public func terminal(color: Bool) -> String { TerminalSummary.render(description, result, color: color) }
    /// The summary's outcomes as CSV.
    public var csv: String { TerminalSummary.csv(description, result) }
}

/// `blendsim run`: one scenario, loaded, resolved, run and described.
public enum ScenarioRun {
    /// Loads, resolves and runs the scenario at `path`; with `tracePath`, streams every student's
    /// weekly state to that file (written atomically when the run succeeds).
    public static func execute(path: String, settings: RunSettings, tracePath: String? = nil) throws(Diagnostic) -> RunReport {
        var scenario = settings.apply(to: try PluginResolution.scenario(at: path) { () throws(Diagnostic) in try PluginResolution.host(settings.pluginDirectories) })
        try ResourceCheck.check(scenario, settings: settings)
        let host = try PluginResolution.host(settings.pluginDirectories)
        let arm = try Experiment.arms([(nil, scenario)], host: host, posterior: settings.posterior)[0]
        var options = settings.engine
        var trace: TraceWriter?
        if let tracePath {
            guard scenario.programme == nil else {
                throw Diagnostic("--trace follows one semester's students; \(path) is a programme of \(scenario.programme!.semesters.count) semesters (weekly.csv has every semester)")
            }
            do {
                trace = try TraceWriter(path: tracePath)
            } catch {
                throw Diagnostic(error.message)
            }
            options.trace = trace
        }
        let start = Clock.monotonicSeconds()
        let result: SimulationResult
        var stopping: RunDescription.Stopping?
        if let automatic = settings.automaticReplications {
            let (outcome, units) = try Experiment.automatically(arms: [arm], rule: automatic, precision: .levels, options: options)
            scenario.replications = outcome.replications
            result = Experiment.results(arms: [scenario], replications: outcome.replications, units: units)[0]
            stopping = RunDescription.Stopping(
                halfWidth: automatic.halfWidth, achieved: outcome.achieved, maximum: automatic.maximum, targetMet: outcome.targetMet)
        } else {
            result = try Experiment.simulate(arm, options: options)
        }
        do {
            try trace?.finish()
        } catch {
            throw Diagnostic(error.message)
        }
        let seconds = Clock.monotonicSeconds() - start
        let plugins = ResultProvenance.used(by: [scenario], host: host)
        var description = describe(scenario, posterior: settings.posterior, host: host)
        description.stopping = stopping
        return RunReport(scenario: scenario, description: description, result: result, plugins: plugins, seconds: seconds)
    }

    /// The scenario as the results files describe it (with the posterior its parameters were
    /// drawn from, under `--uncertainty model`).
    /// With `host`, a scenario that asks for costs (`costs:`) has each group's prices filled in.
    public static func describe(_ scenario: Scenario, posterior: PosteriorSample? = nil, host: PluginHost? = nil) -> RunDescription {
        var description = RunDescription(
            scenario: scenario.name, seed: scenario.seed, replications: scenario.replications, weeks: scenario.weeks,
            controlPoints: scenario.controlPoints, baseline: scenario.baseline,
            groups: scenario.groups.map {
                RunDescription.Group(
                    name: $0.name, model: $0.model.name, onlineShare: $0.onlineShare, students: $0.students,
                    policies: $0.policies.map(\.name))
            })
        if let programme = scenario.programme {
            description.weeks = programme.weeks
            description.programme = ProgrammeDescription(
                semesters: programme.semesters.map { semester in
                    ProgrammeDescription.Semester(
                        name: semester.name, breakWeeks: semester.breakWeeks, weeks: semester.weeks, controlPoints: semester.controlPoints,
                        groups: semester.groups.map { ($0.model.name, $0.onlineShare, $0.policies.map(\.name)) })
                },
                target: programme.target)
        }
        if let host, scenario.costs != nil {
            let pricing = Costing.pricing(scenario, host: host).pricing
            for index in description.groups.indices { description.groups[index].pricing = pricing[index] }
        }
        if let posterior {
            description.uncertainty = RunDescription.Uncertainty(
                posterior: posterior.path, sha256: posterior.sha256, particles: posterior.particles.count, parameters: posterior.names)
        }
        return description
    }

    /// Resolves and runs a loaded scenario and returns its summary.json document: the one path
    /// calibration and the evidence check take to a scenario's statistics.
    static func summary(of scenario: Scenario, host: PluginHost, options: EngineOptions) throws(Diagnostic) -> JSONValue {
        let arm = try Experiment.arms([(nil, scenario)], host: host)[0]
        do {
            return Summary.document(describe(scenario), try Experiment.simulate(arm, options: options))
        } catch {
            throw Diagnostic("\(scenario.source.path): \(error.message)")
        }
    }
}
