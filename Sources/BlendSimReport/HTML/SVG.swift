/// Small SVG charts for report.html: line charts with confidence bands, stacked bars, and
/// whisker plots. Every chart has a title, labelled axes with units and a legend.
enum SVG {
    /// The Okabe–Ito palette: distinguishable with every common colour-vision deficiency.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        return String((value * 100).rounded() / 100)
    }

    /// Round tick values spanning [low, high].
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low else { return [low] }
        let raw = (high - low) / Double(count)
        var step = 1.0
        while step > raw { step /= 10 }
        while step * 10 <= raw { step *= 10 }
        for factor in [1.0, 2.0, 5.0, 10.0] where step * factor >= raw {
            step *= factor
            break
        }
        var tick = (low / step).rounded(.up) * step
        var result: [Double] = []
        while tick <= high + step * 1e-9 {
            result.append(tick)
            tick += step
        }
        return result
    }

    static func label(_ value: Double) -> String {
        // Beyond 2⁵³ (or not finite) a value has no exact integer form: shown as it is.
        guard value.isFinite, abs(value) < 0x1p53 / 1000 else { return escape("\(value)") }
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    struct Series {
        var name: String
        var means: [Double]
        var lower: [Double]
        var upper: [Double]
    }

    /// A line per series over weeks 0…n (or over the points named by `xTicks`), with its 95% band
    /// shaded.
    static func lineChart(title: String, yLabel: String, series: [Series], xLabel: String = "week of the semester", xTicks: [String]? = nil) -> String {
        let width = 420.0, left = 56.0, right = 12.0, top = 30.0, bottom = 64.0
        // Every series in the legend: wrapped rows below the plot make the chart taller.
        let rows = legendRows(series.map(\.name), x: left, width: width - right)
        let height = 260.0 + Double(rows - 1) * 16
        let plotWidth = width - left - right, plotHeight = 260.0 - top - bottom
        let weeks = max(series.map { $0.means.count }.max() ?? 1, 2) - 1
        let values = series.flatMap { $0.lower + $0.upper + $0.means }.filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-9 { low -= 0.5; high += 0.5 }
        let pad = (high - low) * 0.08
        low -= pad
        high += pad
        func x(_ week: Int) -> Double { left + plotWidth * Double(week) / Double(weeks) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - low) / (high - low)) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<title>\(escape(title))</title>"
        svg += "<text x=\"\(number(width / 2))\" y=\"18\" class=\"chart-title\" text-anchor=\"middle\">\(escape(title))</text>"
        for tick in ticks(low, high) {
            svg += "<line x1=\"\(number(left))\" x2=\"\(number(left + plotWidth))\" y1=\"\(number(y(tick)))\" y2=\"\(number(y(tick)))\" class=\"grid\"/>"
            svg += "<text x=\"\(number(left - 6))\" y=\"\(number(y(tick) + 4))\" text-anchor=\"end\" class=\"tick\">\(label(tick))</text>"
        }
        let step = xTicks == nil ? max(1, weeks / 8) : 1
        for week in stride(from: 0, through: weeks, by: step) {
            let text = xTicks.map { week < $0.count ? $0[week] : "" } ?? "\(week)"
            svg += "<text x=\"\(number(x(week)))\" y=\"\(number(top + plotHeight + 16))\" text-anchor=\"middle\" class=\"tick\">\(escape(text))</text>"
        }
        svg += "<line x1=\"\(number(left))\" x2=\"\(number(left + plotWidth))\" y1=\"\(number(top + plotHeight))\" y2=\"\(number(top + plotHeight))\" class=\"axis\"/>"
        svg += "<line x1=\"\(number(left))\" x2=\"\(number(left))\" y1=\"\(number(top))\" y2=\"\(number(top + plotHeight))\" class=\"axis\"/>"
        svg += "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(top + plotHeight + 32))\" text-anchor=\"middle\" class=\"axis-label\">\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(14 \(number(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">\(escape(yLabel))</text>"
        for (index, s) in series.enumerated() {
            let upper = s.upper.enumerated().map { "\(number(x($0.offset))),\(number(y($0.element.isFinite ? $0.element : s.means[$0.offset])))" }
            let lower = s.lower.enumerated().reversed().map { "\(number(x($0.offset))),\(number(y($0.element.isFinite ? $0.element : s.means[$0.offset])))" }
            svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color(index))\" fill-opacity=\"0.18\" stroke=\"none\"/>"
            let line = s.means.enumerated().map { "\(number(x($0.offset))),\(number(y($0.element)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(color(index))\" stroke-width=\"2\"/>"
        }
        svg += legend(series.map(\.name), x: left, y: 260 - 14, marker: "line", width: width - right)
        return svg + "</svg>"
    }

    /// The rows a legend of `names` takes within `width` from `x` (every entry shown).
    static func legendRows(_ names: [String], x: Double, width: Double) -> Int {
        var rows = 1, position = x
        for name in names {
            let entry = 28 + Double(name.count) * 6.5
            if position > x && position + entry > width { rows += 1; position = x }
            position += entry
        }
        return rows
    }

    /// A legend with an entry per name, wrapped onto further rows 16 px apart within `width`.
    static func legend(_ names: [String], x: Double, y: Double, marker: String, width: Double = .infinity) -> String {
        var svg = ""
        var position = x
        var y = y
        for (index, name) in names.enumerated() {
            let entry = 28 + Double(name.count) * 6.5
            if position > x && position + entry > width {
                position = x
                y += 16
            }
            if marker == "line" {
                svg += "<line x1=\"\(number(position))\" x2=\"\(number(position + 16))\" y1=\"\(number(y - 4))\" y2=\"\(number(y - 4))\" stroke=\"\(color(index))\" stroke-width=\"3\"/>"
            } else {
                svg += "<rect x=\"\(number(position))\" y=\"\(number(y - 10))\" width=\"12\" height=\"12\" fill=\"\(color(index))\"/>"
            }
            svg += "<text x=\"\(number(position + 20))\" y=\"\(number(y))\" class=\"legend\">\(escape(name))</text>"
            position += entry
        }
        return svg
    }

    /// Stacked 100% bars: one per (label, shares), the shares in `categories` order.
    static func stackedBars(title: String, bars: [(label: String, shares: [Double])], categories: [String]) -> String {
        let barWidth = 54.0, gap = 40.0, left = 48.0, top = 30.0, plotHeight = 170.0
        let bottom = 48.0 + 18.0 * Double(categories.count)
        let width = max(400, left + Double(bars.count) * (barWidth + gap) + 20)
        let height = top + plotHeight + bottom
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<title>\(escape(title))</title>"
        svg += "<text x=\"\(number(width / 2))\" y=\"18\" class=\"chart-title\" text-anchor=\"middle\">\(escape(title))</text>"
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let y = top + plotHeight * (1 - tick)
            svg += "<line x1=\"\(number(left))\" x2=\"\(number(width - 10))\" y1=\"\(number(y))\" y2=\"\(number(y))\" class=\"grid\"/>"
            svg += "<text x=\"\(number(left - 6))\" y=\"\(number(y + 4))\" text-anchor=\"end\" class=\"tick\">\(Int(tick * 100))%</text>"
        }
        svg += "<text transform=\"translate(12 \(number(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">share of students</text>"
        for (index, bar) in bars.enumerated() {
            let x = left + 10 + Double(index) * (barWidth + gap)
            var base = top + plotHeight
            for (c, raw) in bar.shares.enumerated() {
                let share = raw.isFinite ? min(max(raw, 0), 1) : 0
                let h = plotHeight * max(0, share)
                svg += "<rect x=\"\(number(x))\" y=\"\(number(base - h))\" width=\"\(number(barWidth))\" height=\"\(number(h))\" fill=\"\(color(c))\"><title>\(escape(bar.label)): \(escape(categories[c])) \(label(share * 100))%</title></rect>"
                if h > 14 {
                    svg += "<text x=\"\(number(x + barWidth / 2))\" y=\"\(number(base - h / 2 + 4))\" text-anchor=\"middle\" class=\"bar-label\">\(Int((share * 100).rounded()))%</text>"
                }
                base -= h
            }
            // Labels in two lines: "group" over "moment".
            let words = bar.label.split(separator: " ")
            let first = words.dropLast().joined(separator: " "), last = words.last.map(String.init) ?? ""
            svg += "<text x=\"\(number(x + barWidth / 2))\" y=\"\(number(top + plotHeight + 16))\" text-anchor=\"middle\" class=\"tick\">\(escape(first))</text>"
            svg += "<text x=\"\(number(x + barWidth / 2))\" y=\"\(number(top + plotHeight + 29))\" text-anchor=\"middle\" class=\"tick\">\(escape(last))</text>"
        }
        for (index, category) in categories.enumerated() {
            let y = top + plotHeight + 50 + 18 * Double(index)
            svg += "<rect x=\"\(number(left))\" y=\"\(number(y - 10))\" width=\"12\" height=\"12\" fill=\"\(color(index))\"/>"
            svg += "<text x=\"\(number(left + 18))\" y=\"\(number(y))\" class=\"legend\">\(escape(category))</text>"
        }
        return svg + "</svg>"
    }

    /// One dot with a 95% whisker per (label, mean, lower, upper); with `reference`, a dashed
    /// vertical line there (a forest plot's line of no difference), always inside the axis.
    static func whiskers(
        title: String, xLabel: String, items: [(label: String, mean: Double, lower: Double, upper: Double)], reference: Double? = nil,
        including: [Double] = [], negligible: ClosedRange<Double>? = nil
    ) -> String {
        // The labels' column as wide as the longest label (at about 6.2 px a character), so none
        // is cut off; the plot keeps its width.
        let longest = Double(items.map(\.label.count).max() ?? 0)
        let rowHeight = 26.0, left = min(max(150.0, 16 + longest * 6.2), 360), right = 20.0, top = 34.0, width = left + 310
        let height = top + Double(items.count) * rowHeight + 46
        let values = (items.flatMap { [$0.mean, $0.lower, $0.upper] } + (reference.map { [$0] } ?? []) + including).filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-9 { low -= 0.5; high += 0.5 }
        let pad = (high - low) * 0.1
        low -= pad
        high += pad
        func x(_ value: Double) -> Double { left + (width - left - right) * (value - low) / (high - low) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
        svg += "<title>\(escape(title))</title>"
        svg += "<text x=\"\(number(width / 2))\" y=\"18\" class=\"chart-title\" text-anchor=\"middle\">\(escape(title))</text>"
        let bottom = top + Double(items.count) * rowHeight
        for tick in ticks(low, high, count: 4) {
            svg += "<line x1=\"\(number(x(tick)))\" x2=\"\(number(x(tick)))\" y1=\"\(number(top - 6))\" y2=\"\(number(bottom))\" class=\"grid\"/>"
            svg += "<text x=\"\(number(x(tick)))\" y=\"\(number(bottom + 16))\" text-anchor=\"middle\" class=\"tick\">\(label(tick))</text>"
        }
        svg += "<text x=\"\(number((left + width - right) / 2))\" y=\"\(number(bottom + 34))\" text-anchor=\"middle\" class=\"axis-label\">\(escape(xLabel))</text>"
        if let negligible {
            // The band of negligible effects, so a negligible gap does not look large.
            let from = x(max(negligible.lowerBound, low)), to = x(min(negligible.upperBound, high))
            if to > from {
                svg += "<rect x=\"\(number(from))\" y=\"\(number(top - 6))\" width=\"\(number(to - from))\" height=\"\(number(bottom - top + 6))\" fill=\"#999\" fill-opacity=\"0.15\"><title>negligible</title></rect>"
            }
        }
        if let reference, reference.isFinite {
            svg += "<line x1=\"\(number(x(reference)))\" x2=\"\(number(x(reference)))\" y1=\"\(number(top - 6))\" y2=\"\(number(bottom))\" stroke=\"#222\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"
        }
        for (index, item) in items.enumerated() {
            let y = top + Double(index) * rowHeight + rowHeight / 2
            svg += "<text x=\"\(number(left - 8))\" y=\"\(number(y + 4))\" text-anchor=\"end\" class=\"tick\">\(escape(item.label))</text>"
            if item.lower.isFinite && item.upper.isFinite {
                svg += "<line x1=\"\(number(x(item.lower)))\" x2=\"\(number(x(item.upper)))\" y1=\"\(number(y))\" y2=\"\(number(y))\" stroke=\"\(color(index))\" stroke-width=\"2\"/>"
            }
            svg += "<circle cx=\"\(number(x(item.mean)))\" cy=\"\(number(y))\" r=\"4.5\" fill=\"\(color(index))\"/>"
        }
        return svg + "</svg>"
    }
}
