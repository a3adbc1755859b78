import BlendSimCore
import BlendSimRunner
import BlendSimScenario
import CBlendSimABI
import Foundation
import Testing

/// A policy compiled into the tests that records the semester numbers its weeks carry and, from
/// the second semester on, supports motivation (a model or policy that changes with the year).
struct SemesterPolicy: PolicyFactory {
    var name: String { "semester-aware" }
    var provider: String { "tests" }
    let seen: SeenSemesters
    func makeInstance() throws(ComponentError) -> any PolicyInstance { SemesterPolicyInstance(seen: seen) }
}

final class SeenSemesters: @unchecked Sendable {
    private let lock = NSLock()
    private var pairs = Set<[UInt32]>()
    func add(_ semester: UInt32, _ semesters: UInt32) { lock.withLock { _ = pairs.insert([semester, semesters]) } }
    var all: Set<[UInt32]> { lock.withLock { pairs } }
}

final class SemesterPolicyInstance: PolicyInstance, @unchecked Sendable {
    let seen: SeenSemesters
    init(seen: SeenSemesters) { self.seen = seen }
    var adjustsPerStudent: Bool { false }
    func beginWeek(_ week: UnsafeMutablePointer<bs_week_context>) throws(ComponentError) {
        seen.add(week.pointee.semester, week.pointee.semesters)
        if week.pointee.semester >= 2 { week.pointee.conditions.pointee.motivation_support = 0.5 }
    }
    func adjust(_ week: UnsafePointer<bs_week_context>, chunk: UnsafeMutablePointer<bs_chunk>) throws(ComponentError) {}
}

/// Programmes of several semesters (docs/SCENARIO.md, docs/MODEL.md 3.8): the same students
/// through every semester, the break between them, the answers per semester and at the end.
@Suite("Programmes")
struct ProgrammeTests {
    /// Two semesters of 10 weeks, a break of `breakWeeks` before the second.
    func programme(_ groups: [GroupSpec], breakWeeks: Int, kernel: KernelParameters = KernelParameters(), later: [GroupSpec]? = nil) -> SimulationSpec {
        var programme = spec(groups, replications: 2, weeks: 10, kernel: kernel)
        programme.laterSemesters = [SemesterSpec(breakWeeks: breakWeeks, weeks: 10, controlPoints: [10], groups: later ?? groups)]
        return programme
    }

