// An annotated example of a blendsim policy in Swift, with a per-student hook.
//
// Peer mentoring: students whose motivation has fallen low are paired with a peer mentor, which
// gives them extra guided independent work (SIWT) each week. The policy changes a condition for
// everybody in `beginWeek` and decides per student in `adjust`.

import BlendSimPluginKit

struct PeerMentoring: Policy {
    // 1. Parameters, each declared once: the property's name in snake_case is the scenario's key
    //    (`extraShare` is `extra_share`), its initial value the default, and the range and help
    //    are the schema blendsim checks scenarios against and `blendsim plugins` prints. blendsim
    //    fills in defaults and checks every value before `init`.
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "motivation below which a student gets a mentor")
        var threshold: Double = 0.4
        @Parameter(range: 0...3, help: "extra guided independent work for a mentored student, as a share of SIWT")
        var extraShare: Double = 0.5
        @Parameter(range: 0...1, help: "motivation support for everybody from the mentoring culture")
        var support: Double = 0.05
    }

    // 2. The name scenarios use and a one-line summary for `blendsim plugins`.
    static let name = "peer-mentoring"
    static let summary = "peer mentors for students with low motivation (an annotated Swift example)"

    // 3. Ask for the per-student hook. Without it blendsim never calls `adjust`.
    static let adjustsPerStudent = true

    let parameters: Parameters

    init(parameters: Parameters) throws {
        guard parameters.threshold > 0 || parameters.extraShare == 0 else {
            // A thrown error becomes the run's error, naming the policy, group and week.
            throw PluginError("a threshold of 0 mentors nobody; set extra_share to 0 as well")
        }
        self.parameters = parameters
    }

    // 4. Once per group per week, on one thread, before the model plans: change conditions.
    //    Conditions are the only way a policy acts on everybody; it never touches outcomes.
    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.motivationSupport = min(1, conditions.motivationSupport + parameters.support)
    }

    // 5. Once per chunk of students, concurrently for different chunks: the instance must not
    //    change here. Read the students' columns, write participation multipliers (1 = as
    //    planned, up to 8). Look the activities up once per chunk, not per student.
    func adjust(_ week: Week, chunk: StudentChunk) throws {
        let guided = chunk.activityIndices { $0.kind == .siwt }
        guard !guided.isEmpty else { return }
        let motivation = chunk.motivation
        for student in 0..<chunk.count where chunk.active[student] != 0 && Double(motivation[student]) < parameters.threshold {
            for activity in guided {
                let current = chunk.participation(activity: activity, student: student)
                chunk.setParticipation(activity: activity, student: student, current * Float(1 + parameters.extraShare))
            }
        }
    }
}

// 6. The library's single entry point. blendsim finds it with dlsym; the descriptor it returns
//    lists every model and policy of the library.
@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-example-peer-mentoring", version: "1.0.0", policies: [PeerMentoring.self])
}
