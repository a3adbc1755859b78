public import BlendSimCore
import CBlendSimABI

/// A model a plugin registered.
public struct ModelComponent: Sendable {
    /// The name scenarios use.
    public let name: String
    /// One line for `blendsim plugins`.
    public let summary: String
    /// The parameters it accepts, as its plugin declares them.
    public let schema: ParameterSchema
    /// The sources of the model's figures, when the plugin names them (ABI 1.1).
    public let evidence: String?
    /// The library that provides it.
    public let plugin: LoadedPlugin
    let descriptor: Descriptor<bs_model_descriptor>

    init(_ pointer: UnsafePointer<bs_model_descriptor>, plugin: LoadedPlugin) throws(PluginHostError) {
        let descriptor = try Descriptor(pointer, kind: "model", minimumSize: Int(BS_MODEL_DESCRIPTOR_SIZE_1_0), plugin: plugin)
        let d = descriptor.value
        (name, summary, schema) = try DescriptorCheck.check(
            kind: "model", name: d.name, summary: d.summary, schema: d.parameter_schema,
            hasFunctions: d.create != nil && d.destroy != nil && d.plan_week != nil, functions: "create, destroy or plan_week",
            plugin: plugin)
        evidence = descriptor.covers(Int(BS_MODEL_DESCRIPTOR_SIZE_1_1)) ? d.evidence.map { String(cString: $0) } : nil
        self.plugin = plugin
        self.descriptor = descriptor
    }

    /// A factory for instances with `parameters`, checked against the schema.
    public func factory(parameters: [(String, JSONValue)]) throws(ParameterSchema.Problem) -> any ModelFactory {
        let resolved = try schema.resolve(parameters)
        return PluginModelFactory(component: self, json: resolved.serialized())
    }
}

/// A policy a plugin registered.
public struct PolicyComponent: Sendable {
    /// The name scenarios use.
    public let name: String
    /// One line for `blendsim plugins`.
    public let summary: String
    /// The parameters it accepts, as its plugin declares them.
    public let schema: ParameterSchema
    /// The sources of the policy's figures, when the plugin names them (ABI 1.1).
    public let evidence: String?
    /// The library that provides it.
    public let plugin: LoadedPlugin
    let descriptor: Descriptor<bs_policy_descriptor>

    init(_ pointer: UnsafePointer<bs_policy_descriptor>, plugin: LoadedPlugin) throws(PluginHostError) {
        let descriptor = try Descriptor(pointer, kind: "policy", minimumSize: Int(BS_POLICY_DESCRIPTOR_SIZE_1_0), plugin: plugin)
        let d = descriptor.value
        (name, summary, schema) = try DescriptorCheck.check(
            kind: "policy", name: d.name, summary: d.summary, schema: d.parameter_schema,
            hasFunctions: d.create != nil && d.destroy != nil && d.begin_week != nil, functions: "create, destroy or begin_week",
            plugin: plugin)
        evidence = descriptor.covers(Int(BS_POLICY_DESCRIPTOR_SIZE_1_1)) ? d.evidence.map { String(cString: $0) } : nil
        self.plugin = plugin
        self.descriptor = descriptor
    }

    /// A factory for instances with `parameters`, checked against the schema.
    public func factory(parameters: [(String, JSONValue)]) throws(ParameterSchema.Problem) -> any PolicyFactory {
        let resolved = try schema.resolve(parameters)
        return PluginPolicyFactory(component: self, json: resolved.serialized())
    }
}

/// The checks every model and policy descriptor must pass, with errors naming the file.
enum DescriptorCheck {
    static func check(
        kind: String, name: UnsafePointer<CChar>?, summary: UnsafePointer<CChar>?, schema: UnsafePointer<CChar>?,
        hasFunctions: Bool, functions: String, plugin: LoadedPlugin
    ) throws(PluginHostError) -> (String, String, ParameterSchema) {
        let name = name.map { String(cString: $0) } ?? ""
        guard PluginLibrary.isValidName(name) else {
            throw PluginHostError("\(plugin.path): \(kind) name '\(name)' is not valid (lowercase letters, digits and '-')")
        }
        guard hasFunctions else { throw PluginHostError("\(plugin.path): \(kind) '\(name)' lacks \(functions)") }
        do {
            let parsed = try ParameterSchema(json: schema.map { String(cString: $0) } ?? "")
            return (name, summary.map { String(cString: $0) } ?? "", parsed)
        } catch {
            throw PluginHostError("\(plugin.path): \(kind) '\(name)': \(error.message)")
        }
    }
}

