import Dispatch
import Synchronization

/// Runs `body` for indices `0..<iterations` on up to `threads` workers.
///
/// Workers take the next index from a shared counter, so uneven items balance out. Which worker
/// runs which index varies from run to run; callers write each index's result to its own slot
/// and combine the slots in index order, which keeps results independent of scheduling.
public enum ParallelFor {
    public static func run(iterations: Int, threads: Int, _ body: (_ index: Int, _ worker: Int) -> Void) {
        let workers = min(max(threads, 1), iterations)
        if workers <= 1 {
            for index in 0..<iterations { body(index, 0) }
            return
        }
        let next = Atomic<Int>(0)
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if index >= iterations { break }
                    shared.value(index, worker)
                }
            }
        }
    }
}

/// Carries a value the caller guarantees is used safely across threads.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
