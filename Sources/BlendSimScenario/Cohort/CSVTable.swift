public import BlendSimCore

/// A table read from a CSV file as spreadsheets write it: UTF-8 with or without a byte-order
/// mark, LF or CRLF line ends, fields quoted with `"` (a quote inside written `""`, line breaks
/// allowed), separated by `,`, `;` (Excel in Russian, Kazakh and most European locales) or a tab,
/// whichever the header line uses most.
///
/// blendsim reads CSV itself rather than through SwiftCSV or CSV.swift: every error here names
/// the line and column of the field at fault (both libraries report a position for none), a row
/// with too few or too many fields is an error rather than padded or cut, the parser stops at a
/// row limit instead of holding the whole table first, and both libraries need Foundation, which
/// the library targets do not link.
public struct CSVTable: Sendable {
    /// One data row: its fields, the line it starts on and each field's column (1-based, in
    /// characters).
    public struct Row: Sendable {
        public var fields: [String]
        public var line: Int
        public var columns: [Int]
        /// The line each field starts on (a quoted field may span lines).
        public var lines: [Int]
    }

    public var path: String
    public var header: [String]
    /// The column of each header field.
    public var headerColumns: [Int]
    /// The line the header is on.
    public var headerLine = 1
    public var rows: [Row]
    /// The separator the file uses.
    public var separator: Character
    /// Each line's text by 1-based number, for error snippets (only lines an error names are
    /// rendered).
    let bytes: [UInt8]
    let lineStarts: [Int]

    /// The text of a 1-based line, without its line end.
    public func line(_ number: Int) -> String? {
        guard number >= 1, number <= lineStarts.count else { return nil }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] : bytes.count
        while end > start, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// A located error in this file, with the line's text.
    public func diagnostic(_ message: String, line: Int, column: Int) -> Diagnostic {
        Diagnostic(message, at: SourceLocation(file: path, line: line, column: column), sourceLine: self.line(line))
    }

