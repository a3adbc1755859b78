/// A node of a YAML document, with the 1-based line and column where it starts.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        /// A scalar's text; `plain` is false for quoted and block scalars, which are always strings.
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    public var line: Int
    public var column: Int
    /// Nodes in this subtree, counting itself: what an alias to it expands to.
    public var weight: Int

    public init(content: Content, line: Int, column: Int, weight: Int = 1) {
        self.content = content
        self.line = line
        self.column = column
        self.weight = weight
    }

    /// A short name for the node's kind, for error messages.
    /// The value of a plain scalar written as a YAML 1.2 core-schema number in decimal —
    /// `[-+]?(.digits | digits[.digits])([eE][-+]?digits)?`, or `.inf`/`.nan` forms, which give
    /// non-finite values — else nil. Hexadecimal floats and other forms Swift would read are not
    /// numbers here.
    public static func number(_ text: String) -> Double? {
        let lowered = text.lowercased()
        if [".inf", "+.inf", "-.inf", ".nan", "inf", "+inf", "-inf", "nan", "infinity", "-infinity", "+infinity"].contains(lowered) {
            return Double(String(lowered.filter { $0 != "." }))
        }
        var bytes = Array(text.utf8)[...]
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            var count = 0
            while let byte = bytes.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                bytes = bytes.dropFirst()
                count += 1
            }
            return count
        }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return nil }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return nil }
        }
        guard bytes.isEmpty else { return nil }
        return Double(text)
    }

    public var kindName: String {
        switch content {
        case .scalar(let text, let plain):
            if !plain { return "a string" }
            if text.isEmpty || text == "~" || text == "null" { return "null" }
            if Int(text) != nil { return "a number" }
            if let value = Self.number(text) { return value.isFinite ? "a number" : "a number that is not finite" }
            if Double(text) != nil { return "a number in a form YAML's core schema does not have (write it in decimal)" }
            if text == "true" || text == "false" { return "a boolean" }
            return "a string"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// A mapping's entries, or nil for other nodes.
    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// A sequence's items, or nil for other nodes.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// A scalar's text, or nil for collections.
    public var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// The value of `key` in a mapping.
    public subscript(key: String) -> YAMLNode? {
        pairs?.first { $0.key.scalar == key }?.value
    }
}

/// One entry of a mapping.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A YAML syntax error, or a document the reader refuses, at a 1-based place.
public struct YAMLError: Error, Sendable, Equatable {
    public var message: String
    public var line: Int
    public var column: Int
}
