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
        } else if let plain = plainWords(problem: problem, context: parser.context.map { String(cString: $0) }, opened: Int(parser.context_mark.line) + 1) {
            // The reader's own words stay, in parentheses, for whoever knows YAML's grammar.
            message = plain + " (YAML: " + message + ")"
        }
        return YAMLError(message: message, line: line, column: Int(mark.column) + 1)
    }

    /// libyaml's commonest complaints, said the way a person writing a scenario thinks of them;
    /// nil for the others. `opened` is the line where the structure it was reading began.
    static func plainWords(problem: String, context: String?, opened: Int) -> String? {
        switch (problem, context ?? "") {
        case ("did not find expected ',' or '}'", _):
            return "the '{' opened on line \(opened) is not closed: a ',' between two entries or the closing '}' is missing"
        case ("did not find expected ',' or ']'", _):
            return "the '[' opened on line \(opened) is not closed: a ',' between two items or the closing ']' is missing"
        case ("did not find expected '-' indicator", _):
            return "this line is indented differently from the list it belongs to: every item of a list starts with '-' at the same column"
        case ("did not find expected key", _):
            return "this line is indented differently from the keys above it: the keys of one mapping start at the same column"
        case ("mapping values are not allowed in this context", _):
            return "a ':' where none belongs: write 'key: value' with a space after the ':', indent a nested key under its parent, or put a value containing ': ' in quotes"
        case ("could not find expected ':'", _):
            return "a key without its ':' (write 'key: value'), or a quoted value not closed on its line"
        case ("found unexpected end of stream", _):
            return "the file ends inside a quoted value or a '{' / '[' opened on line \(opened)"
        default:
            return nil
        }
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

/// Builds the tree from libyaml's events with an explicit stack. Each frame is mutated in place
/// (appending to the open collection never copies it) and mapping keys are checked against a
/// set, so building is linear in the input.
private struct TreeBuilder {
    struct Frame {
        var node: YAMLNode
        var anchor: String?
        var isMapping: Bool
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var keys: [String: Int] = [:]
        var pendingKey: YAMLNode?
        var weight = 1
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

    /// blendsim reads plain YAML (the core schema): an explicit tag would either be ignored or
    /// change what a value means, so it is refused.
    static func refuseTag(_ tag: UnsafeMutablePointer<yaml_char_t>?, line: Int, column: Int) throws(YAMLError) {
        guard let tag = string(tag) else { return }
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        throw YAMLError(message: "YAML tags are not accepted (found '\(shown.prefix(40))'); write plain values", line: line, column: column)
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
            let directives = event.data.document_start.tag_directives
            if directives.start != directives.end {
                throw YAMLError(message: "%TAG directives are not accepted; write plain values", line: line, column: column)
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
            try Self.refuseTag(scalar.tag, line: line, column: column)
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
            try Self.refuseTag(event.data.sequence_start.tag, line: line, column: column)
            try checkDepth(line: line, column: column)
            let node = YAMLNode(content: .sequence([]), line: line, column: column)
            stack.append(Frame(node: node, anchor: Self.string(event.data.sequence_start.anchor), isMapping: false))
        case YAML_MAPPING_START_EVENT:
            try Self.refuseTag(event.data.mapping_start.tag, line: line, column: column)
            try checkDepth(line: line, column: column)
            let node = YAMLNode(content: .mapping([]), line: line, column: column)
            stack.append(Frame(node: node, anchor: Self.string(event.data.mapping_start.anchor), isMapping: true))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard var frame = stack.popLast() else { break }
            frame.node.content = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
            frame.node.weight = frame.weight
            try add(frame.node, anchor: frame.anchor)
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
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        stack[top].weight += stack[top].isMapping && stack[top].pendingKey == nil ? 1 : node.weight
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        if let key = stack[top].pendingKey {
            stack[top].pairs.append(YAMLPair(key: key, value: node))
            stack[top].pendingKey = nil
            return
        }
        guard let name = node.scalar else {
            throw YAMLError(message: "a mapping key must be a scalar, not \(node.kindName)", line: node.line, column: node.column)
        }
        if let firstLine = stack[top].keys[name] {
            throw YAMLError(message: "duplicate key '\(name)' (first defined at line \(firstLine))", line: node.line, column: node.column)
        }
        stack[top].keys[name] = node.line
        stack[top].pendingKey = node
    }
}
