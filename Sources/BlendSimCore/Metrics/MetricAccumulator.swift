/// Sums over the students of one chunk (or of a whole group), kept in fixed point.
///
/// Integer sums are exact, so adding partials in any grouping gives the same bits: results do not
/// depend on the chunk size or the thread count. Scores are quantised to 2⁻²⁰ points (far below
/// anything reported) before they are added.
public struct MetricAccumulator: Sendable {
    static let scale: Double = 1_048_576  // 2^20
    static let squareScale: Double = 256  // 2^8, so squares of scores fit in Int64

    public var active: Int64 = 0
    var skillSums = InlineArray<4, Int64>(repeating: 0)
    var overallSum: Int64 = 0
    var overallCoarseSum: Int64 = 0
    var overallCoarseSquares: Int64 = 0
    var motivationSum: Int64 = 0
    /// Students per band (six bands; two spare slots so the kernel's index needs no bounds check).
    var bandCounts = InlineArray<8, Int64>(repeating: 0)
    var onlineMinutesSum: Int64 = 0
    public var cheating: Int64 = 0
    public var late: Int64 = 0
    public var dropouts: Int64 = 0
    var measuredSum: Int64 = 0
    var digitalSum: Int64 = 0
    /// Students who had online work at home this week without a device of their own or on loan.
    public var withoutDevice: Int64 = 0
    /// Students who had online work at home this week over a poor connection.
    public var poorConnection: Int64 = 0
    /// Students whose motivation ended the week low.
    var lowMotivation: Int64 = 0
    /// Students above their starting band: per skill (`Skill` order), then the overall score.
    public var levelUps = InlineArray<5, Int64>(repeating: 0)
    /// Course achievement: sum (fine scale) and sum and sum of squares (coarse scale, 2⁻⁴).
    var courseSum: Int64 = 0
    var courseCoarseSum: Int64 = 0
    var courseCoarseSquares: Int64 = 0
    /// Students who have made at least one copy attempt this semester.
    var cheaters: Int64 = 0
    /// Final week only: self-regulation r (2⁻¹⁶), r² (2⁻¹⁶) and r × course (2⁻⁸), for the
    /// correlation of self-regulation with course achievement.
    var regulationSum: Int64 = 0
    var regulationSquares: Int64 = 0
    var regulationCourse: Int64 = 0
    var finalCount: Int64 = 0
    static let courseCoarseScale: Double = 16

    /// Motivation below this counts as low.
    public static let lowMotivationThreshold: Float = 0.3
    /// Connectivity below this counts as poor.
    public static let poorConnectionThreshold: Float = 0.4

    public init() {}

    /// Fixed point, rounded to nearest (ties to even), without a checked conversion: adding
    /// 1.5 × 2⁵² puts the integer part in the low bits of the double's significand. For
    /// |x| < 2⁵¹ the sum stays in [2⁵², 2⁵³), where doubles are spaced exactly 1 apart, so negative
    /// values round as positive ones do (adding only 2⁵² would put a negative x below 2⁵², where
    /// the spacing is ½, and count it twice). |x| < 2⁵¹ is far beyond any score, motivation or
    /// minute count times its scale.
    @inline(__always)
    static func round(_ x: Double) -> Int64 {
        Int64(bitPattern: (x + 0x1.8p52).bitPattern) &- Int64(bitPattern: (0x1.8p52 as Double).bitPattern)
    }

    /// `round(Double(value) × 2^e)` without the multiplication, for `magic` = 1.5 × 2^(52 − e):
    /// scaling by a power of two is exact, so rounding `value` to the grid of spacing 2^−e that
    /// doubles have in [2^(52 − e), 2^(53 − e)) is the same rounding of the same number (for
    /// |value| < 2^(51 − e)).
    @inline(__always)
    static func scaled(_ value: Float, magic: Double) -> Int64 {
        Int64(bitPattern: (Double(value) + magic).bitPattern) &- Int64(bitPattern: magic.bitPattern)
    }

    /// The magic numbers of `scaled` for the scales used: 2²⁰ (`scale`), 2⁸ (`squareScale`,
    /// minutes), 2⁴ (`courseCoarseScale`).
    static let magic20: Double = 0x1.8p32
    static let magic8: Double = 0x1.8p44
    static let magic4: Double = 0x1.8p48

    /// Fixed point with 20 fractional bits.
    @inline(__always)
    static func fixed(_ value: Float) -> Int64 { scaled(value, magic: magic20) }

