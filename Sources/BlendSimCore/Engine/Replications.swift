import Synchronization

/// The one replication runner: every run, comparison, sweep, calibration and evidence check is a
/// list of units — replication `r` of engine (arm) `a` — run here.
///
/// When the cohorts are small (at most eight chunks) and there are several units, units run
/// concurrently, each on one thread; otherwise they run one after another with each cohort's
/// chunks spread over the threads. A trace (which must see rows in a fixed order) always runs
/// units one after another. Either way every result is the same bit for bit. After a unit fails,
/// units after it (in unit order) are not started; the failure reported is the first in unit order.
public enum Replications {
    /// One replication of one arm.
    public struct Unit: Sendable, Hashable {
        public var arm: Int
        public var replication: Int
        public init(arm: Int, replication: Int) {
            self.arm = arm
            self.replication = replication
        }
    }

    /// The first unit (in unit order) that failed, and why.
    public struct Failure: Error, Sendable {
        public var unit: Unit
        public var error: SimulationError
    }

    /// Whether `units` of `engines` are spread over the threads unit by unit.
    public static func acrossUnits(engines: [Engine], units: Int) -> Bool {
        guard units > 1, let options = engines.first?.options, options.trace == nil else { return false }
        let students = engines.map { $0.spec.groups.reduce(0) { $0 + $1.students } }.max() ?? 0
        return students <= options.chunkSize * 8
    }

    /// Runs `units` and returns their outcomes in unit order. `finished` is called as each unit
    /// completes (from any thread) with the number completed so far.
    public static func run(
        engines: [Engine], units: [Unit], finished: (@Sendable (Unit, ReplicationOutcome, Int) -> Void)? = nil
    ) throws(Failure) -> [ReplicationOutcome] {
        guard let options = engines.first?.options else { return [] }
        var outcomes = [ReplicationOutcome?](repeating: nil, count: units.count)
        var errors = [SimulationError?](repeating: nil, count: units.count)
        let done = Atomic<Int>(0)
        let firstFailure = Atomic<Int>(Int.max)
        func runUnit(_ index: Int, threads: Int) -> Result<ReplicationOutcome, SimulationError>? {
            // A unit after one that failed is not worth running: the run stops there anyway.
            guard index < firstFailure.load(ordering: .relaxed) else { return nil }
            let unit = units[index]
            do {
                let outcome = try engines[unit.arm].runReplication(unit.replication, threads: threads)
                finished?(unit, outcome, done.wrappingAdd(1, ordering: .relaxed).newValue)
                return .success(outcome)
            } catch {
                firstFailure.min(index, ordering: .relaxed)
                return .failure(error)
            }
        }
        if acrossUnits(engines: engines, units: units.count) {
            outcomes.withUnsafeMutableBufferPointer { outcomeSlots in
                errors.withUnsafeMutableBufferPointer { errorSlots in
                    let slots = UncheckedSendable((outcomeSlots, errorSlots))
                    ParallelFor.run(iterations: units.count, threads: options.threads) { index, _ in
                        switch runUnit(index, threads: 1) {
                        case .success(let outcome)?: slots.value.0[index] = outcome
                        case .failure(let error)?: slots.value.1[index] = error
                        case nil: break
                        }
                    }
                }
            }
        } else {
            for index in units.indices {
                switch runUnit(index, threads: options.threads) {
                case .success(let outcome)?: outcomes[index] = outcome
                case .failure(let error)?: errors[index] = error
                case nil: break
                }
                if errors[index] != nil { break }
            }
        }
        if let first = errors.indices.first(where: { errors[$0] != nil }) {
            throw Failure(unit: units[first], error: errors[first]!)
        }
        return outcomes.map { $0! }
    }
}
