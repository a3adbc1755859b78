import BlendSimCore
import BlendSimSystem

/// A group's `cohort:`: the university's own student file and how its columns map onto
/// blendsim's state (docs/SCENARIO.md, "A cohort from a file").
extension ScenarioDecoder {
    static let cohortKeys = ["file", "mapping", "bootstrap", "select"] + mappingKeys
    static let mappingKeys = ["id", "level", "overall", "skills", "traits"]
    static let selectKeys = ["column", "equals"]
    static let columnKeys = ["column", "scale", "labels"]
    static let scaleKeys = ["from", "to"]

    /// The students of the file `cohort:` names, and whether they are to be resampled.
    mutating func cohort(_ node: YAMLNode, _ what: String) -> (data: CohortData, bootstrap: Bool)? {
        let before = diagnostics.count
        var fileNode = node
        var entries: [String: YAMLNode] = [:]
        if case .scalar = node.content {
            // `cohort: students.csv`: the file alone, mapped by its header.
        } else {
            guard let values = mapping(node, "'cohort'", allowed: Self.cohortKeys) else { return nil }
            entries = values
            guard let file = values["file"] else {
                error("'cohort' needs 'file': the student file (CSV), relative to the scenario", at: node)
                return nil
            }
            fileNode = file
        }
        guard let path = string(fileNode, "file") else { return nil }
        guard !path.unicodeScalars.contains(where: GeneratedText.isControl) else {
            error("the cohort file's name holds a control character", at: fileNode)
            return nil
        }
        var bootstrap = false
        if let node = entries["bootstrap"] {
            if case .scalar(let text, plain: true) = node.content, text == "true" || text == "false" {
                bootstrap = text == "true"
            } else {
                error("'bootstrap' must be true or false, found \(node.kindName)", at: node)
            }
        }
        // The mapping: in the scenario, in a file of its own, or by the file's header.
        var mappingEntries: [String: YAMLNode]? = entries.filter { Self.mappingKeys.contains($0.key) }
        var mappingDecoder: ScenarioDecoder?
        if let node = entries["mapping"] {
            if let first = mappingEntries?.first {
                error("'cohort' takes its mapping from '\(first.key)' here or from a 'mapping' file, not both", at: first.value)
                return nil
            }
            guard let mappingPath = string(node, "mapping") else { return nil }
            guard !mappingPath.unicodeScalars.contains(where: GeneratedText.isControl) else {
                error("the mapping file's name holds a control character", at: node)
                return nil
            }
            let resolved = resolvedPath(mappingPath)
            switch FileSystem.read(resolved, limit: ScenarioLoader.maximumFileBytes) {
            case .failed(let reason):
                error("cannot read the mapping '\(mappingPath)': \(reason)", at: node)
                return nil
            case .tooLarge:
                error("the mapping '\(mappingPath)' is larger than \(ScenarioLoader.maximumFileBytes >> 20) MiB; a mapping names a few columns", at: node)
                return nil
            case .bytes(let bytes):
                let source = ScenarioSource(path: resolved, bytes: bytes)
                var decoder = ScenarioDecoder(source: source)
                do {
                    if let root = try YAMLReader().parse(bytes) {
                        mappingEntries = decoder.mapping(root, "a cohort mapping", allowed: Self.mappingKeys)
                    } else {
                        decoder.diagnostics.append(Diagnostic("the mapping is empty", at: SourceLocation(file: resolved, line: 1, column: 1)))
                    }
                } catch {
                    decoder.diagnostics.append(source.diagnostic(error.message, line: error.line, column: error.column))
                }
                // A mapping file that is not a mapping (a list, a scalar, empty, bad YAML) is an
                // error of that file, not a reason to map by the header.
                guard decoder.diagnostics.isEmpty, mappingEntries != nil else {
                    if decoder.diagnostics.isEmpty {
                        decoder.diagnostics.append(source.diagnostic("a cohort mapping must be a mapping of keys (id, level, traits, …)", line: 1, column: 1))
                    }
                    diagnostics += decoder.diagnostics
                    return nil
                }
                mappingDecoder = decoder
            }
        } else if mappingEntries?.isEmpty == true {
            mappingEntries = nil
        }

        let resolved = resolvedPath(path)
        guard path.hasSuffix(".csv") || path.hasSuffix(".CSV") || path.hasSuffix(".txt") else {
            error("the cohort file must be a .csv file (save the spreadsheet as CSV UTF-8), not '\(path)'", at: fileNode)
            return nil
        }
        let read = CohortFile.bytes(resolved)
        guard let bytes = read.bytes else {
            error("cannot read the cohort file '\(path)': \(read.problem ?? "")", at: fileNode)
            return nil
        }
        let parsed = CSVTable.parse(bytes, path: resolved, maximumRows: CohortFile.maximumStudents)
        guard let table = parsed.table else {
            diagnostics += parsed.diagnostics
            return nil
        }
        var cohortMapping: CohortMapping
        if let mappingEntries {
            if var decoder = mappingDecoder {
                cohortMapping = decoder.cohortMapping(mappingEntries, what)
                diagnostics += decoder.diagnostics
            } else {
                cohortMapping = self.cohortMapping(mappingEntries, what)
            }
        } else {
            cohortMapping = CohortMapping.byHeader(table.header, at: source.location(of: fileNode))
            if cohortMapping.skills == nil && cohortMapping.overall == nil && cohortMapping.level == nil {
                error(
                    "\(path) has no column blendsim knows by name ('level', 'overall' or the four skills); map its columns under 'cohort:' (docs/SCENARIO.md)",
                    at: fileNode)
                return nil
            }
        }
        var select: (column: CohortMapping.Column, value: String)?
        if let node = entries["select"], let selectEntries = self.mapping(node, "'select'", allowed: Self.selectKeys) {
            if let columnNode = selectEntries["column"], let name = string(columnNode, "column") {
                if let valueNode = selectEntries["equals"], case .scalar(let value, _) = valueNode.content {
                    select = (CohortMapping.Column(name: name, scale: .cambridge, location: source.location(of: columnNode)), value)
                } else if let valueNode = selectEntries["equals"] {
                    error("'equals' must be one value, found \(valueNode.kindName)", at: valueNode)
                } else {
                    error("'select' needs 'equals': the value of '\(name)' that marks this group's students", at: node)
                }
            } else if selectEntries["column"] == nil {
                error("'select' needs 'column': the column that says which group a student is in", at: node)
            }
        }
        cohortMapping.select = select
        guard diagnostics.count == before else { return nil }
        let mapped = CohortFile.data(table, mapping: cohortMapping, sha256: SHA256.hex(bytes))
        // Errors about the mapping point into the scenario or the mapping file: show their line.
        let sources = [source] + (mappingDecoder.map { [$0.source] } ?? [])
        diagnostics += mapped.diagnostics.map { diagnostic in
            guard diagnostic.sourceLine == nil, let location = diagnostic.location,
                let file = sources.first(where: { $0.path == location.file })
            else { return diagnostic }
            return file.diagnostic(diagnostic.message, line: location.line, column: location.column)
        }
        return mapped.data.map { ($0, bootstrap) }
    }

