import BlendSimCore
import BlendSimScenario
import BlendSimSystem

/// `blendsim init --cohort FILE`: a group's `cohort:` block for a university's student file,
/// its columns mapped by what they hold, and the file summarised in comments.
enum CohortTemplate {
    /// The YAML lines of a group's `cohort:` (indented for the template) and the comment block.
    static func block(path: String) throws(Diagnostic) -> (block: String, comments: String) {
        let read = CohortFile.bytes(path)
        guard let bytes = read.bytes else { throw Diagnostic("cannot read the cohort file '\(path)': \(read.problem ?? "")") }
        let parsed = CSVTable.parse(bytes, path: path, maximumRows: CohortFile.maximumStudents)
        guard let table = parsed.table else { throw Diagnostic.collected(parsed.diagnostics)! }
        let location = SourceLocation(file: path, line: table.headerLine, column: 1)
        // A file without a header would have its first student read as the column names and
        // echoed into the scenario: a header cell that is a level, a number or a yes/no answer
        // is refused.
        if let index = table.header.firstIndex(where: { cell in
            CohortMapping.standardLabels[CohortMapping.normalisedLabel(cell)] != nil || YAMLNode.number(cell.replacing(",", with: ".")) != nil
                || CohortFile.yesNo(cell) != nil
        }) {
            throw table.diagnostic(
                "the first line looks like a student, not a header (column \(index + 1) holds a value); the file needs a header line naming its columns",
                line: table.headerLine, column: table.headerColumns[index])
        }
        let mapping = guess(table, at: location)
        let mapped = CohortFile.data(table, mapping: mapping, sha256: SHA256.hex(bytes))
        guard let data = mapped.data else { throw Diagnostic.collected(mapped.diagnostics)! }

        var lines = ["    cohort:", "      file: \(yaml(path))             # relative to this scenario: save it where you ran blendsim init"]
        if let id = mapping.id { lines.append("      id: \(yaml(id.name))               # checked for duplicates; never written to any output") }
        if let skills = mapping.skills {
            lines.append("      skills: {" + zip(Skill.allCases, skills).map { "\($0.name): \(yaml($1.name))" }.joined(separator: ", ") + "}   # Cambridge English Scale")
        } else if let overall = mapping.overall {
            lines.append("      overall: \(yaml(overall.name))        # Cambridge English Scale (80–230)")
        } else if let level = mapping.level {
            lines.append("      level: \(yaml(level.name))            # CEFR levels")
        }
        if !mapping.traits.isEmpty {
            lines.append("      traits:")
            for (key, column) in mapping.traits {
                lines.append("        \(key): {column: \(yaml(column.name)), scale: \(scaleName(column.scale))}")
            }
        }
        lines.append("    # students: \(data.count)            # as given; another number resamples the file (bootstrap)")

        var comments = ["# Students from \(comment(path)): \(data.count) (SHA-256 \(SHA256.hex(bytes).prefix(16))…)."]
        let shares = data.levelShares
        let levels = LevelBand.allCases.filter { shares[$0.rawValue] > 0 }.map { "\($0.cefr) \(percent(shares[$0.rawValue]))" }
        comments.append("#   starting levels: \(levels.joined(separator: ", "))")
        let traits: [(String, [Float]?)] = [
            ("motivation", data.motivation), ("self_regulation", data.selfRegulation), ("digital_competence", data.digitalCompetence),
            ("connectivity", data.connectivity), ("integrity", data.integrity),
        ]
        for (name, column) in traits {
            guard let (mean, sd, known) = CohortData.summary(column) else { continue }
            comments.append("#   \(name): known for \(known) of \(data.count), mean \(fixed(mean)), sd \(fixed(sd)) (0–1); the rest drawn from 'population'")
        }
        if let device = data.deviceAccess {
            let known = device.filter { $0 <= 1 }
            let yes = known.filter { $0 == 1 }.count
            comments.append("#   device_access: known for \(known.count) of \(data.count), \(percent(Double(yes) / Double(max(known.count, 1)))) with a personal PC")
        }
        let unmapped = table.header.filter { name in !mapping.columns.contains { $0.name == name } }
        if !unmapped.isEmpty {
            comments.append("#   not read: \(comment(unmapped.joined(separator: ", "))) (map them under 'cohort:', docs/SCENARIO.md)")
        }
        return (lines.joined(separator: "\n"), comments.joined(separator: "\n") + "\n")
    }