/// A plugin's descriptor, copied as far as its `struct_size` says it reaches: the fields of a
/// newer minor version are not copied, and those an older plugin does not have stay zero (NULL),
/// so the host never reads past the end of the plugin's struct.
struct Descriptor<T>: @unchecked Sendable {
    let value: T
    /// The plugin's `struct_size`.
    let size: Int

    /// Copies the descriptor at `pointer`, refusing one smaller than ABI 1.0's.
    init(_ pointer: UnsafePointer<T>, kind: String, minimumSize: Int, plugin: LoadedPlugin) throws(PluginHostError) {
        let size = Int(UnsafeRawPointer(pointer).loadUnaligned(as: UInt32.self))
        guard size >= minimumSize else {
            throw PluginHostError(
                "\(plugin.path): a \(kind) descriptor has a struct_size of \(size) bytes, fewer than ABI 1.0's \(minimumSize)")
        }
        let copy = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { copy.deallocate() }
        bs_read_struct(copy, MemoryLayout<T>.size, pointer)
        value = UnsafeRawPointer(copy).load(as: T.self)
        self.size = size
    }

    /// Whether the plugin's struct reaches `size` bytes (has the fields of that version).
    func covers(_ size: Int) -> Bool { self.size >= size }
}

/// Calls a plugin function with an error buffer and turns a failure into a `ComponentError`.
func calling(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(ComponentError) {
    let capacity = 1024
    let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
    defer { buffer.deallocate() }
    buffer[0] = 0
    let status = body(buffer, capacity)
    guard status == BS_OK else {
        buffer[capacity - 1] = 0
        let message = String(cString: buffer)
        throw ComponentError(message.isEmpty ? "failed without a message (status \(status))" : message)
    }
}

struct PluginModelFactory: ModelFactory {
    let component: ModelComponent
    let json: String
    var name: String { component.name }
    var provider: String { component.plugin.name }

    func makeInstance() throws(ComponentError) -> any ModelInstance {
        let d = component.descriptor.value
        var instance: UnsafeMutableRawPointer?
        try calling { error, capacity in d.create(d.context, json, &instance, error, capacity) }
        guard let instance else { throw ComponentError("create returned no instance") }
        return PluginModelInstance(descriptor: component.descriptor, instance: instance)
    }
}

final class PluginModelInstance: ModelInstance, @unchecked Sendable {
    let descriptor: Descriptor<bs_model_descriptor>
    let instance: UnsafeMutableRawPointer

    init(descriptor: Descriptor<bs_model_descriptor>, instance: UnsafeMutableRawPointer) {
        self.descriptor = descriptor
        self.instance = instance
    }

    deinit { descriptor.value.destroy(instance) }

    var decidesPerStudent: Bool { descriptor.value.decide_chunk != nil }

    func planWeek(
        _ week: UnsafePointer<bs_week_context>, into activities: UnsafeMutableBufferPointer<bs_activity>
    ) throws(ComponentError) -> Int {
        var count: UInt32 = 0
        let d = descriptor.value
        try calling { error, capacity in
            d.plan_week(instance, week, activities.baseAddress, UInt32(activities.count), &count, error, capacity)
        }
        return Int(count)
    }

    func decide(_ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>) throws(ComponentError) {
        guard let decide = descriptor.value.decide_chunk else { return }
        try calling { error, capacity in decide(instance, week, chunk, error, capacity) }
    }
}

struct PluginPolicyFactory: PolicyFactory {
    let component: PolicyComponent
    let json: String
    var name: String { component.name }
    var provider: String { component.plugin.name }

    func makeInstance() throws(ComponentError) -> any PolicyInstance {
        let d = component.descriptor.value
        var instance: UnsafeMutableRawPointer?
        try calling { error, capacity in d.create(d.context, json, &instance, error, capacity) }
        guard let instance else { throw ComponentError("create returned no instance") }
        return PluginPolicyInstance(descriptor: component.descriptor, instance: instance)
    }
}

final class PluginPolicyInstance: PolicyInstance, @unchecked Sendable {
    let descriptor: Descriptor<bs_policy_descriptor>
    let instance: UnsafeMutableRawPointer

    init(descriptor: Descriptor<bs_policy_descriptor>, instance: UnsafeMutableRawPointer) {
        self.descriptor = descriptor
        self.instance = instance
    }

    deinit { descriptor.value.destroy(instance) }

    var adjustsPerStudent: Bool { descriptor.value.adjust_chunk != nil }

    func beginWeek(_ week: UnsafeMutablePointer<bs_week_context>) throws(ComponentError) {
        let d = descriptor.value
        try calling { error, capacity in d.begin_week(instance, week, error, capacity) }
    }

    func adjust(_ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>) throws(ComponentError) {
        guard let adjust = descriptor.value.adjust_chunk else { return }
        try calling { error, capacity in adjust(instance, week, chunk, error, capacity) }
    }
}
