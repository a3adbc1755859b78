import CBlendSimABI
import Synchronization

/// Builds the `bs_plugin` descriptor for a plugin's models and policies.
///
/// A plugin's whole C surface is one function:
///
/// ```swift
/// @_cdecl("blendsim_plugin_v1")
/// public func blendsimPlugin() -> UnsafeRawPointer {
///     PluginExport.plugin(name: "blendsim-my-model", version: "1.0.0", models: [MyModel.self])
/// }
/// ```
///
/// The descriptor is built on the first call and kept for the life of the process, as the ABI
/// requires.
public enum PluginExport {
    private static let cache = Mutex<UnsafeRawPointer?>(nil)

    /// The plugin's descriptor for `blendsim_plugin_v1`: its library name (starting with
    /// `blendsim-`), semantic version, and the model and policy types it provides. Built once.
    public static func plugin(
        name: String, version: String, models: [any BlendedModel.Type] = [],
        policies: [any Policy.Type] = []
    ) -> UnsafeRawPointer {
        cache.withLock { cached in
            if let cached { return cached }
            let modelDescriptors = UnsafeMutablePointer<UnsafePointer<bs_model_descriptor>?>.allocate(
                capacity: max(models.count, 1))
            for (index, model) in models.enumerated() {
                modelDescriptors[index] = UnsafePointer(modelDescriptor(model))
            }
            let policyDescriptors = UnsafeMutablePointer<UnsafePointer<bs_policy_descriptor>?>.allocate(
                capacity: max(policies.count, 1))
            for (index, policy) in policies.enumerated() {
                policyDescriptors[index] = UnsafePointer(policyDescriptor(policy))
            }
            let plugin = UnsafeMutablePointer<bs_plugin>.allocate(capacity: 1)
            plugin.initialize(
                to: bs_plugin(
                    abi_major: BLENDSIM_ABI_MAJOR, abi_minor: BLENDSIM_ABI_MINOR, name: permanent(name),
                    version: permanent(version), model_count: UInt32(models.count),
                    policy_count: UInt32(policies.count), models: UnsafePointer(modelDescriptors),
                    policies: UnsafePointer(policyDescriptors)))
            let result = UnsafeRawPointer(plugin)
            cached = result
            return result
        }
    }

