public import BlendSimCore
import BlendSimSystem

/// One published finding: its source, what it measured, the blendsim experiment that reproduces
/// its contrast, and the reported value with its uncertainty (docs/EVIDENCE.md).
public struct EvidenceFinding: Sendable {
    /// What a finding measured, and the statistics blendsim can compute for it.
    public enum Outcome: String, Sendable, CaseIterable {
        /// End-of-course achievement test (docs/MODEL.md 3.3 (6)).
        case courseAchievement = "course_achievement"
        /// Withdrawal from the course during the semester.
        case withdrawal
        /// Share of students who made at least one copy attempt.
        case cheaterShare = "cheater_share"
        /// Copy attempts, as a ratio to the baseline's.
        case cheatingAttempts = "cheating_attempts"
        /// Correlation of self-regulation with course achievement.
        case selfRegulationCorrelation = "self_regulation_correlation"
        /// The paper's three level shares at the end of the semester (needs `level`).
        case levelShare = "level_share"
        /// Difference in the share of students who rose a band in one skill, in percentage
        /// points (needs `skill`): the seed paper's gains.
        case levelUpGain = "level_up_gain"
        /// Difference of the motivation changes, % of the baseline's starting motivation.
        case motivationGain = "motivation_gain"

        /// The statistics this outcome can be reported as.
        public var statistics: [String] {
            switch self {
            case .courseAchievement: ["hedges_g", "difference"]
            case .withdrawal, .cheaterShare: ["share", "difference"]
            case .cheatingAttempts: ["ratio"]
            case .selfRegulationCorrelation: ["correlation"]
            case .levelShare: ["share"]
            case .levelUpGain, .motivationGain: ["difference"]
            }
        }
    }

    public var id: String
    public var authors: String
    public var year: Int
    public var title: String
    public var venue: String
    /// A DOI or a stable URL.
    public var link: String
    public var design: String
    public var population: String
    public var contrast: String
    public var scenarioPath: String
    /// The group whose statistic is read; comparisons are against the scenario's baseline.
    public var group: String
    public var outcome: Outcome
    public var statistic: String
    /// `level` for level shares, `skill` for level-up gains.
    public var detail: String?
    public var value: Double
    public var interval: (lower: Double, upper: Double)
    /// `reported` when the source gives the interval, `derived` when blendsim derives it (with
    /// the derivation in `derivation`).
    public var basis: String
    public var derivation: String?
    public var heterogeneity: String?
    public var quote: String
    /// Parameters the finding informs (documentation; calibration plans decide what is fitted).
    public var informs: [String]
    public var notes: String?
    /// For a distribution of effects (`spread:` and `anchors:`): the between-study spread τ of
    /// the true effects, in the statistic's units, and how it was obtained. Such a file stands
    /// for one finding per anchored model (`expanded`), each the random-effects prediction of one
    /// more design's true effect: mean `value`, standard error √(τ² + SE²).
    public var spread: Double?
    public var spreadBasis: String?
    public var spreadDerivation: String?
    /// The models with no finding of their own that this distribution stands for.
    public var anchors: [String] = []
    /// For one model's share of a distribution: that model (the experiment's group uses it) and
    /// the distribution's own id.
    public var anchoredModel: String?
    public var distribution: String?
    public var location: SourceLocation
    /// Where each anchored model is named.
    public var anchorLocations: [String: SourceLocation] = [:]
    /// Where the experiment's group is named, for errors about the experiment.
    public var experimentLocation: SourceLocation
    public var source: ScenarioSource

    /// The standard error the interval implies, read as a 95% normal interval.
    public var standardError: Double { (interval.upper - interval.lower) / (2 * 1.959964) }

    /// Whether this file describes a distribution of effects rather than one effect.
    public var isDistribution: Bool { spread != nil }

    /// The findings this file stands for: itself, or for a distribution one finding per
    /// anchored model, with id `ID:MODEL`, the experiment's group that uses the model, and as
    /// interval the 95% prediction interval of one more design's true effect,
    /// value ± 1.96 √(τ² + SE²).
    public func expanded(groups: [(name: String, model: String)]) -> [EvidenceFinding] {
        guard let spread else { return [self] }
        let predictive = (spread * spread + standardError * standardError).squareRoot()
        return anchors.compactMap { model in
            guard let group = groups.first(where: { $0.model == model }) else { return nil }
            var finding = self
            finding.id = id + ":" + model
            finding.group = group.name
            finding.anchoredModel = model
            finding.distribution = id
            finding.interval = (value - 1.959964 * predictive, value + 1.959964 * predictive)
            return finding
        }
    }