    /// The first semester of a programme is the one-semester scenario, draw for draw; the students
    /// carry on: nobody withdrawn comes back, and the second semester starts where the first
    /// ended less exactly what the break takes.
    @Test func theSameStudentsCarryOnThroughTheBreak() throws {
        let single = try Engine(spec: spec([group(students: 500)], replications: 2, weeks: 10)).run()
        let twelve = try Engine(spec: programme([group(students: 500)], breakWeeks: 12)).run()
        for (alone, within) in zip(single.replications, twelve.replications) {
            let a = alone.groups[0].weekly, b = within.groups[0].weekly
            #expect(b.count == 22, "each semester's start and its 10 weeks")
            for week in 0...10 {
                #expect(a[week].overall == b[week].overall && a[week].motivation == b[week].motivation && a[week].active == b[week].active)
            }
            // Withdrawals only accumulate, through the break as through the weeks.
            for row in 1..<b.count { #expect(b[row].active <= b[row - 1].active) }
            #expect(b[11].active == b[10].active, "nobody withdraws or returns over the break")
            #expect(within.groups[0].dropouts == b[0].active - b[21].active)
            // The break: productive skills lose 0.009 sd (14.8 points) a week, receptive ones nothing.
            let productive = 0.009 * 14.8 * 12
            let listening = Skill.listening.rawValue, writing = Skill.writing.rawValue, speaking = Skill.speaking.rawValue
            let listeningLoss: Double = b[10].skills[listening] - b[11].skills[listening]
            let writingLoss: Double = b[10].skills[writing] - b[11].skills[writing]
            let speakingLoss: Double = b[10].skills[speaking] - b[11].skills[speaking]
            let overallLoss: Double = b[10].overall - b[11].overall
            #expect(abs(listeningLoss) < 1e-4)
            #expect(abs(writingLoss - productive) < 1e-3)
            #expect(abs(speakingLoss - productive) < 1e-3)
            #expect(abs(overallLoss - productive / 2) < 1e-3)
            #expect(b[11].motivation == b[10].motivation, "motivation is unchanged by default (an assumption)")
        }
        // No break: the second semester starts exactly where the first ended.
        let none = try Engine(spec: programme([group(students: 500)], breakWeeks: 0)).run()
        let rows = none.replications[0].groups[0].weekly
        #expect(rows[11].overall == rows[10].overall && rows[11].skills[Skill.writing.rawValue] == rows[10].skills[Skill.writing.rawValue])
        // A longer break costs more, and the later semester teaches on from there.
        #expect(none.replications[0].groups[0].after.overall > twelve.replications[0].groups[0].after.overall)
        #expect(rows[21].overall > rows[10].overall + 1, "the second semester teaches on")
    }

    /// Plugins see the semester and the programme's length in their week (ABI 1.3), so a model or
    /// policy can change with the year; the first semester's weeks say 1.
    @Test func pluginsSeeTheSemester() throws {
        let seen = SeenSemesters()
        let result = try Engine(spec: programme([group(students: 300, policies: [SemesterPolicy(seen: seen)])], breakWeeks: 4)).run()
        #expect(seen.all == [[1, 2], [2, 2]])
        let plain = try Engine(spec: programme([group(students: 300)], breakWeeks: 4)).run()
        let supported = result.replications[0].groups[0].weekly, without = plain.replications[0].groups[0].weekly
        #expect(supported[10].motivation == without[10].motivation, "the first semester is untouched")
        #expect(supported[21].motivation > without[21].motivation + 0.05, "the second semester's support reached the kernel")
    }

    /// The break's loss is the evidence's size and follows the kernel's parameters; motivation's
    /// recovery over a break (an assumption, 0 by default) pulls towards the starting mean.
    @Test func theBreakFollowsItsParameters() throws {
        var kernel = KernelParameters()
        kernel.breakReceptiveLoss = 0.02
        kernel.breakProductiveLoss = 0
        kernel.breakMotivationRecovery = 1
        let result = try Engine(spec: programme([group(students: 400)], breakWeeks: 10, kernel: kernel)).run()
        let rows = result.replications[0].groups[0].weekly
        let readingLoss: Double = rows[10].skills[Skill.reading.rawValue] - rows[11].skills[Skill.reading.rawValue]
        #expect(abs(readingLoss - 0.02 * 14.8 * 10) < 1e-3)
        #expect(rows[11].skills[Skill.speaking.rawValue] == rows[10].skills[Skill.speaking.rawValue])
        #expect(abs(rows[11].motivation - rows[0].motivation) < 1e-4, "full recovery: every student back at the group's starting mean")
    }

    static let scenario = """
        seed: 9
        replications: 4
        semester: {weeks: 8}
        groups:
          - {name: s, students: 120, levels: {pre_intermediate: 0.6, intermediate: 0.4}, model: flipped-classroom, online_share: 0.4}
        programme:
          target: B1
          semesters:
            - {name: autumn}
            - {name: spring, break: {weeks: 4}, online_share: 0.2, semester: {weeks: 10}}
        variants:
          - name: as written
          - name: online all year
            programme:
              semesters:
                - {name: autumn}
                - {name: spring, break: {weeks: 4}, semester: {weeks: 10}}
        """

    /// A programme scenario reads with its semesters (each the one before with its changes),
    /// runs with a row per semester's start and week, and answers in words; compare pairs
    /// programmes; shards merge to the same bytes; results are the same on 1 and 2 threads.
    @Test func programmesRunCompareAndShard() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("p.yaml", Self.scenario)
        let scenario = try ScenarioLoader.load(path: path)
        let programme = try #require(scenario.programme)
        #expect(programme.semesters.map(\.name) == ["autumn", "spring"])
        #expect(programme.semesters.map(\.weeks) == [8, 10] && programme.semesters[1].breakWeeks == 4)
        #expect(programme.semesters[1].groups[0].onlineShare == 0.2 && programme.semesters[0].groups[0].onlineShare == 0.4)
        #expect(programme.target == .intermediate && scenario.weeklyRows == 20 && scenario.teachingWeeks == 18)

        let run = try blendsim("run", path, "--out", directory.path + "/run")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("of the students reach B1 or above by the end of spring (semester 2);"), "\(run.stdout)")
        #expect(run.stdout.contains("Levels at the end of each semester"))
        let weekly = try String(contentsOfFile: directory.path + "/run/weekly.csv", encoding: .utf8)
        #expect(weekly.hasPrefix("group,semester,week,metric,statistic,value\ns,1,0,listening,mean,"))
        #expect(weekly.contains("\ns,2,10,overall,mean,") && !weekly.contains("\ns,2,11,"))
        let summary = try JSONValue.parse(String(contentsOfFile: directory.path + "/run/summary.json", encoding: .utf8))
        #expect(summary["weeks"] == .integer(18))
        guard case .array(let groups)? = summary["groups"], let member = groups.first?["programme"],
            case .array(let semesters)? = member["semesters"]
        else { Issue.record("no programme in summary.json"); return }
        #expect(semesters.count == 2 && semesters[1]["break_weeks"] == .integer(4) && semesters[1]["online_share"]?.doubleValue == 0.2)
        let reach = try #require(member["target_share"]?["mean"]?.doubleValue)
        let lost = try #require(member["withdrawn_share"]?["mean"]?.doubleValue)
        #expect(reach > 0 && reach < 1 && lost >= 0 && reach + lost <= 1)