    /// A C string that lives as long as the process.
    static func permanent(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8CString)
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count)
        pointer.initialize(from: utf8, count: utf8.count)
        return UnsafePointer(pointer)
    }

    static func modelDescriptor(_ type: any BlendedModel.Type) -> UnsafeMutablePointer<bs_model_descriptor> {
        let registration = ModelRegistration.make(type)
        let descriptor = UnsafeMutablePointer<bs_model_descriptor>.allocate(capacity: 1)
        descriptor.initialize(
            to: bs_model_descriptor(
                struct_size: UInt32(MemoryLayout<bs_model_descriptor>.size), reserved: 0,
                name: permanent(type.name), summary: permanent(type.summary),
                parameter_schema: permanent(registration.schema),
                context: Unmanaged.passRetained(registration).toOpaque(),
                create: { context, json, instance, error, capacity in
                    let registration = Unmanaged<ModelRegistration>.fromOpaque(context!).takeUnretainedValue()
                    return PluginExport.guarded(error, capacity) {
                        let box = try registration.create(String(cString: json!))
                        instance!.pointee = Unmanaged.passRetained(box).toOpaque()
                    }
                },
                destroy: { instance in
                    if let instance { Unmanaged<ModelInstanceBox>.fromOpaque(instance).release() }
                },
                plan_week: { instance, week, activities, capacity, count, error, errorCapacity in
                    let box = Unmanaged<ModelInstanceBox>.fromOpaque(instance!).takeUnretainedValue()
                    return PluginExport.guarded(error, errorCapacity) {
                        let planned = try box.planWeek(Week(week!))
                        guard planned.count <= Int(capacity) else {
                            throw PluginError("planned \(planned.count) activities; the host allows \(capacity)")
                        }
                        for (index, activity) in planned.enumerated() { activities![index] = activity.cValue }
                        count!.pointee = UInt32(planned.count)
                    }
                },
                decide_chunk: type.decidesPerStudent
                    ? { instance, week, chunk, error, errorCapacity in
                        let box = Unmanaged<ModelInstanceBox>.fromOpaque(instance!).takeUnretainedValue()
                        return PluginExport.guarded(error, errorCapacity) {
                            let week = Week(week!)
                            try box.decide(week, StudentChunk(chunk!, week: week))
                        }
                    } : nil,
                evidence: type.evidence.map(permanent), costs: Cost.json(type.costs).map(permanent)))
        return descriptor
    }

    static func policyDescriptor(_ type: any Policy.Type) -> UnsafeMutablePointer<bs_policy_descriptor> {
        let registration = PolicyRegistration.make(type)
        let descriptor = UnsafeMutablePointer<bs_policy_descriptor>.allocate(capacity: 1)
        descriptor.initialize(
            to: bs_policy_descriptor(
                struct_size: UInt32(MemoryLayout<bs_policy_descriptor>.size), reserved: 0,
                name: permanent(type.name), summary: permanent(type.summary),
                parameter_schema: permanent(registration.schema),
                context: Unmanaged.passRetained(registration).toOpaque(),
                create: { context, json, instance, error, capacity in
                    let registration = Unmanaged<PolicyRegistration>.fromOpaque(context!).takeUnretainedValue()
                    return PluginExport.guarded(error, capacity) {
                        let box = try registration.create(String(cString: json!))
                        instance!.pointee = Unmanaged.passRetained(box).toOpaque()
                    }
                },
                destroy: { instance in
                    if let instance { Unmanaged<PolicyInstanceBox>.fromOpaque(instance).release() }
                },
                begin_week: { instance, week, error, errorCapacity in
                    let box = Unmanaged<PolicyInstanceBox>.fromOpaque(instance!).takeUnretainedValue()
                    return PluginExport.guarded(error, errorCapacity) {
                        let host = week!.pointee.conditions!
                        var raw = HostStruct.read(UnsafePointer(host)).value
                        var conditions = Conditions(raw)
                        try box.beginWeek(Week(UnsafePointer(week!)), &conditions)
                        conditions.write(to: &raw)
                        HostStruct.write(raw, to: host)
                    }
                },
                adjust_chunk: type.adjustsPerStudent
                    ? { instance, week, chunk, error, errorCapacity in
                        let box = Unmanaged<PolicyInstanceBox>.fromOpaque(instance!).takeUnretainedValue()
                        return PluginExport.guarded(error, errorCapacity) {
                            let week = Week(week!)
                            try box.adjust(week, StudentChunk(chunk!, week: week))
                        }
                    } : nil,
                evidence: type.evidence.map(permanent), costs: Cost.json(type.costs).map(permanent)))
        return descriptor
    }

    /// Runs `body`, turning a thrown error into `BS_FAILED` with its message in `error`.
    static func guarded(
        _ error: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ body: () throws -> Void
    ) -> Int32 {
        do {
            try body()
            return BS_OK
        } catch let thrown {
            if let error, capacity > 0 {
                let message = Array(describe(thrown).utf8.prefix(capacity - 1))
                for (index, byte) in message.enumerated() { error[index] = CChar(bitPattern: byte) }
                error[message.count] = 0
            }
            return BS_FAILED
        }
    }

    static func describe(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .keyNotFound(let key, _): return "missing parameter '\(key.stringValue)'"
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                return "parameter '\(path)': \(context.debugDescription)"
            @unknown default: return "\(decoding)"
            }
        }
        return "\(error)"
    }
}