    /// The summary.json statistic this finding is compared with.
    public var summaryPath: String {
        switch (outcome, statistic) {
        case (.courseAchievement, "hedges_g"): "gains.\(group).course_achievement.hedges_g"
        case (.courseAchievement, _): "gains.\(group).course_achievement.difference"
        case (.withdrawal, "share"): "groups.\(group).rates.dropout_share"
        case (.withdrawal, _): "gains.\(group).dropout_share"
        case (.cheaterShare, "share"): "groups.\(group).rates.cheater_share"
        case (.cheaterShare, _): "gains.\(group).cheater_share"
        case (.cheatingAttempts, _): "gains.\(group).cheating_ratio"
        case (.selfRegulationCorrelation, _): "groups.\(group).course_achievement.self_regulation_correlation"
        case (.levelShare, _): "groups.\(group).paper_levels.after.\(detail ?? "")"
        case (.levelUpGain, _): "gains.\(group).skills.\(detail ?? "")"
        case (.motivationGain, _): "gains.\(group).motivation"
        }
    }

    /// Whether the statistic compares the group with the scenario's baseline.
    public var needsBaseline: Bool { summaryPath.hasPrefix("gains.") }
}

/// Reads evidence files with the same located diagnostics as scenarios.
public enum EvidenceLoader {
    static let keys = [
        "id", "citation", "design", "population", "contrast", "experiment", "outcome", "statistic", "level", "skill",
        "reported", "quote", "informs", "notes", "spread", "anchors",
    ]
    static let spreadKeys = ["tau", "basis", "derivation"]
    static let citationKeys = ["authors", "year", "title", "venue", "doi", "url"]
    static let experimentKeys = ["scenario", "group"]
    static let reportedKeys = ["value", "ci95", "basis", "derivation", "heterogeneity"]
    static let designs = ["meta-analysis", "dataset", "experiment", "quasi-experiment", "survey", "review"]

    /// Reads one file's findings and checks its experiment: the scenario must validate, name the
    /// group (for a distribution, have a group for every anchored model) and, for comparisons,
    /// have that group's baseline. A distribution stands for one finding per anchored model.
    public static func load(path: String) throws(Diagnostic) -> [EvidenceFinding] {
        let finding = try ScenarioLoader.decodeDocument(path: path, what: "evidence file") { decoder, root in
            decoder.evidence(root)
        }
        func fail(_ message: String) -> Diagnostic {
            finding.source.diagnostic(message, line: finding.experimentLocation.line, column: finding.experimentLocation.column)
        }
        // A scenario that cannot be read at all is this file's error; one that reads but does not
        // validate reports its own errors, in its own file.
        if case .failed(let reason) = FileSystem.read(finding.scenarioPath, limit: 1 << 22) {
            throw fail("the experiment's scenario \(finding.scenarioPath) cannot be read: \(reason)")
        }
        let scenario = try ScenarioLoader.load(path: finding.scenarioPath)
        if finding.isDistribution {
            let groups = scenario.groups.filter { $0.name != scenario.baseline }.map { (name: $0.name, model: $0.model.name) }
            guard let baseline = scenario.baseline else {
                throw fail("a distribution of effects compares each anchored model with a baseline, but \(finding.scenarioPath) sets no 'baseline'")
            }
            let used = Array(Set(groups.map(\.model))).sorted()
            for model in finding.anchors where !groups.contains(where: { $0.model == model }) {
                let location = finding.anchorLocations[model] ?? finding.experimentLocation
                throw finding.source.diagnostic(
                    "'\(model)' is anchored by this distribution, but no group of its experiment \(finding.scenarioPath) (other than the baseline '\(baseline)') uses that model; its groups use \(used.joined(separator: ", "))\(Suggestion.phrase(for: model, in: used))",
                    line: location.line, column: location.column)
            }
            for model in finding.anchors where groups.filter({ $0.model == model }).count > 1 {
                let location = finding.anchorLocations[model] ?? finding.experimentLocation
                throw finding.source.diagnostic(
                    "'\(model)' is used by more than one group of \(finding.scenarioPath); a distribution's experiment needs one group per anchored model",
                    line: location.line, column: location.column)
            }
            return finding.expanded(groups: groups)
        }
        guard scenario.groups.contains(where: { $0.name == finding.group }) else {
            throw fail("the experiment's scenario \(finding.scenarioPath) has no group '\(finding.group)'")
        }
        if finding.needsBaseline {
            guard let baseline = scenario.baseline else {
                throw fail("'\(finding.statistic)' of \(finding.outcome.rawValue) compares with a baseline, but \(finding.scenarioPath) sets no 'baseline'")
            }
            guard baseline != finding.group else {
                throw fail("group '\(finding.group)' is the scenario's baseline; name the group compared with it")
            }
        }
        return [finding]
    }

