/// report.html of `blendsim optimise`: the verdict in words, then the cost–outcome chart — every
/// design a dot at its cost per student and outcome, the frontier joined by a line, the best
/// design marked, designs over the budget hollow. Self-contained: no script, nothing fetched.
public enum OptimisationPage {
    public typealias Point = (cost: Double, value: Double, label: String, front: Bool, best: Bool, withinBudget: Bool)

    public static func html(
        title: String, verdict: [String], currency: String, objective: String, points: [Point], display: (Double) -> String
    ) -> String {
        var body = "<h1>\(SVG.escape(title))</h1>"
        body += verdict.map { "<p class=\"verdict\">\(SVG.escape($0))</p>" }.joined()
        body += "<h2>Cost and outcome of every design</h2>" + chart(points, currency: currency, objective: objective)
        let front = points.filter(\.front).sorted { $0.cost < $1.cost }
        body += "<h2>The frontier, cheapest first</h2><table><tr><th>design</th><th>cost per student</th><th>\(SVG.escape(objective))</th></tr>"
        for point in front {
            body += "<tr><td>\(SVG.escape(point.label))</td><td>\(SVG.escape(CostReport.money(point.cost, currency)))</td>"
                + "<td>\(SVG.escape(display(point.value)))</td></tr>"
        }
        body += "</table><p class=\"note\">Each dot is a design's mean over replications (the same random numbers for every design). "
            + "A design is on the frontier when no other costs less per student and gives more. Hollow dots are over the budget.</p>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><title>\(SVG.escape(title))</title>
            <style>\(HTMLReport.style)table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}</style></head><body>\(body)</body></html>

            """
    }

    /// The scatter of designs with the frontier as a line.
    static func chart(_ points: [Point], currency: String, objective: String) -> String {
        let finite = points.filter { $0.cost.isFinite && $0.value.isFinite }
        guard !finite.isEmpty else { return "<p>No design ran.</p>" }
        let width = 760.0, height = 420.0, left = 90.0, right = 20.0, top = 20.0, bottom = 60.0
        var xLow = finite.map(\.cost).min()!, xHigh = finite.map(\.cost).max()!
        var yLow = finite.map(\.value).min()!, yHigh = finite.map(\.value).max()!
        if xHigh <= xLow { xLow -= 1; xHigh += 1 }
        if yHigh <= yLow { yLow -= 0.01; yHigh += 0.01 }
        let xPad = (xHigh - xLow) * 0.05, yPad = (yHigh - yLow) * 0.08
        xLow -= xPad; xHigh += xPad; yLow -= yPad; yHigh += yPad
        func x(_ v: Double) -> Double { left + (v - xLow) / (xHigh - xLow) * (width - left - right) }
        func y(_ v: Double) -> Double { height - bottom - (v - yLow) / (yHigh - yLow) * (height - top - bottom) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" "
            + "aria-label=\"\(SVG.escape(objective)) against cost per student\">"
        svg += "<title>\(SVG.escape(objective)) against cost per student (\(SVG.escape(currency)))</title>"
        svg += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"#444\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"#444\"/>"
        for tick in SVG.ticks(xLow, xHigh) {
            svg += "<text x=\"\(SVG.number(x(tick)))\" y=\"\(height - bottom + 16)\" font-size=\"11\" text-anchor=\"middle\">"
                + "\(SVG.escape(CostReport.money(tick, "")))</text>"
        }
        for tick in SVG.ticks(yLow, yHigh) {
            svg += "<text x=\"\(left - 6)\" y=\"\(SVG.number(y(tick) + 4))\" font-size=\"11\" text-anchor=\"end\">\(SVG.number(tick))</text>"
        }
        svg += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 18)\" font-size=\"12\" text-anchor=\"middle\">cost per student (\(SVG.escape(currency)))</text>"
        svg += "<text x=\"16\" y=\"\((top + height - bottom) / 2)\" font-size=\"12\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \((top + height - bottom) / 2))\">\(SVG.escape(objective))</text>"
        let front = finite.filter(\.front).sorted { $0.cost < $1.cost }
        if front.count > 1 {
            svg += "<polyline fill=\"none\" stroke=\"\(SVG.color(1))\" stroke-width=\"2\" points=\""
                + front.map { "\(SVG.number(x($0.cost))),\(SVG.number(y($0.value)))" }.joined(separator: " ") + "\"/>"
        }
        for point in finite {
            let fill = point.withinBudget ? SVG.color(point.front ? 1 : 0) : "none"
            svg += "<circle cx=\"\(SVG.number(x(point.cost)))\" cy=\"\(SVG.number(y(point.value)))\" r=\"\(point.best ? 7 : 3.5)\" "
                + "fill=\"\(fill)\" stroke=\"\(SVG.color(point.front ? 1 : 0))\"\(point.best ? " stroke-width=\"3\"" : "")>"
                + "<title>\(SVG.escape(point.label))</title></circle>"
        }
        svg += "<g font-size=\"12\"><circle cx=\"\(width - 250)\" cy=\"\(top + 8)\" r=\"4\" fill=\"\(SVG.color(0))\"/>"
            + "<text x=\"\(width - 240)\" y=\"\(top + 12)\">a design</text>"
            + "<circle cx=\"\(width - 170)\" cy=\"\(top + 8)\" r=\"4\" fill=\"\(SVG.color(1))\"/>"
            + "<text x=\"\(width - 160)\" y=\"\(top + 12)\">on the frontier</text>"
            + "<circle cx=\"\(width - 60)\" cy=\"\(top + 8)\" r=\"6\" fill=\"none\" stroke=\"#444\" stroke-width=\"3\"/>"
            + "<text x=\"\(width - 50)\" y=\"\(top + 12)\">best</text></g>"
        return svg + "</svg>"
    }
}