        // Compare, whole and in two shards, on one thread and on two.
        let whole = try blendsim("compare", path, "--out", directory.path + "/whole", "--report", "--threads", "1")
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stdout.contains("Programme: who reaches B1, and who is lost on the way"))
        #expect(whole.stdout.contains("online all year against as written (group 's'): "), "\(whole.stdout)")
        let html = try String(contentsOfFile: directory.path + "/whole/report.html", encoding: .utf8)
        #expect(html.contains("<h2>Programme: who reaches B1, and who is lost on the way</h2>"))
        #expect(try blendsim("compare", path, "--out", directory.path + "/two", "--threads", "2").status == 0)
        for k in 1...2 {
            #expect(try blendsim("compare", path, "--shard", "\(k)/2", "--out", directory.path + "/shard-\(k)", "--quiet").status == 0)
        }
        let merge = try runProcess(TestPaths.executable, ["merge", directory.path + "/shard-1", directory.path + "/shard-2", "--out", directory.path + "/merged", "--quiet"])
        #expect(merge.status == 0, "\(merge.stderr)")
        for file in ["summary.json", "weekly.csv"] {
            let reference = try String(contentsOfFile: directory.path + "/whole/" + file, encoding: .utf8)
            #expect(try String(contentsOfFile: directory.path + "/two/" + file, encoding: .utf8) == reference, "\(file) depends on threads")
            #expect(try String(contentsOfFile: directory.path + "/merged/" + file, encoding: .utf8) == reference, "merged \(file) differs")
        }
        // --trace follows one semester: refused for a programme, nothing written.
        let trace = try blendsim("run", path, "--trace", directory.path + "/trace.csv")
        #expect(trace.status == 1 && trace.stderr.contains("--trace follows one semester's students"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/trace.csv"))
    }

    /// A semester that changes a group's model teaches with the new model alone: the old model's
    /// parameters do not follow it; hours are changed key by key.
    @Test func aNewModelLeavesTheOldOnesParametersBehind() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("m.yaml", """
            groups:
              - {name: g, students: 20, levels: {intermediate: 1}, online_share: 0.4, hours: {contact: 4, siw: 2},
                 model: {name: station-rotation, parameters: {online_effectiveness: 3}}}
            programme:
              semesters:
                - {}
                - {break: {weeks: 2}, groups: {g: {model: face-to-face-driver, hours: {contact: 3}}}}
            """)
        let scenario = try ScenarioLoader.load(path: path)
        let second = try #require(scenario.programme?.semesters[1].groups[0])
        #expect(second.model.name == "face-to-face-driver" && second.model.parameters.isEmpty)
        #expect(second.contactHours == 3 && second.siwHours == 2)
        #expect(scenario.groups[0].model.parameters.count == 1)
    }

    /// Bad programmes are refused at their place, every mistake at once, and nothing is run.
    @Test(arguments: [
        ("programme: {semesters: []}", "5:24: error: 'semesters' must be a non-empty list of semesters, found an empty list"),
        ("programme: {target: B5, semesters: [{}]}", "5:21: error: target 'B5' is not a level; did you mean 'B1'? (one of elementary (A1), pre_intermediate (A2), intermediate (B1), upper_intermediate (B2), advanced (C1), proficiency (C2))"),
        ("programme: {semesters: [{}, {break: {weeks: -2}}]}", "5:45: error: a break of -2 weeks: a break cannot be negative"),
        ("programme: {semesters: [{}, {}]}", "5:29: error: semester 2 needs 'break: {weeks: N}': the weeks between it and the semester before (0 for none)"),
        ("programme: {semesters: [{}, {break: {weeks: 2}, groups: {t: {online_share: 0.2}}}]}", "5:58: error: semester 2 changes unknown group 't'; did you mean 's'?"),
        ("programme: {semesters: [{}, {break: {weeks: 2}, groups: {s: {students: 20}}}]}", "5:62: error: semester 2 cannot change 'students': a programme teaches the same students in every semester"),
        ("programme: {semesters: [{}, {break: {weeks: 2}, levels: {B1: 1}}]}", "5:49: error: semester 2 cannot change 'levels': a programme teaches the same students in every semester"),
        ("variants:\n  - {name: a}\n  - {name: b, programme: {semesters: [{}]}}", "7:26: error: variant 'b' makes the scenario a programme; write 'programme:' in the scenario itself, so that every variant is one"),
        ("programme: {target: B2, semesters: [{}]}\nvariants:\n  - {name: a}\n  - {name: b, programme: {target: B1}}", "8:35: error: variant 'b' changes the programme's target; the variants of a comparison share the scenario's"),
        ("programme: {semesters: [{online_share: 0.2}]}", "5:40: error: the first semester is the scenario's own 'semester:' and 'groups:'; set 'online_share' there"),
    ])
    func badProgrammesAreLocated(programme: String, expected: String) throws {
        let directory = TemporaryDirectory()
        let path = directory.file("bad.yaml", """
            seed: 1
            semester: {weeks: 8}
            groups:
              - {name: s, students: 20, levels: {intermediate: 1}, model: flipped-classroom, online_share: 0.4}
            \(programme)
            """)
        let result = try blendsim("run", path, "--out", directory.path + "/out")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix(path + ":" + expected), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/out"))
    }
}
