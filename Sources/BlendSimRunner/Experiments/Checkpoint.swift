import BlendSimCore
import BlendSimSystem
import Synchronization

/// Finished runs of a sweep, saved as they complete, so `--resume` can finish an interrupted sweep
/// with exactly the result of an uninterrupted one.
///
/// The checkpoint is a journal, `OUT/.checkpoint/runs.jsonl`: a header line (the plan's hash,
/// replications and seed), then one line per finished run, appended as the run finishes — the
/// same cost for the first run and the hundred-thousandth. A resume reads the journal (skipping a
/// torn last line an interruption may have left), compacts it to the header and the runs it
/// holds, and appends from there.
final class Checkpoint: Sendable {
    let journal: Mutex<AppendFile?>

    static func directory(out: String) -> String { out + "/.checkpoint" }
    static func path(out: String) -> String { directory(out: out) + "/runs.jsonl" }

    /// Starts the journal of a sweep with `template`'s plan, replications and seed, holding
    /// `completed` (the runs a resumed sweep already has).
    init(out: String, template: ShardFile, completed: [UnitResult]) {
        var text = Self.header(template).serialized() + "\n"
        for unit in completed { text += ShardFile.encode(unit).serialized() + "\n" }
        let path = Self.path(out: out)
        // A checkpoint that cannot be written costs only the ability to resume.
        var journal: AppendFile?
        if (try? ResultsDirectory.writeFile(path, text)) != nil { journal = try? AppendFile(path) }
        self.journal = Mutex(journal)
    }

    static func header(_ template: ShardFile) -> JSONValue {
        .object([
            ("kind", .string(template.kind)),
            ("plan_sha256", .string(template.planHash)),
            ("replications", .integer(template.replications)),
            ("seed", .integer(Int(truncatingIfNeeded: template.seed))),
            ("plugins", .array(ShardFile.builds(template.plugins).map { .string($0) })),
        ])
    }

    /// Records a finished run: one line appended.
    func add(_ unit: UnitResult) {
        let line = Array((ShardFile.encode(unit).serialized() + "\n").utf8)
        journal.withLock { journal in
            guard let file = journal else { return }
            if (try? file.append(line)) == nil { journal = nil }
        }
    }

    /// The runs a previous, interrupted sweep finished, if its checkpoint belongs to this plan.
    static func load(out: String, planHash: String, replications: Int, plugins: [PluginRecord]) throws(Diagnostic) -> [UnitResult] {
        let path = path(out: out)
        guard let bytes = FileSystem.contents(path, limit: 1 << 34) else {
            throw Diagnostic("\(out) holds no interrupted sweep to resume (no readable .checkpoint/runs.jsonl)")
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The last element is empty after a final newline; anything else there is a torn line.
        lines.removeLast()
        guard let first = lines.first, let header = try? JSONValue.parse(String(decoding: first, as: UTF8.self)) else {
            throw Diagnostic("\(path) is not a sweep checkpoint blendsim wrote; remove it to start afresh")
        }
        guard header["plan_sha256"]?.stringValue == planHash, case .integer(replications)? = header["replications"] else {
            throw Diagnostic("\(out)/.checkpoint is from another plan or other settings; remove it or choose another --out")
        }
        // The runs already finished and those still to run must come from the same plugin builds.
        guard case .array(let recorded)? = header["plugins"], recorded.compactMap(\.stringValue) == ShardFile.builds(plugins) else {
            throw Diagnostic("\(out)/.checkpoint was run with other plugin builds than these; remove it to start afresh")
        }
        var units: [UnitResult] = []
        var seen = Set<Int>()
        for (index, line) in lines.dropFirst().enumerated() {
            guard let item = try? JSONValue.parse(String(decoding: line, as: UTF8.self)) else {
                throw Diagnostic("\(path): line \(index + 2) is damaged; remove the checkpoint to start afresh")
            }
            let unit = try ShardFile.decodeUnit(item, number: index + 1, replications: replications, path: path)
            if seen.insert(unit.arm * replications + unit.replication).inserted { units.append(unit) }
        }
        return units
    }

    /// Removes the checkpoint once the results are written.
    static func remove(out: String) {
        FileSystem.remove(path(out: out))
        FileSystem.removeDirectory(directory(out: out))
    }
}
