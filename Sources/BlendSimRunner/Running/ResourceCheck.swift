public import BlendSimCore
public import BlendSimScenario
import BlendSimSystem

/// Refuses, before anything runs, a scenario whose cohorts and results would not fit in memory,
/// with the estimate — rather than letting the operating system kill the run halfway.
public enum ResourceCheck {
    /// `--max-memory`: the budget in bytes instead of 80% of the memory available.
    nonisolated(unsafe) public static var budget: Double?

    /// The bytes a run may use.
    static var limit: Double { budget ?? available() * 0.8 }

    /// Bytes a run of `scenario` needs at its peak, roughly: the cohorts of the replications that
    /// run at once (several only when replications run concurrently, `Replications`), plus every
    /// replication's weekly results.
    public static func estimate(_ scenario: Scenario, options: EngineOptions) -> Double {
        let students = Double(scenario.groups.reduce(0) { $0 + $1.students })
        let concurrent = Double(min(max(options.threads, 1), scenario.replications))
        let acrossReplications = students <= Double(options.chunkSize * 8)
        let cohorts = students * Double(Cohort.bytesPerStudent) * (acrossReplications ? concurrent : 1)
        let weekly = Double(scenario.replications) * Double(scenario.groups.count) * Double(scenario.weeks + 1) * 512
        return cohorts + weekly + 64 * 1_048_576
    }

    /// Memory the system can give.
    static func available() -> Double { Process.availableMemory() }

    public static func check(_ scenario: Scenario, options: EngineOptions) throws(Diagnostic) {
        let needed = estimate(scenario, options: options)
        guard needed <= limit else {
            let students = scenario.groups.reduce(0) { $0 + $1.students }
            throw scenario.source.diagnostic(
                "this run needs about \(gib(needed)) of memory (\(students) students × \(Cohort.bytesPerStudent) bytes, \(scenario.replications) replications × \(scenario.weeks) weeks of results) but the budget is \(gib(limit)) (80% of the memory available unless --max-memory says otherwise); use fewer students or replications, a larger machine, or --max-memory", line: 1, column: 1)
        }
    }

    /// An experiment (compare arms, sweep points): the largest arm's cohorts for the runs that go
    /// at once, plus every run's weekly results, which are kept until the end.
    public static func check(experiment scenarios: [Scenario], options: EngineOptions, source: ScenarioSource) throws(Diagnostic) {
        guard let largest = scenarios.max(by: { estimate($0, options: options) < estimate($1, options: options) }) else { return }
        var results = 0.0
        for scenario in scenarios {
            results += Double(scenario.replications) * Double(scenario.groups.count) * Double(scenario.weeks + 1) * 512
        }
        let needed = estimate(largest, options: options) + results
        guard needed <= limit else {
            throw source.diagnostic(
                "this experiment needs about \(gib(needed)) of memory (\(scenarios.count) arms or points × \(largest.replications) replications, the largest with \(largest.groups.reduce(0) { $0 + $1.students }) students) but the budget is \(gib(limit)) (80% of the memory available unless --max-memory says otherwise); use fewer points, replications or students, or --max-memory", line: 1, column: 1)
        }
    }

    static func gib(_ bytes: Double) -> String {
        "\(((bytes / 1_073_741_824) * 10).rounded() / 10) GiB"
    }
}
