public import BlendSimCore
import BlendSimPluginHost
import BlendSimReport
import BlendSimRunner
import BlendSimScenario
import BlendSimSystem

/// The JSON API behind `blendsim serve` (docs/openapi.json), without the HTTP: a request's method,
/// path, query and body in, a status, content type and body out. Every answer is computed by the
/// same Runner functions as `blendsim run` and `blendsim compare`, writing the same results files
/// into a private directory, so the page's summary.json is the CLI's, byte for byte.
public final class WhatIfService: Sendable {
    /// The API's version, the first segment of every API path (`/api/v1/...`).
    public static let version = "v1"

    public struct Configuration: Sendable {
        /// The plugin path (the server's command line only: never a client's).
        public var pluginDirectories: [String]
        /// The shipped scenarios the page may start from.
        public var scenariosDirectory: String?
        /// Engine threads per simulation.
        public var threads: Int
        /// The memory budget each request's estimate must pass (bytes).
        public var memoryBudget: Double
        /// The most student-weeks (students × weeks × replications × variants) one request may ask for.
        public var maximumStudentWeeks: Double

        public init(
            pluginDirectories: [String] = [], scenariosDirectory: String? = nil, threads: Int = 1, memoryBudget: Double = 1_073_741_824,
            maximumStudentWeeks: Double = 10_000_000
        ) {
            self.pluginDirectories = pluginDirectories
            self.scenariosDirectory = scenariosDirectory
            self.threads = threads
            self.memoryBudget = memoryBudget
            self.maximumStudentWeeks = maximumStudentWeeks
        }
    }

    public let configuration: Configuration
    /// Where each request's scenario and results are staged (removed after each answer).
    let work: String
    /// The latest answers' files (summary.json, report.html, scenario.yaml) by id, for the page's
    /// frame and downloads; the oldest is forgotten beyond `resultsKept` answers or `resultsBytes`.
    let results = LockedValue<[(id: String, files: [String: [UInt8]])]>([])
    static let resultsKept = 64
    static let resultsBytes = 64 << 20

    /// A file of a recent answer, or nil.
    public func resultFile(id: String, name: String) -> [UInt8]? {
        results.withLock { kept in kept.first { $0.id == id }?.files[name] }
    }

    func keep(_ files: [String: [UInt8]]) -> String {
        var generator = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        results.withLock { kept in
            kept.append((id, files))
            if kept.count > Self.resultsKept { kept.removeFirst(kept.count - Self.resultsKept) }
            // And at most `resultsBytes` in all: the oldest go first (the newest always stays).
            var total = kept.reduce(0) { $0 + $1.files.values.reduce(0) { $0 + $1.count } }
            while total > Self.resultsBytes, kept.count > 1 {
                total -= kept[0].files.values.reduce(0) { $0 + $1.count }
                kept.removeFirst()
            }
        }
        return id
    }

    /// A service staging its work under a new private temporary directory.
    public init(configuration: Configuration) throws(Diagnostic) {
        guard let work = FileSystem.makeTemporaryDirectory(prefix: "blendsim-serve-") else {
            throw Diagnostic("cannot create a working directory for the server: \(FileSystem.lastError)")
        }
        self.configuration = configuration
        self.work = work
    }

    /// Removes the working directory (when the server stops).
    public func close() { FileSystem.removeTree(work) }

    /// The largest request body the API reads.
    public static let maximumBodyBytes = 1 << 20

