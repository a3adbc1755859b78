public import BlendSimCore
public import BlendSimPluginHost
public import BlendSimReport
public import BlendSimScenario
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the command line may change about a run without editing the scenario.
public struct RunSettings: Sendable {
    public var pluginDirectories: [String]
    public var seed: UInt64?
    public var replications: Int?
    public var engine: EngineOptions
    /// `--replications auto`: add replications until the key outcomes' 95% CIs are narrow enough.
    public var automaticReplications: AutomaticReplications?

    public init(
        pluginDirectories: [String] = [], seed: UInt64? = nil, replications: Int? = nil,
        engine: EngineOptions = EngineOptions(), automaticReplications: AutomaticReplications? = nil
    ) {
        self.pluginDirectories = pluginDirectories
        self.seed = seed
        self.replications = replications
        self.engine = engine
        self.automaticReplications = automaticReplications
    }
}

/// The stopping rule of `--replications auto`: replications are added (10, then as many as the
/// current spread says are needed) until the 95% CI half-width of every group's final overall
/// score — in a comparison, of every paired difference in it — is at most `halfWidth`, or
/// `maximum` is reached. Replication k is the same whenever it runs, so the result is the run with
/// the final count.
public struct AutomaticReplications: Sendable {
    public var halfWidth: Double
    public var maximum: Int

    public init(halfWidth: Double, maximum: Int) {
        self.halfWidth = halfWidth
        self.maximum = maximum
    }

    /// The next count: enough for the widest interval to shrink to the target if the spread holds.
    func next(current: Int, widest: Double) -> Int? {
        guard widest > halfWidth, current < maximum else { return nil }
        let ratio = widest / halfWidth
        let needed = Int((Double(current) * ratio * ratio).rounded(.up)) + 1
        return min(maximum, max(current + 10, needed))
    }

    static func halfWidth(_ values: [Double]) -> Double {
        guard let ci = Statistic(values).ci95 else { return .infinity }
        return (ci.upper - ci.lower) / 2
    }
}

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