    /// Adds one active student's end-of-week state.
    @inline(__always)
    mutating func addStudent(
        listening: Float, reading: Float, writing: Float, speaking: Float, motivation: Float,
        onlineMinutes: Float, digitalCompetence: Float
    ) {
        let overall = (listening + reading + writing + speaking) * 0.25
        addStudent(
            listening: listening, reading: reading, writing: writing, speaking: speaking, overall: overall,
            band: LevelBand.index(of: overall), motivation: motivation, onlineMinutes: onlineMinutes,
            digitalCompetence: digitalCompetence)
    }

    /// Counts the skills (and the overall level) above their starting band.
    @inline(__always)
    mutating func countLevelUps(_ l: Bool, _ r: Bool, _ w: Bool, _ s: Bool, _ overall: Bool) {
        levelUps[0] &+= l ? 1 : 0
        levelUps[1] &+= r ? 1 : 0
        levelUps[2] &+= w ? 1 : 0
        levelUps[3] &+= s ? 1 : 0
        levelUps[4] &+= overall ? 1 : 0
    }

    /// Adds one active student's end-of-week state, with the overall score and its band known.
    @inline(__always)
    mutating func addStudent(
        listening: Float, reading: Float, writing: Float, speaking: Float, overall: Float, band: Int,
        motivation: Float, onlineMinutes: Float, digitalCompetence: Float
    ) {
        // Wrapping adds: a chunk holds far fewer than 2⁶³ students.
        active &+= 1
        digitalSum &+= Self.fixed(digitalCompetence)
        lowMotivation &+= motivation < Self.lowMotivationThreshold ? 1 : 0
        skillSums[0] &+= Self.fixed(listening)
        skillSums[1] &+= Self.fixed(reading)
        skillSums[2] &+= Self.fixed(writing)
        skillSums[3] &+= Self.fixed(speaking)
        overallSum &+= Self.fixed(overall)
        let coarse = Self.scaled(overall, magic: Self.magic8)
        overallCoarseSum &+= coarse
        overallCoarseSquares &+= coarse &* coarse
        motivationSum &+= Self.fixed(motivation)
        // `band` is a count of five thresholds passed, so 0…5; `& 7` lets the compiler see the
        // index is below 8 and drop the bounds check without changing it.
        bandCounts[band & 7] &+= 1
        onlineMinutesSum &+= Self.scaled(onlineMinutes, magic: Self.magic8)
    }

    /// Adds one active student's course achievement, and whether they have ever copied.
    @inline(__always)
    mutating func addCourse(_ course: Float, cheated: Bool) {
        courseSum &+= Self.fixed(course)
        let coarse = Self.scaled(course, magic: Self.magic4)
        courseCoarseSum &+= coarse
        courseCoarseSquares &+= coarse &* coarse
        cheaters &+= cheated ? 1 : 0
    }

    /// Adds one active student's end-of-course values (the last week only).
    @inline(__always)
    mutating func addFinal(course: Float, selfRegulation r: Float) {
        finalCount &+= 1
        regulationSum &+= Self.round(Double(r) * 65_536)
        regulationSquares &+= Self.round(Double(r * r) * 65_536)
        regulationCourse &+= Self.round(Double(r * course) * 256)
    }

    @inline(__always)
    mutating func addMeasured(_ score: Float) { measuredSum &+= Self.fixed(score) }

    /// Adds another partial.
    public mutating func merge(_ other: MetricAccumulator) {
        active &+= other.active
        for k in 0..<4 { skillSums[k] &+= other.skillSums[k] }
        overallSum &+= other.overallSum
        overallCoarseSum &+= other.overallCoarseSum
        overallCoarseSquares &+= other.overallCoarseSquares
        motivationSum &+= other.motivationSum
        for b in 0..<6 { bandCounts[b] &+= other.bandCounts[b] }
        onlineMinutesSum &+= other.onlineMinutesSum
        cheating &+= other.cheating
        late &+= other.late
        dropouts &+= other.dropouts
        measuredSum &+= other.measuredSum
        digitalSum &+= other.digitalSum
        withoutDevice &+= other.withoutDevice
        poorConnection &+= other.poorConnection
        lowMotivation &+= other.lowMotivation
        for k in 0..<5 { levelUps[k] &+= other.levelUps[k] }
        courseSum &+= other.courseSum
        courseCoarseSum &+= other.courseCoarseSum
        courseCoarseSquares &+= other.courseCoarseSquares
        cheaters &+= other.cheaters
        regulationSum &+= other.regulationSum
        regulationSquares &+= other.regulationSquares
        regulationCourse &+= other.regulationCourse
        finalCount &+= other.finalCount
    }

