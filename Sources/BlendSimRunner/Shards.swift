public import BlendSimCore
import BlendSimReport
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

    public static let fileName = "shard.json"

    public var json: JSONValue {
        .object([
            ("kind", .string(kind)),
            ("plan", .string(planPath)),
            ("plan_sha256", .string(planHash)),
            ("replications", .integer(replications)),
            ("seed", .integer(Int(truncatingIfNeeded: seed))),
            ("shard", .integer(shard.index)),
            ("of", .integer(shard.count)),
            ("units", .array(units.map { unit in
                .object([
                    ("arm", .integer(unit.arm)),
                    ("replication", .integer(unit.replication)),
                    ("groups", .array(unit.groups.map(OutcomeCodec.encode))),
                ])
            })),
        ])
    }

    /// Reads `DIR/shard.json`.
    public static func read(directory: String) throws(Diagnostic) -> ShardFile {
        let path = directory + "/" + fileName
        guard case .success(let bytes) = readBytes(path) else { throw Diagnostic("\(path): cannot read the shard") }
        let document: JSONValue
        do {
            document = try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw Diagnostic("\(path): not a shard file (\(error))")
        }
        guard let kind = document["kind"]?.stringValue, let plan = document["plan"]?.stringValue,
            let hash = document["plan_sha256"]?.stringValue, let replications = document["replications"]?.doubleValue,
            let seed = document["seed"]?.doubleValue, let index = document["shard"]?.doubleValue,
            let count = document["of"]?.doubleValue, case .array(let items)? = document["units"]
        else { throw Diagnostic("\(path): not a shard file (fields missing)") }
        var units: [UnitResult] = []
        for item in items {
            guard let arm = item["arm"]?.doubleValue, let replication = item["replication"]?.doubleValue,
                case .array(let groups)? = item["groups"]
            else { throw Diagnostic("\(path): a unit is incomplete") }
            var outcomes: [GroupOutcome] = []
            for group in groups {
                guard let outcome = OutcomeCodec.decode(group) else { throw Diagnostic("\(path): a unit's outcome is unreadable") }
                outcomes.append(outcome)
            }
            units.append(UnitResult(arm: Int(arm), replication: Int(replication), groups: outcomes))
        }
        return ShardFile(
            kind: kind, planPath: plan, planHash: hash, replications: Int(replications), seed: UInt64(Int(seed)),
            shard: Shard(index: Int(index), count: Int(count)), units: units)
    }

    /// Checks that `shards` are all the slices of one plan, and returns their units in order.
    public static func combine(_ shards: [ShardFile], directories: [String]) throws(Diagnostic) -> (first: ShardFile, units: [UnitResult]) {
        guard let first = shards.first else { throw Diagnostic("merge needs at least one shard directory") }
        for (shard, directory) in zip(shards, directories) {
            guard shard.kind == first.kind, shard.planHash == first.planHash, shard.replications == first.replications,
                shard.seed == first.seed, shard.shard.count == first.shard.count
            else {
                throw Diagnostic("\(directory): this shard is from a different plan or settings than \(directories[0]) (plan hash \(shard.planHash.prefix(12)) vs \(first.planHash.prefix(12))); refusing to merge")
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
        return (first, units)
    }

    /// The hash that ties shards to one plan: the file's SHA-256 with the settings that change results.
    public static func planHash(fileBytes: [UInt8], replications: Int, seed: UInt64, extra: String = "") -> String {
        SHA256.hex(fileBytes + Array("|replications=\(replications)|seed=\(seed)|\(extra)".utf8))
    }
}

func readBytes(_ path: String) -> Result<[UInt8], Diagnostic> {
    ScenarioLoader.readFile(path, limit: 1 << 30)
}
