public import BlendSimCore

/// What a results file read back from disk must look like before anything is drawn from it:
/// results directories come from anywhere, and a value no run writes is refused, not rendered.
public enum ResultsCheck {
    /// The largest magnitude of a number blendsim writes in summary.json or manifest.json
    /// (scores, shares, minutes, counts, seconds); seeds are whole numbers and not bounded.
    public static let largestNumber = 1e12

    /// The first problem in `document`, with its JSON path, or nil.
    public static func problem(in document: JSONValue) -> String? {
        if let weeks = document["weeks"] {
            guard case .integer(let value) = weeks, (1...52).contains(value) else { return "'weeks' must be a whole number from 1 to 52" }
        }
        if let replications = document["replications"] {
            guard case .integer(let value) = replications, (1...100_000).contains(value) else {
                return "'replications' must be a whole number from 1 to 100000"
            }
        }
        var depth = 0
        return walk(document, path: "", depth: &depth)
    }

    static func walk(_ value: JSONValue, path: String, depth: inout Int) -> String? {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 32 else { return "nesting deeper than any results file at \(path)" }
        switch value {
        case .number(let x):
            guard x.isFinite, abs(x) <= largestNumber else { return "the value at \(path.isEmpty ? "the top" : path) is out of range" }
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let problem = walk(item, path: path + "[\(index)]", depth: &depth) { return problem }
            }
        case .object(let members):
            for (key, member) in members {
                if let problem = walk(member, path: path.isEmpty ? key : path + "." + key, depth: &depth) { return problem }
            }
        default:
            break
        }
        return nil
    }
}