    /// A path relative to the scenario's folder.
    func resolvedPath(_ path: String) -> String {
        guard !path.hasPrefix("/"), let slash = source.path.lastIndex(of: "/") else { return path }
        return String(source.path[...slash]) + path
    }

    /// The mapping's columns and scales.
    mutating func cohortMapping(_ entries: [String: YAMLNode], _ what: String) -> CohortMapping {
        var mapping = CohortMapping()
        if let node = entries["id"] { mapping.id = column(node, "id", defaultScale: .cambridge, allowed: []) }
        let starts = ["level", "overall", "skills"].filter { entries[$0] != nil }
        if starts.count > 1 {
            error("the mapping gives a starting place twice ('\(starts[0])' and '\(starts[1])'); map one of 'level', 'overall' or 'skills'", at: entries[starts[1]]!)
        }
        if let node = entries["level"] {
            mapping.level = column(node, "level", defaultScale: .levels(CohortMapping.standardLabels), allowed: ["levels"])
        }
        if let node = entries["overall"] { mapping.overall = column(node, "overall", defaultScale: .cambridge, allowed: ["cambridge", "linear"]) }
        if let node = entries["skills"], let skills = self.mapping(node, "'skills'", allowed: Skill.allCases.map(\.name)) {
            var columns: [CohortMapping.Column] = []
            for skill in Skill.allCases {
                guard let node = skills[skill.name] else {
                    error("'skills' maps all four skills or none; '\(skill.name)' is missing (map 'overall' for one score)", at: node)
                    continue
                }
                if let column = column(node, skill.name, defaultScale: .cambridge, allowed: ["cambridge", "linear"]) { columns.append(column) }
            }
            if columns.count == 4 { mapping.skills = columns }
        }
        if let node = entries["traits"], let traits = self.mapping(node, "'traits'", allowed: CohortMapping.traitKeys) {
            for key in CohortMapping.traitKeys {
                guard let node = traits[key] else { continue }
                let allowed = key == "device_access" ? ["yes-no", "likert", "linear", "unit"] : ["likert", "linear", "unit", "yes-no"]
                if let column = column(node, key, defaultScale: CohortMapping.defaultScale(trait: key), allowed: allowed) {
                    mapping.traits.append((key, column))
                }
            }
        }
        return mapping
    }

