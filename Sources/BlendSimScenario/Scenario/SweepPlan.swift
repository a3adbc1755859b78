public import BlendSimCore

/// A sweep: a base scenario, parameters with values or ranges, and a design that turns them
/// into points (docs/EXPERIMENTS.md).
public struct SweepPlan: Sendable {
    public enum Design: String, Sendable, CaseIterable {
        case grid
        case latinHypercube = "latin_hypercube"
        case morris
        case sobol
    }

    public struct Parameter: Sendable {
        /// A scenario key as a dotted path: `online_share`, `groups.<name>.<key>`, `kernel.<key>`,
        /// `model_defaults.<model>.<parameter>`, `policy_defaults.<policy>.<parameter>`.
        public var name: String
        /// Values for a grid (as written: numbers or names).
        public var values: [YAMLNode]
        /// A range for the sampling designs.
        public var range: ClosedRange<Double>?
        public var location: SourceLocation

        public init(name: String, values: [YAMLNode], range: ClosedRange<Double>?, location: SourceLocation) {
            self.name = name
            self.values = values
            self.range = range
            self.location = location
        }
    }

    public var scenarioPath: String
    public var replications: Int?
    public var design: Design
    public var parameters: [Parameter]
    /// Latin-hypercube points, or Sobol base samples.
    public var points: Int
    /// Morris trajectories and grid levels.
    public var trajectories: Int
    /// Points a plan may make (each run `replications` times).
    public static let maximumPoints = 100_000
    public var levels: Int
    /// The statistic the sensitivity analysis explains (a path into a point's summary).
    public var outcome: String?
    public var outcomeLocation: SourceLocation?
    public var source: ScenarioSource
}

public enum SweepPlanLoader {
    static let keys = ["scenario", "replications", "design", "parameters", "points", "trajectories", "levels", "outcome"]
    static let parameterKeys = ["name", "values", "min", "max"]

    /// Decodes a sweep plan's bytes without reading its scenario.
    public static func decode(_ source: ScenarioSource) -> (plan: SweepPlan?, diagnostics: [Diagnostic]) {
        ScenarioLoader.decodeSource(source, what: "sweep plan") { decoder, root in decoder.sweepPlan(root) }
    }

    public static func load(path: String) throws(Diagnostic) -> SweepPlan {
        try ScenarioLoader.decodeDocument(path: path, what: "sweep plan") { decoder, root in decoder.sweepPlan(root) }
    }

    /// The points of a plan as named override mappings for `ScenarioLoader.points`, with each
    /// point's settings for the results.
    public static func overrides(name: String, settings: [(SweepPlan.Parameter, YAMLNode)]) -> YAMLNode {
        var root = YAMLNode(content: .mapping([YAMLPair(
            key: YAMLNode(content: .scalar("name", plain: true), line: 1, column: 1),
            value: YAMLNode(content: .scalar(name, plain: false), line: 1, column: 1))]), line: 1, column: 1)
        for (parameter, value) in settings {
            let path = parameter.name.split(separator: ".").map(String.init)
            var leaf = value
            leaf.line = parameter.location.line
            leaf.column = parameter.location.column
            var node = leaf
            for key in path.dropFirst().reversed() {
                node = YAMLNode(content: .mapping([YAMLPair(
                    key: YAMLNode(content: .scalar(key, plain: true), line: leaf.line, column: leaf.column), value: node)]),
                    line: leaf.line, column: leaf.column)
            }
            root = VariantBuilder.setting(path[0], node, in: root, merge: true)
        }
        return root
    }
}

extension ScenarioLoader {
    /// A scenario file's points: the base scenario with each override mapping applied.
    public static func points(scenarioPath: String, overrides: [YAMLNode]) -> (scenarios: [ScenarioVariant], diagnostics: [Diagnostic]) {
        switch readFile(scenarioPath) {
        case .failure(let diagnostic): return ([], [diagnostic])
        case .success(let bytes):
            let source = ScenarioSource(path: scenarioPath, bytes: bytes)
            let root: YAMLNode?
            do {
                root = try YAMLReader().parse(bytes)
            } catch {
                return ([], [source.diagnostic(error.message, line: error.line, column: error.column)])
            }
            guard let root else { return ([], [Diagnostic("the scenario is empty", at: SourceLocation(file: scenarioPath, line: 1, column: 1))]) }
            var decoder = ScenarioDecoder(source: source)
            guard decoder.scenario(root) != nil else { return ([], decoder.diagnostics) }
            let points = decoder.variants(base: VariantBuilder.base(root), items: overrides)
            return (points, decoder.diagnostics)
        }
    }
}

