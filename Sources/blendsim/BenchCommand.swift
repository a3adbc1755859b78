import ArgumentParser
import BlendSimCore
import BlendSimRunner
import BlendSimSystem

extension BlendSim {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure simulation speed on this machine, in student-weeks per second.",
            discussion: """
                Runs the standard workload — a flipped classroom at 40% online with teacher IT \
                training and chat-bot feedback — and prints the median of the repeats. Build with \
                `swift build -c release` for meaningful figures.

                Examples:
                  blendsim bench --students 1000000
                  blendsim bench --students 1000 --replications 1000 --threads 2
                  blendsim bench --groups 2 --students 100 --replications 10000   # calibration-sized runs
                  blendsim bench --students 1000000 --semesters 4                 # a two-year programme
                """
        )

        @Option(help: "Students in each group.")
        var students = 1_000_000

        @Option(help: "Groups (each with --students students).")
        var groups = 1

        @Option(help: "Weeks in the semester.")
        var weeks = 15

        @Option(help: "Semesters: above 1, a programme of that many semesters of --weeks weeks, the same students carried through, with a 12-week break before each.")
        var semesters = 1

        @Option(help: "Replications.")
        var replications = 1

        @OptionGroup(title: "Engine") var engine: EngineOptionGroup

        @Option(help: "Times to run; the median is reported.")
        var repeats = 3

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func validate() throws {
            guard students >= 1, students <= 100_000_000 else { throw ValidationError("--students must be between 1 and 100000000") }
            guard (1...52).contains(weeks) else { throw ValidationError("--weeks must be between 1 and 52") }
            guard (1...100_000).contains(replications) else { throw ValidationError("--replications must be between 1 and 100000") }
            guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be between 1 and 100") }
            guard (1...64).contains(groups) else { throw ValidationError("--groups must be between 1 and 64") }
            guard (1...12).contains(semesters) else { throw ValidationError("--semesters must be between 1 and 12") }
        }

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            do {
                let m = try BlendSimRunner.Bench.run(
                    students: students, weeks: weeks, replications: replications, groups: groups, semesters: semesters, options: engine.engine,
                    repeats: repeats, pluginDirectories: plugins.directories)
                let runs = m.runSeconds.map { seconds($0) }.joined(separator: ", ")
                StandardOutput.write("""
                    workload      flipped-classroom, 40% online, teacher-it-training + chat-bot-feedback
                    cohort        \(m.groups == 1 ? "" : "\(m.groups) groups × ")\(m.students) students × \(m.semesters == 1 ? "" : "\(m.semesters) semesters × ")\(m.weeks) weeks × \(m.replications) replication\(m.replications == 1 ? "" : "s") = \(m.studentWeeks) student-weeks
                    threads       \(m.threads) (of \(ProcessorCount.active) processors)
                    setup         \(seconds(m.setupSeconds)) (sampling tables)
                    runs          \(runs)
                    speed         \(scientific(m.studentWeeksPerSecond)) student-weeks/s (median)\(m.replications > 1 ? ", \(scientific(m.runsPerSecond)) runs/s" : "")
                    memory        \(Cohort.bytesPerStudent) bytes of state per student

                    """)
            } catch {
                throw fail(error)
            }
        }

        func seconds(_ value: Double) -> String { "\((value * 1000).rounded() / 1000) s" }

        func scientific(_ value: Double) -> String {
            guard value > 0 else { return "0" }
            var exponent = 0
            var mantissa = value
            while mantissa >= 10 { mantissa /= 10; exponent += 1 }
            while mantissa < 1 { mantissa *= 10; exponent -= 1 }
            return "\((mantissa * 100).rounded() / 100)e\(exponent)"
        }
    }
}