    /// One mapped column: a bare column name (the default scale) or `{column, scale, labels}`.
    mutating func column(
        _ node: YAMLNode, _ key: String, defaultScale: CohortMapping.Scale, allowed: [String]
    ) -> CohortMapping.Column? {
        if case .scalar = node.content {
            guard let name = string(node, key) else { return nil }
            return CohortMapping.Column(name: name, scale: defaultScale, location: source.location(of: node))
        }
        guard let entries = mapping(node, "'\(key)'", allowed: Self.columnKeys) else { return nil }
        guard let nameNode = entries["column"] else {
            error("'\(key)' needs 'column': the name of its column in the file's header", at: node)
            return nil
        }
        guard let name = string(nameNode, "column") else { return nil }
        var scale = defaultScale
        if let node = entries["labels"] {
            guard case .levels = defaultScale else {
                error("'labels' belongs to a level column only", at: node)
                return nil
            }
            guard let pairs = node.pairs else {
                error("'labels' must map the file's labels to CEFR levels (e.g. 'Pre-Intermediate: A2'), found \(node.kindName)", at: node)
                return nil
            }
            var labels = CohortMapping.standardLabels
            for pair in pairs {
                guard let target = pair.value.scalar, let band = CohortMapping.standardLabels[CohortMapping.normalisedLabel(target)] else {
                    error("'\(pair.value.scalar ?? "")' is not a CEFR level; one of A1, A2, B1, B2, C1, C2", at: pair.value)
                    continue
                }
                let label = CohortMapping.normalisedLabel(pair.key.scalar ?? "")
                guard !label.isEmpty else {
                    error("a label needs a letter or digit; a blank level is an error, not a label", at: pair.key)
                    continue
                }
                labels[label] = band
            }
            scale = .levels(labels)
        }
        if let node = entries["scale"] {
            guard let parsed = self.scale(node, key, allowed: allowed) else { return nil }
            scale = parsed
        }
        return CohortMapping.Column(name: name, scale: scale, location: source.location(of: nameNode))
    }