/// Creates instances of one model type; the C descriptor's `context`.
class ModelRegistration: @unchecked Sendable {
    static func make(_ type: any BlendedModel.Type) -> ModelRegistration { opened(type) }
    private static func opened<M: BlendedModel>(_ type: M.Type) -> ModelRegistration { TypedModelRegistration<M>(type) }
    /// The parameter schema as JSON text.
    var schema: String { fatalError("abstract") }
    func create(_ json: String) throws -> ModelInstanceBox { fatalError("abstract") }
}

final class TypedModelRegistration<M: BlendedModel>: ModelRegistration, @unchecked Sendable {
    let table = ParameterTable(M.Parameters.self)
    let decoded = DecodedParameters<M.Parameters>()
    init(_ type: M.Type) {}
    override var schema: String { table.json }
    override func create(_ json: String) throws -> ModelInstanceBox {
        TypedModelInstance(try M(parameters: try decoded.value(for: json) { try table.decode(M.Parameters.self, json) }))
    }
}

/// One model instance behind the C `instance` pointer.
class ModelInstanceBox: @unchecked Sendable {
    func planWeek(_ week: Week) throws -> [Activity] { fatalError("abstract") }
    func decide(_ week: Week, _ chunk: StudentChunk) throws { fatalError("abstract") }
}

final class TypedModelInstance<M: BlendedModel>: ModelInstanceBox, @unchecked Sendable {
    var model: M
    init(_ model: M) { self.model = model }
    override func planWeek(_ week: Week) throws -> [Activity] { try model.planWeek(week) }
    override func decide(_ week: Week, _ chunk: StudentChunk) throws { try model.decide(week, chunk: chunk) }
}

class PolicyRegistration: @unchecked Sendable {
    static func make(_ type: any Policy.Type) -> PolicyRegistration { opened(type) }
    private static func opened<P: Policy>(_ type: P.Type) -> PolicyRegistration { TypedPolicyRegistration<P>(type) }
    /// The parameter schema as JSON text.
    var schema: String { fatalError("abstract") }
    func create(_ json: String) throws -> PolicyInstanceBox { fatalError("abstract") }
}

final class TypedPolicyRegistration<P: Policy>: PolicyRegistration, @unchecked Sendable {
    let table = ParameterTable(P.Parameters.self)
    let decoded = DecodedParameters<P.Parameters>()
    init(_ type: P.Type) {}
    override var schema: String { table.json }
    override func create(_ json: String) throws -> PolicyInstanceBox {
        TypedPolicyInstance(try P(parameters: try decoded.value(for: json) { try table.decode(P.Parameters.self, json) }))
    }
}

class PolicyInstanceBox: @unchecked Sendable {
    func beginWeek(_ week: Week, _ conditions: inout Conditions) throws { fatalError("abstract") }
    func adjust(_ week: Week, _ chunk: StudentChunk) throws { fatalError("abstract") }
}

final class TypedPolicyInstance<P: Policy>: PolicyInstanceBox, @unchecked Sendable {
    var policy: P
    init(_ policy: P) { self.policy = policy }
    override func beginWeek(_ week: Week, _ conditions: inout Conditions) throws {
        try policy.beginWeek(week, conditions: &conditions)
    }
    override func adjust(_ week: Week, _ chunk: StudentChunk) throws { try policy.adjust(week, chunk: chunk) }
}

/// The parameters decoded from the host's JSON, kept by their text: a run creates an instance per
/// group per replication, almost always with the same parameters, and decoding is the costly part
/// of `create`. Parameters are values, so every instance still gets its own copy. At most 64 texts
/// are kept (a calibration's changing parameters start the table afresh when it is full).
final class DecodedParameters<P: PluginParameters>: Sendable {
    let table = Mutex<[String: P]>([:])

    func value(for json: String, decode: () throws -> P) throws -> P {
        if let known = table.withLock({ $0[json] }) { return known }
        let value = try decode()
        table.withLock { table in
            if table.count >= 64 { table.removeAll(keepingCapacity: true) }
            table[json] = value
        }
        return value
    }
}
