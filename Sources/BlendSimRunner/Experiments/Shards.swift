public import BlendSimCore
import BlendSimReport
import BlendSimSystem
import BlendSimScenario

/// The file a shard writes (`shard.json`): which plan it belongs to, which slice it ran, and the
/// raw outcome of every unit, written losslessly so the merge reproduces an unsharded run to the
/// byte.
public struct ShardFile: Sendable {
    public var kind: String
    public var planPath: String
    /// SHA-256 of the plan (or scenario) file with the settings that change results.
    public var planHash: String
    public var replications: Int
    public var seed: UInt64
    public var shard: Shard
    public var units: [UnitResult]
    /// The plugins the shard's runs used: every shard of a merge must have used the same builds.
    public var plugins: [PluginRecord]
    /// An optimise shard's designs (its `units` are empty): each design's outcome and cost per
    /// replication, which is all the search's report reads.
    public var designs: [DesignRecord] = []

    /// One design of an optimise shard: its index in the plan's space, and either why it could
    /// not run or its outcome (as the runs give it) and its cost in every replication.
    public struct DesignRecord: Sendable, Equatable {
        public var index: Int
        public var refused: String?
        public var outcome: [Double]
        public var cost: [Double]

        var json: JSONValue {
            var members: [(String, JSONValue)] = [("design", .integer(index))]
            if let refused { members.append(("refused", .string(refused))) }
            members += [("outcome", .array(outcome.map(JSONValue.number))), ("cost", .array(cost.map(JSONValue.number)))]
            return .object(members)
        }

        /// Decodes design record `number` (1-based), checking every field a tampered file could
        /// break: a design of a space blendsim can search, finite outcomes, costs within the
        /// results' bound, and the shard's replications (none for a refused design).
        static func decode(_ item: JSONValue, number: Int, replications: Int, path: String) throws(Diagnostic) -> DesignRecord {
            func numbers(_ key: String) -> [Double]? {
                guard case .array(let items)? = item[key] else { return nil }
                let values = items.compactMap(\.doubleValue)
                return values.count == items.count && values.allSatisfy(\.isFinite) ? values : nil
            }
            guard case .integer(let index)? = item["design"], (0..<OptimisePlan.maximumDesigns).contains(index),
                let outcome = numbers("outcome"), let cost = numbers("cost"), outcome.count == cost.count,
                cost.allSatisfy({ (0...1e15).contains($0) }), outcome.allSatisfy({ abs($0) <= 1e15 })
            else {
                throw Diagnostic("\(path): design record \(number) is incomplete or out of range (a design number, finite outcomes, costs from 0 to 10^15)")
            }
            var refused: String?
            if let value = item["refused"] {
                guard let text = value.stringValue, !text.isEmpty, text.utf8.count <= 4_096, outcome.isEmpty else {
                    throw Diagnostic("\(path): design record \(number) has a damaged 'refused' (a design that could not run has no outcomes)")
                }
                refused = text
            } else if outcome.count != replications {
                throw Diagnostic("\(path): design record \(number) has \(outcome.count) replications, not the shard's \(replications)")
            }
            return DesignRecord(index: index, refused: refused, outcome: outcome, cost: cost)
        }
    }

    public static let fileName = "shard.json"

    /// The plugin builds (name, version and SHA-256) in a fixed order: what must agree between
    /// shards and between a sweep's checkpoint and its resumption, wherever the files were found.
    static func builds(_ plugins: [PluginRecord]) -> [String] {
        plugins.map { "\($0.name) \($0.version) \($0.sha256)" }.sorted()
    }

    public var json: JSONValue {
        .object([
            ("kind", .string(kind)),
            ("plan", .string(planPath)),
            ("plan_sha256", .string(planHash)),
            ("replications", .integer(replications)),
            ("seed", .integer(Int(truncatingIfNeeded: seed))),
            ("shard", .integer(shard.index)),
            ("of", .integer(shard.count)),
            ("plugins", .array(plugins.map(\.json))),
            ("units", .array(units.map(Self.encode))),
        ] + (kind == "optimise" ? [("designs", .array(designs.map(\.json)))] : []))
    }

