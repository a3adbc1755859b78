public import BlendSimCore
import BlendSimSystem

/// Reads scenario files: YAML → typed, validated `Scenario` with located diagnostics. There is
/// one way to read a scenario, `check` (from a path or from bytes in memory), which returns what
/// it found (`Checked`); `load` is `check` that throws every error at once. Checking the plugins a
/// scenario names as well is `PluginResolution.scenario(at:host:)` (or `problems` for every error).
///
/// Every key is documented in docs/SCENARIO.md; this file is the single place that knows them.
public enum ScenarioLoader {
    /// The keys of a scenario's top level (docs/SCENARIO.md).
    public static var topLevelKeys: [String] { ScenarioDecoder.topKeys }
    /// The keys of a group (docs/SCENARIO.md).
    public static var groupKeys: [String] { ScenarioDecoder.groupKeys }

    /// The largest scenario file accepted.
    public static let maximumFileBytes = 4 << 20

    /// Reads and validates the scenario at `path`.
    /// - Throws: the first `Diagnostic` found.
    /// - Throws: every `Diagnostic` found, as one (`Diagnostic.collected`).
    public static func load(path: String) throws(Diagnostic) -> Scenario {
        let checked = check(path: path)
        if let error = Diagnostic.collected(Diagnostic.report(checked.diagnostics, mainFile: path)) { throw error }
        return checked.scenario!
    }

    /// What reading a scenario found: the scenario if it has no error, every error, and the
    /// models and policies its groups name (recorded even when the file has errors, for the
    /// plugins to check).
    public struct Checked: Sendable {
        public var scenario: Scenario?
        public var diagnostics: [Diagnostic]
        public var components: [(kind: String, reference: ComponentReference)]
        public var source: ScenarioSource?
        /// The files the scenario includes, for errors located in them.
        public var includes: [ScenarioSource] = []
    }

    /// Reads and validates the scenario at `path`, collecting every diagnostic and every named
    /// component it can.
    public static func check(path: String) -> Checked {
        switch readFile(path) {
        case .failure(let diagnostic): return Checked(scenario: nil, diagnostics: [diagnostic], components: [], source: nil)
        case .success(let bytes): return check(ScenarioSource(path: path, bytes: bytes))
        }
    }

    /// Reads and validates a scenario already in memory, collecting every diagnostic and every
    /// named component it can.
    public static func check(_ source: ScenarioSource) -> Checked {
        let root: YAMLNode?
        do {
            root = try YAMLReader().parse(source.bytes)
        } catch {
            return Checked(scenario: nil, diagnostics: [source.diagnostic(error.message, line: error.line, column: error.column)], components: [], source: source)
        }
        guard let root else {
            return Checked(
                scenario: nil, diagnostics: [Diagnostic("the scenario is empty", at: SourceLocation(file: source.path, line: 1, column: 1))],
                components: [], source: source)
        }
        var decoder = ScenarioDecoder(source: source)
        var scenario = decoder.scenario(root)
        if scenario != nil {
            let variants = decoder.variants(root)
            scenario?.variants = variants
        }
        return Checked(
            scenario: decoder.diagnostics.isEmpty ? scenario : nil, diagnostics: decoder.diagnostics,
            components: decoder.components + decoder.defaultComponents, source: source, includes: decoder.includes)
    }

    /// Reads a YAML document at `path` and decodes it with `decode`, throwing the first
    /// diagnostic: the common path of scenarios' companions (calibration and sweep plans).
    static func decodeDocument<T>(
        path: String, what: String, _ decode: (inout ScenarioDecoder, YAMLNode) -> T?
    ) throws(Diagnostic) -> T {
        let bytes: [UInt8]
        switch readFile(path, what: what) {
        case .failure(let diagnostic): throw diagnostic
        case .success(let read): bytes = read
        }
        let (value, diagnostics) = decodeSource(ScenarioSource(path: path, bytes: bytes), what: what, decode)
        if let error = Diagnostic.collected(Diagnostic.report(diagnostics)) { throw error }
        return value!
    }

    /// Decodes a companion document's bytes: the value, or every located problem.
    static func decodeSource<T>(
        _ source: ScenarioSource, what: String, _ decode: (inout ScenarioDecoder, YAMLNode) -> T?
    ) -> (T?, [Diagnostic]) {
        let root: YAMLNode?
        do {
            root = try YAMLReader().parse(source.bytes)
        } catch {
            return (nil, [source.diagnostic(error.message, line: error.line, column: error.column)])
        }
        guard let root else { return (nil, [Diagnostic("the \(what) is empty", at: SourceLocation(file: source.path, line: 1, column: 1))]) }
        var decoder = ScenarioDecoder(source: source)
        let value = decode(&decoder, root)
        return (decoder.diagnostics.isEmpty ? value : nil, decoder.diagnostics)
    }

    /// A scenario document's bytes, refusing files over `limit` bytes.
    static func readFile(_ path: String, limit: Int = maximumFileBytes, what: String = "scenario") -> Result<[UInt8], Diagnostic> {
        switch FileSystem.read(path, limit: limit) {
        case .bytes(let bytes): return .success(bytes)
        case .failed(let reason): return .failure(Diagnostic("cannot read \(what) '\(path)': \(reason)"))
        case .tooLarge:
            return .failure(
                Diagnostic(
                    "\(path) is larger than \(limit >> 20) MiB; a scenario describes groups, not students",
                    at: SourceLocation(file: path, line: 1, column: 1)))
        }
    }
}
