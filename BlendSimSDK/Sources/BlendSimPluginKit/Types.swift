import CBlendSimABI

/// The kinds of learning activity (the ABI's `BS_ACTIVITY_*`).
public enum ActivityKind: UInt32, Sendable, CaseIterable {
    /// Face-to-face teaching in the classroom.
    case classroom = 0
    /// A live online session.
    case onlineSync = 1
    /// Self-paced online work: videos, e-courses, platform tasks.
    case onlineAsync = 2
    /// Students' independent work (SIW).
    case siw = 3
    /// Students' independent work with a teacher (SIWT).
    case siwt = 4
    /// A test at a control point.
    case assessment = 5
}

/// A set of the four skills an activity focuses on.
public struct SkillSet: OptionSet, Sendable, Hashable {
    /// The ABI's `BS_SKILL_*` bits.
    public let rawValue: UInt32
    /// The set with these `BS_SKILL_*` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Listening comprehension.
    public static let listening = SkillSet(rawValue: UInt32(BS_SKILL_LISTENING))
    /// Reading comprehension.
    public static let reading = SkillSet(rawValue: UInt32(BS_SKILL_READING))
    /// Written production.
    public static let writing = SkillSet(rawValue: UInt32(BS_SKILL_WRITING))
    /// Spoken production and interaction.
    public static let speaking = SkillSet(rawValue: UInt32(BS_SKILL_SPEAKING))
    /// Listening and reading.
    public static let receptive: SkillSet = [.listening, .reading]
    /// Writing and speaking.
    public static let productive: SkillSet = [.writing, .speaking]
    /// All four skills; the time is shared equally among them.
    public static let all: SkillSet = [.listening, .reading, .writing, .speaking]
}

/// One block of a week's learning, the same for every student of the group unless a chunk hook
/// scales it per student.
public struct Activity: Sendable, Hashable {
    /// What kind of learning it is.
    public var kind: ActivityKind
    /// The skills it focuses on; the time is shared equally among them.
    public var skills: SkillSet
    /// Minutes per student in the week, 0…3000.
    public var minutes: Double
    /// Quality, 0…3; 1 is an ordinary classroom lesson.
    public var effectiveness: Double
    /// Share of the work that gets feedback, 0…1.
    public var feedback: Double
    /// Handed in by a deadline: unsupervised submitted work can be late or copied.
    public var submitted: Bool
    /// For assessments: taken online.
    public var online: Bool
    /// For online work: done on campus, on the institution's devices and network.
    public var onCampus: Bool

    /// An activity of `kind` lasting `minutes` per student; by default an ordinary lesson's
    /// quality on all four skills, without feedback, not handed in, in person.
    public init(
        _ kind: ActivityKind, minutes: Double, skills: SkillSet = .all, effectiveness: Double = 1,
        feedback: Double = 0, submitted: Bool = false, online: Bool = false, onCampus: Bool = false
    ) {
        self.kind = kind
        self.skills = skills
        self.minutes = minutes
        self.effectiveness = effectiveness
        self.feedback = feedback
        self.submitted = submitted
        self.online = online
        self.onCampus = onCampus
    }

    var cValue: bs_activity {
        bs_activity(
            kind: kind.rawValue, skills: skills.rawValue,
            flags: (submitted ? UInt32(BS_FLAG_SUBMITTED) : 0) | (online ? UInt32(BS_FLAG_ONLINE) : 0)
                | (onCampus ? UInt32(BS_FLAG_ON_CAMPUS) : 0),
            reserved: 0, minutes: minutes, effectiveness: effectiveness, feedback: feedback)
    }

    init(_ c: bs_activity) {
        self.init(
            ActivityKind(rawValue: c.kind) ?? .classroom, minutes: c.minutes, skills: SkillSet(rawValue: c.skills),
            effectiveness: c.effectiveness, feedback: c.feedback,
            submitted: c.flags & UInt32(BS_FLAG_SUBMITTED) != 0, online: c.flags & UInt32(BS_FLAG_ONLINE) != 0,
            onCampus: c.flags & UInt32(BS_FLAG_ON_CAMPUS) != 0)
    }
}