    /// Answers one API request. `path` starts with `/api/`.
    public func respond(method: String, path: String, query: [String: String], body: [UInt8]) -> APIResponse {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == Self.version else {
            return .error(404, "no such API path; this server speaks /api/\(Self.version)/ (docs/openapi.json)")
        }
        let route = parts.dropFirst(2).joined(separator: "/")
        switch (method, route) {
        case ("GET", "plugins"): return hosted { host in .json(200, Self.plugins(host)) }
        case ("GET", "schema"): return hosted { host in .json(200, ScenarioSchema.document(host: host)) }
        case ("GET", "scenarios"): return .json(200, .object([("scenarios", .array(shippedScenarios().map { .string($0) }))]))
        case ("GET", _) where route.hasPrefix("scenarios/") && parts.count == 4: return shipped(Self.percentDecoded(parts[3]) ?? "")
        case ("GET", "template"): return hosted { host throws(Diagnostic) in
            let text = try ScenarioTemplate.text(model: query["model"] ?? "flipped-classroom", host: host)
            return try Self.documentResponse(text, name: "template.yaml")
        }
        case ("POST", "document"): return decoded(body) { request throws(Diagnostic) in
            try Self.documentResponse(try request.scenario(), name: "uploaded.yaml")
        }
        case ("POST", "validate"): return decoded(body) { request throws(Diagnostic) in try self.validate(request) }
        case ("POST", "run"): return decoded(body) { request throws(Diagnostic) in try self.simulate(request, compare: false) }
        case ("POST", "compare"): return decoded(body) { request throws(Diagnostic) in try self.simulate(request, compare: true) }
        case (_, "plugins"), (_, "schema"), (_, "scenarios"), (_, "template"), (_, "document"), (_, "validate"), (_, "run"), (_, "compare"):
            return .error(405, "\(method) is not allowed on \(path)")
        default:
            return .error(404, "no such API path: \(path) (docs/openapi.json)")
        }
    }

    // MARK: - Requests

    /// A request body: a JSON object with the scenario's text (YAML, or JSON, which is YAML).
    struct Request {
        let document: JSONValue

        func scenario() throws(Diagnostic) -> String {
            guard let text = document["scenario"]?.stringValue else {
                throw Diagnostic("the request needs 'scenario': the scenario's text (YAML)")
            }
            guard text.utf8.count <= ScenarioLoader.maximumFileBytes else { throw Diagnostic("the scenario is larger than 4 MiB") }
            return text
        }

        var modelUncertainty: Bool { document["uncertainty"]?.stringValue == "model" }
    }

    func decoded(_ body: [UInt8], _ answer: (Request) throws(Diagnostic) -> APIResponse) -> APIResponse {
        guard body.count <= Self.maximumBodyBytes else { return .error(413, "the request body is larger than 1 MiB") }
        guard let text = String(validating: body, as: UTF8.self), let document = try? JSONValue.parse(text), case .object = document else {
            return .error(400, "the request body must be a JSON object")
        }
        do throws(Diagnostic) {
            return try answer(Request(document: document))
        } catch {
            return .error(422, scrubbed(error))
        }
    }

    func hosted(_ answer: (PluginHost) throws(Diagnostic) -> APIResponse) -> APIResponse {
        let host: PluginHost
        do throws(Diagnostic) {
            host = try PluginResolution.host(configuration.pluginDirectories)
        } catch {
            return .error(500, scrubbed(error))
        }
        do throws(Diagnostic) {
            return try answer(host)
        } catch {
            return .error(422, scrubbed(error))
        }
    }

    // MARK: - Scenarios

    /// The shipped scenarios a page may start from: those that load as they are, with no
    /// `include:` (a client's scenario cannot include files).
    func shippedScenarios() -> [String] {
        guard let directory = configuration.scenariosDirectory, let names = FileSystem.entries(of: directory) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted().filter { name in
            guard let bytes = FileSystem.contents(directory + "/" + name, limit: ScenarioLoader.maximumFileBytes),
                (try? ClientScenario.check(String(decoding: bytes, as: UTF8.self), name: name)) != nil
            else { return false }
            return ScenarioLoader.check(ScenarioSource(path: name, bytes: bytes)).scenario != nil
        }
    }

    func shipped(_ name: String) -> APIResponse {
        guard shippedScenarios().contains(name), let directory = configuration.scenariosDirectory,
            let bytes = FileSystem.contents(directory + "/" + name, limit: ScenarioLoader.maximumFileBytes)
        else { return .error(404, "no shipped scenario named '\(name)'") }
        do throws(Diagnostic) {
            return try Self.documentResponse(String(decoding: bytes, as: UTF8.self), name: name)
        } catch {
            return .error(422, error)
        }
    }