    /// Decodes an evidence file's bytes without loading its experiment: the finding, or every
    /// located problem.
    public static func decode(_ source: ScenarioSource) -> (finding: EvidenceFinding?, diagnostics: [Diagnostic]) {
        ScenarioLoader.decodeSource(source, what: "evidence file") { decoder, root in decoder.evidence(root) }
    }

    /// Files and folders to evidence files: a folder stands for its `*.yaml` files (not its
    /// subfolders), in name order.
    public static func expand(_ paths: [String]) -> Result<[String], Diagnostic> {
        var files: [String] = []
        for path in paths {
            guard let status = FileSystem.status(path) else {
                return .failure(Diagnostic("cannot read evidence '\(path)': \(FileSystem.lastError)"))
            }
            guard status.kind == .directory else {
                files.append(path)
                continue
            }
            guard let entries = FileSystem.entries(of: path) else {
                return .failure(Diagnostic("cannot list evidence folder '\(path)': \(FileSystem.lastError)"))
            }
            let names = entries.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }
            let base = path.hasSuffix("/") ? path : path + "/"
            files += names.sorted().map { base + $0 }
        }
        return .success(files)
    }

    /// Reads every finding, reporting the first problem of each file.
    public static func loadAll(paths: [String]) -> (findings: [EvidenceFinding], diagnostics: [Diagnostic]) {
        var findings: [EvidenceFinding] = []
        var diagnostics: [Diagnostic] = []
        for path in paths {
            do {
                let loaded = try load(path: path)
                for finding in loaded {
                    if let other = findings.first(where: { $0.id == finding.id }) {
                        diagnostics.append(finding.source.diagnostic(
                            "finding id '\(finding.id)' is also used by \(other.source.path)", line: finding.location.line,
                            column: finding.location.column))
                        break
                    }
                    // A model anchored by a distribution has no finding of its own on achievement;
                    // a second distribution for the same model would count it twice.
                    if let model = finding.anchoredModel,
                        let other = findings.first(where: { $0.anchoredModel == model })
                    {
                        diagnostics.append(finding.source.diagnostic(
                            "'\(model)' is already anchored by the distribution in \(other.source.path)", line: finding.location.line,
                            column: finding.location.column))
                        break
                    }
                    findings.append(finding)
                }
            } catch {
                diagnostics.append(error)
            }
        }
        return (findings, diagnostics)
    }
}

extension ScenarioDecoder {
    mutating func evidence(_ root: YAMLNode) -> EvidenceFinding? {
        guard let top = mapping(root, "the evidence file", allowed: EvidenceLoader.keys) else { return nil }
        func required(_ key: String, in entries: [String: YAMLNode], of node: YAMLNode, _ what: String) -> YAMLNode? {
            guard let value = entries[key] else {
                error("\(what) needs '\(key)'", at: node)
                return nil
            }
            return value
        }
        func text(_ key: String, in entries: [String: YAMLNode], of node: YAMLNode, _ what: String) -> String? {
            required(key, in: entries, of: node, what).flatMap { string($0, key) }
        }
        let id = text("id", in: top, of: root, "an evidence file")
        if let id, id.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            error("'id' may hold only letters, digits and '-', found '\(id)'", at: top["id"]!)
        }

