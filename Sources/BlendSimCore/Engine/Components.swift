public import CBlendSimABI

/// An error reported by a model or policy, in its own words.
public struct ComponentError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Creates the model instances of a group: one per replication, so replications can run
/// concurrently without sharing a plugin's state.
public protocol ModelFactory: Sendable {
    /// The model's registered name, e.g. `flipped-classroom`.
    var name: String { get }
    /// The library that provides it, for error messages and the manifest.
    var provider: String { get }
    func makeInstance() throws(ComponentError) -> any ModelInstance
}

/// Creates the policy instances of a group, one per replication.
public protocol PolicyFactory: Sendable {
    var name: String { get }
    var provider: String { get }
    func makeInstance() throws(ComponentError) -> any PolicyInstance
}

/// A blended model as the engine drives it.
///
/// `planWeek` is called on one thread at a time; `decide` concurrently for disjoint chunks,
/// during which the instance must not change.
public protocol ModelInstance: AnyObject, Sendable {
    /// Whether `decide` should be called for each chunk.
    var decidesPerStudent: Bool { get }
    /// Writes the week's activities into `activities` and returns how many it wrote.
    func planWeek(
        _ week: UnsafePointer<bs_week_context>, into activities: UnsafeMutableBufferPointer<bs_activity>
    ) throws(ComponentError) -> Int
    /// Writes per-student participation multipliers for one chunk.
    func decide(
        _ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>
    ) throws(ComponentError)
}

/// A policy as the engine drives it: it changes the week's conditions, and optionally adjusts
/// participation per student.
public protocol PolicyInstance: AnyObject, Sendable {
    var adjustsPerStudent: Bool { get }
    func beginWeek(_ week: UnsafeMutablePointer<bs_week_context>) throws(ComponentError)
    func adjust(
        _ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>
    ) throws(ComponentError)
}
