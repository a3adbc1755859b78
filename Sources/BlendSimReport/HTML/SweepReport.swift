import BlendSimCore

/// The sweep part of report.html: the swept parameters, each group's end-of-semester overall
/// score against the points (response curves with 95% bands for a grid; one whisker per point
/// otherwise), the best points, and the sensitivity indices as charts.
enum SweepReport {
    static func sections(points: [JSONValue], summary: JSONValue) -> String {
        var html = "<h2>Sweep</h2>"
        let design = summary["design"]?.stringValue ?? "grid"
        var names: [String] = []
        if case .array(let list)? = summary["parameters"] { names = list.compactMap(\.stringValue) }
        html += "<p>\(SVG.escape(design)) design over \(names.map { "<code>\(SVG.escape($0))</code>" }.joined(separator: ", ")): "
            + "\(points.count) points × \(SVG.escape(summary["replications"]?.serialized() ?? "–")) replications. "
            + "Each chart shows a group's end-of-semester overall score (Cambridge English Scale) with its 95% interval over replications.</p>"
        var groupNames: [String] = []
        if case .array(let groups)? = points.first?["groups"] { groupNames = groups.compactMap { $0["name"]?.stringValue } }
        func overall(_ point: JSONValue, _ group: String) -> (mean: Double, lower: Double, upper: Double)? {
            guard case .array(let groups)? = point["groups"], let found = groups.first(where: { $0["name"]?.stringValue == group }),
                let mean = found["overall"]?["after"]?["mean"]?.doubleValue
            else { return nil }
            var lower = Double.nan, upper = Double.nan
            if case .array(let ci)? = found["overall"]?["after"]?["ci95"], ci.count == 2 { lower = ci[0].doubleValue ?? .nan; upper = ci[1].doubleValue ?? .nan }
            return (mean, lower, upper)
        }
        func setting(_ point: JSONValue, _ name: String) -> JSONValue? { point["settings"]?[name] }
        func text(_ value: JSONValue?) -> String { value?.stringValue ?? value?.doubleValue.map { SVG.label($0) } ?? "–" }
        // A grid with a numeric parameter: response curves over it, a curve per combination of the others.
        let numeric = names.filter { name in points.allSatisfy { setting($0, name)?.doubleValue != nil } }
        for group in groupNames {
            html += "<h3>Group '\(SVG.escape(group))'</h3>"
            if design == "grid", let axis = numeric.last {
                let xs = Array(Set(points.compactMap { setting($0, axis)?.doubleValue })).sorted()
                let others = names.filter { $0 != axis }
                // One pass over the points: each curve's key (the other parameters' settings) and
                // its first point at each x, so the page is built in time linear in the points.
                var keys: [String] = []
                var curves: [String: [Double: JSONValue]] = [:]
                for point in points {
                    let key = others.map { "\($0.split(separator: ".").last ?? "") = \(text(setting(point, $0)))" }.joined(separator: ", ")
                    if curves[key] == nil {
                        keys.append(key)
                        curves[key] = [:]
                    }
                    if let x = setting(point, axis)?.doubleValue, curves[key]?[x] == nil { curves[key]?[x] = point }
                }
                let series = keys.map { key -> SVG.Series in
                    var means: [Double] = [], lower: [Double] = [], upper: [Double] = []
                    for x in xs {
                        let point = curves[key]?[x]
                        let value = point.flatMap { overall($0, group) }
                        means.append(value?.mean ?? .nan)
                        lower.append(value?.lower ?? .nan)
                        upper.append(value?.upper ?? .nan)
                    }
                    return SVG.Series(name: key.isEmpty ? group : key, means: means, lower: lower, upper: upper)
                }
                html += "<figure>" + SVG.lineChart(
                    title: "'\(group)': overall score against \(axis.split(separator: ".").last ?? Substring(axis))", yLabel: "overall score, end of semester", series: series,
                    xLabel: axis, xTicks: xs.map { SVG.label($0) })
                html += "<figcaption>The end-of-semester overall score of group '\(SVG.escape(group))' at each value of \(SVG.escape(axis))"
                html += others.isEmpty ? "" : ", one line per setting of \(others.map(SVG.escape).joined(separator: ", "))"
                html += "; the shaded band is the 95% interval over replications.</figcaption></figure>"
            } else {
                let items = points.prefix(60).enumerated().compactMap { index, point -> (label: String, mean: Double, lower: Double, upper: Double)? in
                    guard let value = overall(point, group) else { return nil }
                    return ("point \(index + 1)", value.mean, value.lower, value.upper)
                }
                html += "<figure>" + SVG.whiskers(title: "Overall score of '\(group)' at each point", xLabel: "overall score, end of semester", items: Array(items))
                html += "<figcaption>Each point's end-of-semester overall score with its 95% interval\(points.count > 60 ? " (the first 60 points)" : ""); the table below gives the points' settings.</figcaption></figure>"
            }
            // The best points for this group.
            let ranked = points.enumerated().compactMap { index, point -> (Int, JSONValue, Double)? in
                overall(point, group).map { (index, point, $0.mean) }
            }.sorted { $0.2 > $1.2 }.prefix(5)
            html += "<table><caption>The five points with the highest end-of-semester overall score for '\(SVG.escape(group))'</caption><tr><th>point</th>"
            html += names.map { "<th class=\"name\">\(SVG.escape($0))</th>" }.joined() + "<th>overall score [95% CI]</th></tr>"
            for (index, point, _) in ranked {
                html += "<tr><td>\(index + 1)</td>" + names.map { "<td class=\"name\">\(SVG.escape(text(setting(point, $0))))</td>" }.joined()
                if case .array(let groups)? = point["groups"], let found = groups.first(where: { $0["name"]?.stringValue == group }) {
                    html += HTMLReport.statCell(found["overall"]?["after"], digits: 1)
                } else {
                    html += "<td>–</td>"
                }
                html += "</tr>"
            }
            html += "</table>"
        }
        html += sensitivity(summary["sensitivity"])
        return html
    }

    /// Morris μ* and σ, or Sobol first-order and total indices, as charts.
    static func sensitivity(_ document: JSONValue?) -> String {
        guard let document, case .array(let indices)? = document["indices"], !indices.isEmpty else { return "" }
        let method = document["method"]?.stringValue ?? ""
        let outcome = document["outcome"]?.stringValue ?? ""
        var html = "<h2>Sensitivity (\(SVG.escape(method)))</h2><p>What moves <code>\(SVG.escape(outcome))</code>, parameter by parameter (docs/EXPERIMENTS.md).</p>"
        func chart(_ title: String, _ key: String, _ axis: String) -> String {
            let items = indices.compactMap { index -> (label: String, mean: Double, lower: Double, upper: Double)? in
                guard let name = index["parameter"]?.stringValue, let value = index[key]?.doubleValue else { return nil }
                return (String(name.split(separator: ".").last ?? Substring(name)), value, .nan, .nan)
            }
            guard !items.isEmpty else { return "" }
            return "<figure>" + SVG.whiskers(title: title, xLabel: axis, items: items) + "<figcaption>\(SVG.escape(title)) per parameter.</figcaption></figure>"
        }
        if method == "morris" {
            html += chart("Morris μ* (mean absolute elementary effect)", "mu_star", "μ*, change over the parameter's range")
            html += chart("Morris σ (spread of the elementary effects)", "sigma", "σ")
        } else {
            html += chart("Sobol first-order index S1", "first_order", "share of the outcome's variance")
            html += chart("Sobol total index ST", "total", "share of the outcome's variance")
        }
        return html
    }
}