extension ScenarioDecoder {
    mutating func sweepPlan(_ root: YAMLNode) -> SweepPlan? {
        guard let top = mapping(root, "the sweep plan", allowed: SweepPlanLoader.keys) else { return nil }
        var scenarioPath = ""
        if let node = top["scenario"], let value = string(node, "scenario") {
            scenarioPath = CalibrationPlanLoader.resolve(value, relativeTo: source.path)
            scenarioReadable(scenarioPath, at: node)
        } else if top["scenario"] == nil {
            error("a sweep plan needs 'scenario' (the base scenario)", at: root)
        }
        let replications = top["replications"].flatMap { integer($0, "replications", 1...100_000) }
        var design = SweepPlan.Design.grid
        if let node = top["design"], let text = string(node, "design") {
            if let value = SweepPlan.Design(rawValue: text) {
                design = value
            } else {
                let names = SweepPlan.Design.allCases.map(\.rawValue)
                error("unknown design '\(text)'\(Suggestion.phrase(for: text, in: names)) (one of \(names.joined(separator: ", ")))", at: node)
            }
        }
        var parameters: [SweepPlan.Parameter] = []
        if let node = top["parameters"], let items = node.items, !items.isEmpty {
            for item in items {
                guard let entries = mapping(item, "a parameter", allowed: SweepPlanLoader.parameterKeys) else { continue }
                guard let nameNode = entries["name"], let name = self.name(nameNode, "name") else {
                    if entries["name"] == nil { error("a parameter needs a 'name'", at: item) }
                    continue
                }
                guard !name.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                    error("parameter '\(name)' has an empty part; write scenario keys separated by single dots (e.g. groups.<name>.online_share)", at: nameNode)
                    continue
                }
                guard !parameters.contains(where: { $0.name == name }) else {
                    error("parameter '\(name)' is listed twice", at: nameNode)
                    continue
                }
                var values: [YAMLNode] = []
                var range: ClosedRange<Double>?
                if let valuesNode = entries["values"] {
                    guard let list = valuesNode.items, !list.isEmpty else {
                        error("'values' of '\(name)' must be a non-empty list", at: valuesNode)
                        continue
                    }
                    values = list
                }
                if let minNode = entries["min"], let maxNode = entries["max"],
                    let lower = number(minNode, "min", -1e12...1e12), let upper = number(maxNode, "max", -1e12...1e12) {
                    guard lower < upper else {
                        error("parameter '\(name)': 'min' must be below 'max'", at: maxNode)
                        continue
                    }
                    range = lower...upper
                }
                if design == .grid && values.isEmpty {
                    error("parameter '\(name)' needs 'values' for a grid", at: item)
                    continue
                }
                if design != .grid && range == nil {
                    error("parameter '\(name)' needs 'min' and 'max' for the \(design.rawValue) design", at: item)
                    continue
                }
                parameters.append(.init(name: name, values: values, range: range, location: source.location(of: nameNode)))
            }
        } else {
            error("a sweep plan needs a non-empty 'parameters' list", at: top["parameters"] ?? root)
        }
        let points = top["points"].flatMap { integer($0, "points", 2...100_000) } ?? 16
        let trajectories = top["trajectories"].flatMap { integer($0, "trajectories", 2...10_000) } ?? 10
        var levels = 4
        if let node = top["levels"], let value = integer(node, "levels", 4...100) {
            if value % 2 == 0 {
                levels = value
            } else {
                // Δ = p / (2(p − 1)) is a whole number of grid steps only for an even p.
                error("'levels' must be even: the Morris step of p/(2(p−1)) then moves between grid levels; found \(value)", at: node)
            }
        }
        var outcome: String?
        var outcomeLocation: SourceLocation?
        if let node = top["outcome"], let text = string(node, "outcome") {
            outcome = text
            outcomeLocation = source.location(of: node)
        } else if design == .morris || design == .sobol {
            error("the \(design.rawValue) design needs 'outcome' (the statistic to explain, e.g. groups.g.overall.after)", at: root)
        }
        // The plan's size, before any point is made: a few lines must not ask for billions of runs.
        if diagnostics.isEmpty {
            let k = parameters.count
            var count = 1
            switch design {
            case .grid:
                for parameter in parameters {
                    let (product, overflow) = count.multipliedReportingOverflow(by: parameter.values.count)
                    count = overflow ? Int.max : product
                }
            case .latinHypercube: count = points
            case .morris: count = trajectories * (k + 1)
            case .sobol: count = points * (k + 2)
            }
            if count > SweepPlan.maximumPoints {
                error("this plan makes \(count == Int.max ? "more than \(Int.max)" : String(count)) points; at most \(SweepPlan.maximumPoints) (split it into several plans)", at: top["parameters"] ?? root)
            }
        }
        guard diagnostics.isEmpty else { return nil }
        return SweepPlan(
            scenarioPath: scenarioPath, replications: replications, design: design, parameters: parameters, points: points,
            trajectories: trajectories, levels: levels, outcome: outcome, outcomeLocation: outcomeLocation, source: source)
    }
}
