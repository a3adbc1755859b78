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
    /// What the model costs, item by item, when the plugin declares it (ABI 1.2).
    public let costs: [CostItem]
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
        costs = try DescriptorCheck.costs(
            descriptor.covers(Int(BS_MODEL_DESCRIPTOR_SIZE_1_2)) ? d.costs : nil, kind: "model", name: name, plugin: plugin)
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
    /// What the policy costs, item by item, when the plugin declares it (ABI 1.2).
    public let costs: [CostItem]
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
        costs = try DescriptorCheck.costs(
            descriptor.covers(Int(BS_POLICY_DESCRIPTOR_SIZE_1_2)) ? d.costs : nil, kind: "policy", name: name, plugin: plugin)
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

extension DescriptorCheck {
    /// The most cost items one component may declare, and the longest text of them.
    static let maximumCostItems = 32
    static let maximumCostText = 64 << 10

    /// A component's cost items (`costs`, a JSON array; docs/PLUGINS.md), every one checked: a
    /// plugin that declares a cost wrongly is refused with the item named, like a bad schema.
    static func costs(_ text: UnsafePointer<CChar>?, kind: String, name: String, plugin: LoadedPlugin) throws(PluginHostError) -> [CostItem] {
        guard let text else { return [] }
        func refuse(_ message: String) -> PluginHostError { PluginHostError("\(plugin.path): \(kind) '\(name)': costs: \(message)") }
        var length = 0
        while length <= maximumCostText && text[length] != 0 { length += 1 }
        guard length <= maximumCostText else { throw refuse("longer than \(maximumCostText >> 10) KiB") }
        let json: JSONValue
        do {
            json = try JSONValue.parse(String(cString: text))
        } catch {
            throw refuse("not JSON: \(error.message)")
        }
        guard case .array(let entries) = json else { throw refuse("must be a JSON array of items") }
        guard entries.count <= maximumCostItems else { throw refuse("\(entries.count) items; at most \(maximumCostItems)") }
        var items: [CostItem] = []
        for (index, entry) in entries.enumerated() {
            let label = "item \(index + 1)"
            guard case .object(let members) = entry else { throw refuse("\(label) must be an object") }
            let allowed: Set<String> = ["name", "basis", "price", "unit", "currency", "source", "help"]
            if let unknown = members.first(where: { !allowed.contains($0.0) }) { throw refuse("\(label) has an unknown key '\(unknown.0)'") }
            guard let itemName = entry["name"]?.stringValue, CostItem.isValidName(itemName) else {
                throw refuse("\(label) needs a 'name' of lowercase letters, digits and '_'")
            }
            let named = "item '\(itemName)'"
            if items.contains(where: { $0.name == itemName }) { throw refuse("\(named) is declared twice") }
            guard let basisText = entry["basis"]?.stringValue, let basis = CostBasis(rawValue: basisText) else {
                throw refuse("\(named) needs a 'basis', one of \(CostBasis.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let price = entry["price"]?.doubleValue, price.isFinite, price >= 0, price <= 1e12 else {
                throw refuse("\(named) needs a 'price' that is a finite number from 0 to 10¹²")
            }
            let unit: CostUnit
            if let unitText = entry["unit"] {
                guard let text = unitText.stringValue, let parsed = CostUnit(rawValue: text) else {
                    throw refuse("\(named): 'unit' must be 'currency' or 'teacher_hours'")
                }
                unit = parsed
            } else {
                unit = .currency
            }
            var currency: String?
            if unit == .currency {
                guard let code = entry["currency"]?.stringValue, CostItem.isValidCurrency(code) else {
                    throw refuse("\(named) is priced in money and needs a 'currency' code (three capital letters, such as KZT)")
                }
                currency = code
            }
            guard let source = entry["source"]?.stringValue, !source.isEmpty else {
                throw refuse("\(named) needs a 'source': a citation with its figure, or 'assumption' and why")
            }
            items.append(CostItem(
                name: itemName, basis: basis, price: price, unit: unit, currency: currency, source: source,
                help: entry["help"]?.stringValue ?? ""))
        }
        return items
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
