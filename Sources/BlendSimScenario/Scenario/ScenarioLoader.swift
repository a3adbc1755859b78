public import BlendSimCore
import BlendSimSystem

/// Reads scenario files: YAML → typed, validated `Scenario` with located diagnostics.
///
/// Every key is documented in docs/SCENARIO.md; this file is the single place that knows them.
public enum ScenarioLoader {
    /// The largest scenario file accepted.
    public static let maximumFileBytes = 4 << 20

    /// Reads and validates the scenario at `path`.
    /// - Throws: the first `Diagnostic` found.
    public static func load(path: String) throws(Diagnostic) -> Scenario {
        let result = validate(path: path)
        if let first = result.diagnostics.first { throw first }
        return result.scenario!
    }

    /// Reads and validates the scenario at `path`, collecting every diagnostic it can.
    public static func validate(path: String) -> (scenario: Scenario?, diagnostics: [Diagnostic]) {
        switch readFile(path) {
        case .failure(let diagnostic): return (nil, [diagnostic])
        case .success(let bytes): return decode(ScenarioSource(path: path, bytes: bytes))
        }
    }

    /// Validates a scenario already in memory.
    public static func decode(_ source: ScenarioSource) -> (scenario: Scenario?, diagnostics: [Diagnostic]) {
        let root: YAMLNode?
        do {
            root = try YAMLReader().parse(source.bytes)
        } catch {
            return (nil, [source.diagnostic(error.message, line: error.line, column: error.column)])
        }
        guard let root else {
            return (nil, [Diagnostic("the scenario is empty", at: SourceLocation(file: source.path, line: 1, column: 1))])
        }
        var decoder = ScenarioDecoder(source: source)
        var scenario = decoder.scenario(root)
        if scenario != nil {
            let variants = decoder.variants(root)
            scenario?.variants = variants
        }
        return (decoder.diagnostics.isEmpty ? scenario : nil, decoder.diagnostics)
    }

    /// Reads a YAML document at `path` and decodes it with `decode`, throwing the first
    /// diagnostic: the common path of scenarios' companions (calibration and sweep plans).
    static func decodeDocument<T>(
        path: String, what: String, _ decode: (inout ScenarioDecoder, YAMLNode) -> T?
    ) throws(Diagnostic) -> T {
        let bytes: [UInt8]
        switch readFile(path) {
        case .failure(let diagnostic): throw diagnostic
        case .success(let read): bytes = read
        }
        let (value, diagnostics) = decodeSource(ScenarioSource(path: path, bytes: bytes), what: what, decode)
        if let first = diagnostics.first { throw first }
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
    static func readFile(_ path: String, limit: Int = maximumFileBytes) -> Result<[UInt8], Diagnostic> {
        switch FileSystem.read(path, limit: limit) {
        case .bytes(let bytes): return .success(bytes)
        case .failed(let reason): return .failure(Diagnostic("cannot read scenario '\(path)': \(reason)"))
        case .tooLarge:
            return .failure(
                Diagnostic(
                    "\(path) is larger than \(limit >> 20) MiB; a scenario describes groups, not students",
                    at: SourceLocation(file: path, line: 1, column: 1)))
        }
    }
}