    /// Reads `bytes` (the file at `path`). Returns the table, or nil and every problem found (at most
    /// `Diagnostic.maximumListed`), each located.
    public static func parse(_ input: [UInt8], path: String, maximumRows: Int) -> (table: CSVTable?, diagnostics: [Diagnostic]) {
        var bytes = input
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var lineStarts = [0]
        for (index, byte) in bytes.enumerated() where index + 1 < bytes.count {
            if byte == 0x0A || (byte == 0x0D && bytes[index + 1] != 0x0A) { lineStarts.append(index + 1) }
        }
        let empty = CSVTable(path: path, header: [], headerColumns: [], rows: [], separator: ",", bytes: bytes, lineStarts: lineStarts)
        func fail(_ message: String, _ line: Int, _ column: Int) -> (table: CSVTable?, diagnostics: [Diagnostic]) {
            (nil, [empty.diagnostic(message, line: line, column: column)])
        }
        // A binary file (a spreadsheet saved as .xlsx, an image) is refused before any parsing.
        if let nul = bytes.firstIndex(of: 0) {
            let (line, column) = empty.position(of: nul)
            return fail("this is not a text file (it holds a NUL byte); save the spreadsheet as CSV (UTF-8)", line, column)
        }
        if let bad = firstInvalidUTF8(bytes) {
            let (line, column) = empty.position(of: bad)
            return fail(
                "this file is not UTF-8 text; save the spreadsheet as 'CSV UTF-8' (a file in a Windows code page such as 1251 cannot be read)",
                line, column)
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return fail("the file is empty; it needs a header line naming the columns and one line per student", 1, 1)
        }
        var parser = Parser(bytes: bytes, separator: detectSeparator(bytes))
        var table = empty
        table.separator = Character(Unicode.Scalar(parser.separator))
        var diagnostics: [Diagnostic] = []
        func report(_ message: String, _ line: Int, _ column: Int) { Self.append(table.diagnostic(message, line: line, column: column), to: &diagnostics) }
        var sawHeader = false
        while let record = parser.next() {
            if let problem = record.problem {
                report(problem.message, problem.line, problem.column)
                if problem.fatal { break }
                continue
            }
            // A blank line, or a row of empty fields (a spreadsheet's empty row), is skipped.
            if record.fields.allSatisfy(\.isEmpty) { continue }
            guard sawHeader else {
                sawHeader = true
                var names = record.fields
                // A separator at the end of the header line, as at the end of every row.
                while names.count > 1, names.last == "" { names.removeLast() }
                table.header = names
                table.headerColumns = Array(record.columns.prefix(names.count))
                table.headerLine = record.line
                var seen: [String: Int] = [:]
                for (index, name) in table.header.enumerated() {
                    if name.isEmpty {
                        report("column \(index + 1) of the header has no name", record.line, record.columns[index])
                    } else if let first = seen[name] {
                        report("column '\(name)' is named twice in the header (first in column \(first + 1))", record.line, record.columns[index])
                    } else {
                        seen[name] = index
                    }
                }
                continue
            }
            var fields = record.fields
            var columns = record.columns
            var lines = record.lines
            // Trailing empty fields past the header (a separator at the end of each line) are
            // what spreadsheets write; anything else in the wrong number is an error.
            while fields.count > table.header.count, fields.last == "" {
                fields.removeLast()
                columns.removeLast()
                lines.removeLast()
            }
            if fields.count != table.header.count {
                let at = fields.count > table.header.count ? table.header.count : max(fields.count - 1, 0)
                report(
                    "this row has \(fields.count) field\(fields.count == 1 ? "" : "s"); the header has \(table.header.count) (is a separator missing, or a field not quoted?)",
                    lines.isEmpty ? record.line : lines[at], columns.isEmpty ? 1 : columns[at])
                continue
            }
            guard table.rows.count < maximumRows else {
                report("the file has more than \(maximumRows) students; split the cohort or sample it before reading", record.line, 1)
                break
            }
            table.rows.append(Row(fields: fields, line: record.line, columns: columns, lines: lines))
        }
        if diagnostics.isEmpty && table.rows.isEmpty {
            report(
                sawHeader ? "the file has a header but no students; it needs one line per student" : "the file is empty",
                max(1, lineStarts.count), 1)
        }
        return (diagnostics.isEmpty ? table : nil, diagnostics)
    }

    /// Appends `diagnostic` unless `Diagnostic.maximumListed` are there already; the first one
    /// past that is a note that the list was cut short.
    static func append(_ diagnostic: Diagnostic, to diagnostics: inout [Diagnostic]) {
        guard diagnostics.count <= Diagnostic.maximumListed else { return }
        guard diagnostics.count < Diagnostic.maximumListed else {
            var note = Diagnostic("more than \(Diagnostic.maximumListed) errors; the first \(Diagnostic.maximumListed) are listed (fix these first)")
            note.isNote = true
            diagnostics.append(note)
            return
        }
        diagnostics.append(diagnostic)
    }

    /// The 1-based line and column of byte `offset`.
    func position(of offset: Int) -> (line: Int, column: Int) {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let column = bytes[lineStarts[low]..<offset].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return (low + 1, column)
    }

    /// The separator the first line uses most, outside quotes: `;`, a tab or (ties) `,`.
    static func detectSeparator(_ bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var quoted = false
        for byte in bytes {
            if byte == 0x22 { quoted.toggle() }
            if !quoted && byte == 0x0A { break }
            if !quoted, counts[byte] != nil { counts[byte]! += 1 }
        }
        // Ties go to ',' then ';' then a tab.
        let preference: [UInt8] = [0x2C, 0x3B, 0x09]
        let best = preference.max { a, b in counts[a]! != counts[b]! ? counts[a]! < counts[b]! : preference.firstIndex(of: a)! > preference.firstIndex(of: b)! }!
        return counts[best]! == 0 ? 0x2C : best
    }

