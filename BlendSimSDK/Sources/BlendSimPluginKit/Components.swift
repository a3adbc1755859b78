/// A blended model: decides what a group's week looks like.
///
/// `planWeek` is called once per group per week, on one thread at a time. When
/// `decidesPerStudent` is true, `decide` is called for every chunk of students — concurrently for
/// different chunks — and must not change the model.
public protocol BlendedModel: Sendable {
    /// The parameters, each declared once with `@Parameter` (see `PluginParameters`);
    /// `NoParameters` for none.
    associatedtype Parameters: PluginParameters

    /// The name scenarios use, e.g. `flipped-classroom`.
    static var name: String { get }
    /// One line for `blendsim plugins`.
    static var summary: String { get }
    /// The sources of the model's figures (citations, one line), or nil; shown by
    /// `blendsim plugins`.
    static var evidence: String? { get }
    /// What the model costs a university, item by item (`Cost`; docs/COSTS.md): shown by
    /// `blendsim plugins` and priced when a scenario asks for costs.
    static var costs: [Cost] { get }
    /// Whether `decide` should be called per chunk.
    static var decidesPerStudent: Bool { get }

    /// An instance for one group in one replication, with the scenario's values.
    init(parameters: Parameters) throws

    /// The week's activities for the group.
    mutating func planWeek(_ week: Week) throws -> [Activity]

    /// Per-student participation for one chunk.
    func decide(_ week: Week, chunk: StudentChunk) throws
}

extension BlendedModel {
    /// No sources named.
    public static var evidence: String? { nil }
    /// No cost of its own.
    public static var costs: [Cost] { [] }
    /// Models decide per week unless they say otherwise.
    public static var decidesPerStudent: Bool { false }
    /// Every student takes part in every activity as planned.
    public func decide(_ week: Week, chunk: StudentChunk) throws {}
}

/// A policy: changes a group's teaching conditions, and optionally participation per student.
public protocol Policy: Sendable {
    /// The parameters, each declared once with `@Parameter` (see `PluginParameters`);
    /// `NoParameters` for none.
    associatedtype Parameters: PluginParameters

    /// The name scenarios use, e.g. `teacher-it-training`.
    static var name: String { get }
    /// One line for `blendsim plugins`.
    static var summary: String { get }
    /// The sources of the policy's figures (citations, one line), or nil; shown by
    /// `blendsim plugins`.
    static var evidence: String? { get }
    /// What the policy costs a university, item by item (`Cost`; docs/COSTS.md).
    static var costs: [Cost] { get }
    /// Whether `adjust` should be called per chunk.
    static var adjustsPerStudent: Bool { get }

    /// An instance for one group in one replication, with the scenario's values.
    init(parameters: Parameters) throws

    /// Changes the week's conditions before the model plans the week.
    mutating func beginWeek(_ week: Week, conditions: inout Conditions) throws

    /// Per-student adjustment for one chunk, after the model's decisions.
    func adjust(_ week: Week, chunk: StudentChunk) throws
}

extension Policy {
    /// No sources named.
    public static var evidence: String? { nil }
    /// No cost of its own.
    public static var costs: [Cost] { [] }
    /// Policies act through the conditions unless they say otherwise.
    public static var adjustsPerStudent: Bool { false }
    /// No per-student adjustment.
    public func adjust(_ week: Week, chunk: StudentChunk) throws {}
}

/// An error a plugin throws with a message for the user.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    /// The message, shown to the user with the plugin's name.
    public var description: String
    /// An error with `description` as its message.
    public init(_ description: String) { self.description = description }
}
