public import BlendSimCore
import BlendSimScenario
import BlendSimSystem

/// `blendsim bench`: how fast this machine simulates the standard workload — a flipped
/// classroom at 40% online with teacher IT training and chat-bot feedback, the paper's starting
/// levels — so a user can size their own runs.
public enum Bench {
    public struct Measurement: Sendable {
        /// Students per group.
        public var students: Int
        public var groups: Int
        public var weeks: Int
        /// Semesters of `weeks` weeks each (a programme when more than one).
        public var semesters: Int = 1
        public var replications: Int
        public var threads: Int
        /// Seconds to prepare the engine (sampling tables), median over the repeats.
        public var setupSeconds: Double
        /// Seconds of `Engine.run` (drawing the cohorts and simulating every week), per repeat.
        public var runSeconds: [Double]

        public var studentWeeks: Int { students * groups * weeks * semesters * replications }
        public var runsPerSecond: Double { Double(replications) / medianRunSeconds }
        public var medianRunSeconds: Double { runSeconds.sorted()[runSeconds.count / 2] }
        public var studentWeeksPerSecond: Double { Double(studentWeeks) / medianRunSeconds }
    }

    /// The benchmark scenario: `groups` groups of `students` students each.
    /// With `semesters` above 1, a programme of that many semesters of `weeks` weeks, with a
    /// 12-week break before each.
    public static func scenarioText(students: Int, weeks: Int, replications: Int, groups: Int = 1, semesters: Int = 1) -> String {
        var text = """
            name: bench
            seed: 1
            replications: \(replications)
            semester: {weeks: \(weeks)}
            groups:

            """
        for index in 0..<max(groups, 1) {
            text += """
                  - name: flipped-\(index + 1)
                    students: \(students)
                    levels: {pre_intermediate: 0.70, intermediate: 0.18, upper_intermediate: 0.12}
                    model: flipped-classroom
                    online_share: 0.4
                    policies: [teacher-it-training, chat-bot-feedback]

                """
        }
        if semesters > 1 {
            text += "programme:\n  semesters:\n    - {name: semester 1}\n"
            for number in 2...semesters { text += "    - {name: semester \(number), break: {weeks: 12}}\n" }
        }
        return text
    }

    public static func run(
        students: Int, weeks: Int, replications: Int, groups: Int = 1, semesters: Int = 1, options: EngineOptions, repeats: Int,
        pluginDirectories: [String]
    ) throws(Diagnostic) -> Measurement {
        let text = scenarioText(students: students, weeks: weeks, replications: replications, groups: groups, semesters: semesters)
        let decoded = ScenarioLoader.check(ScenarioSource(path: "bench", bytes: Array(text.utf8)))
        guard let scenario = decoded.scenario else { throw Diagnostic.collected(decoded.diagnostics)! }
        // The benchmark allocates by its options like any run: the same budget applies.
        try ResourceCheck.check(scenario, settings: RunSettings(engine: options))
        let host = try PluginResolution.host(pluginDirectories)
        let resolved = PluginResolution.resolve(scenario, host: host)
        guard let spec = resolved.spec else { throw Diagnostic.collected(resolved.diagnostics)! }
        var setups: [Double] = []
        var runs: [Double] = []
        for _ in 0..<max(repeats, 1) {
            let start = Clock.monotonicSeconds()
            let engine = Engine(spec: spec, options: options)
            let prepared = Clock.monotonicSeconds()
            do {
                _ = try engine.run()
            } catch {
                throw Diagnostic(error.message)
            }
            runs.append(Clock.monotonicSeconds() - prepared)
            setups.append(prepared - start)
        }
        return Measurement(
            students: students, groups: groups, weeks: weeks, semesters: semesters, replications: replications, threads: options.threads,
            setupSeconds: setups.sorted()[setups.count / 2], runSeconds: runs)
    }
}
