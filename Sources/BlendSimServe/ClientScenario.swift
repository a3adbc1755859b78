public import BlendSimCore
import BlendSimScenario

/// A scenario that came from a client: YAML read exactly as a file is, refused where it asks for
/// what a client may not (files: `include:`), and handed back as a JSON document for the page to
/// edit.
public enum ClientScenario {
    /// The scenario's YAML document as JSON, or the located problem. Plain scalars take the YAML
    /// core schema's types (null, booleans, integers, numbers); quoted ones stay strings.
    public static func check(_ text: String, name: String) throws(Diagnostic) -> JSONValue {
        let source = ScenarioSource(path: name, bytes: Array(text.utf8))
        let root: YAMLNode?
        do {
            root = try YAMLReader().parse(source.bytes)
        } catch {
            throw source.diagnostic(error.message, line: error.line, column: error.column)
        }
        guard let root else { throw Diagnostic("the scenario is empty", at: SourceLocation(file: name, line: 1, column: 1)) }
        guard root.pairs != nil else {
            throw source.diagnostic("a scenario is a mapping of keys (name, groups, …), not \(root.kindName)", line: root.line, column: root.column)
        }
        // The decoder reads a misspelt key as the key it suggests (`Include:` as `include:`), so
        // every key it would read as `include` is refused, not only the one spelt right.
        let keys = ScenarioLoader.topLevelKeys
        func readAsInclude(_ key: String) -> Bool {
            key == "include" || (!keys.contains(key) && Suggestion.closest(to: key, in: keys) == "include")
        }
        if let include = root.pairs?.first(where: { readAsInclude($0.key.scalar ?? "") }) {
            throw source.diagnostic(
                "a scenario sent to the server cannot include files; copy what the included file sets into the scenario",
                line: include.key.line, column: include.key.column)
        }
        // Nor may it read a student file: every mapping key anywhere in the document that the
        // decoder would read as `cohort` (a group's, a variant's override) is refused.
        if let cohort = firstCohortKey(root) {
            throw source.diagnostic(
                "a scenario sent to the server cannot read a cohort file; run scenarios with 'cohort:' with blendsim run or compare",
                line: cohort.line, column: cohort.column)
        }
        return json(root)
    }

    /// The first mapping key in `node` that reads as a group's `cohort`.
    static func firstCohortKey(_ node: YAMLNode) -> YAMLNode? {
        switch node.content {
        case .scalar: return nil
        case .sequence(let items): return items.lazy.compactMap(firstCohortKey).first
        case .mapping(let pairs):
            let keys = ScenarioLoader.groupKeys
            for pair in pairs {
                let key = pair.key.scalar ?? ""
                if key == "cohort" || (!keys.contains(key) && Suggestion.closest(to: key, in: keys) == "cohort") { return pair.key }
                if let found = firstCohortKey(pair.value) { return found }
            }
            return nil
        }
    }

    static func json(_ node: YAMLNode) -> JSONValue {
        switch node.content {
        case .mapping(let pairs): return .object(pairs.map { ($0.key.scalar ?? "", json($0.value)) })
        case .sequence(let items): return .array(items.map(json))
        case .scalar(let text, let plain):
            guard plain else { return .string(text) }
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let integer = Int(text) { return .integer(integer) }
            if let number = YAMLNode.number(text), number.isFinite { return .number(number) }
            return .string(text)
        }
    }

    /// The error object of every API error (docs/openapi.json, `Error`): the first problem's
    /// message and place, the whole rendered text as `validate` prints it, and every problem.
    public static func errorObject(_ diagnostic: Diagnostic) -> JSONValue {
        func item(_ diagnostic: Diagnostic) -> JSONValue {
            var fields: [(String, JSONValue)] = [("message", .string(diagnostic.message))]
            if let location = diagnostic.location {
                fields += [("file", .string(location.file)), ("line", .integer(location.line)), ("column", .integer(location.column))]
            }
            return .object(fields)
        }
        var first = diagnostic.all.first ?? diagnostic
        if first.message.isEmpty { first = diagnostic }
        return .object([
            ("error", item(first).merging([("rendered", .string(diagnostic.rendered))])),
            ("errors", .array(diagnostic.all.map(item))),
        ])
    }
}

extension JSONValue {
    fileprivate func merging(_ fields: [(String, JSONValue)]) -> JSONValue {
        guard case .object(let existing) = self else { return self }
        return .object(existing + fields)
    }
}