    /// One unit as shard.json and the checkpoint journal store it.
    static func encode(_ unit: UnitResult) -> JSONValue {
        .object([
            ("arm", .integer(unit.arm)),
            ("replication", .integer(unit.replication)),
            ("groups", .array(unit.groups.map(OutcomeCodec.encode))),
        ])
    }

    /// Decodes unit number `number` (1-based) of a file, checking every field a tampered file
    /// could break.
    static func decodeUnit(_ item: JSONValue, number: Int, replications: Int, path: String) throws(Diagnostic) -> UnitResult {
        guard case .integer(let arm)? = item["arm"], (0...10_000_000).contains(arm), case .integer(let replication)? = item["replication"],
            (0...(replications - 1)).contains(replication), case .array(let groups)? = item["groups"], !groups.isEmpty
        else {
            throw Diagnostic("\(path): unit \(number) is incomplete or out of range (arm ≥ 0, 0 ≤ replication < \(replications), at least one group)")
        }
        var outcomes: [GroupOutcome] = []
        for group in groups {
            guard let outcome = OutcomeCodec.decode(group), !outcome.weekly.isEmpty else {
                throw Diagnostic("\(path): unit \(number) has an unreadable or out-of-range outcome")
            }
            outcomes.append(outcome)
        }
        return UnitResult(arm: arm, replication: replication, groups: outcomes)
    }

    /// Reads `DIR/shard.json`, its plan path resolved against `DIR` (where `write` recorded it
    /// relative to), so shards merge from any directory.
    public static func read(directory: String) throws(Diagnostic) -> ShardFile {
        let path = directory + "/" + fileName
        let bytes: [UInt8]
        switch FileSystem.read(path, limit: 1 << 30) {
        case .bytes(let read): bytes = read
        case .tooLarge: throw Diagnostic("\(path): the shard is larger than 1 GiB")
        case .failed(let reason): throw Diagnostic("\(path): cannot read the shard (\(reason))")
        }
        var file = try decode(bytes, path: path)
        file.planPath = FileSystem.resolve(file.planPath, against: directory)
        return file
    }

    /// Writes `DIR/shard.json`, with the plan's path recorded relative to `DIR`.
    public func write(to directory: String) throws(Diagnostic) {
        var file = self
        file.planPath = FileSystem.relative(planPath, from: directory)
        try ResultsDirectory.writeFile(directory + "/" + Self.fileName, file.json.serialized() + "\n")
    }

    /// Decodes a shard file's bytes, checking every field a tampered file could break.
    public static func decode(_ bytes: [UInt8], path: String) throws(Diagnostic) -> ShardFile {
        let document: JSONValue
        do {
            document = try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw Diagnostic("\(path): not a shard file (\(error))")
        }
        // Whole numbers only, exactly as written, within the ranges blendsim writes.
        func whole(_ value: JSONValue?, _ range: ClosedRange<Int>) -> Int? {
            guard case .integer(let number)? = value, range.contains(number) else { return nil }
            return number
        }
        guard let kind = document["kind"]?.stringValue, let plan = document["plan"]?.stringValue,
            let hash = document["plan_sha256"]?.stringValue, case .integer(let seed)? = document["seed"],
            case .array(let items)? = document["units"]
        else { throw Diagnostic("\(path): not a shard file (fields missing)") }
        guard let replications = whole(document["replications"], 1...100_000) else {
            throw Diagnostic("\(path): 'replications' must be a whole number from 1 to 100000")
        }
        guard let count = whole(document["of"], 1...100_000), let index = whole(document["shard"], 1...count) else {
            throw Diagnostic("\(path): 'shard' and 'of' must be whole numbers with 1 ≤ shard ≤ of ≤ 100000")
        }
        guard case .array(let pluginItems)? = document["plugins"], pluginItems.count <= 1_000 else {
            throw Diagnostic("\(path): 'plugins' is missing (a shard names the plugins its runs used)")
        }
        var plugins: [PluginRecord] = []
        for item in pluginItems {
            guard let record = PluginRecord(json: item) else { throw Diagnostic("\(path): a plugin record is damaged") }
            plugins.append(record)
        }
        var units: [UnitResult] = []
        for (number, item) in items.enumerated() {
            units.append(try decodeUnit(item, number: number + 1, replications: replications, path: path))
        }
        var designs: [DesignRecord] = []
        if kind == "optimise" {
            guard case .array(let records)? = document["designs"], records.count <= OptimisePlan.maximumDesigns else {
                throw Diagnostic("\(path): an optimise shard needs 'designs' (at most \(OptimisePlan.maximumDesigns))")
            }
            for (number, item) in records.enumerated() {
                designs.append(try DesignRecord.decode(item, number: number + 1, replications: replications, path: path))
            }
        }
        return ShardFile(
            kind: kind, planPath: plan, planHash: hash, replications: replications, seed: UInt64(bitPattern: Int64(seed)),
            shard: Shard(index: index, count: count), units: units, plugins: plugins, designs: designs)
    }