        // The source: every finding names where its number comes from.
        var authors: String?, year: Int?, title: String?, venue: String?, link: String?
        if let node = required("citation", in: top, of: root, "an evidence file (its source)"),
            let citation = mapping(node, "'citation'", allowed: EvidenceLoader.citationKeys)
        {
            authors = text("authors", in: citation, of: node, "'citation'")
            year = required("year", in: citation, of: node, "'citation'").flatMap { integer($0, "year", 1900...2100) }
            title = text("title", in: citation, of: node, "'citation'")
            venue = text("venue", in: citation, of: node, "'citation'")
            if let doi = citation["doi"].flatMap({ string($0, "doi") }) {
                link = "doi:" + doi
            } else if let url = citation["url"].flatMap({ string($0, "url") }) {
                if url.hasPrefix("https://") || url.hasPrefix("http://") { link = url } else { error("'url' must start with https:// or http://", at: citation["url"]!) }
            } else {
                error("'citation' needs a 'doi' or a stable 'url'", at: node)
            }
        }
        let design = text("design", in: top, of: root, "an evidence file")
        if let design, !EvidenceLoader.designs.contains(design) {
            error("unknown design '\(design)'; one of \(EvidenceLoader.designs.joined(separator: ", "))\(Suggestion.phrase(for: design, in: EvidenceLoader.designs))", at: top["design"]!)
        }
        let population = text("population", in: top, of: root, "an evidence file")
        let contrast = text("contrast", in: top, of: root, "an evidence file")

        var scenarioPath: String?, group: String?
        var experimentLocation = source.location(of: root)
        if let node = required("experiment", in: top, of: root, "an evidence file"),
            let experiment = mapping(node, "'experiment'", allowed: EvidenceLoader.experimentKeys)
        {
            scenarioPath = text("scenario", in: experiment, of: node, "'experiment'").map {
                CalibrationPlanLoader.resolve($0, relativeTo: source.path)
            }
            if top["anchors"] != nil || top["spread"] != nil {
                if let groupNode = experiment["group"] {
                    error("a distribution's experiment names no 'group': each anchored model is read from the group that uses it", at: groupNode)
                }
                group = ""
                experimentLocation = source.location(of: node)
            } else {
                group = text("group", in: experiment, of: node, "'experiment'")
                if let groupNode = experiment["group"] { experimentLocation = source.location(of: groupNode) }
            }
        }

        var outcome: EvidenceFinding.Outcome?
        let names = EvidenceFinding.Outcome.allCases.map(\.rawValue)
        if let node = required("outcome", in: top, of: root, "an evidence file"), let name = string(node, "outcome") {
            outcome = EvidenceFinding.Outcome(rawValue: name)
            if outcome == nil { error("unknown outcome '\(name)'; one of \(names.joined(separator: ", "))\(Suggestion.phrase(for: name, in: names))", at: node) }
        }
        var statistic: String?
        if let node = required("statistic", in: top, of: root, "an evidence file"), let name = string(node, "statistic"), let outcome {
            if outcome.statistics.contains(name) {
                statistic = name
            } else {
                error("\(outcome.rawValue) is reported as \(outcome.statistics.joined(separator: " or ")), not '\(name)'", at: node)
            }
        }
        var detail: String?
        if outcome == .levelShare {
            let levels = ["pre_intermediate", "intermediate", "upper_intermediate"]
            if let node = required("level", in: top, of: root, "a level_share finding"), let level = string(node, "level") {
                if levels.contains(level) { detail = level } else { error("unknown level '\(level)'; one of \(levels.joined(separator: ", "))", at: node) }
            }
        } else if let node = top["level"] {
            error("'level' belongs to level_share findings only", at: node)
        }
        if outcome == .levelUpGain {
            let skills = Skill.allCases.map(\.name)
            if let node = required("skill", in: top, of: root, "a level_up_gain finding"), let skill = string(node, "skill") {
                if skills.contains(skill) { detail = skill } else { error("unknown skill '\(skill)'; one of \(skills.joined(separator: ", "))", at: node) }
            }
        } else if let node = top["skill"] {
            error("'skill' belongs to level_up_gain findings only", at: node)
        }

