/// A parameter a model or policy accepts, as scenarios write it and the host checks it.
public struct ParameterSpec: Sendable {
    public enum Kind: String, Sendable {
        case number, integer, boolean, string
    }

    public var name: String
    public var kind: Kind
    /// The value used when a scenario does not give one, as JSON text (`0.5`, `true`, `"a"`).
    public var defaultJSON: String
    public var minimum: Double?
    public var maximum: Double?
    /// Allowed values of a string parameter.
    public var options: [String]?
    public var unit: String
    public var help: String

    /// A number in `range`.
    public static func number(
        _ name: String, default value: Double, range: ClosedRange<Double>, unit: String = "1", help: String
    ) -> ParameterSpec {
        ParameterSpec(
            name: name, kind: .number, defaultJSON: "\(value)", minimum: range.lowerBound,
            maximum: range.upperBound, options: nil, unit: unit, help: help)
    }

    /// A whole number in `range`.
    public static func integer(
        _ name: String, default value: Int, range: ClosedRange<Int>, unit: String = "1", help: String
    ) -> ParameterSpec {
        ParameterSpec(
            name: name, kind: .integer, defaultJSON: "\(value)", minimum: Double(range.lowerBound),
            maximum: Double(range.upperBound), options: nil, unit: unit, help: help)
    }

    /// true or false.
    public static func boolean(_ name: String, default value: Bool, help: String) -> ParameterSpec {
        ParameterSpec(
            name: name, kind: .boolean, defaultJSON: value ? "true" : "false", minimum: nil, maximum: nil,
            options: nil, unit: "", help: help)
    }

    /// One of `options`.
    public static func choice(_ name: String, default value: String, options: [String], help: String) -> ParameterSpec {
        ParameterSpec(
            name: name, kind: .string, defaultJSON: "\"\(value)\"", minimum: nil, maximum: nil, options: options,
            unit: "", help: help)
    }
}

/// A blended model: decides what a group's week looks like.
///
/// `planWeek` is called once per group per week, on one thread at a time. When
/// `decidesPerStudent` is true, `decide` is called for every chunk of students — concurrently for
/// different chunks — and must not change the model.
public protocol BlendedModel: Sendable {
    /// The parameters as decoded from the scenario. Keys are the snake_case parameter names.
    associatedtype Parameters: Decodable & Sendable

    /// The name scenarios use, e.g. `flipped-classroom`.
    static var name: String { get }
    /// One line for `blendsim plugins`.
    static var summary: String { get }
    static var parameters: [ParameterSpec] { get }
    /// Whether `decide` should be called per chunk.
    static var decidesPerStudent: Bool { get }

    init(parameters: Parameters) throws

    /// The week's activities for the group.
    mutating func planWeek(_ week: Week) throws -> [Activity]

    /// Per-student participation for one chunk.
    func decide(_ week: Week, chunk: StudentChunk) throws
}

extension BlendedModel {
    public static var decidesPerStudent: Bool { false }
    public func decide(_ week: Week, chunk: StudentChunk) throws {}
}

/// A policy: changes a group's teaching conditions, and optionally participation per student.
public protocol Policy: Sendable {
    associatedtype Parameters: Decodable & Sendable

    static var name: String { get }
    static var summary: String { get }
    static var parameters: [ParameterSpec] { get }
    static var adjustsPerStudent: Bool { get }

    init(parameters: Parameters) throws

    /// Changes the week's conditions before the model plans the week.
    mutating func beginWeek(_ week: Week, conditions: inout Conditions) throws

    /// Per-student adjustment for one chunk, after the model's decisions.
    func adjust(_ week: Week, chunk: StudentChunk) throws
}

extension Policy {
    public static var adjustsPerStudent: Bool { false }
    public func adjust(_ week: Week, chunk: StudentChunk) throws {}
}

/// Parameters for components that take none.
public struct NoParameters: Decodable, Sendable {
    public init() {}
}

/// An error a plugin throws with a message for the user.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
