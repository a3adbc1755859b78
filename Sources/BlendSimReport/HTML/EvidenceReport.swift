public import BlendSimCore

/// The validation page: every finding of an evidence set beside what the model gives for it,
/// from the JSON document `blendsim evidence check --format json` prints.
public enum EvidenceReport {
    /// A self-contained HTML page; every string from the document is escaped.
    public static func render(_ document: JSONValue) -> String {
        guard case .array(let rows) = document else { return render(.array([])) }
        let reproduced = rows.filter { $0["reproduced"] == .bool(true) }.count
        var body = "<h1>blendsim: the model against the evidence</h1>"
        body += "<p><strong>\(reproduced) of \(rows.count) published findings are reproduced within their reported uncertainty</strong> "
            + "by the current defaults: the simulated mean lies inside the finding's 95% interval.</p>"
        body += "<p class=\"note\">Each chart shows, for one finding, the value the source reports with its 95% interval "
            + "(derived where the source gives none; docs/EVIDENCE.md) and the simulated value with its 95% confidence interval over replications.</p>"
        body += "<div class=\"charts\">"
        for row in rows {
            let id = row["finding"]?.stringValue ?? "finding"
            let statistic = (row["outcome"]?.stringValue ?? "") + " (" + (row["statistic"]?.stringValue ?? "") + ")"
            var items: [(label: String, mean: Double, lower: Double, upper: Double)] = []
            if let value = row["reported"]?.doubleValue, case .array(let ci)? = row["reported_ci95"], ci.count == 2 {
                items.append(("reported", value, ci[0].doubleValue ?? .nan, ci[1].doubleValue ?? .nan))
            }
            if let simulated = row["simulated"], let mean = simulated["mean"]?.doubleValue {
                var lower = Double.nan, upper = Double.nan
                if case .array(let ci)? = simulated["ci95"], ci.count == 2 { lower = ci[0].doubleValue ?? .nan; upper = ci[1].doubleValue ?? .nan }
                items.append(("simulated", mean, lower, upper))
            }
            if !items.isEmpty { body += SVG.whiskers(title: id, xLabel: statistic, items: items) }
        }
        body += "</div>"
        body += "<h2>Every finding</h2><table><tr><th class=\"name\">finding</th><th class=\"name\">source</th><th class=\"name\">outcome</th>"
            + "<th>reported [95% interval]</th><th>simulated [95% CI]</th><th>inside</th></tr>"
        for row in rows {
            let source = row["source"]?.stringValue ?? ""
            body += "<tr><td class=\"name\">\(SVG.escape(row["finding"]?.stringValue ?? ""))</td><td class=\"name\">\(SVG.escape(source))</td>"
            body += "<td class=\"name\">\(SVG.escape((row["outcome"]?.stringValue ?? "") + " (" + (row["statistic"]?.stringValue ?? "") + ")"))</td>"
            var reported = TerminalSummary.fixed(row["reported"]?.doubleValue ?? .nan, digits: 3)
            if case .array(let ci)? = row["reported_ci95"], ci.count == 2 {
                reported += " [\(TerminalSummary.fixed(ci[0].doubleValue ?? .nan, digits: 3)), \(TerminalSummary.fixed(ci[1].doubleValue ?? .nan, digits: 3))]"
            }
            body += "<td>\(SVG.escape(reported))</td>" + HTMLReport.statCell(row["simulated"], digits: 3)
            body += "<td>\(row["reproduced"] == .bool(true) ? "yes" : "<strong>no</strong>")</td></tr>"
        }
        body += "</table>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><title>blendsim: the model against the evidence</title>
            <style>\(HTMLReport.style)</style></head><body>\(body)</body></html>

            """
    }
}