    /// A scenario's text as the page edits it: the YAML document as JSON, and the text itself.
    static func documentResponse(_ text: String, name: String) throws(Diagnostic) -> APIResponse {
        let document = try ClientScenario.check(text, name: name)
        return .json(200, .object([("name", .string(name)), ("document", document), ("yaml", .string(text))]))
    }

    static func plugins(_ host: PluginHost) -> JSONValue {
        func describe(_ name: String, _ schema: ParameterSchema, _ plugin: String, _ summary: String, _ evidence: String?) -> JSONValue {
            .object([
                ("name", .string(name)), ("plugin", .string(plugin)), ("example", .bool(plugin.hasPrefix("blendsim-example-"))),
                ("summary", .string(summary)),
                ("evidence", evidence.map(JSONValue.string) ?? .null),
                ("parameters", .array(schema.parameters.map { spec in
                    .object([
                        ("name", .string(spec.name)), ("type", .string(spec.type)), ("default", spec.defaultValue),
                        ("minimum", spec.minimum.map(JSONValue.number) ?? .null), ("maximum", spec.maximum.map(JSONValue.number) ?? .null),
                        ("unit", .string(spec.unit)), ("help", .string(spec.help)),
                        ("options", spec.options.map { .array($0.map(JSONValue.string)) } ?? .null),
                    ])
                })),
            ])
        }
        return .object([
            ("models", .array(host.models.map { describe($0.name, $0.schema, $0.plugin.name, $0.summary, $0.evidence) })),
            ("policies", .array(host.policies.map { describe($0.name, $0.schema, $0.plugin.name, $0.summary, $0.evidence) })),
        ])
    }

    // MARK: - Validation and simulation

    /// `blendsim validate`: every problem of the scenario, its plugins and its variants.
    func validate(_ request: Request) throws(Diagnostic) -> APIResponse {
        let staged = try stage(try request.scenario())
        defer { FileSystem.removeTree(staged.directory) }
        let directories = configuration.pluginDirectories
        let (_, diagnostics) = PluginResolution.problems(path: staged.path, variants: true) { () throws(Diagnostic) in
            try PluginResolution.host(directories)
        }
        if let error = Diagnostic.collected(diagnostics) { throw error }
        return .json(200, .object([("valid", .bool(true))]))
    }

    /// `run` (compare false) or `compare` of the request's scenario: the results files as the CLI
    /// writes them, and the table it prints.
    func simulate(_ request: Request, compare: Bool) throws(Diagnostic) -> APIResponse {
        let staged = try stage(try request.scenario())
        defer { FileSystem.removeTree(staged.directory) }
        var settings = RunSettings(
            pluginDirectories: configuration.pluginDirectories, engine: EngineOptions(threads: configuration.threads), memoryBudget: configuration.memoryBudget)
        if request.modelUncertainty {
            guard let path = PosteriorSample.shippedPath() else { throw Diagnostic("this server has no posterior sample for model uncertainty") }
            settings.posterior = try PosteriorSample.load(path: path)
        }
        let directories = configuration.pluginDirectories
        // Every problem `blendsim validate` finds, plugins and variants included, before anything runs.
        let (checked, problems) = PluginResolution.problems(path: staged.path, variants: compare) { () throws(Diagnostic) in
            try PluginResolution.host(directories)
        }
        if let error = Diagnostic.collected(problems) { throw error }
        guard let scenario = checked else { throw Diagnostic("the scenario could not be read") }
        try checkWork(scenario, compare: compare)
        let out = staged.directory + "/results"
        let name = FileSystem.split(staged.path).name
        let invocation = ["blendsim", compare ? "compare" : "run", name] + (request.modelUncertainty ? ["--uncertainty", "model"] : [])
        let table: String
        if compare {
            guard case .complete(let report) = try VariantComparison.run(path: staged.path, settings: settings, shard: nil) else {
                throw Diagnostic("a comparison from the page is never sharded")
            }
            try report.write(to: out, planPath: staged.path, invocation: invocation, force: true)
            table = report.tableText
        } else {
            let report = try ScenarioRun.execute(path: staged.path, settings: settings)
            try ResultsDirectory.write(report, to: out, force: true, invocation: invocation, threads: configuration.threads)
            table = report.terminal(color: false)
        }
        try ResultsDirectory.writeReport(directory: out)
        func text(_ file: String) -> String {
            String(decoding: FileSystem.contents(out + "/" + file, limit: 1 << 28) ?? [], as: UTF8.self)
        }
        // With model uncertainty, the results name the posterior they drew from: by its file name.
        let paths = serverPaths
        let summary = Self.withoutServerPaths(text("summary.json"), replacing: paths)
        let id = keep([
            "summary.json": Array(summary.utf8), "report.html": Array(Self.withoutServerPaths(text("report.html"), replacing: paths).utf8), "scenario.yaml": Array(try request.scenario().utf8),
        ])
        return .json(200, .object([
            ("id", .string(id)),
            ("kind", .string(compare ? "compare" : "run")),
            ("table", .string(Self.withoutServerPaths(table, replacing: paths))),
            ("summary", (try? JSONValue.parse(summary)) ?? .null),
            ("summary_json", .string(summary)),
        ]))
    }