/// The operations behind the commands: load a scenario, resolve its plugins, run it, write the
/// results. Every failure a user can cause comes back as one `Diagnostic`.
public enum Runner {
    /// Loads every plugin on the standard plugin path with `directories` first.
    public static func loadPlugins(_ directories: [String]) throws(Diagnostic) -> PluginHost {
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

    /// Loads, resolves and runs the scenario at `path`; with `tracePath`, streams every student's
    /// weekly state to that file (written atomically when the run succeeds).
    public static func run(path: String, settings: RunSettings, tracePath: String? = nil) throws(Diagnostic) -> RunReport {
        var scenario = try ScenarioLoader.load(path: path)
        if let seed = settings.seed { scenario.seed = seed }
        if let replications = settings.replications { scenario.replications = replications }
        try ResourceCheck.check(scenario, threads: settings.engine.threads)
        let host = try loadPlugins(settings.pluginDirectories)
        let resolved = resolve(scenario, host: host)
        guard let spec = resolved.spec else { throw resolved.diagnostics[0] }
        var options = settings.engine
        var trace: TraceWriter?
        if let tracePath {
            do {
                trace = try TraceWriter(path: tracePath)
            } catch {
                throw Diagnostic(error.message)
            }
            options.trace = trace
        }
        let start = monotonicSeconds()
        var result: SimulationResult
        do {
            if let automatic = settings.automaticReplications {
                result = try runAutomatically(scenario, spec, options: options, rule: automatic)
                scenario.replications = result.replications.count
            } else {
                result = try Engine(spec: spec, options: options).run()
            }
            try trace?.finish()
        } catch let error as SimulationError {
            throw Diagnostic(error.message)
        } catch let error as OutputError {
            throw Diagnostic(error.message)
        } catch let error as Diagnostic {
            throw error
        } catch {
            throw Diagnostic("\(error)")
        }
        let seconds = monotonicSeconds() - start
        let used = Set(scenario.groups.flatMap { [$0.model.name] + $0.policies.map(\.name) })
        let plugins = host.plugins.filter { plugin in
            host.models.contains { $0.plugin == plugin && used.contains($0.name) }
                || host.policies.contains { $0.plugin == plugin && used.contains($0.name) }
        }
        return RunReport(
            scenario: scenario, description: describe(scenario), result: result, plugins: plugins, seconds: seconds)
    }

    /// Runs replications until `rule` is met (see `AutomaticReplications`).
    static func runAutomatically(
        _ scenario: Scenario, _ spec: SimulationSpec, options: EngineOptions, rule: AutomaticReplications
    ) throws(Diagnostic) -> SimulationResult {
        let arm = Arm(name: scenario.name, scenario: scenario, spec: spec, settings: [])
        var outcomes: [ReplicationOutcome] = []
        var target = min(10, rule.maximum)
        while true {
            let units = (outcomes.count..<target).map { (arm: 0, replication: $0) }
            let results = try Experiment.run(arms: [arm], units: units, options: options)
            outcomes += results.map { ReplicationOutcome(replication: $0.replication, groups: $0.groups) }
            let widest = spec.groups.indices.map { g in
                AutomaticReplications.halfWidth(outcomes.map { $0.groups[g].after.overall })
            }.max() ?? 0
            guard let next = rule.next(current: outcomes.count, widest: widest) else { break }
            target = next
        }
        let students = spec.groups.reduce(0) { $0 + $1.students }
        return SimulationResult(replications: outcomes, studentWeeks: students * spec.weeks * outcomes.count)
    }

    /// The scenario as the results files describe it.
    public static func describe(_ scenario: Scenario) -> RunDescription {
        RunDescription(
            scenario: scenario.name, seed: scenario.seed, replications: scenario.replications, weeks: scenario.weeks,
            controlPoints: scenario.controlPoints, baseline: scenario.baseline,
            groups: scenario.groups.map {
                RunDescription.Group(
                    name: $0.name, model: $0.model.name, onlineShare: $0.onlineShare, students: $0.students,
                    policies: $0.policies.map(\.name))
            })
    }

    /// manifest.json: what is needed to reproduce the run — versions, fingerprints, settings.
    public static func manifest(_ report: RunReport, invocation: [String], threads: Int, outputs: [(name: String, contents: String)]) -> JSONValue {
        .object([
            ("blendsim_version", .string(BlendSimVersion.current)),
            ("abi", .string("1.0")),
            ("created", .string(utcTimestamp())),
            ("command", .array(invocation.map { .string($0) })),
            ("scenario", .object([
                ("name", .string(report.scenario.name)),
                ("path", .string(report.scenario.source.path)),
                ("sha256", .string(report.scenario.source.sha256)),
            ])),
            ("seed", .integer(Int(truncatingIfNeeded: report.scenario.seed))),
            ("replications", .integer(report.scenario.replications)),
            ("threads", .integer(threads)),
            ("plugins", .array(report.plugins.map { plugin in
                .object([
                    ("name", .string(plugin.name)),
                    ("version", .string(plugin.version)),
                    ("abi", .string("\(plugin.abiMajor).\(plugin.abiMinor)")),
                    ("file", .string(plugin.path)),
                    ("sha256", .string(plugin.sha256)),
                ])
            })),
            ("outputs", .object(outputs.map { ($0.name, .string(SHA256.hex(Array($0.contents.utf8)))) })),
            ("student_weeks", .integer(report.result.studentWeeks)),
            ("elapsed_seconds", .finite((report.seconds * 1000).rounded() / 1000)),
        ])
    }

    /// Writes summary.json, weekly.csv and manifest.json into `directory`, all or nothing.
    public static func write(_ report: RunReport, to directory: String, force: Bool, invocation: [String], threads: Int) throws(Diagnostic) {
        try checkOutput(directory, force: force)
        let output = OutputDirectory(path: directory)
        var files: [(name: String, contents: String)] = [
            ("summary.json", report.summary.serialized(pretty: true)),
            ("weekly.csv", report.weeklyCSV),
        ]
        files.append(("manifest.json", manifest(report, invocation: invocation, threads: threads, outputs: files).serialized(pretty: true)))
        do {
            try output.write(files, replacing: force)
        } catch {
            throw Diagnostic(error.message)
        }
    }

    /// Writes result files and a manifest for commands other than `run` (compare, sweep, merge),
    /// all or nothing.
    public static func writeResults(
        _ files: [(name: String, contents: String)], to directory: String, scenarioPath: String, invocation: [String],
        force: Bool = true
    ) throws(Diagnostic) {
        let bytes = (try? ScenarioLoader.readFile(scenarioPath, limit: 1 << 30).get()) ?? []
        let manifest = JSONValue.object([
            ("blendsim_version", .string(BlendSimVersion.current)),
            ("abi", .string("1.0")),
            ("created", .string(utcTimestamp())),
            ("command", .array(invocation.map { .string($0) })),
            ("plan", .object([("path", .string(scenarioPath)), ("sha256", .string(SHA256.hex(bytes)))])),
            ("outputs", .object(files.map { ($0.name, .string(SHA256.hex(Array($0.contents.utf8)))) })),
        ])
        do {
            try OutputDirectory(path: directory).write(files + [("manifest.json", manifest.serialized(pretty: true))], replacing: force)
        } catch {
            throw Diagnostic(error.message)
        }
    }

    /// Writes `DIR/report.html` from the results files in `DIR` (summary.json; weekly.csv and
    /// manifest.json when present). Returns the report's path.
    @discardableResult
    public static func writeReport(directory: String) throws(Diagnostic) -> String {
        func text(_ name: String) -> String? {
            guard case .success(let bytes) = ScenarioLoader.readFile(directory + "/" + name, limit: 1 << 30) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard let summaryText = text("summary.json") else {
            throw Diagnostic("\(directory) holds no summary.json; run `blendsim run … --out \(directory)` first")
        }
        let summary: JSONValue
        do {
            summary = try JSONValue.parse(summaryText)
        } catch {
            throw Diagnostic("\(directory)/summary.json is not valid JSON (\(error))")
        }
        try verifyComplete(directory: directory)
        if let problem = ResultsCheck.problem(in: summary) {
            throw Diagnostic("\(directory)/summary.json: \(problem); it is not a file blendsim wrote, so no report is made")
        }
        var manifest = text("manifest.json").flatMap { try? JSONValue.parse($0) }
        if let document = manifest, ResultsCheck.problem(in: document) != nil { manifest = nil }
        let html = HTMLReport.render(summary: summary, weekly: text("weekly.csv").map(HTMLReport.Weekly.init(csv:)), manifest: manifest)
        let path = directory + "/report.html"
        try writeFile(path, html)
        return path
    }

    /// A results directory's manifest.json is written last and fingerprints the files written
    /// before it: a directory whose files do not match it was interrupted between renames or
    /// changed afterwards, and is not read. Directories without a manifest are read as they are.
    public static func verifyComplete(directory: String) throws(Diagnostic) {
        guard case .success(let bytes) = ScenarioLoader.readFile(directory + "/manifest.json", limit: 1 << 24),
            let manifest = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
            case .object(let outputs)? = manifest["outputs"]
        else { return }
        for (name, expected) in outputs {
            guard !name.contains("/"), name != "..", let hash = expected.stringValue else {
                throw Diagnostic("\(directory)/manifest.json lists an output it cannot have ('\(name)')")
            }
            guard case .success(let contents) = ScenarioLoader.readFile(directory + "/" + name, limit: 1 << 30), SHA256.hex(contents) == hash else {
                throw Diagnostic(
                    "\(directory)/\(name) does not match manifest.json: the results were interrupted while being written or changed afterwards; run again or remove manifest.json to read them as they are")
            }
        }
    }

    /// Resolves and runs a loaded scenario and returns its summary.json document: the one path
    /// calibration and the evidence check take to a scenario's statistics.
    static func summary(of scenario: Scenario, host: PluginHost, options: EngineOptions) throws(Diagnostic) -> JSONValue {
        let resolved = resolve(scenario, host: host)
        guard let spec = resolved.spec else { throw resolved.diagnostics[0] }
        do {
            return Summary.document(describe(scenario), try Engine(spec: spec, options: options).run())
        } catch {
            throw Diagnostic("\(scenario.source.path): \(error.message)")
        }
    }

    /// Whether anything (a file, directory or link) exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// Writes one file atomically (a temporary file renamed into place).
    public static func writeFile(_ path: String, _ contents: String) throws(Diagnostic) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        do {
            try OutputDirectory(path: directory.isEmpty ? "/" : directory).write([(name, contents)])
        } catch {
            throw Diagnostic(error.message)
        }
    }

    /// Removes a finished sweep's checkpoint.
    public static func removeCheckpoint(out: String) { Checkpoint.remove(out: out) }

    /// Refuses an output directory that already holds results unless `force` is set.
    public static func checkOutput(_ directory: String, force: Bool) throws(Diagnostic) {
        if OutputDirectory(path: directory).holdsResults && !force {
            throw Diagnostic("\(directory) already holds results; choose another --out or pass --force to replace them")
        }
    }

    public static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func utcTimestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
