import BlendSimCore
import BlendSimSystem
import Synchronization

/// Finished runs of a sweep, saved as they complete (`OUT/.checkpoint/shard.json`, the shard
/// format), so `--resume` can finish an interrupted sweep with exactly the result of an
/// uninterrupted one.
final class Checkpoint: Sendable {
    let directory: String
    let template: ShardFile
    let state: Mutex<(units: [UnitResult], unsaved: Int)>
    /// Runs between saves.
    let interval: Int

    static func directory(out: String) -> String { out + "/.checkpoint" }

    init(out: String, template: ShardFile, completed: [UnitResult], interval: Int = 8) {
        self.directory = Self.directory(out: out)
        self.template = template
        self.state = Mutex((completed, 0))
        self.interval = interval
    }

    /// Records a finished run, saving every `interval` runs.
    func add(_ unit: UnitResult) {
        state.withLock { state in
            state.units.append(unit)
            state.unsaved += 1
            if state.unsaved >= interval {
                save(state.units)
                state.unsaved = 0
            }
        }
    }

    func save(_ units: [UnitResult]) {
        var file = template
        file.units = units.sorted { ($0.arm, $0.replication) < ($1.arm, $1.replication) }
        try? ResultsDirectory.writeFile(directory + "/" + ShardFile.fileName, file.json.serialized() + "\n")
    }

    /// The runs a previous, interrupted sweep finished, if its checkpoint belongs to this plan.
    static func load(out: String, planHash: String) throws(Diagnostic) -> [UnitResult] {
        let file = try ShardFile.read(directory: directory(out: out))
        guard file.planHash == planHash else {
            throw Diagnostic("\(out)/.checkpoint is from another plan or other settings; remove it or choose another --out")
        }
        return file.units
    }

    /// Removes the checkpoint once the results are written.
    static func remove(out: String) {
        FileSystem.remove(directory(out: out) + "/" + ShardFile.fileName)
        FileSystem.removeDirectory(directory(out: out))
    }
}
