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

    public init(_ message: String, at location: SourceLocation? = nil, sourceLine: String? = nil) {
        self.message = message
        self.location = location
        self.sourceLine = sourceLine
    }

    /// The first line: `file:line:column: error: message`, or `error: message` without a place.
    public var headline: String {
        if let location { return "\(location): error: \(message)" }
        return "error: \(message)"
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
        return list.map(\.renderedOne).joined(separator: "\n") + "\n\(list.count) errors"
    }

    /// The headline, the offending line and a caret under the column.
    var renderedOne: String {
        var text = headline
        if let location, let sourceLine {
            // At most `window` characters of the line around the column, so a long line (a
            // whole list on one line) is shown as the part that matters, not repeated whole.
            // Only the characters up to the window's end are walked.
            let window = 120
            let caret = max(location.column - 1, 0)
            let start = max(0, caret - window / 2)
            let tail = sourceLine.dropFirst(start)
            var visible = String(tail.prefix(window)).replacingTabs()
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
}

extension String {
    fileprivate func replacingTabs() -> String {
        String(map { $0 == "\t" ? " " : $0 })
    }
}