/// A group as plugins see it.
public struct GroupInfo: Sendable {
    /// The group's position in the scenario, 0-based.
    public var index: Int
    /// The group's name in the scenario.
    public var name: String
    /// Students enrolled at the start of the semester.
    public var students: Int
    /// Share of the teaching time that is online, 0…1 (0.4 means 40% online, 60% classroom).
    public var onlineShare: Double
    /// Teaching minutes per week, classroom and online together.
    public var contactMinutes: Double
    /// Independent work with a teacher, minutes per week.
    public var siwtMinutes: Double
    /// Independent work, minutes per week.
    public var siwMinutes: Double
    /// Students each teacher gives feedback to.
    public var studentsPerTeacher: Double

    /// A group, for testing a model outside blendsim.
    public init(
        index: Int = 0, name: String = "group", students: Int = 30, onlineShare: Double, contactMinutes: Double = 240,
        siwtMinutes: Double = 60, siwMinutes: Double = 180, studentsPerTeacher: Double = 25
    ) {
        self.index = index
        self.name = name
        self.students = students
        self.onlineShare = onlineShare
        self.contactMinutes = contactMinutes
        self.siwtMinutes = siwtMinutes
        self.siwMinutes = siwMinutes
        self.studentsPerTeacher = studentsPerTeacher
    }
}

/// The teaching conditions of a week, which policies change (see docs/MODEL.md).
public struct Conditions: Sendable, Hashable {
    /// Multiplier on the effectiveness of online activities (teachers' IT competence); 1.
    public var onlineQuality: Double
    /// Multiplier on teacher feedback; 1.
    public var feedbackQuality: Double
    /// Extra feedback on online and independent work, 0…1 (chat-bots, messengers); 0.
    public var feedbackChannel: Double
    /// Chance a copying attempt is caught and prevented, 0…1; 0.
    public var integrityEnforcement: Double
    /// Reduction of the propensity to miss deadlines, 0…1; 0.
    public var deadlineEnforcement: Double
    /// Share of students without a PC who are lent one, 0…1; 0.
    public var deviceLoanShare: Double
    /// Connectivity is at least this, 0…1; 0.
    public var connectivityFloor: Double
    /// Multiplier on classroom effectiveness (technical aids); 1.
    public var classroomEquipment: Double
    /// Minutes of independent work added per week; 0.
    public var extraSIWMinutes: Double
    /// Weekly pull of motivation towards full motivation, 0…1; 0.
    public var motivationSupport: Double

    /// The conditions every week starts from, before policies change them.
    public init() {
        onlineQuality = 1
        feedbackQuality = 1
        feedbackChannel = 0
        integrityEnforcement = 0
        deadlineEnforcement = 0
        deviceLoanShare = 0
        connectivityFloor = 0
        classroomEquipment = 1
        extraSIWMinutes = 0
        motivationSupport = 0
    }

    init(_ c: bs_conditions) {
        onlineQuality = c.online_quality
        feedbackQuality = c.feedback_quality
        feedbackChannel = c.feedback_channel
        integrityEnforcement = c.integrity_enforcement
        deadlineEnforcement = c.deadline_enforcement
        deviceLoanShare = c.device_loan_share
        connectivityFloor = c.connectivity_floor
        classroomEquipment = c.classroom_equipment
        extraSIWMinutes = c.extra_siw_minutes
        motivationSupport = c.motivation_support
    }

    func write(to c: inout bs_conditions) {
        c.online_quality = onlineQuality
        c.feedback_quality = feedbackQuality
        c.feedback_channel = feedbackChannel
        c.integrity_enforcement = integrityEnforcement
        c.deadline_enforcement = deadlineEnforcement
        c.device_loan_share = deviceLoanShare
        c.connectivity_floor = connectivityFloor
        c.classroom_equipment = classroomEquipment
        c.extra_siw_minutes = extraSIWMinutes
        c.motivation_support = motivationSupport
    }
}

/// The week being simulated, for one group.
public struct Week: Sendable {
    /// 1-based.
    public var number: Int
    /// Weeks in the semester.
    public var weeks: Int
    /// Whether the week ends with an assessment.
    public var isControlPoint: Bool
    /// 0-based.
    public var replication: Int
    /// The group being taught.
    public var group: GroupInfo
    /// The conditions after this week's policies.
    public var conditions: Conditions
    /// Group means at the end of the previous week.
    public var meanMotivation: Double
    /// Mean overall score (Cambridge English Scale) of the active students.
    public var meanSkill: Double
    /// Share of the enrolled students still active (not withdrawn).
    public var activeShare: Double
    /// Group mean course achievement at the end of the previous week (0 in week 1); nil under a
    /// host older than ABI 1.1, which does not pass it.
    public var meanCourse: Double?
    /// Assessment weeks in the semester.
    public var controlPointCount: Int
    /// The semester of a programme (1-based) and the programme's semesters: 1 and 1 for a
    /// scenario of one semester and under a host older than ABI 1.3, which does not pass them.
    public var semester: Int
    public var semesters: Int
    /// The random stream of this call.
    public var stream: UInt64
    /// The group's random stream in this replication, the same every week.
    public var groupStream: UInt64

