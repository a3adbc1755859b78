/// A place in a source file: 1-based line and column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error a user can fix, with where it is: rendered as `file:line:column: error: message`
/// followed by the offending line and a caret under the column.
public struct Diagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String
    /// The text of the offending line, when the location has one.
    public var sourceLine: String?
    /// Further independent errors found in the same input, reported with this one.
    public var others: [Diagnostic] = []
    /// A remark about the list (that it was cut short), not an error: not counted.
    public var isNote = false
    /// `error`, or `note` for a remark about how an input was read that is not an error (a
    /// scenario's `notes`); only the headline differs.
    public var severity = "error"

    /// The most errors listed for one input; past it, a note says the list was cut short.
    public static let maximumListed = 100

    public init(_ message: String, at location: SourceLocation? = nil, sourceLine: String? = nil) {
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
    }

    /// The first line: `file:line:column: error: message`, or `error: message` without a place.
    public var headline: String {
        if let location { return "\(location): \(severity): \(message)" }
        return "\(severity): \(message)"
    }

    /// All of `diagnostics` as one error: the first, carrying the rest; nil if there are none.
    public static func collected(_ diagnostics: [Diagnostic]) -> Diagnostic? {
        guard var first = diagnostics.first else { return nil }
        first.others += diagnostics.dropFirst()
        return first
    }

    /// This error and every other one it carries.
    public var all: [Diagnostic] {
        var one = self
        one.others = []
        return [one] + others.flatMap(\.all)
    }

    /// Every error, each with its line and caret, then how many there are when more than one.
    public var rendered: String {
        let list = all
        guard list.count > 1 else { return renderedOne }
        let errors = list.filter { !$0.isNote }.count
        let cut = list.contains { $0.isNote }
        return list.map(\.renderedOne).joined(separator: "\n") + "\n\(errors) errors" + (cut ? " listed (more not shown)" : "")
    }

    /// `diagnostics` as one report: each error once (by place and message), in file order — the
    /// file `mainFile` first (the scenario itself, before the files it includes), then others as
    /// they appear — and at most `maximumListed`, with a note when there were more.
    public static func report(_ diagnostics: [Diagnostic], mainFile: String? = nil) -> [Diagnostic] {
        var unique: [Diagnostic] = []
        var seen = Set<String>()
        var notes: [Diagnostic] = []
        for diagnostic in diagnostics {
            if diagnostic.isNote {
                notes.append(diagnostic)
                continue
            }
            let key = "\(diagnostic.location?.description ?? "")\u{0}\(diagnostic.message)"
            if seen.insert(key).inserted { unique.append(diagnostic) }
        }
        var files: [String: Int] = [:]
        if let mainFile { files[mainFile] = 0 }
        for diagnostic in unique { if let file = diagnostic.location?.file, files[file] == nil { files[file] = files.count } }
        let sorted = unique.enumerated().sorted { a, b in
            let x = a.element.location, y = b.element.location
            switch (x, y) {
            case (let x?, let y?): return (files[x.file]!, x.line, x.column, a.offset) < (files[y.file]!, y.line, y.column, b.offset)
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return false
            case (_, nil): return true
            }
        }.map(\.element)
        guard sorted.count <= maximumListed && notes.isEmpty else {
            var note = Diagnostic("more than \(maximumListed) errors; the first \(min(sorted.count, maximumListed)) are listed (fix these first)")
            note.isNote = true
            return Array(sorted.prefix(maximumListed)) + [note]
        }
        return sorted
    }

    /// The headline, the offending line and a caret under the column; control characters from
    /// the input (escape sequences, carriage returns) are shown as `?`, never sent to the terminal.
    var renderedOne: String {
        var text = headline.visible()
        if let location, let sourceLine {
            // At most `window` characters of the line around the column, so a long line (a
            // whole list on one line) is shown as the part that matters, not repeated whole.
            // Only the characters up to the window's end are walked.
            let window = 120
            let caret = max(location.column - 1, 0)
            let start = max(0, caret - window / 2)
            let tail = sourceLine.dropFirst(start)
            var visible = String(tail.prefix(window)).replacingTabs().visible()
            var offset = caret - start
            if start > 0 {
                visible = "…" + visible
                offset += 1
            }
            if !tail.dropFirst(window).isEmpty { visible += "…" }
            text += "\n" + visible
            text += "\n" + String(repeating: " ", count: max(offset, 0)) + "^"
        }
        return text
    }

    public var description: String { rendered }

    /// A remark at `location` that is not an error.
    public static func note(_ message: String, at location: SourceLocation, sourceLine: String? = nil) -> Diagnostic {
        var note = Diagnostic(message, at: location, sourceLine: sourceLine)
        note.severity = "note"
        return note
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        String(map { $0 == "\t" ? " " : $0 })
    }

    /// Control characters (but tab) as `?` (`GeneratedText.oneLine`): the same length, so a
    /// caret stays under its column.
    fileprivate func visible() -> String { GeneratedText.oneLine(self, keepingTabs: true) }
}
