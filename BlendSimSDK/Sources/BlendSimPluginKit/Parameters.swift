import FoundationEssentials

/// The values a model or policy accepts, each declared once with `@Parameter`:
///
/// ```swift
/// struct Parameters: PluginParameters {
///     @Parameter(range: 0...3, help: "quality of the pre-class content")
///     var contentEffectiveness = 1.3
///     @Parameter(range: 0...600, unit: "min", help: "length of a control-point test")
///     var assessmentMinutes = 60.0
/// }
/// ```
///
/// Everything about a parameter derives from that one declaration: its scenario name (the
/// property's name in snake_case, `content_effectiveness`), type, default, range or options, unit
/// and help — the schema the host checks scenarios against and `blendsim plugins` prints — and the
/// decoding of the values the host passes to `create`.
///
/// Why a property wrapper: the declaration stays an ordinary stored property that the plugin reads
/// as `parameters.contentEffectiveness`; the metadata rides on the wrapper and is read back by
/// reflecting a default instance (the way swift-argument-parser reads its `@Option`s), with no
/// macro target to build and nothing to keep in step by hand.
public protocol PluginParameters: Decodable, Sendable {
    /// Every parameter at its default. Structs whose properties all have defaults get it for free.
    init()
}

/// Parameters for components that take none.
public struct NoParameters: PluginParameters {
    /// No parameters.
    public init() {}
}

/// The types a parameter can have: numbers, whole numbers, booleans and strings from a list.
public protocol ParameterValue: Codable, Sendable {
    /// The schema's type name (`number`, `integer`, `boolean` or `string`).
    static var schemaType: String { get }
}

extension Double: ParameterValue {
    /// `number`.
    public static var schemaType: String { "number" }
}

extension Int: ParameterValue {
    /// `integer`.
    public static var schemaType: String { "integer" }
}

extension Bool: ParameterValue {
    /// `boolean`.
    public static var schemaType: String { "boolean" }
}

extension String: ParameterValue {
    /// `string`.
    public static var schemaType: String { "string" }
}

/// One parameter of a model or policy: its value, and — on the default instance — what the schema
/// says about it.
@propertyWrapper
public struct Parameter<Value: ParameterValue>: Sendable {
    /// The value: the default on `init()`, the scenario's value (checked by the host) in `create`.
    public var wrappedValue: Value
    let declaration: ParameterDeclaration?

    init(value: Value, declaration: ParameterDeclaration?) {
        wrappedValue = value
        self.declaration = declaration
    }
}

extension Parameter where Value == Double {
    /// A number in `range`; `unit` as the schema shows it (`"min"`, `"1"` for a ratio).
    public init(wrappedValue: Double, name: String? = nil, range: ClosedRange<Double>, unit: String = "1", help: String) {
        self.init(value: wrappedValue, declaration: ParameterDeclaration(
            name: name, minimum: range.lowerBound, maximum: range.upperBound, options: nil, unit: unit, help: help))
    }
}

extension Parameter where Value == Int {
    /// A whole number in `range`.
    public init(wrappedValue: Int, name: String? = nil, range: ClosedRange<Int>, unit: String = "1", help: String) {
        self.init(value: wrappedValue, declaration: ParameterDeclaration(
            name: name, minimum: Double(range.lowerBound), maximum: Double(range.upperBound), options: nil, unit: unit,
            help: help))
    }
}

extension Parameter where Value == Bool {
    /// true or false.
    public init(wrappedValue: Bool, name: String? = nil, help: String) {
        self.init(value: wrappedValue, declaration: ParameterDeclaration(
            name: name, minimum: nil, maximum: nil, options: nil, unit: "", help: help))
    }
}

extension Parameter where Value == String {
    /// One of `options`.
    public init(wrappedValue: String, name: String? = nil, options: [String], help: String) {
        self.init(value: wrappedValue, declaration: ParameterDeclaration(
            name: name, minimum: nil, maximum: nil, options: options, unit: "", help: help))
    }
}

extension Parameter: Decodable {
    /// Decodes the value alone; the declaration lives on the default instance.
    public init(from decoder: any Decoder) throws {
        self.init(value: try decoder.singleValueContainer().decode(Value.self), declaration: nil)
    }
}

/// What `@Parameter` records besides the value.
struct ParameterDeclaration: Sendable {
    var name: String?
    var minimum: Double?
    var maximum: Double?
    var options: [String]?
    var unit: String
    var help: String
}

/// A parameter as the schema lists it.
struct ParameterSpec: Sendable {
    var name: String
    /// The property's name in Swift, which decoding maps the scenario's name back to.
    var property: String
    var type: String
    var defaultValue: any ParameterValue
    var declaration: ParameterDeclaration

    /// What makes the declaration unusable, if anything.
    var problem: String? {
        let minimum = declaration.minimum, maximum = declaration.maximum
        if let minimum, !minimum.isFinite { return "the range's lower bound is not a finite number" }
        if let maximum, !maximum.isFinite { return "the range's upper bound is not a finite number (give a finite bound)" }
        if let minimum, let maximum, minimum > maximum { return "the range is empty" }
        let value: Double? = (defaultValue as? Double) ?? (defaultValue as? Int).map(Double.init)
        if let value {
            guard value.isFinite else { return "the default is not a finite number" }
            if let minimum, value < minimum { return "the default \(value) is below the range" }
            if let maximum, value > maximum { return "the default \(value) is above the range" }
        }
        if let options = declaration.options, let text = defaultValue as? String, !options.contains(text) {
            return "the default '\(text)' is not one of the options"
        }
        if !name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) || name.isEmpty {
            return "'\(name)' is not a valid parameter name (lowercase letters, digits and '_')"
        }
        return nil
    }
}

