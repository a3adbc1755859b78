import BlendSimCore

/// Walks the YAML tree of a scenario, checking every key and value, and collects diagnostics
/// instead of stopping at the first one.
struct ScenarioDecoder {
    let source: ScenarioSource
    var diagnostics: [Diagnostic] = []
    /// Default parameters per model and per policy name, from `model_defaults` and
    /// `policy_defaults` (included files first).
    var modelDefaults: [String: [(String, JSONValue, SourceLocation)]] = [:]
    /// Where each name of `model_defaults` and `policy_defaults` is written (the last place).
    var defaultNameLocations: [String: SourceLocation] = [:]
    var policyDefaults: [String: [(String, JSONValue, SourceLocation)]] = [:]
    var includes: [ScenarioSource] = []
    /// Every model and policy the groups name, recorded even when their group has other errors,
    /// so the plugins can check them too and all the file's errors are reported at once.
    var components: [(kind: String, reference: ComponentReference)] = []
    /// Where the components recorded are written, so a variant's copy of a group adds none twice.
    var componentPlaces = Set<String>()
    /// Remarks that are not errors (`Scenario.notes`).
    var notes: [Diagnostic] = []
    /// `costs:` as the scenario and its includes set it (includes first).
    var costSettings: CostSettings?
    /// Cohort files already read, by where `cohort:` is written: a variant's copy of a group
    /// does not read its file again.
    var cohorts: [String: (data: CohortData, bootstrap: Bool)] = [:]

    init(source: ScenarioSource) { self.source = source }

    static let topKeys = [
        "name", "description", "include", "seed", "replications", "semester", "population", "kernel",
        "model_defaults", "policy_defaults", "baseline", "groups", "variants", "costs", "programme",
    ]
    /// What an included file may set.
    static let fragmentKeys = ["kernel", "population", "model_defaults", "policy_defaults", "costs"]
    static let semesterKeys = ["weeks", "control_points"]
    static let groupKeys = [
        "name", "students", "levels", "cohort", "model", "online_share", "hours", "students_per_teacher", "policies",
        "population",
    ]
    static let hourKeys = ["contact", "siwt", "siw"]
    static let componentKeys = ["name", "parameters"]
    static let traitKeys = ["mean", "sd"]
    static let populationKeys = [
        "motivation", "self_regulation", "digital_competence", "device_access", "connectivity", "integrity",
        "skill_spread", "aptitude_sd",
    ]

    // MARK: - Reporting

    /// Errors reported per file at most: a file of thousands of repeated mistakes gets the
    /// first of them and a last line saying the rest were not listed.
    static let maximumDiagnostics = 100

    mutating func error(_ message: String, at node: YAMLNode) {
        guard diagnostics.count <= Self.maximumDiagnostics else { return }
        if diagnostics.count == Self.maximumDiagnostics {
            var note = source.diagnostic(
                "more than \(Self.maximumDiagnostics) errors; stopping here (fix these first)", line: node.line, column: node.column)
            note.isNote = true
            diagnostics.append(note)
            return
        }
        let diagnostic = source.diagnostic(message, line: node.line, column: node.column)
        // The same node can be reached twice (a variant's setting applies to every group): once.
        guard !diagnostics.contains(diagnostic) else { return }
        diagnostics.append(diagnostic)
    }

