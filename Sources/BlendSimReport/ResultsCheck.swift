public import BlendSimCore

/// What a results file read back from disk must look like before anything is drawn from it:
/// results directories come from anywhere, and a value no run writes is refused, not rendered.
public enum ResultsCheck {
    /// The largest magnitude of a number blendsim writes in summary.json or manifest.json
    /// (scores, shares, minutes, counts, seconds, and costs: a semester's total in any currency);
    /// seeds are whole numbers and not bounded.
    public static let largestNumber = 1e15

    /// The first problem in `document`, with its JSON path, or nil.
    public static func problem(in document: JSONValue) -> String? {
        if let weeks = document["weeks"] {
            // A semester has at most 52 weeks; a programme at most 12 semesters.
            let most = document["programme"] == nil ? 52 : 52 * 12
            guard case .integer(let value) = weeks, (1...most).contains(value) else { return "'weeks' must be a whole number from 1 to \(most)" }
        }
        if let replications = document["replications"] {
            guard case .integer(let value) = replications, (1...100_000).contains(value) else {
                return "'replications' must be a whole number from 1 to 100000"
            }
        }
        guard let (problem, trail) = walk(document, depth: 0) else { return nil }
        // The path is built only for the value refused: the walk itself allocates nothing.
        var path = ""
        for step in trail.reversed() {
            switch step {
            case .index(let index): path += "[\(index)]"
            case .key(let key): path += path.isEmpty ? key : "." + key
            }
        }
        switch problem {
        case .tooDeep: return "nesting deeper than any results file at \(path)"
        case .outOfRange: return "the value at \(path.isEmpty ? "the top" : path) is out of range"
        }
    }

    enum Problem { case tooDeep, outOfRange }
    enum Step { case index(Int), key(String) }

    /// The first problem under `value` and the steps to it, innermost first.
    static func walk(_ value: JSONValue, depth: Int) -> (Problem, [Step])? {
        guard depth < 32 else { return (.tooDeep, []) }
        switch value {
        case .number(let x):
            guard x.isFinite, abs(x) <= largestNumber else { return (.outOfRange, []) }
        case .array(let items):
            for (index, item) in items.enumerated() {
                if var found = walk(item, depth: depth + 1) {
                    found.1.append(.index(index))
                    return found
                }
            }
        case .object(let members):
            for (key, member) in members {
                if var found = walk(member, depth: depth + 1) {
                    found.1.append(.key(key))
                    return found
                }
            }
        default:
            break
        }
        return nil
    }
}
