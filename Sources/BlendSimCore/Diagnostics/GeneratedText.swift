/// What blendsim writes into text another tool reads — Swift sources, shell scripts, comments of
/// YAML fragments and CSV files, terminal lines — is built by one rule per target, never
/// spliced: a value from outside (a path, a name, a message) is escaped so it stays one value,
/// or shown with its control characters replaced, so it cannot end a literal, start a line or
/// run anything.
public enum GeneratedText {
    /// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators: the
    /// characters that can break a line or move a terminal's cursor.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// `text` with every control character shown as `?` (tabs kept with `keepingTabs`): the same
    /// number of characters, on one line — for a comment of a generated file or a message.
    public static func oneLine(_ text: String, keepingTabs: Bool = false) -> String {
        func replaced(_ scalar: Unicode.Scalar) -> Bool { isControl(scalar) && !(keepingTabs && scalar == "\t") }
        guard text.unicodeScalars.contains(where: replaced) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { replaced($0) ? "?" : $0 }))
    }

    /// One word of a POSIX shell script holding `text` exactly: single-quoted, each `'` written
    /// as `'\''`. Nothing inside single quotes is expanded, so no character in `text` can run
    /// anything or split the word.
    public static func shellWord(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// A YAML double-quoted scalar holding `text` exactly: backslashes, quotes and every control
    /// character escaped, so nothing in `text` can end the scalar or start a line of its own.
    public static func yamlDoubleQuoted(_ text: String) -> String {
        quoted(text, escapes: ["\\": "\\\\", "\"": "\\\"", "\n": "\\n", "\t": "\\t"]) { value in
            let hex = String(value, radix: 16)
            return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }

    /// A Swift string literal, quotes included, holding `text` exactly: backslashes, quotes and
    /// every control character escaped, so nothing in `text` can end the literal, interpolate or
    /// start a new line of code.
    public static func swiftStringLiteral(_ text: String) -> String {
        quoted(text, escapes: ["\\": "\\\\", "\"": "\\\"", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0"]) { value in
            "\\u{" + String(value, radix: 16) + "}"
        }
    }

    /// `text` in double quotes, each scalar of `escapes` replaced, every other control character
    /// written by `control` from its code point.
    static func quoted(_ text: String, escapes: [Unicode.Scalar: String], control: (UInt32) -> String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if let escaped = escapes[scalar] {
                out += escaped
            } else if isControl(scalar) {
                out += control(scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Swift's keywords, which a generated identifier must not be (they cannot be declared
    /// without backquotes).
    public static let swiftKeywords: Set<String> = [
        "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "nonisolated", "open", "operator", "private", "precedencegroup", "protocol",
        "public", "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try",
        "_",
    ]
}