    /// The entries of a mapping node by key, after checking every key is one of `allowed`.
    mutating func mapping(_ node: YAMLNode, _ what: String, allowed: [String]) -> [String: YAMLNode]? {
        guard let pairs = node.pairs else {
            error("\(what) must be a mapping, found \(node.kindName)", at: node)
            return nil
        }
        var entries: [String: YAMLNode] = [:]
        var corrected: [(String, YAMLNode)] = []
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            guard allowed.contains(key) else {
                let suggestion = Suggestion.closest(to: key, in: allowed)
                error("unknown key '\(key)' in \(what)\(suggestion.map { "; did you mean '\($0)'?" } ?? "")", at: pair.key)
                if let suggestion { corrected.append((suggestion, pair.value)) }
                continue
            }
            entries[key] = pair.value
        }
        // A misspelt key is read as the key it was suggested to be (unless that key is also
        // written), so its value is still checked and the key is not reported missing as well:
        // the typo is one error, not two.
        for (key, value) in corrected where entries[key] == nil { entries[key] = value }
        return entries
    }

    // MARK: - Scalars

    mutating func number(_ node: YAMLNode, _ key: String, _ range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let text, plain: true) = node.content, let value = YAMLNode.number(text), value.isFinite else {
            error("'\(key)' must be a number, found \(node.kindName)\(Self.numberHint(node, range))", at: node)
            return nil
        }
        guard range.contains(value) else {
            var hint = ""
            // A whole number from 2 to 100 where a share belongs is a percentage (40 for 40%).
            if range == 0...1, value >= 2, value <= 100, value == value.rounded() {
                hint = "; a share is written from 0 to 1: \(Self.format(value))% is \(Self.format(value / 100))"
            }
            error("'\(key)' must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), found \(text)\(hint)", at: node)
            return nil
        }
        return value
    }

    /// What a number written as people write it on paper (a decimal comma, a percentage) should
    /// be, or "".
    static func numberHint(_ node: YAMLNode, _ range: ClosedRange<Double>) -> String {
        guard let text = node.scalar else { return "" }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        if parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            return "; write \(parts[0]).\(parts[1]), with a decimal point, not a comma"
        }
        if text.hasSuffix("%"), let percent = YAMLNode.number(String(text.dropLast()).replacing(",", with: ".")) {
            return range == 0...1
                ? "; a share is written from 0 to 1: \(text) is \(format(percent / 100))" : "; write the number without '%'"
        }
        return ""
    }

    mutating func integer(_ node: YAMLNode, _ key: String, _ range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let text, plain: true) = node.content, let value = Int(text) else {
            if case .scalar(let text, plain: true) = node.content, YAMLNode.number(text) != nil {
                error("'\(key)' must be a whole number, found \(text)", at: node)
            } else {
                error("'\(key)' must be a whole number, found \(node.kindName)", at: node)
            }
            return nil
        }
        guard range.contains(value) else {
            error("'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(text)", at: node)
            return nil
        }
        return value
    }

    mutating func string(_ node: YAMLNode, _ key: String) -> String? {
        guard case .scalar(let text, _) = node.content, !text.isEmpty else {
            error("'\(key)' must be a non-empty string, found \(node.kindName)", at: node)
            return nil
        }
        return text
    }

    /// A name that ends up in results, tables and file rows: printable characters only (no
    /// control characters, which would corrupt a terminal, a CSV row or a log) and at most 200 of
    /// them.
    mutating func name(_ node: YAMLNode, _ key: String) -> String? {
        guard let text = string(node, key) else { return nil }
        if let bad = text.unicodeScalars.first(where: GeneratedText.isControl) {
            error("'\(key)' must be printable; it holds the control character U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(4))", at: node)
            return nil
        }
        guard text.count <= 200 else {
            error("'\(key)' is \(text.count) characters long; at most 200", at: node)
            return nil
        }
        return text
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// A YAML node as JSON, resolving plain scalars by the YAML 1.2 core schema.
    static func json(_ node: YAMLNode) -> JSONValue {
        switch node.content {
        case .scalar(let text, let plain):
            guard plain else { return .string(text) }
            if text.isEmpty || text == "~" || text == "null" { return .null }
            if text == "true" { return .bool(true) }
            if text == "false" { return .bool(false) }
            if let value = Int(text) { return .integer(value) }
            if let value = YAMLNode.number(text), value.isFinite { return .number(value) }
            return .string(text)
        case .sequence(let items):
            return .array(items.map(json))
        case .mapping(let pairs):
            return .object(pairs.map { ($0.key.scalar ?? "", json($0.value)) })
        }
    }
}

extension String {
    /// The string with leading zeros up to `width` characters.
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

extension ScenarioDecoder {
    /// A plan's `scenario:` must name a file that can be read: otherwise the plan's line says so,
    /// rather than an error with no place when the scenario is loaded.
    mutating func scenarioReadable(_ path: String, at node: YAMLNode) {
        if case .failure(let problem) = ScenarioLoader.readFile(path) { error(problem.message, at: node) }
    }
}