    /// The means and shares these sums stand for, for a group that enrolled `enrolled` students.
    public func metrics(week: Int, enrolled: Int) -> WeekMetrics {
        let n = Double(active)
        func mean(_ sum: Int64) -> Double { active > 0 ? Double(sum) / Self.scale / n : .nan }
        var sd = 0.0
        if active > 1 {
            let s = Double(overallCoarseSum)
            let ss = Double(overallCoarseSquares)
            let variance = max(0, (ss - s * s / n) / (n - 1)) / (Self.squareScale * Self.squareScale)
            sd = variance.squareRoot()
        }
        var courseSD = 0.0
        var correlation = Double.nan
        if active > 1 {
            let s = Double(courseCoarseSum), ss = Double(courseCoarseSquares)
            let scale = Self.courseCoarseScale
            courseSD = (max(0, (ss - s * s / n) / (n - 1)) / (scale * scale)).squareRoot()
            if finalCount == active {
                let sr = Double(regulationSum) / 65_536, srr = Double(regulationSquares) / 65_536
                let sy = s / scale, syy = ss / (scale * scale), sry = Double(regulationCourse) / 256
                let covariance = n * sry - sr * sy
                let spread = (max(0, n * srr - sr * sr) * max(0, n * syy - sy * sy)).squareRoot()
                if spread > 0 { correlation = max(-1, min(1, covariance / spread)) }
            }
        }
        return WeekMetrics(
            week: week,
            active: Int(active),
            activeShare: enrolled > 0 ? n / Double(enrolled) : 0,
            skills: FixedValues { mean(skillSums[$0]) },
            overall: mean(overallSum),
            overallSD: sd,
            motivation: mean(motivationSum),
            bandShares: FixedValues { active > 0 ? Double(bandCounts[$0]) / n : 0 },
            onlineMinutes: active > 0 ? Double(onlineMinutesSum) / 256 / n : 0,
            cheating: Int(cheating),
            late: Int(late),
            dropouts: Int(dropouts),
            measured: mean(measuredSum),
            digitalCompetence: mean(digitalSum),
            withoutDeviceShare: active > 0 ? Double(withoutDevice) / n : 0,
            poorConnectionShare: active > 0 ? Double(poorConnection) / n : 0,
            lowMotivationShare: active > 0 ? Double(lowMotivation) / n : 0,
            teacherLoad: 0,
            levelUpShares: FixedValues { active > 0 ? Double(levelUps[$0]) / n : 0 },
            course: mean(courseSum), courseSD: courseSD,
            cheaterShare: active > 0 ? Double(cheaters) / n : 0,
            regulationCourseCorrelation: correlation)
    }
}

/// A group's state at the end of one week of one replication (week 0: the start).
public struct WeekMetrics: Sendable, Equatable {
    public var week: Int
    /// Students still enrolled.
    public var active: Int
    public var activeShare: Double
    /// Mean of each skill over enrolled students, in `Skill` order.
    public var skills: FixedValues<4>
    /// Mean overall score (mean of the four skills).
    public var overall: Double
    /// Standard deviation of the overall score across students.
    public var overallSD: Double
    public var motivation: Double
    /// Share of enrolled students in each `LevelBand`.
    public var bandShares: FixedValues<6>
    /// Mean online minutes per enrolled student, cumulative since the start.
    public var onlineMinutes: Double
    /// Incidents in this week.
    public var cheating: Int
    public var late: Int
    public var dropouts: Int
    /// Mean measured assessment score (control-point weeks only; NaN otherwise).
    public var measured: Double
    /// Mean digital competence.
    public var digitalCompetence: Double
    /// Share of enrolled students who had online work at home without a device this week.
    public var withoutDeviceShare: Double
    /// Share of enrolled students who had online work at home over a poor connection this week.
    public var poorConnectionShare: Double
    /// Share of enrolled students with low motivation (below 0.3).
    public var lowMotivationShare: Double
    /// Teachers' marking load (1 = all their feedback time; above 1 feedback shrinks).
    public var teacherLoad: Double
    /// Share of enrolled students above their starting band, per skill (`Skill` order), then for
    /// the overall score.
    public var levelUpShares: FixedValues<5>
    /// Mean course achievement (points of the course's content; docs/MODEL.md 3.3 (6)).
    public var course: Double
    /// Standard deviation of course achievement across students.
    public var courseSD: Double
    /// Share of enrolled students who have made at least one copy attempt this semester.
    public var cheaterShare: Double
    /// Correlation of self-regulation with course achievement across students (the last week
    /// only; NaN otherwise).
    public var regulationCourseCorrelation: Double