/// Read-only access to a `Parameter` of any value type, for reflection.
protocol ReflectedParameter {
    func spec(property: String) -> ParameterSpec?
}

extension Parameter: ReflectedParameter {
    func spec(property: String) -> ParameterSpec? {
        guard let declaration else { return nil }
        return ParameterSpec(
            name: declaration.name ?? ParameterNames.snakeCase(property), property: property, type: Value.schemaType,
            defaultValue: wrappedValue, declaration: declaration)
    }
}

/// The schema of a parameters type, derived from its `@Parameter` declarations.
///
/// A declaration blendsim cannot use — a stored property without `@Parameter`, a non-finite
/// bound or default, a default outside its range or options, two parameters with one name — is
/// not a crash: the schema then carries an `error` that the host reports, naming the plugin and
/// the component, and refuses that component alone.
struct ParameterTable: Sendable {
    let specs: [ParameterSpec]
    /// Scenario name → Swift property name.
    let properties: [String: String]
    /// What is wrong with the declarations, if anything.
    let problem: String?

    init<P: PluginParameters>(_ type: P.Type) {
        var specs: [ParameterSpec] = []
        var problems: [String] = []
        for child in Mirror(reflecting: P()).children {
            guard let label = child.label else { continue }
            guard label.hasPrefix("_"), let parameter = child.value as? any ReflectedParameter,
                let spec = parameter.spec(property: String(label.dropFirst()))
            else {
                problems.append("\(P.self).\(label) is not declared with @Parameter (every stored property of a PluginParameters type is a parameter)")
                continue
            }
            if let problem = spec.problem { problems.append("\(P.self).\(spec.property): \(problem)") }
            if specs.contains(where: { $0.name == spec.name }) { problems.append("two parameters are named '\(spec.name)'") }
            specs.append(spec)
        }
        self.specs = specs
        properties = Dictionary(specs.map { ($0.name, $0.property) }, uniquingKeysWith: { first, _ in first })
        problem = problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// The schema as JSON text (docs/PLUGINS.md), written by `JSONEncoder`; with a problem, a
    /// schema that names it.
    var json: String {
        if let problem {
            return Self.encode(Refusal(error: problem)) ?? #"{"parameters":[],"error":"the parameter declarations are invalid"}"#
        }
        return Self.encode(Schema(parameters: specs.map(Entry.init)))
            ?? #"{"parameters":[],"error":"the parameter schema could not be encoded"}"#
    }

    static func encode(_ value: some Encodable) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    struct Entry: Encodable {
        let spec: ParameterSpec
        enum Key: String, CodingKey { case name, type, `default`, minimum, maximum, `enum`, unit, help }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(spec.name, forKey: .name)
            try container.encode(spec.type, forKey: .type)
            try container.encode(spec.defaultValue, forKey: .default)
            try container.encodeIfPresent(spec.declaration.minimum, forKey: .minimum)
            try container.encodeIfPresent(spec.declaration.maximum, forKey: .maximum)
            try container.encodeIfPresent(spec.declaration.options, forKey: .enum)
            try container.encode(spec.declaration.unit, forKey: .unit)
            try container.encode(spec.declaration.help, forKey: .help)
        }
    }
    struct Schema: Encodable { let parameters: [Entry] }

    /// The schema of declarations blendsim cannot use: the host refuses the component with `error`.
    struct Refusal: Encodable {
        let parameters: [Entry] = []
        let error: String
    }

    /// Decodes the host's parameter object (scenario names, complete and checked) into `P`.
    func decode<P: PluginParameters>(_ type: P.Type, _ json: String) throws -> P {
        let decoder = JSONDecoder()
        let properties = self.properties
        decoder.keyDecodingStrategy = .custom { path in
            let key = path[path.count - 1].stringValue
            return ParameterNames.Key(properties[key] ?? key)
        }
        return try decoder.decode(P.self, from: Data(json.utf8))
    }
}

enum ParameterNames {
    /// `contentEffectiveness` → `content_effectiveness`, `extraSIWMinutes` →
    /// `extra_siw_minutes`, `numberOfPCs` → `number_of_pcs`, `week2Score` → `week2_score`.
    static func snakeCase(_ name: String) -> String {
        let characters = Array(name)
        func lower(_ index: Int) -> Bool { index < characters.count && characters[index].isLowercase }
        var out = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase && index > 0 {
                let previous = characters[index - 1]
                // An acronym's last capital starts a new word when a word follows it ("SIWMinutes"),
                // not when only a plural s does ("PCs", "URLs").
                let pluralAcronym = characters[index + 1..<characters.count].first == "s" && !lower(index + 2)
                let startsWord = lower(index + 1) && !pluralAcronym
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && startsWord) { out += "_" }
            }
            out += character.lowercased()
        }
        return out
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension PluginParameters {
    /// The parameter schema blendsim reads from the plugin (JSON text, docs/PLUGINS.md): what a
    /// plugin's own tests can check its declarations against.
    public static var schemaJSON: String { ParameterTable(Self.self).json }

    /// Decodes a parameter object as blendsim passes it to `create` (scenario names, every
    /// parameter present): what a plugin's own tests can use to build instances.
    public static func decode(json: String) throws -> Self { try ParameterTable(Self.self).decode(Self.self, json) }
}
