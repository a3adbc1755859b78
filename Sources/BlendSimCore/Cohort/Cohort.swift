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

    /// All the columns, in one zeroed allocation: one allocation per group and replication, which
    /// matters for the many small runs of a calibration.
    let storage: UnsafeMutableRawPointer

    /// Allocates zeroed columns for `count` students.
    public init(count: Int) {
        precondition(count >= 0)
        self.count = count
        let n = max(count, 1)
        // Each column starts on a 64-byte boundary (a cache line).
        func span(_ bytes: Int) -> Int { (bytes * n + 63) & ~63 }
        let widths = [Int](repeating: MemoryLayout<Float>.stride, count: 12)
            + [MemoryLayout<UInt8>.stride, MemoryLayout<UInt8>.stride]
            + [Int](repeating: MemoryLayout<UInt16>.stride, count: 3)
        let total = widths.reduce(0) { $0 + span($1) }
        let base = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: total)
        storage = base
        var offset = 0
        func column<T>(_ type: T.Type) -> UnsafeMutablePointer<T> {
            let pointer = (base + offset).bindMemory(to: T.self, capacity: n)
            offset += span(MemoryLayout<T>.stride)
            return pointer
        }
        listening = column(Float.self)
        reading = column(Float.self)
        writing = column(Float.self)
        speaking = column(Float.self)
        motivation = column(Float.self)
        selfRegulation = column(Float.self)
        digitalCompetence = column(Float.self)
        connectivity = column(Float.self)
        integrity = column(Float.self)
        aptitude = column(Float.self)
        onlineMinutes = column(Float.self)
        course = column(Float.self)
        deviceAccess = column(UInt8.self)
        active = column(UInt8.self)
        cheatingIncidents = column(UInt16.self)
        lateSubmissions = column(UInt16.self)
        startBands = column(UInt16.self)
    }

    deinit {
        storage.deallocate()
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