        // The reported value and its uncertainty.
        var value: Double?, interval: (Double, Double)?, basis = "reported", derivation: String?, heterogeneity: String?
        if let node = required("reported", in: top, of: root, "an evidence file"),
            let reported = mapping(node, "'reported'", allowed: EvidenceLoader.reportedKeys)
        {
            value = required("value", in: reported, of: node, "'reported'").flatMap { number($0, "value", -1e6...1e6) }
            if let ci = required("ci95", in: reported, of: node, "'reported' (its uncertainty)") {
                if let items = ci.items, items.count == 2, let lower = number(items[0], "ci95", -1e6...1e6),
                    let upper = number(items[1], "ci95", -1e6...1e6)
                {
                    if lower >= upper {
                        error("'ci95' must be [lower, upper] with lower < upper", at: ci)
                    } else if let value, !(lower...upper).contains(value) {
                        error("the interval [\(Self.format(lower)), \(Self.format(upper))] does not contain the value \(Self.format(value))", at: ci)
                    } else {
                        interval = (lower, upper)
                    }
                } else if ci.items?.count != 2 {
                    error("'ci95' must be a list of two numbers, [lower, upper]", at: ci)
                }
            }
            if let node = reported["basis"], let given = string(node, "basis") {
                if ["reported", "derived"].contains(given) { basis = given } else { error("'basis' must be reported or derived, found '\(given)'", at: node) }
            }
            derivation = reported["derivation"].flatMap { string($0, "derivation") }
            if basis == "derived" && derivation == nil { error("a derived interval needs 'derivation': how it was derived from the source", at: node) }
            heterogeneity = reported["heterogeneity"].flatMap { string($0, "heterogeneity") }
        }
        let quote = text("quote", in: top, of: root, "an evidence file (the source's words with the figure)")
        var informs: [String] = []
        if let node = top["informs"] {
            if let items = node.items {
                for item in items {
                    guard let name = string(item, "informs"), setting(name, at: item) != nil else { continue }
                    informs.append(name)
                }
            } else {
                error("'informs' must be a list of parameter names", at: node)
            }
        }
        let notes = top["notes"].flatMap { string($0, "notes") }

        // A distribution of effects: the between-study spread and the models it stands for.
        var spread: Double?, spreadBasis: String?, spreadDerivation: String?
        var anchors: [String] = []
        var anchorLocations: [String: SourceLocation] = [:]
        if let node = top["spread"] {
            if let entries = mapping(node, "'spread'", allowed: EvidenceLoader.spreadKeys) {
                if let tauNode = required("tau", in: entries, of: node, "'spread' (the between-study standard deviation τ)") {
                    if let tau = tauNode.scalar.flatMap(YAMLNode.number), tau < 0 {
                        error("'tau' is a standard deviation and cannot be negative, found \(Self.format(tau))", at: tauNode)
                    } else {
                        spread = number(tauNode, "tau", 0...10)
                    }
                }
                spreadBasis = "reported"
                if let basisNode = entries["basis"], let given = string(basisNode, "basis") {
                    if ["reported", "derived"].contains(given) { spreadBasis = given } else { error("'basis' must be reported or derived, found '\(given)'", at: basisNode) }
                }
                spreadDerivation = entries["derivation"].flatMap { string($0, "derivation") }
                if spreadBasis == "derived" && spreadDerivation == nil { error("a derived spread needs 'derivation': how it was derived from the sources", at: node) }
            }
            if top["anchors"] == nil { error("a distribution ('spread') needs 'anchors': the models with no finding of their own it stands for", at: node) }
            if let outcome, outcome != .courseAchievement || statistic != "hedges_g" {
                error("a distribution of effects is of course_achievement as hedges_g", at: node)
            }
        }
        if let node = top["anchors"] {
            if top["spread"] == nil { error("'anchors' belongs to a distribution of effects; it needs 'spread'", at: node) }
            if let items = node.items, !items.isEmpty {
                for item in items {
                    guard let name = string(item, "anchors") else { continue }
                    if anchors.contains(name) {
                        error("model '\(name)' is anchored twice", at: item)
                    } else {
                        anchors.append(name)
                        anchorLocations[name] = source.location(of: item)
                    }
                }
            } else {
                error("'anchors' must be a non-empty list of model names", at: node)
            }
        }

        guard diagnostics.isEmpty, let id, let authors, let year, let title, let venue, let link, let design, let population,
            let contrast, let scenarioPath, let group, let outcome, let statistic, let value, let interval, let quote
        else { return nil }
        return EvidenceFinding(
            id: id, authors: authors, year: year, title: title, venue: venue, link: link, design: design,
            population: population, contrast: contrast, scenarioPath: scenarioPath, group: group, outcome: outcome,
            statistic: statistic, detail: detail, value: value, interval: interval, basis: basis, derivation: derivation,
            heterogeneity: heterogeneity, quote: quote, informs: informs, notes: notes, spread: spread,
            spreadBasis: spreadBasis, spreadDerivation: spreadDerivation, anchors: anchors,
            location: source.location(of: root), anchorLocations: anchorLocations, experimentLocation: experimentLocation,
            source: source)
    }
}
