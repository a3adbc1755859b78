public import BlendSimCore
public import BlendSimScenario
import BlendSimSystem

/// Refuses, before anything runs, a scenario whose cohorts and results would not fit in memory,
/// with the estimate — rather than letting the operating system kill the run halfway.
public enum ResourceCheck {
    /// The bytes a run may use: `--max-memory` (the settings' `memoryBudget`), or 80% of the
    /// memory available.
    static func limit(_ settings: RunSettings) -> Double { settings.memoryBudget ?? available() * 0.8 }

    /// Bytes a run of `scenario` needs at its peak, roughly: the cohorts of the units that run at
    /// once — several only when units run concurrently (`Replications.acrossUnits`: small cohorts),
    /// at most one per thread and `units` in all — plus every replication's weekly results.
    public static func estimate(_ scenario: Scenario, options: EngineOptions, units: Int? = nil) -> Double {
        cohorts(scenario, options: options, units: units ?? scenario.replications) + results(scenario) + 64 * 1_048_576
    }

    static func cohorts(_ scenario: Scenario, options: EngineOptions, units: Int) -> Double {
        let students = Double(scenario.groups.reduce(0) { $0 + $1.students })
        let acrossUnits = students <= Double(options.chunkSize * 8)
        let concurrent = acrossUnits ? Double(min(max(options.threads, 1), max(units, 1))) : 1
        return students * Double(Cohort.bytesPerStudent) * concurrent
    }

    static func results(_ scenario: Scenario) -> Double {
        Double(scenario.replications) * Double(scenario.groups.count) * Double(scenario.weeklyRows) * 512
    }

    /// The scenario as it may grow: with `--replications auto`, to its maximum.
    static func largest(_ scenario: Scenario, _ settings: RunSettings) -> Scenario {
        var scenario = scenario
        if let rule = settings.automaticReplications { scenario.replications = max(scenario.replications, rule.maximum) }
        return scenario
    }

    /// Memory the system can give.
    static func available() -> Double { Process.availableMemory() }

    /// A run of one scenario (with `settings`' replications, up to `--replications auto`'s maximum).
    public static func check(_ scenario: Scenario, settings: RunSettings) throws(Diagnostic) {
        let scenario = largest(scenario, settings)
        let needed = estimate(scenario, options: settings.engine)
        guard needed <= limit(settings) else {
            let students = scenario.groups.reduce(0) { $0 + $1.students }
            throw scenario.source.diagnostic(
                "this run needs about \(gib(needed)) of memory (\(students) students × \(Cohort.bytesPerStudent) bytes, \(scenario.replications) replications × \(scenario.teachingWeeks) weeks of results) but the budget is \(gib(limit(settings))) (80% of the memory available unless --max-memory says otherwise); use fewer students or replications, a larger machine, or --max-memory", line: 1, column: 1)
        }
    }

    /// What an experiment keeps per arm or point besides its weekly results, measured (release
    /// build, sweeps of 1,500 and 3,000 points of one or two groups and one or six replications;
    /// docs/RELIABILITY.md): the point's summary document, its settings and its rows of runs.csv
    /// — about 8 KiB per point and 8 KiB per group of it (slopes of 19.5 KiB a point of one
    /// group and one replication and 32.3 KiB of two, of which the weekly results are 8 KiB per
    /// group and replication).
    static let perArm = 8.0 * 1024
    static let perArmGroup = 8.0 * 1024

    /// Bytes an experiment (compare arms, sweep points) needs at its peak: the largest arm's
    /// cohorts for every unit that may run at once (arms × replications of them), every run's
    /// weekly results, which are kept until the end, and each arm's summary and rows.
    public static func estimate(experiment scenarios: [Scenario], options: EngineOptions) -> Double {
        let units = scenarios.reduce(0) { $0 + $1.replications }
        guard let largest = scenarios.max(by: { $0.groups.reduce(0) { $0 + $1.students } < $1.groups.reduce(0) { $0 + $1.students } })
        else { return 64 * 1_048_576 }
        let arms = scenarios.reduce(0.0) { $0 + perArm + perArmGroup * Double($1.groups.count) }
        return cohorts(largest, options: options, units: units) + scenarios.reduce(0) { $0 + results($1) } + arms + 64 * 1_048_576
    }

    /// An experiment (compare arms, sweep points), refused when `estimate(experiment:)` exceeds
    /// the budget.
    public static func check(experiment scenarios: [Scenario], settings: RunSettings, source: ScenarioSource) throws(Diagnostic) {
        let scenarios = scenarios.map { largest($0, settings) }
        guard let largest = scenarios.max(by: { $0.groups.reduce(0) { $0 + $1.students } < $1.groups.reduce(0) { $0 + $1.students } })
        else { return }
        let needed = estimate(experiment: scenarios, options: settings.engine)
        guard needed <= limit(settings) else {
            throw source.diagnostic(
                "this experiment needs about \(gib(needed)) of memory (\(scenarios.count) arms or points × \(largest.replications) replications, the largest with \(largest.groups.reduce(0) { $0 + $1.students }) students) but the budget is \(gib(limit(settings))) (80% of the memory available unless --max-memory says otherwise); use fewer points, replications or students, or --max-memory", line: 1, column: 1)
        }
    }

    static func gib(_ bytes: Double) -> String {
        "\(((bytes / 1_073_741_824) * 10).rounded() / 10) GiB"
    }
}
