public import BlendSimCore
import CBlendSimABI

/// A model a plugin registered.
public struct ModelComponent: Sendable {
    public let name: String
    public let summary: String
    public let schema: ParameterSchema
    public let plugin: LoadedPlugin
    let descriptor: SendablePointer<bs_model_descriptor>

    init(_ pointer: UnsafePointer<bs_model_descriptor>, plugin: LoadedPlugin) throws(PluginHostError) {
        let d = pointer.pointee
        (name, summary, schema) = try DescriptorCheck.check(
            kind: "model", name: d.name, summary: d.summary, schema: d.parameter_schema, structSize: d.struct_size,
            requiredSize: MemoryLayout<bs_model_descriptor>.size,
            hasFunctions: d.create != nil && d.destroy != nil && d.plan_week != nil, functions: "create, destroy or plan_week",
            plugin: plugin)
        self.plugin = plugin
        self.descriptor = SendablePointer(pointer)
    }

    /// A factory for instances with `parameters`, checked against the schema.
    public func factory(parameters: [(String, JSONValue)]) throws(ParameterSchema.Problem) -> any ModelFactory {
        let resolved = try schema.resolve(parameters)
        return PluginModelFactory(component: self, json: resolved.serialized())
    }
}

/// A policy a plugin registered.
public struct PolicyComponent: Sendable {
    public let name: String
    public let summary: String
    public let schema: ParameterSchema
    public let plugin: LoadedPlugin
    let descriptor: SendablePointer<bs_policy_descriptor>

    init(_ pointer: UnsafePointer<bs_policy_descriptor>, plugin: LoadedPlugin) throws(PluginHostError) {
        let d = pointer.pointee
        (name, summary, schema) = try DescriptorCheck.check(
            kind: "policy", name: d.name, summary: d.summary, schema: d.parameter_schema, structSize: d.struct_size,
            requiredSize: MemoryLayout<bs_policy_descriptor>.size,
            hasFunctions: d.create != nil && d.destroy != nil && d.begin_week != nil, functions: "create, destroy or begin_week",
            plugin: plugin)
        self.plugin = plugin
        self.descriptor = SendablePointer(pointer)
    }

    public func factory(parameters: [(String, JSONValue)]) throws(ParameterSchema.Problem) -> any PolicyFactory {
        let resolved = try schema.resolve(parameters)
        return PluginPolicyFactory(component: self, json: resolved.serialized())
    }
}

/// The checks every model and policy descriptor must pass, with errors naming the file.
enum DescriptorCheck {
    static func check(
        kind: String, name: UnsafePointer<CChar>?, summary: UnsafePointer<CChar>?, schema: UnsafePointer<CChar>?,
        structSize: UInt32, requiredSize: Int, hasFunctions: Bool, functions: String, plugin: LoadedPlugin
    ) throws(PluginHostError) -> (String, String, ParameterSchema) {
        let name = name.map { String(cString: $0) } ?? ""
        guard PluginLibrary.isValidName(name) else {
            throw PluginHostError("\(plugin.path): \(kind) name '\(name)' is not valid (lowercase letters, digits and '-')")
        }
        guard structSize >= UInt32(requiredSize) else {
            throw PluginHostError("\(plugin.path): \(kind) '\(name)' has a descriptor of \(structSize) bytes, fewer than ABI 1 requires")
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

/// A pointer into a loaded plugin's permanent, immutable data.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafePointer<T>
    init(_ pointer: UnsafePointer<T>) { self.pointer = pointer }
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
        let d = component.descriptor.pointer.pointee
        var instance: UnsafeMutableRawPointer?
        try calling { error, capacity in d.create(d.context, json, &instance, error, capacity) }
        guard let instance else { throw ComponentError("create returned no instance") }
        return PluginModelInstance(descriptor: component.descriptor, instance: instance)
    }
}

final class PluginModelInstance: ModelInstance, @unchecked Sendable {
    let descriptor: SendablePointer<bs_model_descriptor>
    let instance: UnsafeMutableRawPointer

    init(descriptor: SendablePointer<bs_model_descriptor>, instance: UnsafeMutableRawPointer) {
        self.descriptor = descriptor
        self.instance = instance
    }

    deinit { descriptor.pointer.pointee.destroy(instance) }

    var decidesPerStudent: Bool { descriptor.pointer.pointee.decide_chunk != nil }

    func planWeek(
        _ week: UnsafePointer<bs_week_context>, into activities: UnsafeMutableBufferPointer<bs_activity>
    ) throws(ComponentError) -> Int {
        var count: UInt32 = 0
        let d = descriptor.pointer.pointee
        try calling { error, capacity in
            d.plan_week(instance, week, activities.baseAddress, UInt32(activities.count), &count, error, capacity)
        }
        return Int(count)
    }

    func decide(_ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>) throws(ComponentError) {
        guard let decide = descriptor.pointer.pointee.decide_chunk else { return }
        try calling { error, capacity in decide(instance, week, chunk, error, capacity) }
    }
}

struct PluginPolicyFactory: PolicyFactory {
    let component: PolicyComponent
    let json: String
    var name: String { component.name }
    var provider: String { component.plugin.name }

    func makeInstance() throws(ComponentError) -> any PolicyInstance {
        let d = component.descriptor.pointer.pointee
        var instance: UnsafeMutableRawPointer?
        try calling { error, capacity in d.create(d.context, json, &instance, error, capacity) }
        guard let instance else { throw ComponentError("create returned no instance") }
        return PluginPolicyInstance(descriptor: component.descriptor, instance: instance)
    }
}

final class PluginPolicyInstance: PolicyInstance, @unchecked Sendable {
    let descriptor: SendablePointer<bs_policy_descriptor>
    let instance: UnsafeMutableRawPointer

    init(descriptor: SendablePointer<bs_policy_descriptor>, instance: UnsafeMutableRawPointer) {
        self.descriptor = descriptor
        self.instance = instance
    }

    deinit { descriptor.pointer.pointee.destroy(instance) }

    var adjustsPerStudent: Bool { descriptor.pointer.pointee.adjust_chunk != nil }

    func beginWeek(_ week: UnsafeMutablePointer<bs_week_context>) throws(ComponentError) {
        let d = descriptor.pointer.pointee
        try calling { error, capacity in d.begin_week(instance, week, error, capacity) }
    }

    func adjust(_ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>) throws(ComponentError) {
        guard let adjust = descriptor.pointer.pointee.adjust_chunk else { return }
        try calling { error, capacity in adjust(instance, week, chunk, error, capacity) }
    }
}
