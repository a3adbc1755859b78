import BlendSimReport
import BlendSimCore
import BlendSimPluginHost
import BlendSimRunner
import Foundation
import Testing

/// Runs a one-group scenario in-process and returns summary.json's group object (and the whole
/// summary). Every comparison below uses the same seed, so differences come from the mechanism.
func simulate(
    model: String, modelParameters: String = "{}", onlineShare: Double = 0.4, policies: String = "[]",
    population: String = "{}", studentsPerTeacher: Double = 25, students: Int = 300, replications: Int = 3,
    levels: String = "{pre_intermediate: 0.6, intermediate: 0.3, upper_intermediate: 0.1}"
) throws -> JSONValue {
    let directory = TemporaryDirectory()
    let path = directory.file("s.yaml", """
        seed: 7
        replications: \(replications)
        population: \(population)
        groups:
          - name: g
            students: \(students)
            levels: \(levels)
            model: {name: \(model), parameters: \(modelParameters)}
            online_share: \(onlineShare)
            students_per_teacher: \(studentsPerTeacher)
            policies: \(policies)
        """)
    let report = try ScenarioRun.execute(path: path, settings: RunSettings(pluginDirectories: [TestPaths.products], engine: EngineOptions(threads: 2)))
    guard case .array(let groups)? = report.summary["groups"] else { throw Diagnostic("no groups") }
    return groups[0]
}

extension JSONValue {
    /// The mean of the statistic at a dotted path.
    func mean(_ path: String) -> Double {
        Summary.statistic(path, in: self)?.mean ?? .nan
    }
}

@Suite("Model library", .serialized)
struct ModelLibraryTests {
    static let models = [
        "traditional", "face-to-face-driver", "training-with-continuation", "station-rotation", "lab-rotation",
        "flipped-classroom", "individual-rotation", "flex", "self-blend", "enriched-virtual", "online-driver", "fully-online",
    ]
    static let policies = [
        "teacher-it-training", "anti-plagiarism", "deadline-enforcement", "chat-bot-feedback", "device-loans",
        "high-speed-internet", "equipped-classrooms", "more-siw", "obligatory-blended-learning",
    ]

    @Test func everyModelAndPolicyIsAPlugin() throws {
        let output = try blendsim("plugins")
        for model in Self.models {
            #expect(output.stdout.split(separator: "\n").contains { $0.hasPrefix(model + " ") && $0.contains(" model ") }, "\(model)")
        }
        for policy in Self.policies {
            #expect(output.stdout.split(separator: "\n").contains { $0.hasPrefix(policy + " ") && $0.contains(" policy ") }, "\(policy)")
        }
    }

    @Test(arguments: models)
    func everyModelTeaches(model: String) throws {
        let share = model == "traditional" ? 0.0 : model == "fully-online" ? 1.0 : 0.4
        let group = try simulate(model: model, onlineShare: share)
        #expect(group.mean("overall.change") > 0, "\(model) taught nothing")
        if share > 0 { #expect(group.mean("online_minutes_per_student") > 0, "\(model) has no online time") }
    }

    @Test func traditionalRefusesOnlineTime() {
        #expect {
            try simulate(model: "traditional", onlineShare: 0.2)
        } throws: { error in
            (error as? Diagnostic)?.message.hasSuffix("traditional teaching has no online time, but online_share is 0.2; set it to 0 or choose a blended model") == true
        }
    }

