public import BlendSimCore
import BlendSimPluginHost
import BlendSimReport
public import BlendSimScenario
import Synchronization

/// One arm of an experiment: a variant of a comparison or a point of a sweep.
public struct Arm: Sendable {
    public var name: String
    public var scenario: Scenario
    public var spec: SimulationSpec
    /// The parameter values that define a sweep point, in plan order (empty for variants).
    public var settings: [(String, JSONValue)]
}

/// One replication of one arm.
public struct UnitResult: Sendable {
    public var arm: Int
    public var replication: Int
    public var groups: [GroupOutcome]
}

/// A slice of an experiment's runs: shard `index` (1-based) of `count`.
public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else { return nil }
        self.init(index: k, count: n)
    }
}

/// Runs the units (arm × replication) of comparisons and sweeps. Every replication of every arm
/// uses the scenario's seed, so arms share their random numbers and differences are paired.
public enum Experiment {
    /// Units in their fixed order, arm-major: unit u is arm u / replications, replication
    /// u % replications. A shard takes every unit with u % count == index − 1.
    public static func units(arms: Int, replications: Int, shard: Shard?) -> [(arm: Int, replication: Int)] {
        var units: [(Int, Int)] = []
        for unit in 0..<(arms * replications) where shard.map({ unit % $0.count == $0.index - 1 }) ?? true {
            units.append((unit / replications, unit % replications))
        }
        return units
    }

    /// Resolves each arm's scenario against the loaded plugins.
    static func arms(_ named: [(name: String, scenario: Scenario, settings: [(String, JSONValue)])], host: PluginHost) throws(Diagnostic) -> [Arm] {
        var arms: [Arm] = []
        for item in named {
            let resolved = Runner.resolve(item.scenario, host: host)
            guard let spec = resolved.spec else { throw resolved.diagnostics[0] }
            arms.append(Arm(name: item.name, scenario: item.scenario, spec: spec, settings: item.settings))
        }
        return arms
    }

    /// Runs `units`, concurrently over units when cohorts are small and over chunks otherwise.
    public static func run(
        arms: [Arm], units: [(arm: Int, replication: Int)], options: EngineOptions,
        progress: (@Sendable (Int, Int) -> Void)? = nil, finished: (@Sendable (UnitResult) -> Void)? = nil
    ) throws(Diagnostic) -> [UnitResult] {
        let engines = arms.map { Engine(spec: $0.spec, options: options) }
        let students = arms.map { $0.spec.groups.reduce(0) { $0 + $1.students } }.max() ?? 0
        let acrossUnits = students <= options.chunkSize * 8 && units.count > 1
        var results = [UnitResult?](repeating: nil, count: units.count)
        var errors = [SimulationError?](repeating: nil, count: units.count)
        let done = Atomic<Int>(0)
        let total = units.count
        func runUnit(_ index: Int, threads: Int) -> Result<UnitResult, SimulationError> {
            let unit = units[index]
            do {
                let outcome = try engines[unit.arm].runReplication(unit.replication, threads: threads)
                let result = UnitResult(arm: unit.arm, replication: unit.replication, groups: outcome.groups)
                finished?(result)
                let count = done.wrappingAdd(1, ordering: .relaxed).newValue
                progress?(count, total)
                return .success(result)
            } catch {
                return .failure(error)
            }
        }
        if acrossUnits {
            results.withUnsafeMutableBufferPointer { resultSlots in
                errors.withUnsafeMutableBufferPointer { errorSlots in
                    let slots = UncheckedSendable((resultSlots, errorSlots))
                    ParallelFor.run(iterations: units.count, threads: options.threads) { index, _ in
                        switch runUnit(index, threads: 1) {
                        case .success(let result): slots.value.0[index] = result
                        case .failure(let error): slots.value.1[index] = error
                        }
                    }
                }
            }
        } else {
            for index in units.indices {
                switch runUnit(index, threads: options.threads) {
                case .success(let result): results[index] = result
                case .failure(let error):
                    errors[index] = error
                }
                if errors[index] != nil { break }
            }
        }
        if let first = errors.indices.first(where: { errors[$0] != nil }) {
            let arm = arms[units[first].arm].name
            throw Diagnostic("\(arm): \(errors[first]!.message)")
        }
        return results.map { $0! }
    }

    /// Each arm's results in replication order, from a complete set of units.
    public static func results(arms: [Arm], replications: Int, units: [UnitResult]) -> [SimulationResult] {
        var byArm = [[ReplicationOutcome?]](repeating: [ReplicationOutcome?](repeating: nil, count: replications), count: arms.count)
        for unit in units {
            byArm[unit.arm][unit.replication] = ReplicationOutcome(replication: unit.replication, groups: unit.groups)
        }
        return arms.indices.map { index in
            let students = arms[index].spec.groups.reduce(0) { $0 + $1.students }
            return SimulationResult(
                replications: byArm[index].map { $0! }, studentWeeks: students * arms[index].spec.weeks * replications)
        }
    }
}
