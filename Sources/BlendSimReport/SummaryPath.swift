public import BlendSimCore

extension Summary {
    /// The statistic at a dotted path of summary.json; list elements are chosen by their
    /// `name` (groups) or `group` (gains).
    public static func statistic(_ path: String, in summary: JSONValue) -> Statistic? {
        var node = summary
        for segment in path.split(separator: ".").map(String.init) {
            switch node {
            case .object:
                guard let next = node[segment] else { return nil }
                node = next
            case .array(let items):
                guard let next = items.first(where: { $0["name"]?.stringValue == segment || $0["group"]?.stringValue == segment }) else {
                    return nil
                }
                node = next
            default:
                return nil
            }
        }
        if let value = node.doubleValue { return Statistic([value]) }
        guard case .object = node, let meanNode = node["mean"] else { return nil }
        let mean = meanNode.doubleValue ?? .nan
        let n = node["n"].flatMap { $0.doubleValue }.map { Int($0) } ?? 0
        var ci: (Double, Double)?
        if case .array(let bounds)? = node["ci95"], bounds.count == 2, let lower = bounds[0].doubleValue, let upper = bounds[1].doubleValue {
            ci = (lower, upper)
        }
        return Statistic(mean: mean, sd: node["sd"]?.doubleValue, ci95: ci, n: n)
    }
}
