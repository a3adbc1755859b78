import Foundation
import Testing

/// The hostile-input corpus of the surfaces beyond scenarios (docs/RELIABILITY.md): calibration
/// checkpoints, posterior samples, results directories, shards, generated files, non-regular
/// files and calibration outputs. Each case is a directory of `Tests/Fixtures/hostile/<class>/`:
///
/// - `args`: the blendsim command, one argument per line (`\n` in a line is a line break);
/// - `setup` (optional): commands run first, one per line, arguments separated by tabs — a
///   blendsim command that must succeed, or `mkfifo PATH`, `mkdir PATH`, `link TARGET PATH`,
///   `copy FROM TO`, `remove PATH`;
/// - `tamper` (optional): `FILE<TAB>REGEX<TAB>TEMPLATE` lines, each applied once to the file
///   (every match), and each required to change it;
/// - `expected`: the exit status on the first line, the text stderr must contain on the second;
/// - any input files the command reads.
///
/// In every argument `$CASE` is the case's directory (copied), `$WORK` a fresh directory holding
/// it, `$FIXTURES` Tests/Fixtures and `$SCENARIOS` scenarios/. The command must end within 60 s
/// with the expected status and message, print nothing on stdout and leave `$WORK` as the setup
/// left it: no partial output.
@Suite("Hostile corpus", .serialized)
struct HostileCorpusTests {
    static let root = TestPaths.fixtures + "/hostile"

    struct Case: CustomStringConvertible {
        var group: String
        var name: String
        var path: String
        var description: String { group + "/" + name }
    }

    static func cases() throws -> [Case] {
        let manager = FileManager.default
        var cases: [Case] = []
        for group in try manager.contentsOfDirectory(atPath: root).sorted() {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: root + "/" + group, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            for name in try manager.contentsOfDirectory(atPath: root + "/" + group).sorted() {
                cases.append(Case(group: group, name: name, path: root + "/" + group + "/" + name))
            }
        }
        return cases
    }

    /// Every file and directory under `directory`, relative, sorted.
    static func listing(_ directory: String) -> [String] {
        (FileManager.default.subpaths(atPath: directory) ?? []).sorted()
    }

    @Test func theCorpusIsLargeAndCoversEveryClass() throws {
        let cases = try Self.cases()
        #expect(cases.count >= 100, "\(cases.count) cases")
        let groups = Set(cases.map(\.group))
        for group in ["checkpoints", "posterior-samples", "results", "shards", "generated", "non-regular", "calibration-outputs", "budgets"] {
            #expect(groups.contains(group), "no case of \(group)")
        }
    }

    @Test(.tags(.slow)) func everyCaseIsRefusedCleanly() throws {
        // A setup that reads nothing of its case (a calibration's checkpoint) is run once and its
        // directory copied for every case that shares it.
        var prepared: [String: TemporaryDirectory] = [:]
        for entry in try Self.cases() {
            try check(entry, prepared: &prepared)
        }
    }

    func check(_ entry: Case, prepared: inout [String: TemporaryDirectory]) throws {
        let work = TemporaryDirectory()
        let copy = work.path + "/case"
        try FileManager.default.copyItem(atPath: entry.path, toPath: copy)
        let setupText = (try? String(contentsOfFile: copy + "/setup", encoding: .utf8)) ?? ""
        // (Only blendsim commands and directories: copying a FIFO would block on it.)
        let shared = !setupText.isEmpty && !setupText.contains("$CASE") && !setupText.contains("mkfifo") && !setupText.contains("link\t")
        if shared, let template = prepared[setupText] {
            for name in try FileManager.default.contentsOfDirectory(atPath: template.path) {
                try FileManager.default.copyItem(atPath: template.path + "/" + name, toPath: work.path + "/" + name)
            }
            try FileManager.default.removeItem(atPath: copy + "/setup")
        }
        func substitute(_ text: String) -> String {
            text.replacingOccurrences(of: "$CASE", with: copy).replacingOccurrences(of: "$WORK", with: work.path)
                .replacingOccurrences(of: "$FIXTURES", with: TestPaths.fixtures).replacingOccurrences(of: "$SCENARIOS", with: TestPaths.scenarios)
                .replacingOccurrences(of: "\\n", with: "\n")
        }
        func lines(_ file: String) -> [String] {
            guard let text = try? String(contentsOfFile: copy + "/" + file, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        for line in lines("setup") {
            let words = line.split(separator: "\t").map { substitute(String($0)) }
            switch words.first {
            case "mkfifo": #expect(mkfifo(words[1], 0o600) == 0, "\(entry): mkfifo")
            case "mkdir": try FileManager.default.createDirectory(atPath: words[1], withIntermediateDirectories: true)
            case "link": try FileManager.default.createSymbolicLink(atPath: words[2], withDestinationPath: words[1])
            case "copy": try FileManager.default.copyItem(atPath: words[1], toPath: words[2])
            case "remove": try FileManager.default.removeItem(atPath: words[1])
            default:
                let result = try runProcess(TestPaths.executable, words)
                #expect(result.status == 0, "\(entry): setup '\(line)' failed: \(result.stderr)")
            }
        }
        if shared && prepared[setupText] == nil {
            let template = TemporaryDirectory()
            for name in try FileManager.default.contentsOfDirectory(atPath: work.path) where name != "case" {
                try FileManager.default.copyItem(atPath: work.path + "/" + name, toPath: template.path + "/" + name)
            }
            prepared[setupText] = template
        }
        for line in lines("tamper") {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            #expect(parts.count == 3, "\(entry): tamper line '\(line)'")
            guard parts.count == 3 else { continue }
            let file = substitute(parts[0])
            let original = try String(contentsOfFile: file, encoding: .utf8)
            let regex = try NSRegularExpression(pattern: parts[1], options: [.dotMatchesLineSeparators])
            let changed = regex.stringByReplacingMatches(
                in: original, range: NSRange(original.startIndex..., in: original), withTemplate: parts[2].replacingOccurrences(of: "\\n", with: "\n"))
            #expect(changed != original, "\(entry): tamper '\(parts[1])' changed nothing")
            try changed.write(toFile: file, atomically: true, encoding: .utf8)
        }
        let arguments = lines("args").map(substitute)
        let expected = (try? String(contentsOfFile: copy + "/expected", encoding: .utf8))?.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) ?? []
        #expect(expected.count >= 2, "\(entry): expected needs a status and a message")
        guard expected.count >= 2, let status = Int32(expected[0]) else { return }
        let before = Self.listing(work.path)
        let result = try runProcess("/usr/bin/timeout", ["60", TestPaths.executable] + arguments)
        #expect(result.status != 124, "\(entry) did not end within 60 s")
        #expect(result.status == status, "\(entry): status \(result.status), wanted \(status); stderr:\n\(result.stderr)")
        let message = substitute(expected[1])
        #expect(result.stderr.contains(message), "\(entry):\n  got    \(result.stderr)\n  wanted \(message)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"), "\(entry) crashed: \(result.stderr)")
        #expect(result.stdout.isEmpty, "\(entry) printed: \(result.stdout.prefix(300))")
        #expect(Self.listing(work.path) == before, "\(entry) left output: \(Set(Self.listing(work.path)).subtracting(before).sorted())")
    }
}