    /// A week, for testing a model or policy outside blendsim.
    public init(
        number: Int, weeks: Int = 15, isControlPoint: Bool = false, controlPointCount: Int = 2, replication: Int = 0,
        group: GroupInfo, conditions: Conditions = Conditions(), meanMotivation: Double = 0.55, meanSkill: Double = 140,
        activeShare: Double = 1, meanCourse: Double? = 0, stream: UInt64 = 1, groupStream: UInt64 = 2,
        semester: Int = 1, semesters: Int = 1
    ) {
        self.semester = semester
        self.semesters = semesters
        self.number = number
        self.weeks = weeks
        self.isControlPoint = isControlPoint
        self.controlPointCount = controlPointCount
        self.replication = replication
        self.group = group
        self.conditions = conditions
        self.meanMotivation = meanMotivation
        self.meanSkill = meanSkill
        self.activeShare = activeShare
        self.meanCourse = meanCourse
        self.stream = stream
        self.groupStream = groupStream
    }

    /// Reads the host's week: only the fields its `struct_size` covers (a 1.0 host's context ends
    /// before `mean_course`).
    init(_ c: UnsafePointer<bs_week_context>) {
        let (w, size) = HostStruct.read(c)
        let g = HostStruct.read(w.group!).value
        number = Int(w.week)
        weeks = Int(w.weeks)
        isControlPoint = w.is_control_point != 0
        replication = Int(w.replication)
        group = GroupInfo(
            index: Int(g.index), name: g.name.map { String(cString: $0) } ?? "", students: Int(g.students),
            onlineShare: g.online_share, contactMinutes: g.contact_minutes, siwtMinutes: g.siwt_minutes,
            siwMinutes: g.siw_minutes, studentsPerTeacher: g.students_per_teacher)
        conditions = w.conditions.map { Conditions(HostStruct.read(UnsafePointer($0)).value) } ?? Conditions()
        meanMotivation = w.mean_motivation
        meanSkill = w.mean_skill
        activeShare = w.active_share
        meanCourse = size >= Int(BS_WEEK_CONTEXT_SIZE_1_1) ? w.mean_course : nil
        let programme = size >= Int(BS_WEEK_CONTEXT_SIZE_1_3) && w.semester >= 1 && w.semesters >= w.semester
        semester = programme ? Int(w.semester) : 1
        semesters = programme ? Int(w.semesters) : 1
        stream = w.stream
        groupStream = w.group_stream
        controlPointCount = Int(w.control_point_count)
    }

    /// A reproducible uniform number in [0, 1) for draw number `counter` of this call.
    public func uniform(_ counter: UInt64) -> Double { bs_random_uniform(stream, counter) }
}

/// A contiguous slice of a group's students, read-only, with the participation multipliers a
/// chunk hook writes.
public struct StudentChunk {
    let raw: UnsafeMutablePointer<bs_chunk>
    let stream: UInt64
    let groupStream: UInt64

    init(_ raw: UnsafeMutablePointer<bs_chunk>, week: Week) {
        self.raw = raw
        self.stream = week.stream
        self.groupStream = week.groupStream
    }

    /// Students in the chunk.
    public var count: Int { Int(raw.pointee.count) }
    /// Index of the chunk's first student within the group.
    public var firstStudent: Int { Int(raw.pointee.first_student) }
    /// The week's plan.
    public var activities: [Activity] {
        (0..<Int(raw.pointee.activity_count)).map { Activity(raw.pointee.activities[$0]) }
    }

