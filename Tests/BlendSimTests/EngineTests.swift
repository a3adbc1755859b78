import BlendSimCore
import BlendSimReport
import CBlendSimABI
import Testing

@Suite("Engine")
struct EngineTests {
    func summary(_ spec: SimulationSpec, threads: Int, chunkSize: Int) throws -> String {
        let result = try Engine(spec: spec, options: EngineOptions(threads: threads, chunkSize: chunkSize)).run()
        let run = RunDescription(
            scenario: "t", seed: spec.seed, replications: spec.replications, weeks: spec.weeks,
            controlPoints: spec.controlPoints,
            groups: spec.groups.map { .init(name: $0.name, model: $0.model.name, onlineShare: $0.onlineShare, students: $0.students, policies: []) })
        return Summary.document(run, result).serialized(pretty: true) + WeeklyTable.csv(run, result)
    }

    @Test func resultsDoNotDependOnThreadsOrChunks() throws {
        let s = spec([group("a", students: 3001, perStudent: true), group("b", students: 777)], replications: 2)
        let reference = try summary(s, threads: 1, chunkSize: 4096)
        for (threads, chunk) in [(2, 4096), (2, 100), (8, 64), (1, 1000), (3, 17)] {
            #expect(try summary(s, threads: threads, chunkSize: chunk) == reference, "threads \(threads), chunk \(chunk)")
        }
    }

    @Test func replicationParallelismGivesTheSameResults() throws {
        let s = spec([group(students: 200)], replications: 6)
        let engine = Engine(spec: s, options: EngineOptions(threads: 4, chunkSize: 4096))
        #expect(Replications.acrossUnits(engines: [engine], units: s.replications))
        let serial = try summary(s, threads: 1, chunkSize: 4096)
        #expect(try summary(s, threads: 4, chunkSize: 4096) == serial)
        #expect(try summary(s, threads: 4, chunkSize: 50) == serial)
    }

    @Test func sameSeedSameResultOtherSeedOtherResult() throws {
        let a = try summary(spec([group()], seed: 1), threads: 2, chunkSize: 128)
        let b = try summary(spec([group()], seed: 1), threads: 2, chunkSize: 128)
        let c = try summary(spec([group()], seed: 2), threads: 2, chunkSize: 128)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func replicationsDiffer() throws {
        let result = try Engine(spec: spec([group()], replications: 3)).run()
        let finals = result.replications.map { $0.groups[0].after.overall }
        #expect(Set(finals).count == 3)
    }

    @Test func perStudentDecisionsChangeOutcomes() throws {
        let plain = try Engine(spec: spec([group(perStudent: false)], replications: 1)).run()
        let halved = try Engine(spec: spec([group(perStudent: true)], replications: 1)).run()
        #expect(halved.replications[0].groups[0].after.onlineMinutes < plain.replications[0].groups[0].after.onlineMinutes)
    }

    @Test func invalidActivityNamesModelGroupAndWeek() {
        let bad = [bs_activity(kind: .classroom, minutes: .nan, effectiveness: 1, feedback: 0)]
        #expect {
            try Engine(spec: spec([group("seminar", activities: bad)], replications: 1)).run()
        } throws: { error in
            (error as? SimulationError)?.message
                == "model 'fixed-plan' (tests) failed in group 'seminar', week 1, replication 1: activity 1: minutes nan is outside [0, 3000]"
        }
    }

    @Test func conditionsOutOfRangeNamePolicy() {
        let policy = SetConditionPolicy { $0.online_quality = .infinity }
        #expect {
            try Engine(spec: spec([group(policies: [policy])], replications: 1)).run()
        } throws: { error in
            (error as? SimulationError)?.message
                == "policy 'set-condition' (tests) failed in group 'g', week 1, replication 1: condition online_quality = inf is outside [0.0, 3.0]"
        }
    }

    @Test func weeklyHistoryCoversEveryWeekAndControlPoints() throws {
        let result = try Engine(spec: spec([group()], replications: 1, weeks: 10)).run()
        let weekly = result.replications[0].groups[0].weekly
        #expect(weekly.map(\.week) == Array(0...10))
        #expect(weekly[8].measured.isFinite && weekly[10].measured.isFinite)
        #expect(weekly[7].measured.isNaN)
        #expect(result.studentWeeks == 400 * 10)
    }
}