    /// The model's own refusal, reported at the group's model before anything runs — not any
    /// error.
    @Test func fullyOnlineRefusesClassroomTime() throws {
        let error = try #require(throws: Diagnostic.self) { try simulate(model: "fully-online", onlineShare: 0.6) }
        #expect(error.message.contains(
            "model 'fully-online' (blendsim-fully-online) failed in group 'g', week 1, replication 1: fully online teaching has no classroom time, but online_share is 0.6; set it to 1"),
            "\(error.message)")
        #expect(error.location?.line == 8)
        // With online_share 1 it runs.
        #expect(try simulate(model: "fully-online", onlineShare: 1).mean("overall.change") > 0)
    }

    @Test func flippedClassroomFavoursReceptiveSkills() throws {
        let group = try simulate(model: "flipped-classroom")
        let receptive = group.mean("skills.listening.change") + group.mean("skills.reading.change")
        let productive = group.mean("skills.writing.change") + group.mean("skills.speaking.change")
        #expect(receptive > productive)
    }

    @Test func moreEffectiveActivitiesTeachMore() throws {
        let low = try simulate(model: "flipped-classroom", modelParameters: "{practice_effectiveness: 1.0}")
        let high = try simulate(model: "flipped-classroom", modelParameters: "{practice_effectiveness: 2.0}")
        #expect(high.mean("overall.change") > low.mean("overall.change"))
        let plain = try simulate(model: "training-with-continuation", modelParameters: "{continuation_effectiveness: 0.5}")
        let rich = try simulate(model: "training-with-continuation", modelParameters: "{continuation_effectiveness: 1.5}")
        #expect(rich.mean("overall.change") > plain.mean("overall.change"))
    }

    @Test func moreOnlineShareMeansMoreOnlineMinutes() throws {
        let a = try simulate(model: "face-to-face-driver", onlineShare: 0.2)
        let b = try simulate(model: "face-to-face-driver", onlineShare: 0.4)
        #expect(b.mean("online_minutes_per_student") > 1.9 * a.mean("online_minutes_per_student"))
    }

    @Test(arguments: ["station-rotation", "lab-rotation"])
    func campusOnlineWorkNeedsNoOwnDevice(model: String) throws {
        let group = try simulate(model: model, population: "{device_access: 0.2, connectivity: 0.1}")
        #expect(group.mean("rates.without_device_share") == 0)
        #expect(group.mean("rates.poor_connection_share") == 0)
        let home = try simulate(model: "face-to-face-driver", population: "{device_access: 0.2, connectivity: 0.1}")
        #expect(home.mean("rates.without_device_share") > 0.7)
        #expect(home.mean("rates.poor_connection_share") > 0.9)
    }

    @Test func individualRotationGivesTeacherTimeToThoseWhoNeedIt() throws {
        let planned = 0.4 * 240 * 15.0
        let strong = try simulate(
            model: "individual-rotation", population: "{self_regulation: {mean: 0.9, sd: 0.05}}",
            levels: "{upper_intermediate: 1}")
        let weak = try simulate(
            model: "individual-rotation", population: "{self_regulation: {mean: 0.1, sd: 0.05}}",
            levels: "{pre_intermediate: 1}")
        #expect(strong.mean("online_minutes_per_student") > planned * 1.1)
        #expect(weak.mean("online_minutes_per_student") < planned * 0.9)
        let uniform = try simulate(
            model: "individual-rotation", modelParameters: "{personalization: 0}",
            population: "{self_regulation: {mean: 0.1, sd: 0.05}}", levels: "{pre_intermediate: 1}")
        #expect(abs(uniform.mean("online_minutes_per_student") - planned) < 1)
    }

    @Test func flexSupportUptakeHelps() throws {
        let none = try simulate(model: "flex", modelParameters: "{support_uptake: 0}", onlineShare: 0.7)
        let full = try simulate(model: "flex", modelParameters: "{support_uptake: 1}", onlineShare: 0.7)
        #expect(full.mean("overall.change") > none.mean("overall.change"))
    }

    @Test func selfBlendStudentsChooseTheOnlineCourse() throws {
        let nobody = try simulate(model: "self-blend", modelParameters: "{uptake: 0}")
        let keen = try simulate(model: "self-blend", modelParameters: "{uptake: 1}")
        #expect(nobody.mean("online_minutes_per_student") == 0)
        #expect(keen.mean("online_minutes_per_student") > 0)
        #expect(keen.mean("online_minutes_per_student") < 0.4 * 240 * 15)
        #expect(keen.mean("overall.change") > nobody.mean("overall.change"))
    }

    @Test func sessionsAndCheckpointsShapeTheWeeks() throws {
        let host = try PluginResolution.host([TestPaths.products])
        func plannedMinutes(_ model: String, onlineShare: Double) throws -> [Double] {
            let factory = try #require(host.model(named: model)).factory(parameters: [])
            let group = GroupSpec(
                name: "g", students: 20, levelShares: [0, 1, 0, 0, 0, 0], onlineShare: onlineShare, contactMinutes: 240,
                siwtMinutes: 60, siwMinutes: 180, population: PopulationSpec(), model: factory, policies: [])
            return try Engine(spec: spec([group], replications: 1)).run().replications[0].groups[0].plannedMinutes
        }
        let enriched = try plannedMinutes("enriched-virtual", onlineShare: 0.6)
        #expect(enriched[1] > enriched[0])  // week 2 has the in-person session, week 1 not
        #expect(enriched[3] > enriched[2])
        let driver = try plannedMinutes("online-driver", onlineShare: 0.8)
        #expect(driver[7] > driver[6])  // week 8 is a control point with classroom classes
        #expect(driver[14] > driver[13])
        #expect(driver[0] == driver[1])
    }

    // MARK: - Policies

    @Test func teacherITTrainingRaisesOnlineLearning() throws {
        let base = try simulate(model: "face-to-face-driver")
        let trained = try simulate(model: "face-to-face-driver", policies: "[teacher-it-training]")
        #expect(trained.mean("overall.change") > base.mean("overall.change"))
    }

    @Test func antiPlagiarismStopsInflatedScores() throws {
        let base = try simulate(model: "fully-online", onlineShare: 1, population: "{integrity: {mean: 0.3, sd: 0.1}}")
        let checked = try simulate(
            model: "fully-online", onlineShare: 1, policies: "[{name: anti-plagiarism, parameters: {detection: 1}}]",
            population: "{integrity: {mean: 0.3, sd: 0.1}}")
        #expect(base.mean("rates.assessment_inflation") > 0.2)
        #expect(abs(checked.mean("rates.assessment_inflation")) < 0.3)
        #expect(checked.mean("overall.change") > base.mean("overall.change"))
    }

    @Test func deadlineEnforcementReducesLateWork() throws {
        let base = try simulate(model: "face-to-face-driver")
        let enforced = try simulate(model: "face-to-face-driver", policies: "[deadline-enforcement]")
        #expect(enforced.mean("incidents.late_submissions") < 0.7 * base.mean("incidents.late_submissions"))
    }

    @Test func chatBotFeedbackRaisesMotivationAndLearning() throws {
        let base = try simulate(model: "face-to-face-driver")
        let bots = try simulate(model: "face-to-face-driver", policies: "[chat-bot-feedback]")
        #expect(bots.mean("motivation.after") > base.mean("motivation.after"))
        #expect(bots.mean("overall.change") > base.mean("overall.change"))
    }

    @Test func deviceLoansReachStudentsWithoutPCs() throws {
        let base = try simulate(model: "face-to-face-driver", population: "{device_access: 0.5}")
        let loans = try simulate(model: "face-to-face-driver", policies: "[device-loans]", population: "{device_access: 0.5}")
        #expect(loans.mean("rates.without_device_share") < 0.5 * base.mean("rates.without_device_share"))
        #expect(loans.mean("overall.change") > base.mean("overall.change"))
    }

    @Test func highSpeedInternetLiftsPoorConnections() throws {
        let base = try simulate(model: "face-to-face-driver", population: "{connectivity: {mean: 0.3, sd: 0.1}}")
        let fast = try simulate(model: "face-to-face-driver", policies: "[high-speed-internet]", population: "{connectivity: {mean: 0.3, sd: 0.1}}")
        #expect(base.mean("rates.poor_connection_share") > 0.5)
        #expect(fast.mean("rates.poor_connection_share") == 0)
        #expect(fast.mean("overall.change") > base.mean("overall.change"))
    }

    @Test func equippedClassroomsHelpClassroomTeaching() throws {
        let base = try simulate(model: "traditional", onlineShare: 0)
        let equipped = try simulate(model: "traditional", onlineShare: 0, policies: "[equipped-classrooms]")
        #expect(equipped.mean("overall.change") > base.mean("overall.change"))
    }

    @Test func moreIndependentWorkAddsTime() throws {
        let base = try simulate(model: "traditional", onlineShare: 0)
        let more = try simulate(model: "traditional", onlineShare: 0, policies: "[{name: more-siw, parameters: {minutes: 120}}]")
        #expect(abs(more.mean("planned_minutes_per_week") - base.mean("planned_minutes_per_week") - 120) < 1e-9)
        #expect(more.mean("overall.change") > base.mean("overall.change"))
    }

    @Test func obligatoryBlendedLearningStandardisesOnlineWork() throws {
        let base = try simulate(model: "face-to-face-driver")
        let required = try simulate(model: "face-to-face-driver", policies: "[obligatory-blended-learning]")
        #expect(required.mean("incidents.late_submissions") < base.mean("incidents.late_submissions"))
        #expect(required.mean("overall.change") > base.mean("overall.change"))
    }

    // MARK: - Difficulties

    @Test func teacherWorkloadLowersFeedbackAndLearning() throws {
        let light = try simulate(model: "face-to-face-driver", studentsPerTeacher: 20)
        let heavy = try simulate(model: "face-to-face-driver", studentsPerTeacher: 150)
        #expect(light.mean("rates.teacher_load") < 1)
        #expect(heavy.mean("rates.teacher_load") > 1)
        #expect(heavy.mean("overall.change") < light.mean("overall.change"))
        #expect(heavy.mean("motivation.after") < light.mean("motivation.after"))
    }

    @Test func lowIntegrityMeansMoreCheatingAndLessLearning() throws {
        let honest = try simulate(model: "face-to-face-driver", population: "{integrity: {mean: 0.9, sd: 0.05}}")
        let careless = try simulate(model: "face-to-face-driver", population: "{integrity: {mean: 0.2, sd: 0.1}}")
        #expect(careless.mean("incidents.cheating") > 3 * honest.mean("incidents.cheating"))
        #expect(careless.mean("overall.change") < honest.mean("overall.change"))
    }

    @Test func lowSelfRegulationMeansMoreLateWorkAndLessOnlineLearning() throws {
        let regulated = try simulate(model: "face-to-face-driver", population: "{self_regulation: {mean: 0.8, sd: 0.1}}")
        let unregulated = try simulate(model: "face-to-face-driver", population: "{self_regulation: {mean: 0.2, sd: 0.1}}")
        #expect(unregulated.mean("incidents.late_submissions") > regulated.mean("incidents.late_submissions"))
        #expect(unregulated.mean("overall.change") < regulated.mean("overall.change"))
    }

    @Test func lowDigitalCompetenceHurtsOnlineWorkAndGrowsWithIt() throws {
        let skilled = try simulate(model: "face-to-face-driver", onlineShare: 0.6, population: "{digital_competence: {mean: 0.9, sd: 0.05}}")
        let unskilled = try simulate(model: "face-to-face-driver", onlineShare: 0.6, population: "{digital_competence: {mean: 0.1, sd: 0.05}}")
        #expect(unskilled.mean("overall.change") < skilled.mean("overall.change"))
        #expect(unskilled.mean("digital_competence.change") > 0)
    }

    @Test func unmotivatedStudentsDropOutMore() throws {
        let keen = try simulate(model: "traditional", onlineShare: 0, population: "{motivation: {mean: 0.85, sd: 0.05}}")
        let reluctant = try simulate(model: "traditional", onlineShare: 0, population: "{motivation: {mean: 0.15, sd: 0.05}}")
        #expect(reluctant.mean("incidents.dropouts") > keen.mean("incidents.dropouts"))
        #expect(reluctant.mean("rates.low_motivation_share.after") > keen.mean("rates.low_motivation_share.after"))
    }
}