    /// The mapping by header names, and where the header does not use blendsim's names, by
    /// what the columns hold: CEFR labels (a level), scores within 80–230 (an overall score),
    /// yes/no answers named like a computer (device access), 1–5 answers named like a trait.
    static func guess(_ table: CSVTable, at location: SourceLocation) -> CohortMapping {
        var mapping = CohortMapping.byHeader(table.header, at: location)
        func values(_ index: Int) -> [String] { table.rows.map { $0.fields[index] }.filter { !$0.isEmpty } }
        func named(_ index: Int, _ words: [String]) -> Bool {
            let name = table.header[index].lowercased()
            return words.contains { name.contains($0) }
        }
        let used = Set(mapping.columns.map(\.name))
        let free = table.header.indices.filter { !used.contains(table.header[$0]) }
        if mapping.id == nil, let index = free.first(where: { named($0, ["id", "student", "номер", "студент"]) }) {
            let all = values(index)
            if Set(all).count == all.count { mapping.id = CohortMapping.Column(name: table.header[index], scale: .cambridge, location: location) }
        }
        if mapping.skills == nil && mapping.overall == nil && mapping.level == nil {
            if let index = free.first(where: { i in
                let all = values(i)
                return !all.isEmpty && all.allSatisfy { CohortMapping.standardLabels[CohortMapping.normalisedLabel($0)] != nil }
            }) {
                mapping.level = CohortMapping.Column(name: table.header[index], scale: .levels(CohortMapping.standardLabels), location: location)
            } else if let index = free.first(where: { i in
                let all = values(i)
                return !all.isEmpty && all.allSatisfy { YAMLNode.number($0).map { (80...230).contains($0) } ?? false }
            }) {
                mapping.overall = CohortMapping.Column(name: table.header[index], scale: .cambridge, location: location)
            }
        }
        let traitWords: [(String, [String])] = [
            ("device_access", ["pc", "computer", "laptop", "device", "компьютер", "ноутбук"]),
            ("motivation", ["motiv", "мотив"]), ("self_regulation", ["self", "regul", "самоорган"]),
            ("digital_competence", ["digital", "цифр"]), ("connectivity", ["internet", "connect", "интернет"]),
            ("integrity", ["integrity", "honest", "честн"]),
        ]
        for (key, words) in traitWords where !mapping.traits.contains(where: { $0.key == key }) {
            let taken = Set(mapping.columns.map(\.name))
            guard let index = free.first(where: { !taken.contains(table.header[$0]) && named($0, words) }) else { continue }
            let all = values(index)
            guard !all.isEmpty else { continue }
            let scale: CohortMapping.Scale?
            if all.allSatisfy({ CohortFile.yesNo($0) != nil }) && key == "device_access" {
                scale = .yesNo
            } else if let numbers = Optional(all.compactMap { YAMLNode.number($0.replacing(",", with: ".")) }), numbers.count == all.count {
                let top = numbers.max() ?? 0, bottom = numbers.min() ?? 0
                scale = bottom >= 1 && top <= 5 ? .likert(5) : bottom >= 1 && top <= 7 ? .likert(7) : bottom >= 0 && top <= 1 ? .linear(from: 0...1, to: 0...1)
                    : bottom >= 0 && top <= 100 ? .linear(from: 0...100, to: 0...1) : nil
            } else {
                scale = nil
            }
            if let scale { mapping.traits.append((key, CohortMapping.Column(name: table.header[index], scale: scale, location: location))) }
        }
        return mapping
    }

    static func scaleName(_ scale: CohortMapping.Scale) -> String {
        switch scale {
        case .likert(let points): "likert-\(points)"
        case .yesNo: "yes-no"
        case .linear(let from, _): from.upperBound == 100 ? "percent" : "unit"
        default: "cambridge"
        }
    }

    /// A name as a YAML scalar: plain when it is letters, digits and `_-./`, else double-quoted
    /// with every quote, backslash and control character escaped, so a column name cannot end
    /// its line and write a key of its own.
    static func yaml(_ text: String) -> String {
        if !text.isEmpty, text.first != "-", text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." || $0 == "/" }) {
            return text
        }
        return GeneratedText.yamlDoubleQuoted(text)
    }

    /// Text for a comment line: one line, control characters shown as `?`.
    static func comment(_ text: String) -> String { GeneratedText.oneLine(text) }

    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
    static func fixed(_ value: Double) -> String {
        let r = (value * 100).rounded() / 100
        return "\(r)"
    }
}