    private func column(_ pointer: UnsafePointer<Float>?) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: pointer, count: count)
    }

    /// Listening scores (Cambridge English Scale), one per student of the chunk.
    public var listening: UnsafeBufferPointer<Float> { column(raw.pointee.listening) }
    /// Reading scores (Cambridge English Scale).
    public var reading: UnsafeBufferPointer<Float> { column(raw.pointee.reading) }
    /// Writing scores (Cambridge English Scale).
    public var writing: UnsafeBufferPointer<Float> { column(raw.pointee.writing) }
    /// Speaking scores (Cambridge English Scale).
    public var speaking: UnsafeBufferPointer<Float> { column(raw.pointee.speaking) }
    /// Motivation, 0…1.
    public var motivation: UnsafeBufferPointer<Float> { column(raw.pointee.motivation) }
    /// Self-regulation, 0…1 (a trait fixed for the semester).
    public var selfRegulation: UnsafeBufferPointer<Float> { column(raw.pointee.self_regulation) }
    /// Digital competence, 0…1 (grows with online work).
    public var digitalCompetence: UnsafeBufferPointer<Float> { column(raw.pointee.digital_competence) }
    /// Quality of the student's internet connection, 0…1.
    public var connectivity: UnsafeBufferPointer<Float> { column(raw.pointee.connectivity) }
    /// Academic integrity, 0…1: resistance to copying.
    public var integrity: UnsafeBufferPointer<Float> { column(raw.pointee.integrity) }
    /// 1 when the student has a personal computer, else 0.
    public var deviceAccess: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: raw.pointee.device_access, count: count) }
    /// 1 while the student is enrolled, 0 once withdrawn.
    public var active: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: raw.pointee.active, count: count) }

    /// Scales activity `activity`'s minutes for student `student` (0-based within the chunk);
    /// 1 leaves them as planned, 0 skips the activity, up to 8. An index outside the week's
    /// activities or the chunk's students stops the plugin with a message, as an array would.
    public func setParticipation(activity: Int, student: Int, _ value: Float) {
        raw.pointee.participation[slot(activity: activity, student: student)] = value
    }

    /// The current multiplier of activity `activity` for student `student` (1 unless a hook
    /// changed it).
    public func participation(activity: Int, student: Int) -> Float {
        raw.pointee.participation[slot(activity: activity, student: student)]
    }

    private func slot(activity: Int, student: Int) -> Int {
        let activities = Int(raw.pointee.activity_count)
        if activity < 0 || activity >= activities {
            fatalError("participation: activity \(activity) is not one of the week's \(activities) activities")
        }
        if student < 0 || student >= count { fatalError("participation: student \(student) is not in this chunk of \(count)") }
        return activity * count + student
    }

    /// A reproducible uniform number in [0, 1) for student `student` of the chunk; the same for
    /// the same student whatever the chunking.
    public func uniform(student: Int, _ counter: UInt64) -> Double {
        bs_random_uniform(bs_mix64(stream &+ UInt64(firstStudent + student)), counter)
    }

    /// Like `uniform(student:_:)`, but the same every week of the semester: for choices a student
    /// makes once (which courses to take online, say).
    public func semesterUniform(student: Int, _ counter: UInt64) -> Double {
        bs_random_uniform(bs_mix64(groupStream &+ UInt64(firstStudent + student)), counter)
    }

    /// The mean of a student's four skills (the score their level is derived from).
    public func overall(student: Int) -> Float {
        (listening[student] + reading[student] + writing[student] + speaking[student]) * 0.25
    }

    /// Indices of the week's activities matching `predicate` — look them up once per chunk, not
    /// once per student.
    public func activityIndices(where predicate: (Activity) -> Bool) -> [Int] {
        let all = activities
        return all.indices.filter { predicate(all[$0]) }
    }
}

/// Reading a struct the host wrote (`bs_read_struct`): only the bytes its `struct_size` says the
/// host has, the rest zero — so a plugin built against a newer minor ABI never reads past the end
/// of an older host's struct.
enum HostStruct {
    static func read<T>(_ pointer: UnsafePointer<T>) -> (value: T, size: Int) {
        withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { copy in
            let size = bs_read_struct(copy.baseAddress!, MemoryLayout<T>.size, pointer)
            return (UnsafeRawPointer(copy.baseAddress!).load(as: T.self), Int(size))
        }
    }

    /// Writes `value` back into the host's struct at `pointer`, only as far as both have fields.
    static func write<T>(_ value: T, to pointer: UnsafeMutablePointer<T>) {
        withUnsafePointer(to: value) { bs_write_struct(pointer, $0, MemoryLayout<T>.size) }
    }
}