    /// Checks that `shards` are all the slices of one plan, and returns their units in order.
    public static func combine(
        _ shards: [ShardFile], directories: [String]
    ) throws(Diagnostic) -> (first: ShardFile, units: [UnitResult], designs: [DesignRecord]) {
        guard let first = shards.first else { throw Diagnostic("merge needs at least one shard directory") }
        for (shard, directory) in zip(shards, directories) {
            guard shard.kind == first.kind, shard.planHash == first.planHash, shard.replications == first.replications,
                shard.seed == first.seed, shard.shard.count == first.shard.count
            else {
                throw Diagnostic("\(directory): this shard is from a different plan or settings than \(directories[0]) (plan hash \(shard.planHash.prefix(12)) vs \(first.planHash.prefix(12))); refusing to merge")
            }
            guard builds(shard.plugins) == builds(first.plugins) else {
                throw Diagnostic("\(directory): this shard ran other plugin builds than \(directories[0]) (compare their 'plugins'); refusing to merge results of different models")
            }
        }
        var seen: [Int: String] = [:]
        for (shard, directory) in zip(shards, directories) {
            if let other = seen[shard.shard.index] {
                throw Diagnostic("\(directory): shard \(shard.shard.index)/\(shard.shard.count) is also in \(other)")
            }
            seen[shard.shard.index] = directory
        }
        let missing = (1...first.shard.count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw Diagnostic("missing shard\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) of \(first.shard.count)")
        }
        let units = shards.flatMap(\.units).sorted { ($0.arm, $0.replication) < ($1.arm, $1.replication) }
        return (first, units, shards.flatMap(\.designs).sorted { $0.index < $1.index })
    }

    /// Checks merged units against the plan they claim: every (arm, replication) exactly once,
    /// each with the arm's groups and weeks. Anything else is a tampered or foreign shard.
    static func check(_ units: [UnitResult], arms: [(groups: Int, rows: Int, weeks: Int)], replications: Int) throws(Diagnostic) {
        var seen = Set<Int>()
        for unit in units {
            guard unit.arm < arms.count, unit.replication < replications else {
                throw Diagnostic("a shard holds arm \(unit.arm), replication \(unit.replication + 1), which the plan does not have; refusing to merge")
            }
            guard seen.insert(unit.arm * replications + unit.replication).inserted else {
                throw Diagnostic("the shards hold arm \(unit.arm), replication \(unit.replication + 1) twice; refusing to merge")
            }
            let expected = arms[unit.arm]
            guard unit.groups.count == expected.groups, unit.groups.allSatisfy({ $0.weekly.count == expected.rows && $0.plannedMinutes.count == expected.weeks }) else {
                throw Diagnostic("a shard's arm \(unit.arm), replication \(unit.replication + 1) does not have the plan's groups and weeks; refusing to merge")
            }
        }
        guard seen.count == arms.count * replications else {
            throw Diagnostic("the shards hold \(seen.count) of the plan's \(arms.count * replications) runs; refusing to merge")
        }
    }

    /// The hash that ties shards to one plan: the file's SHA-256 with the settings that change results.
    public static func planHash(fileBytes: [UInt8], replications: Int, seed: UInt64, extra: String = "") -> String {
        SHA256.hex(fileBytes + Array("|replications=\(replications)|seed=\(seed)|\(extra)".utf8))
    }
}