    public init(
        week: Int, active: Int, activeShare: Double, skills: FixedValues<4>, overall: Double, overallSD: Double,
        motivation: Double, bandShares: FixedValues<6>, onlineMinutes: Double, cheating: Int, late: Int, dropouts: Int,
        measured: Double, digitalCompetence: Double, withoutDeviceShare: Double, poorConnectionShare: Double,
        lowMotivationShare: Double, teacherLoad: Double, levelUpShares: FixedValues<5>,
        course: Double = 0, courseSD: Double = 0, cheaterShare: Double = 0,
        regulationCourseCorrelation: Double = .nan
    ) {
        self.week = week
        self.active = active
        self.activeShare = activeShare
        self.skills = skills
        self.overall = overall
        self.overallSD = overallSD
        self.motivation = motivation
        self.bandShares = bandShares
        self.onlineMinutes = onlineMinutes
        self.cheating = cheating
        self.late = late
        self.dropouts = dropouts
        self.measured = measured
        self.digitalCompetence = digitalCompetence
        self.withoutDeviceShare = withoutDeviceShare
        self.poorConnectionShare = poorConnectionShare
        self.lowMotivationShare = lowMotivationShare
        self.teacherLoad = teacherLoad
        self.levelUpShares = levelUpShares
        self.course = course
        self.courseSD = courseSD
        self.cheaterShare = cheaterShare
        self.regulationCourseCorrelation = regulationCourseCorrelation
    }

    /// The same from arrays (of 4 skills, 6 bands and 5 level-up shares).
    public init(
        week: Int, active: Int, activeShare: Double, skills: [Double], overall: Double, overallSD: Double,
        motivation: Double, bandShares: [Double], onlineMinutes: Double, cheating: Int, late: Int, dropouts: Int,
        measured: Double, digitalCompetence: Double, withoutDeviceShare: Double, poorConnectionShare: Double,
        lowMotivationShare: Double, teacherLoad: Double, levelUpShares: [Double],
        course: Double = 0, courseSD: Double = 0, cheaterShare: Double = 0,
        regulationCourseCorrelation: Double = .nan
    ) {
        self.init(
            week: week, active: active, activeShare: activeShare, skills: FixedValues<4>(skills), overall: overall,
            overallSD: overallSD, motivation: motivation, bandShares: FixedValues<6>(bandShares), onlineMinutes: onlineMinutes,
            cheating: cheating, late: late, dropouts: dropouts, measured: measured, digitalCompetence: digitalCompetence,
            withoutDeviceShare: withoutDeviceShare, poorConnectionShare: poorConnectionShare, lowMotivationShare: lowMotivationShare,
            teacherLoad: teacherLoad, levelUpShares: FixedValues<5>(levelUpShares), course: course, courseSD: courseSD,
            cheaterShare: cheaterShare, regulationCourseCorrelation: regulationCourseCorrelation)
    }
}

/// `count` doubles stored inline (no allocation of their own): a week's per-skill, per-band and
/// level-up figures, kept for every week of every replication.
public struct FixedValues<let count: Int>: RandomAccessCollection, Equatable, Sendable, ExpressibleByArrayLiteral {
    var storage: InlineArray<count, Double>

    public init(arrayLiteral elements: Double...) { self.init(elements) }

    public init(repeating value: Double) { storage = InlineArray(repeating: value) }

    /// The values of `array`, which must have `count` elements.
    public init(_ array: [Double]) {
        precondition(array.count == count, "expected \(count) values, got \(array.count)")
        storage = InlineArray { array[$0] }
    }

    /// Element `k` is `value(k)`.
    public init(_ value: (Int) -> Double) { storage = InlineArray { value($0) } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> Double {
        get { storage[position] }
        set { storage[position] = newValue }
    }

    public static func == (a: Self, b: Self) -> Bool {
        for k in 0..<count where a.storage[k] != b.storage[k] { return false }
        return true
    }
}
