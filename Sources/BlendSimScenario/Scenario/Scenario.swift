public import BlendSimCore

/// A scenario as written in its YAML file, validated and with defaults filled in. Plugins are
/// still names here; the plugin host resolves them.
public struct Scenario: Sendable {
    public var name: String
    public var description: String?
    public var seed: UInt64
    public var replications: Int
    public var weeks: Int
    /// Weeks (1-based) ending with an assessment.
    public var controlPoints: [Int]
    public var kernel: KernelParameters
    public var groups: [GroupScenario]
    /// The group others are compared with (`baseline:`), if any.
    public var baseline: String?
    /// Where the scenario came from and its SHA-256, for the manifest.
    public var source: ScenarioSource
    /// Files included with `include:`, in order.
    public var includes: [ScenarioSource]
    /// The variants declared under `variants:`, each a complete scenario; empty if none.
    public var variants: [ScenarioVariant]
    /// Every model and policy `model_defaults` and `policy_defaults` name (here and in included
    /// files), with those defaults as parameters: the plugins check them even where no group
    /// uses them, so a misspelt name there is an error, not a silent fallback.
    public var defaultComponents: [(kind: String, reference: ComponentReference)] = []
    /// Remarks about how the scenario was read that are not errors (level head-counts read as
    /// shares, shares that summed to 0.99 normalised): shown as `file:line:column: note: …`.
    public var notes: [Diagnostic] = []
    /// `costs:`, when the scenario asks for costs (docs/COSTS.md).
    public var costs: CostSettings?
    /// `programme:`, when the scenario follows its students over several semesters; nil for a
    /// scenario of one semester.
    public var programme: Programme? = nil
}

/// One group of a scenario.
public struct GroupScenario: Sendable {
    public var name: String
    public var students: Int
    /// Starting share per `LevelBand`, indexed by `rawValue`.
    public var levelShares: [Double]
    public var onlineShare: Double
    public var contactHours: Double
    public var siwtHours: Double
    public var siwHours: Double
    public var studentsPerTeacher: Double
    public var population: PopulationSpec
    public var model: ComponentReference
    public var policies: [ComponentReference]
    public var location: SourceLocation
    /// The university's own students (`cohort:`), and whether they are resampled to `students`.
    public var cohort: CohortData? = nil
    public var bootstrap = false
}

/// A model or policy named by a scenario, with the parameters given for it.
public struct ComponentReference: Sendable {
    public var name: String
    /// The parameters as a JSON object, in the order written.
    public var parameters: [(String, JSONValue)]
    /// Where the name is written.
    public var location: SourceLocation
    /// Where each parameter's key is written.
    public var parameterLocations: [String: SourceLocation]
    /// The parameters that came from `model_defaults` or `policy_defaults` rather than the
    /// group itself.
    public var fromDefaults: Set<String> = []

    /// Whether the group itself sets `parameter` (a default from `model_defaults` or
    /// `policy_defaults` does not count).
    public func setsOwn(_ parameter: String) -> Bool {
        !fromDefaults.contains(parameter) && parameters.contains { $0.0 == parameter }
    }
}

/// The text of a scenario file, kept for error snippets and fingerprints.
public struct ScenarioSource: Sendable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public var sha256: String { SHA256.hex(bytes) }

    /// The text of a 1-based line, if there is one.
    public func line(_ number: Int) -> String? {
        var current = 1
        var start = 0
        for (index, byte) in bytes.enumerated() {
            if current == number && byte == 0x0A {
                return String(decoding: bytes[start..<index], as: UTF8.self)
            }
            if byte == 0x0A {
                current += 1
                start = index + 1
            }
        }
        return current == number && start <= bytes.count
            ? String(decoding: bytes[start...], as: UTF8.self) : nil
    }

    /// A located diagnostic with the offending line.
    public func diagnostic(_ message: String, line: Int, column: Int) -> Diagnostic {
        Diagnostic(
            message, at: SourceLocation(file: path, line: line, column: column),
            sourceLine: self.line(line))
    }

    public func location(of node: YAMLNode) -> SourceLocation {
        SourceLocation(file: path, line: node.line, column: node.column)
    }
}
