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
        for (index, byte) in bytes.enumerated() where byte == 0x0A && index + 1 < bytes.count { lineStarts.append(index + 1) }
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
        func report(_ message: String, _ line: Int, _ column: Int) {
            guard diagnostics.count < Diagnostic.maximumListed else { return }
            diagnostics.append(table.diagnostic(message, line: line, column: column))
        }
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
                table.header = record.fields
                table.headerColumns = record.columns
                table.headerLine = record.line
                var seen: [String: Int] = [:]
                for (index, name) in record.fields.enumerated() {
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
            // Trailing empty fields past the header (a separator at the end of each line) are
            // what spreadsheets write; anything else in the wrong number is an error.
            while fields.count > table.header.count, fields.last == "" {
                fields.removeLast()
                columns.removeLast()
            }
            if fields.count != table.header.count {
                let column = fields.count > table.header.count ? columns[table.header.count] : (columns.last ?? 1)
                report(
                    "this row has \(fields.count) field\(fields.count == 1 ? "" : "s"); the header has \(table.header.count) (is a separator missing, or a field not quoted?)",
                    record.line, column)
                continue
            }
            guard table.rows.count < maximumRows else {
                report("the file has more than \(maximumRows) students; split the cohort or sample it before reading", record.line, 1)
                break
            }
            table.rows.append(Row(fields: fields, line: record.line, columns: columns))
        }
        if diagnostics.isEmpty && table.rows.isEmpty {
            report(
                sawHeader ? "the file has a header but no students; it needs one line per student" : "the file is empty",
                max(1, lineStarts.count), 1)
        }
        return (diagnostics.isEmpty ? table : nil, diagnostics)
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
        let best = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!
        return best.value == 0 ? 0x2C : best.key
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

    /// Splits bytes into records (RFC 4180, with the separator given).
    struct Parser {
        struct Record {
            var fields: [String] = []
            var columns: [Int] = []
            var line: Int
            var problem: (message: String, line: Int, column: Int, fatal: Bool)?
        }

        let bytes: [UInt8]
        let separator: UInt8
        var offset = 0
        var line = 1
        var lineStart = 0

        init(bytes: [UInt8], separator: UInt8) {
            self.bytes = bytes
            self.separator = separator
        }

        func column(_ at: Int) -> Int { bytes[lineStart..<at].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) } }

        mutating func newline() {
            line += 1
            lineStart = offset
        }

        mutating func next() -> Record? {
            guard offset < bytes.count else { return nil }
            var record = Record(line: line)
            while true {
                // One field.
                let fieldColumn = column(offset)
                var value: [UInt8] = []
                var quotedField = false
                // Leading blanks before an opening quote.
                var probe = offset
                while probe < bytes.count, bytes[probe] == 0x20 || bytes[probe] == 0x09, bytes[probe] != separator { probe += 1 }
                if probe < bytes.count, bytes[probe] == 0x22 {
                    quotedField = true
                    let openLine = line, openColumn = column(probe)
                    offset = probe + 1
                    var closed = false
                    while offset < bytes.count {
                        let byte = bytes[offset]
                        if byte == 0x22 {
                            if offset + 1 < bytes.count, bytes[offset + 1] == 0x22 {
                                value.append(0x22)
                                offset += 2
                                continue
                            }
                            offset += 1
                            closed = true
                            break
                        }
                        value.append(byte)
                        offset += 1
                        if byte == 0x0A { newline() }
                    }
                    guard closed else {
                        offset = bytes.count
                        record.problem = ("this quoted field is never closed (a '\"' is missing)", openLine, openColumn, true)
                        return record
                    }
                    // Only blanks may follow the closing quote.
                    while offset < bytes.count, bytes[offset] == 0x20 || bytes[offset] == 0x09, bytes[offset] != separator { offset += 1 }
                    if offset < bytes.count, bytes[offset] != separator, bytes[offset] != 0x0A, bytes[offset] != 0x0D {
                        record.problem = ("text after a quoted field's closing quote; write a quote inside a quoted field as \"\"", line, column(offset), false)
                        skipLine()
                        return record
                    }
                } else {
                    while offset < bytes.count, bytes[offset] != separator, bytes[offset] != 0x0A, bytes[offset] != 0x0D {
                        if bytes[offset] == 0x22 {
                            record.problem = ("a quote inside a field that does not start with one; quote the whole field", line, column(offset), false)
                            skipLine()
                            return record
                        }
                        value.append(bytes[offset])
                        offset += 1
                    }
                }
                var text = String(decoding: value, as: UTF8.self)
                if !quotedField { text = text.trimmingBlanks() }
                record.fields.append(text)
                record.columns.append(fieldColumn)
                if offset < bytes.count, bytes[offset] == separator {
                    offset += 1
                    continue
                }
                // End of the record: CRLF, LF, a lone CR, or the end of the file.
                if offset < bytes.count, bytes[offset] == 0x0D { offset += 1 }
                if offset < bytes.count, bytes[offset] == 0x0A { offset += 1 }
                newline()
                return record
            }
        }

        mutating func skipLine() {
            while offset < bytes.count, bytes[offset] != 0x0A { offset += 1 }
            if offset < bytes.count { offset += 1 }
            newline()
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