    /// `cambridge`, `likert-N`, `yes-no`, `unit`, `percent`, or `{from: [a, b], to: [c, d]}`.
    mutating func scale(_ node: YAMLNode, _ key: String, allowed: [String]) -> CohortMapping.Scale? {
        let isScore = allowed.contains("cambridge")
        if let text = node.scalar {
            var scale: CohortMapping.Scale?
            switch text {
            case "cambridge": scale = .cambridge
            case "yes-no": scale = .yesNo
            case "unit": scale = .linear(from: 0...1, to: 0...1)
            case "percent": scale = .linear(from: 0...100, to: 0...1)
            default:
                if text.hasPrefix("likert-"), let points = Int(text.dropFirst(7)), (2...11).contains(points), text == "likert-\(points)" { scale = .likert(points) }
            }
            let kind: String? = switch scale {
            case .cambridge: "cambridge"
            case .yesNo: "yes-no"
            case .likert: "likert"
            case .linear: "unit"
            default: nil
            }
            guard let scale, let kind, allowed.contains(kind) else {
                guard !allowed.isEmpty, allowed != ["levels"] else {
                    error(allowed.isEmpty ? "'\(key)' takes no 'scale': it is matched as written" : "'\(key)' takes no 'scale': its labels are mapped with 'labels'", at: node)
                    return nil
                }
                let names = isScore ? "cambridge or {from: [MIN, MAX], to: [MIN, MAX]}" : "likert-5, likert-7, unit, percent, yes-no or {from: [MIN, MAX]}"
                error("unknown scale '\(text)' for '\(key)'; one of \(names)", at: node)
                return nil
            }
            return scale
        }
        guard allowed.contains("linear") else {
            error(
                allowed.isEmpty ? "'\(key)' takes no 'scale': it is matched as written" : "'\(key)' takes no 'scale': its labels are mapped with 'labels'",
                at: node)
            return nil
        }
        guard let entries = mapping(node, "'scale'", allowed: Self.scaleKeys) else {
            if node.pairs == nil { error("'scale' must be a name or {from: [MIN, MAX]}, found \(node.kindName)", at: node) }
            return nil
        }
        func range(_ name: String) -> ClosedRange<Double>? {
            guard let node = entries[name] else { return nil }
            guard let items = node.items, items.count == 2,
                let low = items[0].scalar.flatMap(YAMLNode.number), let high = items[1].scalar.flatMap(YAMLNode.number),
                low.isFinite, high.isFinite, low < high
            else {
                error("'\(name)' must be [MIN, MAX] with MIN below MAX", at: node)
                return nil
            }
            return low...high
        }
        guard let from = range("from") else {
            if entries["from"] == nil { error("'scale' needs 'from': [MIN, MAX], the file's own scale", at: node) }
            return nil
        }
        var to: ClosedRange<Double> = 0...1
        if isScore {
            guard let target = range("to") else {
                if entries["to"] == nil {
                    error("a score's 'scale' needs 'to': the Cambridge English Scale scores its MIN and MAX correspond to (e.g. [100, 190])", at: node)
                }
                return nil
            }
            guard target.lowerBound >= CambridgeScale.minimum, target.upperBound <= CambridgeScale.maximum else {
                error("'to' must lie on the Cambridge English Scale, 80–230", at: entries["to"]!)
                return nil
            }
            to = target
        } else if let node = entries["to"] {
            error("a trait's scale maps onto 0–1; 'to' is for scores", at: node)
            return nil
        }
        return .linear(from: from, to: to)
    }
}

extension ScenarioDecoder {
    /// `cohort(_:_:)`, once per place it is written.
    mutating func cachedCohort(_ node: YAMLNode, _ what: String) -> (data: CohortData, bootstrap: Bool)? {
        // By what is written, not where: a variant's override keeps the place of the group's
        // node but may change its content.
        let key = source.path + "\u{0}" + Self.json(node).serialized()
        if let cached = cohorts[key] { return cached }
        let read = cohort(node, what)
        if let read { cohorts[key] = read }
        return read
    }
}
