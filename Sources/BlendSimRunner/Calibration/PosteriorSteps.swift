import BlendSimCore
import BlendSimScenario
import BlendSimSystem

/// What every posterior sampler's run shares: its start (the plan's problem, the targets — synthetic
/// ones with `--synthetic` — and the values they came from), the check that a resumed run has a
/// checkpoint, a sampler's errors as diagnostics, and the results it writes.
extension Calibrator {
    struct PosteriorStart {
        let problem: Problem
        let targets: [CalibrationPlan.Target]
        let truth: [Double]?
        var parts: (Problem, [CalibrationPlan.Target], [Double]?) { (problem, targets, truth) }
    }

    /// The problem with the plan's replications per experiment, and the targets. A resumed run's
    /// targets were checked when it began (a changed plan has another fingerprint), so they are
    /// not simulated again.
    static func posteriorStart(_ plan: CalibrationPlan, settings: RunSettings, synthetic: UInt64?, resume: Bool) throws(Diagnostic) -> PosteriorStart {
        let problem = try problem(plan, settings: settings, replications: plan.posterior.replications, checkTargets: !resume)
        guard let synthetic else { return PosteriorStart(problem: problem, targets: plan.targets, truth: nil) }
        let truth = try current(plan, scenarios: problem.scenarios.map(\.scenario), host: problem.host)
        return PosteriorStart(problem: problem, targets: try syntheticTargets(plan, problem: problem, truth: truth, offset: synthetic), truth: truth)
    }

    /// Refuses `--resume` when `directory` holds no checkpoint file `name` (under `.checkpoint/`).
    static func requireCheckpoint(_ path: String, directory: String) throws(Diagnostic) {
        guard FileSystem.exists(path) else {
            throw Diagnostic("\(directory) holds no interrupted calibration to resume (no .checkpoint/\(FileSystem.split(path).name))")
        }
    }

    /// `body`, whose errors (a sampler's closure throws untyped) come out as diagnostics.
    static func diagnosing<T>(_ body: () throws -> T) throws(Diagnostic) -> T {
        do {
            return try body()
        } catch let error as Diagnostic {
            throw error
        } catch {
            throw Diagnostic("\(error)")
        }
    }
}

extension PosteriorReport: CommandResults {
    public var files: [(name: String, contents: String)] { [("posterior.csv", csv), ("calibration.json", document.serialized(pretty: true))] }
    public var tableText: String { table() }
}