    /// The offset of the first byte that does not belong to valid UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// Splits bytes into records (RFC 4180, with the separator given). The line and column of
    /// the current byte are kept as the parser moves, so reading is linear in the file's size
    /// however wide its rows.
    struct Parser {
        struct Record {
            var fields: [String] = []
            var columns: [Int] = []
            var lines: [Int] = []
            var line: Int
            var problem: (message: String, line: Int, column: Int, fatal: Bool)?
        }

        let bytes: [UInt8]
        let separator: UInt8
        var offset = 0
        var line = 1
        var column = 1

        init(bytes: [UInt8], separator: UInt8) {
            self.bytes = bytes
            self.separator = separator
        }

        /// Moves past one byte, keeping the line and column (a line ends at LF, CRLF or a lone CR).
        mutating func advance() {
            let byte = bytes[offset]
            offset += 1
            if byte == 0x0A || (byte == 0x0D && (offset >= bytes.count || bytes[offset] != 0x0A)) {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 && byte != 0x0D {
                column += 1
            }
        }

        func isBlank(_ byte: UInt8) -> Bool { (byte == 0x20 || byte == 0x09) && byte != separator }

        mutating func next() -> Record? {
            guard offset < bytes.count else { return nil }
            var record = Record(line: line)
            while true {
                // One field.
                var value: [UInt8] = []
                var quotedField = false
                // Leading blanks before an opening quote belong to no field.
                var probe = offset
                while probe < bytes.count, isBlank(bytes[probe]) { probe += 1 }
                let fieldLine = line
                var fieldColumn = column
                if probe < bytes.count, bytes[probe] == 0x22 {
                    quotedField = true
                    while offset < probe { advance() }
                    fieldColumn = column
                    let openLine = line, openColumn = column
                    advance()
                    var closed = false
                    while offset < bytes.count {
                        let byte = bytes[offset]
                        if byte == 0x22 {
                            if offset + 1 < bytes.count, bytes[offset + 1] == 0x22 {
                                value.append(0x22)
                                advance()
                                advance()
                                continue
                            }
                            advance()
                            closed = true
                            break
                        }
                        value.append(byte)
                        advance()
                    }
                    guard closed else {
                        record.problem = ("this quoted field is never closed (a '\"' is missing)", openLine, openColumn, true)
                        return record
                    }
                    // Only blanks may follow the closing quote.
                    while offset < bytes.count, isBlank(bytes[offset]) { advance() }
                    if offset < bytes.count, bytes[offset] != separator, bytes[offset] != 0x0A, bytes[offset] != 0x0D {
                        record.problem = ("text after a quoted field's closing quote; write a quote inside a quoted field as \"\"", line, column, false)
                        skipLine()
                        return record
                    }
                } else {
                    while offset < bytes.count, bytes[offset] != separator, bytes[offset] != 0x0A, bytes[offset] != 0x0D {
                        if bytes[offset] == 0x22 {
                            record.problem = ("a quote inside a field that does not start with one; quote the whole field", line, column, false)
                            skipLine()
                            return record
                        }
                        value.append(bytes[offset])
                        advance()
                    }
                }
                var text = String(decoding: value, as: UTF8.self)
                if !quotedField { text = text.trimmingBlanks() }
                record.fields.append(text)
                record.columns.append(fieldColumn)
                record.lines.append(fieldLine)
                if offset < bytes.count, bytes[offset] == separator {
                    advance()
                    continue
                }
                // End of the record: CRLF, LF, a lone CR, or the end of the file.
                if offset < bytes.count, bytes[offset] == 0x0D { advance() }
                if offset < bytes.count, bytes[offset] == 0x0A { advance() }
                return record
            }
        }

        mutating func skipLine() {
            let start = line
            while offset < bytes.count, line == start { advance() }
        }
    }
}

extension String {
    /// The string without spaces and tabs at either end.
    func trimmingBlanks() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
