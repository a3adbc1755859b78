/// Receives every student's state after each week, for `--trace`.
///
/// The engine calls `record` between weeks, never inside the per-student loop, and — when a
/// sink is set — runs replications one after another, so calls arrive in the order
/// (replication, week, group) from one thread at a time.
public protocol TraceSink: AnyObject, Sendable {
    /// The state of group `group` at the end of `week` (0: the start) of `replication`.
    func record(replication: Int, group: String, week: Int, cohort: Cohort)
}
