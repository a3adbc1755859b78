public import BlendSimCore

/// A model's or policy's parameters as its plugin declares them (`parameter_schema`), and the
/// check of a scenario's values against them.
public struct ParameterSchema: Sendable {
    /// One declared parameter.
    public struct Parameter: Sendable {
        /// The name scenarios use (snake_case).
        public var name: String
        /// number, integer, boolean or string.
        public var type: String
        /// The value used when a scenario gives none.
        public var defaultValue: JSONValue
        /// The smallest value allowed (numbers and integers).
        public var minimum: Double?
        /// The largest value allowed.
        public var maximum: Double?
        /// The values a string parameter may take.
        public var options: [String]?
        /// The unit, as `blendsim plugins` shows it ("1" or "" for none).
        public var unit: String
        /// One line of help.
        public var help: String
    }

    /// A value the check refused, and the parameter it belongs to (nil for the whole object).
    public struct Problem: Error, Sendable, Equatable {
        /// The parameter the problem concerns.
        public var parameter: String?
        /// What is wrong, in a sentence.
        public var message: String
    }

    /// Every parameter, in the plugin's order.
    public var parameters: [Parameter]

    static let types = ["number", "integer", "boolean", "string"]

    /// Reads a schema from the plugin's JSON text.
    public init(json: String) throws(Problem) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(json)
        } catch {
            throw Problem(parameter: nil, message: "the parameter schema is not valid JSON (\(error))")
        }
        if let refusal = document["error"]?.stringValue {
            throw Problem(parameter: nil, message: "the plugin's parameter declarations are not usable: \(refusal)")
        }
        guard case .array(let entries)? = document["parameters"] else {
            throw Problem(parameter: nil, message: "the parameter schema needs a 'parameters' list")
        }
        var parameters: [Parameter] = []
        for entry in entries {
            guard let name = entry["name"]?.stringValue, !name.isEmpty else {
                throw Problem(parameter: nil, message: "a parameter in the schema has no name")
            }
            guard let type = entry["type"]?.stringValue, Self.types.contains(type) else {
                throw Problem(parameter: name, message: "parameter '\(name)' has no valid type (number, integer, boolean, string)")
            }
            guard let defaultValue = entry["default"] else {
                throw Problem(parameter: name, message: "parameter '\(name)' has no default")
            }
            if parameters.contains(where: { $0.name == name }) {
                throw Problem(parameter: name, message: "parameter '\(name)' is declared twice")
            }
            var options: [String]?
            if case .array(let values)? = entry["enum"] { options = values.compactMap(\.stringValue) }
            let parameter = Parameter(
                name: name, type: type, defaultValue: defaultValue, minimum: entry["minimum"]?.doubleValue,
                maximum: entry["maximum"]?.doubleValue, options: options, unit: entry["unit"]?.stringValue ?? "",
                help: entry["help"]?.stringValue ?? "")
            if let problem = parameter.problem(with: defaultValue) {
                throw Problem(parameter: name, message: "the default of parameter '\(name)' is invalid: \(problem)")
            }
            parameters.append(parameter)
        }
        self.parameters = parameters
    }

    /// The complete parameter object for `create`: the given values after checking, defaults for
    /// the rest, in schema order.
    public func resolve(_ given: [(String, JSONValue)]) throws(Problem) -> JSONValue {
        if let first = problems(given).first { throw first }
        return .object(parameters.map { parameter in
            guard let value = given.first(where: { $0.0 == parameter.name })?.1 else { return (parameter.name, parameter.defaultValue) }
            return (parameter.name, parameter.type == "number" ? .finite(value.doubleValue!) : value)
        })
    }

    /// Every problem with the given values, in the order written: unknown names and values that
    /// do not fit their parameter, each reported on its own.
    public func problems(_ given: [(String, JSONValue)]) -> [Problem] {
        let names = parameters.map(\.name)
        var found: [Problem] = []
        for (key, value) in given {
            guard let parameter = parameters.first(where: { $0.name == key }) else {
                let known = names.isEmpty ? "it takes no parameters" : "known: \(names.joined(separator: ", "))"
                found.append(Problem(
                    parameter: key,
                    message: "unknown parameter '\(key)'\(Suggestion.phrase(for: key, in: names))".replacingSemicolon(or: known)))
                continue
            }
            if let problem = parameter.problem(with: value) {
                found.append(Problem(parameter: key, message: "parameter '\(key)' \(problem)"))
            }
        }
        return found
    }
}

extension ParameterSchema.Parameter {
    /// Why `value` does not fit this parameter, or nil.
    func problem(with value: JSONValue) -> String? {
        switch type {
        case "number", "integer":
            guard let number = value.doubleValue else { return "must be a number, found \(value.kindName)" }
            if type == "integer", case .number = value, number != number.rounded() {
                return "must be a whole number, found \(JSONValue.number(number).serialized())"
            }
            if let minimum, number < minimum { return "must be at least \(JSONValue.number(minimum).serialized()), found \(value.serialized())" }
            if let maximum, number > maximum { return "must be at most \(JSONValue.number(maximum).serialized()), found \(value.serialized())" }
        case "boolean":
            guard case .bool = value else { return "must be true or false, found \(value.kindName)" }
        default:
            guard let text = value.stringValue else { return "must be a string, found \(value.kindName)" }
            if let options, !options.contains(text) {
                return "must be one of \(options.joined(separator: ", ")), found '\(text)'"
            }
        }
        return nil
    }
}

extension JSONValue {
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number, .integer: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "a mapping"
        }
    }
}

extension String {
    /// Appends `alternative` when no suggestion was made.
    fileprivate func replacingSemicolon(or alternative: String) -> String {
        contains("did you mean") ? self : self + " (\(alternative))"
    }
}