    /// Refuses a request that asks for more simulated student-weeks than the server allows.
    func checkWork(_ scenario: Scenario, compare: Bool) throws(Diagnostic) {
        let arms = compare ? max(scenario.variants.count, 1) : 1
        // What the answer's size grows with besides the simulation: every variant's groups.
        guard arms <= Self.maximumVariants, scenario.groups.count <= Self.maximumGroups else {
            throw Diagnostic(
                "this what-if has \(arms) variants of \(scenario.groups.count) groups; this server answers up to \(Self.maximumVariants) variants of up to \(Self.maximumGroups) groups — run it with blendsim compare")
        }
        let students = scenario.groups.reduce(0.0) { $0 + Double($1.students) }
        let work = students * Double(scenario.teachingWeeks) * Double(scenario.replications) * Double(arms)
        guard work <= configuration.maximumStudentWeeks else {
            throw Diagnostic(
                "this what-if asks for \(Self.count(work)) student-weeks (students × weeks × replications × variants); this server answers up to \(Self.count(configuration.maximumStudentWeeks)) — fewer students or replications, or run it with blendsim run")
        }
    }

    /// The most variants (a sweep's points) and groups one request may have.
    public static let maximumVariants = 32
    public static let maximumGroups = 16

    /// The client's scenario, checked for what a client may not ask for, in a file of its own.
    func stage(_ text: String) throws(Diagnostic) -> (directory: String, path: String) {
        _ = try ClientScenario.check(text, name: "scenario.yaml")
        guard let directory = FileSystem.makeTemporaryDirectory(prefix: "request-", in: work) else {
            throw Diagnostic("cannot stage the scenario: \(FileSystem.lastError)")
        }
        let path = directory + "/scenario.yaml"
        do throws(Diagnostic) {
            try ResultsDirectory.writeFile(path, text)
        } catch {
            FileSystem.removeTree(directory)
            throw error
        }
        return (directory, path)
    }
}

/// One API answer.
public struct APIResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    static func json(_ status: Int, _ document: JSONValue) -> APIResponse {
        APIResponse(status: status, contentType: "application/json; charset=utf-8", body: Array(document.serialized().utf8))
    }

    static func error(_ status: Int, _ message: String) -> APIResponse { error(status, Diagnostic(message)) }

    public static func notFound(_ path: String) -> APIResponse { error(404, "nothing is served at \(path)") }
    public static let tooLarge = error(413, "the request body is larger than 1 MiB")
    public static let superseded = error(409, "a newer request from the same page superseded this one")
    public static let busy = error(503, "the server is running as many simulations as it may; try again in a second")
    public static let unauthorized = error(401, "this server needs its token (the one printed when it started)")

    /// The error object every API error answers with (docs/openapi.json, `Error`).
    static func error(_ status: Int, _ diagnostic: Diagnostic) -> APIResponse {
        json(status, ClientScenario.errorObject(diagnostic))
    }
}
