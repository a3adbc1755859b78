/// The students of one group in one replication, stored as a struct of arrays.
///
/// Each field is one contiguous column, so the learning kernel streams through memory and plugins
/// receive plain pointers through `bs_chunk`. Nothing is allocated per student: the columns are
/// allocated once, when the cohort is created, and freed with it.
public final class Cohort: @unchecked Sendable {
    /// Number of students enrolled at the start (dropped students keep their slot).
    public let count: Int

    /// Skills on the Cambridge English Scale, one column per `Skill`.
    public let listening: UnsafeMutablePointer<Float>
    public let reading: UnsafeMutablePointer<Float>
    public let writing: UnsafeMutablePointer<Float>
    public let speaking: UnsafeMutablePointer<Float>
    /// Motivation in [0, 1].
    public let motivation: UnsafeMutablePointer<Float>
    /// Traits in [0, 1].
    public let selfRegulation: UnsafeMutablePointer<Float>
    public let digitalCompetence: UnsafeMutablePointer<Float>
    public let connectivity: UnsafeMutablePointer<Float>
    public let integrity: UnsafeMutablePointer<Float>
    /// Individual learning-rate multiplier (mean 1).
    public let aptitude: UnsafeMutablePointer<Float>
    /// 1 when the student has a personal PC.
    public let deviceAccess: UnsafeMutablePointer<UInt8>
    /// 1 while the student is enrolled, 0 once dropped out.
    public let active: UnsafeMutablePointer<UInt8>
    /// Course achievement: points of the course's content learned this semester (100 = the
    /// expected effective hours every week at aptitude 1).
    public let course: UnsafeMutablePointer<Float>
    /// Counters over the semester.
    public let onlineMinutes: UnsafeMutablePointer<Float>
    public let cheatingIncidents: UnsafeMutablePointer<UInt16>
    public let lateSubmissions: UnsafeMutablePointer<UInt16>
    /// The band (`LevelBand.rawValue`) each skill and the overall score started in, packed three
    /// bits each: bits 3k…3k+2 for skill k (`Skill` order), bits 12…14 for the overall score.
    /// One column instead of five, so the weekly loop streams one array less than four more.
    public let startBands: UnsafeMutablePointer<UInt16>

    /// Bytes of state held per student (the sum of the column widths).
    public static let bytesPerStudent =
        12 * MemoryLayout<Float>.stride + 2 * MemoryLayout<UInt8>.stride
        + 3 * MemoryLayout<UInt16>.stride

    /// Allocates zeroed columns for `count` students.
    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        func floats() -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
            return pointer
        }
        func bytes() -> UnsafeMutablePointer<UInt8> {
            let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
            return pointer
        }
        func counters() -> UnsafeMutablePointer<UInt16> {
            let pointer = UnsafeMutablePointer<UInt16>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
            return pointer
        }
        listening = floats()
        reading = floats()
        writing = floats()
        speaking = floats()
        motivation = floats()
        selfRegulation = floats()
        digitalCompetence = floats()
        connectivity = floats()
        integrity = floats()
        aptitude = floats()
        onlineMinutes = floats()
        course = floats()
        deviceAccess = bytes()
        active = bytes()
        cheatingIncidents = counters()
        lateSubmissions = counters()
        startBands = UnsafeMutablePointer<UInt16>.allocate(capacity: max(count, 1))
        startBands.initialize(repeating: 0, count: max(count, 1))
    }

    deinit {
        for column in [
            listening, reading, writing, speaking, motivation, selfRegulation, digitalCompetence,
            connectivity, integrity, aptitude, onlineMinutes, course,
        ] {
            column.deallocate()
        }
        deviceAccess.deallocate()
        active.deallocate()
        cheatingIncidents.deallocate()
        lateSubmissions.deallocate()
        startBands.deallocate()
    }

    /// A checksum of the columns plugins may read but not write (skills, motivation, traits,
    /// device access, enrolment) over `range`: equal before and after a per-student hook unless
    /// the hook wrote into them.
    public func readOnlyChecksum(_ range: Range<Int>) -> UInt64 {
        var sum: UInt64 = 0
        for column in [listening, reading, writing, speaking, motivation, selfRegulation, digitalCompetence, connectivity, integrity] {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15
            for i in range { h = (h ^ UInt64(column[i].bitPattern)) &* 0x100_0000_01B3 }
            sum = (sum &* 31) &+ h
        }
        for i in range { sum = (sum ^ (UInt64(deviceAccess[i]) << 1 | UInt64(active[i]))) &* 0x100_0000_01B3 }
        return sum
    }

    /// The column of one skill.
    @inline(__always)
    public func skill(_ skill: Skill) -> UnsafeMutablePointer<Float> {
        switch skill {
        case .listening: listening
        case .reading: reading
        case .writing: writing
        case .speaking: speaking
        }
    }

    /// The band skill `k` (0…3, `Skill` order; 4 for the overall score) started in.
    @inline(__always)
    public func startBand(_ student: Int, _ k: Int) -> Int { Int(startBands[student] >> UInt16(3 * k)) & 7 }

    /// The mean of a student's four skills: the score their level is derived from.
    @inline(__always)
    public func overall(_ student: Int) -> Float {
        (listening[student] + reading[student] + writing[student] + speaking[student]) * 0.25
    }
}
