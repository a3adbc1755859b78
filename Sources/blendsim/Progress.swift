import Synchronization
import BlendSimSystem

/// Progress of long runs on standard error: a live line on a terminal, a plain line every tenth
/// of the way otherwise. Standard output stays clean for results.
final class ProgressReporter: Sendable {
    let label: String
    let start: Double
    let terminal: Bool
    let lastTenth = Mutex<Int>(-1)

    init(label: String) {
        self.label = label
        self.terminal = Process.isTerminal(2)
        start = Clock.monotonicSeconds()
    }

    /// A progress callback for the experiment runners, reporting under `label`.
    static func callback(label: String) -> @Sendable (Int, Int) -> Void {
        let reporter = ProgressReporter(label: label)
        return { done, total in reporter.update(done, total) }
    }

    func update(_ done: Int, _ total: Int) {
        let elapsed = Clock.monotonicSeconds() - start
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let line = "\(label): \(done)/\(total) runs, \(Self.short(rate)) runs/s, ETA \(Self.short(remaining)) s"
        if terminal {
            let width = 24
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            StandardError.write("\r[\(bar)] \(line)\u{1B}[K" + (done == total ? "\n" : ""))
        } else {
            let tenth = total > 0 ? 10 * done / total : 10
            let report = lastTenth.withLock { last -> Bool in
                guard tenth > last else { return false }
                last = tenth
                return true
            }
            if report { StandardError.write(line + "\n") }
        }
    }

    static func short(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        return value >= 100 ? String(Int(value.rounded())) : "\((value * 10).rounded() / 10)"
    }
}
