import CLibYAML

/// Reads a YAML document into a `YAMLNode` tree with the system libyaml's event parser.
///
/// Beyond libyaml's own checks it refuses what a scenario never needs and an attacker could use:
/// more than one document, duplicate keys in a mapping, non-scalar keys, nesting deeper than
/// `maximumDepth`, and aliases that expand to more than `maximumExpandedNodes` nodes (the
/// "billion laughs").
public struct YAMLReader: Sendable {
    public var maximumDepth = 64
    public var maximumExpandedNodes = 100_000

    public init() {}

    /// Parses `bytes`. Returns nil for an empty document.
    public func parse(_ bytes: [UInt8]) throws(YAMLError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(message: "the YAML parser could not be initialised", line: 1, column: 1)
        }
        defer { yaml_parser_delete(&parser) }
        var input = bytes
        if input.isEmpty { input = [0x0A] }
        return try input.withUnsafeBufferPointer { (buffer) throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = TreeBuilder(reader: self)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw Self.parserError(parser, input: input)
                }
                defer { yaml_event_delete(&event) }
                if try builder.consume(&event) { break }
            }
            return builder.root
        }
    }

    static func parserError(_ parser: yaml_parser_t, input: [UInt8]) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " " + context
        }
        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad encoding) have an offset, not a line.
            return YAMLError(message: "\(message) (byte \(parser.problem_offset))", line: 1, column: 1)
        }
        let mark = parser.problem_mark
        let line = Int(mark.line) + 1
        if lineStartsWithTab(input, line: line) {
            message += " (YAML does not allow tabs for indentation; use spaces)"
        }
        return YAMLError(message: message, line: line, column: Int(mark.column) + 1)
    }

    /// Whether the indentation of 1-based `line` contains a tab.
    static func lineStartsWithTab(_ input: [UInt8], line: Int) -> Bool {
        var current = 1
        var atIndent = true
        for byte in input {
            if byte == 0x0A {
                current += 1
                atIndent = true
                if current > line { return false }
                continue
            }
            guard current == line, atIndent else { continue }
            if byte == 0x09 { return true }
            if byte != 0x20 { atIndent = false }
        }
        return false
    }
}

/// Builds the tree from libyaml's events with an explicit stack.
private struct TreeBuilder {
    enum Frame {
        case sequence(YAMLNode, anchor: String?, items: [YAMLNode], weight: Int)
        case mapping(YAMLNode, anchor: String?, pairs: [YAMLPair], pendingKey: YAMLNode?, weight: Int)
    }

    let reader: YAMLReader
    var stack: [Frame] = []
    var anchors: [String: YAMLNode] = [:]
    var expanded = 0
    var documents = 0
    var root: YAMLNode?

    init(reader: YAMLReader) { self.reader = reader }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    /// Handles one event; returns true at the end of the stream.
    mutating func consume(_ event: inout yaml_event_t) throws(YAMLError) -> Bool {
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(message: "a scenario is one YAML document; found a second one", line: line, column: column)
            }
        case YAML_ALIAS_EVENT:
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                throw YAMLError(message: "unknown alias '*\(name)'", line: line, column: column)
            }
            expanded += target.weight
            if expanded > reader.maximumExpandedNodes {
                throw YAMLError(
                    message: "aliases expand to more than \(reader.maximumExpandedNodes) nodes; refusing to expand further",
                    line: line, column: column)
            }
            var node = target
            node.line = line
            node.column = column
            try add(node, anchor: nil)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text: String
            if let value = scalar.value {
                text = String(decoding: UnsafeBufferPointer(start: value, count: scalar.length), as: UTF8.self)
            } else {
                text = ""
            }
            let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
            let node = YAMLNode(content: .scalar(text, plain: plain), line: line, column: column)
            try add(node, anchor: Self.string(scalar.anchor))
        case YAML_SEQUENCE_START_EVENT:
            try checkDepth(line: line, column: column)
            let node = YAMLNode(content: .sequence([]), line: line, column: column)
            stack.append(.sequence(node, anchor: Self.string(event.data.sequence_start.anchor), items: [], weight: 1))
        case YAML_MAPPING_START_EVENT:
            try checkDepth(line: line, column: column)
            let node = YAMLNode(content: .mapping([]), line: line, column: column)
            stack.append(
                .mapping(node, anchor: Self.string(event.data.mapping_start.anchor), pairs: [], pendingKey: nil, weight: 1))
        case YAML_SEQUENCE_END_EVENT:
            guard case .sequence(var node, let anchor, let items, let weight) = stack.removeLast() else { break }
            node.content = .sequence(items)
            node.weight = weight
            try add(node, anchor: anchor)
        case YAML_MAPPING_END_EVENT:
            guard case .mapping(var node, let anchor, let pairs, _, let weight) = stack.removeLast() else { break }
            node.content = .mapping(pairs)
            node.weight = weight
            try add(node, anchor: anchor)
        default:
            break
        }
        return false
    }

    func checkDepth(line: Int, column: Int) throws(YAMLError) {
        if stack.count >= reader.maximumDepth {
            throw YAMLError(message: "nesting deeper than \(reader.maximumDepth) levels", line: line, column: column)
        }
    }

    mutating func add(_ node: YAMLNode, anchor: String?) throws(YAMLError) {
        if let anchor { anchors[anchor] = node }
        guard let top = stack.popLast() else {
            root = node
            return
        }
        switch top {
        case .sequence(let parent, let parentAnchor, var items, let weight):
            items.append(node)
            stack.append(.sequence(parent, anchor: parentAnchor, items: items, weight: weight + node.weight))
        case .mapping(let parent, let parentAnchor, var pairs, let pendingKey, let weight):
            if let key = pendingKey {
                pairs.append(YAMLPair(key: key, value: node))
                stack.append(.mapping(parent, anchor: parentAnchor, pairs: pairs, pendingKey: nil, weight: weight + node.weight))
            } else {
                guard let name = node.scalar else {
                    throw YAMLError(message: "a mapping key must be a scalar, not \(node.kindName)", line: node.line, column: node.column)
                }
                if let first = pairs.first(where: { $0.key.scalar == name }) {
                    throw YAMLError(
                        message: "duplicate key '\(name)' (first defined at line \(first.key.line))",
                        line: node.line, column: node.column)
                }
                stack.append(.mapping(parent, anchor: parentAnchor, pairs: pairs, pendingKey: node, weight: weight + 1))
            }
        }
    }
}
