public import BlendSimCore
import BlendSimSystem

/// Reads a university's student file through its mapping into `CohortData`: every value checked
/// against its scale, every problem located at its line and column, all of them at once.
public enum CohortFile {
    /// The largest student file read (checked before reading it), and the most students in one.
    public static let maximumFileBytes = 64 << 20
    public static let maximumStudents = 1_000_000

    /// The bytes of the file at `path`, or why not (refusing a file over the limit unread).
    public static func bytes(_ path: String) -> (bytes: [UInt8]?, problem: String?) {
        switch FileSystem.read(path, limit: maximumFileBytes) {
        case .bytes(let bytes): return (bytes, nil)
        case .failed(let reason): return (nil, reason)
        case .tooLarge:
            return (nil, 
                "it is larger than \(maximumFileBytes >> 20) MiB, more than a cohort of \(maximumStudents) students needs; nothing of it was read")
        }
    }

    /// The table's students through `mapping`. `decimalComma` reads `4,5` as 4.5 (files whose
    /// separator is `;` write decimals so).
    public static func data(_ table: CSVTable, mapping: CohortMapping, sha256: String) -> (data: CohortData?, diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        func report(_ diagnostic: Diagnostic) { CSVTable.append(diagnostic, to: &diagnostics) }
        // Every mapped column must be in the header.
        var index: [String: Int] = [:]
        for (position, name) in table.header.enumerated() { index[name] = position }
        for column in mapping.columns where index[column.name] == nil {
            let shown = table.header.prefix(20).map { "'\($0)'" }.joined(separator: ", ") + (table.header.count > 20 ? ", …" : "")
            report(
                Diagnostic(
                    "column '\(column.name)' is not in \(table.path)\(Suggestion.phrase(for: column.name, in: table.header)); its columns are \(shown)",
                    at: column.location))
        }
        if mapping.skills == nil && mapping.overall == nil && mapping.level == nil {
            report(
                Diagnostic(
                    "the mapping gives no starting place: map a 'level' column (CEFR), an 'overall' score or all four 'skills'",
                    at: mapping.columns.first?.location ?? SourceLocation(file: table.path, line: 1, column: 1)))
        }
        guard diagnostics.isEmpty else { return (nil, diagnostics) }

        var table = table
        if let select = mapping.select {
            let position = index[select.column.name]!
            table.rows = table.rows.filter { $0.fields[position] == select.value }
            // No suggestion from the column's values: it may hold students' IDs.
            guard !table.rows.isEmpty else {
                return (nil, [Diagnostic(
                    "no student in \(table.path) has '\(shown(select.value))' in column '\(select.column.name)' (values are compared exactly)",
                    at: select.column.location)])
            }
        }
        let n = table.rows.count
        var data = CohortData(count: n, path: table.path, sha256: sha256)
        let decimalComma = table.separator == ";"
        func value(_ row: CSVTable.Row, _ column: CohortMapping.Column) -> (text: String, line: Int, column: Int) {
            let position = index[column.name]!
            return (row.fields[position], row.lines[position], row.columns[position])
        }
        func fail(_ message: String, _ cell: (text: String, line: Int, column: Int)) {
            report(table.diagnostic(message, line: cell.line, column: cell.column))
        }
        func number(_ cell: (text: String, line: Int, column: Int), _ what: String) -> Double? {
            var text = cell.text
            if decimalComma { text = text.replacing(",", with: ".") }
            guard let value = YAMLNode.number(text), value.isFinite else {
                fail("\(what) must be a number, found '\(shown(cell.text))'", cell)
                return nil
            }
            return value
        }
        /// A score on `column`'s scale, on the Cambridge English Scale.
        func score(_ row: CSVTable.Row, _ column: CohortMapping.Column, _ what: String) -> Float {
            let cell = value(row, column)
            guard !cell.text.isEmpty else {
                fail("\(what) is blank; every student needs a starting place (a score or a level)", cell)
                return .nan
            }
            guard let x = number(cell, what) else { return .nan }
            switch column.scale {
            case .linear(let from, let to):
                guard from.contains(x) else {
                    fail("\(what) \(shown(cell.text)) is outside its scale, \(column.scale.name)", cell)
                    return .nan
                }
                return Float(to.lowerBound + (x - from.lowerBound) / (from.upperBound - from.lowerBound) * (to.upperBound - to.lowerBound))
            default:
                guard x >= CambridgeScale.minimum, x <= CambridgeScale.maximum else {
                    fail("\(what) \(shown(cell.text)) is outside the Cambridge English Scale (80–230); for a test's own scale give 'scale: {from: [MIN, MAX], to: [CAMBRIDGE_MIN, CAMBRIDGE_MAX]}'", cell)
                    return .nan
                }
                return Float(x)
            }
        }

        if let skills = mapping.skills {
            data.skills = skills.enumerated().map { k, column in
                table.rows.map { score($0, column, "the \(Skill(rawValue: k)!.name) score") }
            }
        } else if let overall = mapping.overall {
            data.overall = table.rows.map { score($0, overall, "the overall score") }
        } else if let level = mapping.level, case .levels(let labels) = level.scale {
            data.bands = table.rows.map { row in
                let cell = value(row, level)
                let label = CohortMapping.normalisedLabel(cell.text)
                guard !label.isEmpty, let band = labels[label] else {
                    let shown = GeneratedText.oneLine(cell.text).prefix(40)
                    fail(
                        cell.text.isEmpty
                            ? "the level is blank; every student needs a starting place (a score or a level)"
                            : "unknown level '\(shown)'; one of A1, A2, B1, B2, C1, C2 (or map the file's labels with 'labels:')\(Suggestion.phrase(for: String(shown).uppercased(), in: LevelBand.allCases.map(\.cefr)))",
                        cell)
                    return 0
                }
                return UInt8(band.rawValue)
            }
        }
        for (key, column) in mapping.traits {
            let what = key.replacing("_", with: " ")
            if key == "device_access" {
                data.deviceAccess = table.rows.map { row in
                    let cell = value(row, column)
                    guard !cell.text.isEmpty else { return 255 }
                    switch column.scale {
                    case .yesNo:
                        guard let answer = Self.yesNo(cell.text) else {
                            fail("device access must be yes or no (yes, no, 1, 0, да, нет, иә, жоқ), found '\(GeneratedText.oneLine(cell.text).prefix(40))'", cell)
                            return 255
                        }
                        return answer ? 1 : 0
                    default:
                        guard let x = number(cell, what) else { return 255 }
                        guard let unit = Self.unit(x, column.scale) else {
                            fail("\(what) \(shown(cell.text)) is outside its scale, \(column.scale.name)", cell)
                            return 255
                        }
                        return unit >= 0.5 ? 1 : 0
                    }
                }
                continue
            }
            let values: [Float] = table.rows.map { row in
                let cell = value(row, column)
                // A blank answer is a trait not known: drawn from the population.
                guard !cell.text.isEmpty else { return .nan }
                if column.scale == .yesNo {
                    guard let answer = Self.yesNo(cell.text) else {
                        fail("\(what) must be yes or no, found '\(GeneratedText.oneLine(cell.text).prefix(40))'", cell)
                        return .nan
                    }
                    return answer ? 1 : 0
                }
                guard let x = number(cell, what) else { return .nan }
                guard let unit = Self.unit(x, column.scale) else {
                    fail("\(what) \(shown(cell.text)) is outside its scale, \(column.scale.name)", cell)
                    return .nan
                }
                return Float(unit)
            }
            switch key {
            case "motivation": data.motivation = values
            case "self_regulation": data.selfRegulation = values
            case "digital_competence": data.digitalCompetence = values
            case "connectivity": data.connectivity = values
            default: data.integrity = values
            }
        }
        if let id = mapping.id {
            data.ids = table.rows.map { value($0, id).text }
            data.idLines = table.rows.map(\.line)
            var seen: [String: Int] = [:]
            for row in table.rows {
                let cell = value(row, id)
                if cell.text.trimmingBlanks().isEmpty {
                    fail("the student ID is blank", cell)
                } else if let first = seen[cell.text] {
                    // The ID itself is not repeated in the message: the line says which student.
                    fail("this student ID is used twice (first on line \(first))", cell)
                } else {
                    seen[cell.text] = cell.line
                }
            }
        }
        return (diagnostics.isEmpty ? data : nil, diagnostics)
    }

    /// A cell's text as an error shows it: one line, at most 40 characters.
    static func shown(_ text: String) -> String {
        let line = GeneratedText.oneLine(text)
        return line.count > 40 ? String(line.prefix(40)) + "…" : line
    }

    /// A trait value on `scale` as a value in [0, 1], or nil outside the scale.
    static func unit(_ x: Double, _ scale: CohortMapping.Scale) -> Double? {
        switch scale {
        case .likert(let points):
            guard x >= 1, x <= Double(points) else { return nil }
            return (x - 1) / Double(points - 1)
        case .linear(let from, let to):
            guard from.contains(x) else { return nil }
            return to.lowerBound + (x - from.lowerBound) / (from.upperBound - from.lowerBound) * (to.upperBound - to.lowerBound)
        default:
            guard x >= 0, x <= 1 else { return nil }
            return x
        }
    }

    /// A yes or no answer as spreadsheets and surveys in Kazakhstan write it.
    public static func yesNo(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "y", "true", "1", "да", "д", "иә", "ия", "и": true
        case "no", "n", "false", "0", "нет", "н", "жоқ", "ж": false
        default: nil
        }
    }
}
