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
    static let citationKeys = ["authors", "year", "title", "venue", "doi", "url", "results", "sha256"]
    static let experimentKeys = ["scenario", "group"]
    static let reportedKeys = ["value", "ci95", "basis", "derivation", "heterogeneity"]
    static let designs = ["meta-analysis", "dataset", "experiment", "quasi-experiment", "survey", "review", "pilot"]

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
