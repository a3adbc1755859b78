public import BlendSimCore
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
import BlendSimSystem

/// `blendsim evidence check`: runs every finding's experiment with the current defaults and sets
/// the simulated statistic beside the reported one (docs/EVIDENCE.md).
public enum EvidenceCheck {
    /// The evidence base `evidence check` reads by default: ./evidence, else the one installed
    /// beside blendsim (PREFIX/share/blendsim/evidence).
    public static func shippedEvidence() -> String {
        if FileSystem.exists("evidence") { return "evidence" }
        if let directory = PluginHost.executableDirectory() {
            let installed = FileSystem.absolute(directory + "/../share/blendsim/evidence")
            if FileSystem.exists(installed) { return installed }
        }
        return "evidence"
    }

    public struct Row: Sendable {
        public var finding: EvidenceFinding
        /// The statistic over replications: mean with its 95% CI.
        public var simulated: Statistic
        /// Whether the simulated mean lies inside the finding's reported interval.
        public var reproduced: Bool { simulated.mean >= finding.interval.lower && simulated.mean <= finding.interval.upper }
    }

    /// Loads the findings at `paths` (files or folders) and runs their experiments; each
    /// scenario runs once however many findings read it.
    /// - Parameter kernel: kernel parameters set in every experiment (`--set`), for sensitivity
    ///   analyses of assumptions.
    public static func run(paths: [String], settings: RunSettings, kernel: [(String, Double)] = []) throws(Diagnostic) -> [Row] {
        let files: [String]
        switch EvidenceLoader.expand(paths) {
        case .failure(let diagnostic): throw diagnostic
        case .success(let found): files = found
        }
        guard !files.isEmpty else { throw Diagnostic("no evidence files (*.yaml) in \(paths.joined(separator: ", "))") }
        let (findings, diagnostics) = EvidenceLoader.loadAll(paths: files)
        if let error = Diagnostic.collected(Diagnostic.report(diagnostics)) { throw error }
        let host = try PluginResolution.host(settings.pluginDirectories)
        var summaries: [String: JSONValue] = [:]
        var rows: [Row] = []
        for finding in findings {
            if summaries[finding.scenarioPath] == nil {
                var scenario = settings.apply(to: try ScenarioLoader.load(path: finding.scenarioPath))
                for (key, value) in kernel {
                    guard let info = KernelParameters.catalog.first(where: { $0.key == key }), info.range.contains(value) else {
                        throw Diagnostic("kernel parameter '\(key)' is unknown or \(value) is outside its range")
                    }
                    scenario.kernel[keyPath: info.keyPath] = value
                }
                try ResourceCheck.check(scenario, settings: settings)
                summaries[finding.scenarioPath] = try ScenarioRun.summary(of: scenario, host: host, options: settings.engine)
            }
            guard let statistic = Summary.statistic(finding.summaryPath, in: summaries[finding.scenarioPath]!) else {
                throw finding.source.diagnostic(
                    "the experiment's summary has no statistic '\(finding.summaryPath)'", line: finding.experimentLocation.line,
                    column: finding.experimentLocation.column)
            }
            rows.append(Row(finding: finding, simulated: statistic))
        }
        return rows
    }

    /// One object per finding: what `--format json` prints and the report page reads.
    public static func document(_ rows: [Row]) -> JSONValue {
        .array(rows.map { row in
            .object([
                ("finding", .string(row.finding.id)),
                ("source", .string("\(row.finding.authors) (\(row.finding.year)), \(row.finding.venue)")),
                ("outcome", .string(row.finding.outcome.rawValue)),
                ("statistic", .string(row.finding.statistic)),
                ("summary_path", .string(row.finding.summaryPath)),
                ("reported", .finite(row.finding.value)),
                ("reported_ci95", .array([.finite(row.finding.interval.lower), .finite(row.finding.interval.upper)])),
                ("simulated", Summary.json(row.simulated)),
                ("reproduced", .bool(row.reproduced)),
            ])
        })
    }

    /// The validation page (report.html form) of the rows.
    public static func report(_ rows: [Row]) -> String { EvidenceReport.render(document(rows)) }

    /// The validation table as plain text, Markdown or JSON.
    public static func render(_ rows: [Row], format: String) -> String {
        func number(_ value: Double) -> String {
            guard value.isFinite else { return "–" }
            let magnitude = abs(value)
            let digits = magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            return JSONValue.number((value * scale).rounded() / scale).serialized()
        }
        func interval(_ lower: Double, _ upper: Double) -> String { "[\(number(lower)), \(number(upper))]" }
        func simulated(_ s: Statistic) -> String {
            number(s.mean) + (s.ci95.map { " " + interval($0.lower, $0.upper) } ?? "")
        }
        let inside = rows.filter(\.reproduced).count
        switch format {
        case "json":
            return document(rows).serialized() + "\n"
        case "markdown":
            var out = "| finding | outcome | reported [95% interval] | simulated [95% CI] | inside |\n|---|---|---|---|---|\n"
            for row in rows {
                let f = row.finding
                out += "| \(f.id) | \(f.outcome.rawValue) (\(f.statistic)\(f.detail.map { ", " + $0 } ?? "")) | \(number(f.value)) \(interval(f.interval.lower, f.interval.upper)) | \(simulated(row.simulated)) | \(row.reproduced ? "yes" : "**no**") |\n"
            }
            out += "\n\(inside) of \(rows.count) findings reproduced within their reported uncertainty.\n"
            return out
        default:
            var table = [["finding", "outcome", "reported [95% interval]", "simulated [95% CI]", "inside"]]
            for row in rows {
                let f = row.finding
                table.append([
                    f.id, "\(f.outcome.rawValue) (\(f.statistic)\(f.detail.map { ", " + $0 } ?? ""))",
                    "\(number(f.value)) \(interval(f.interval.lower, f.interval.upper))", simulated(row.simulated),
                    row.reproduced ? "yes" : "NO",
                ])
            }
            return TerminalSummary.table(table, rightAligned: [])
                + "\n\(inside) of \(rows.count) findings reproduced within their reported uncertainty.\n"
        }
    }
}
