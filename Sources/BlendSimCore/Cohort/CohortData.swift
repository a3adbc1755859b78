/// A group's students as a university knows them: one row per student from its own file
/// (placement-test results, a start-of-course survey), already mapped to blendsim's scales.
///
/// Every column is optional, and within a column a value may be missing (NaN, or 255 for device
/// access): what is not known is drawn from the group's population as for a generated cohort.
/// Each student has a starting place — four skill scores, an overall score or a CEFR band — or
/// the file is refused when it is read. Student identifiers (`ids`) are held in memory only, to
/// match a pilot's results to its students; nothing blendsim writes contains them.
public struct CohortData: Sendable {
    /// Students in the file.
    public var count: Int
    /// Scores per skill on the Cambridge English Scale (`Skill` order), when the file gives all four.
    public var skills: [[Float]]?
    /// The overall score on the Cambridge English Scale, when the file gives one.
    public var overall: [Float]?
    /// The starting band (`LevelBand.rawValue`), when the file gives a level.
    public var bands: [UInt8]?
    /// Traits in [0, 1], NaN where the file leaves a student's value blank.
    public var motivation: [Float]?
    public var selfRegulation: [Float]?
    public var digitalCompetence: [Float]?
    public var connectivity: [Float]?
    public var integrity: [Float]?
    /// 1 with a personal PC, 0 without, 255 when not known.
    public var deviceAccess: [UInt8]?
    /// The students' identifiers, when the mapping names an `id` column, with the line of each.
    public var ids: [String]?
    public var idLines: [Int]?
    /// The file it came from and its SHA-256 (the manifest records these, never the content).
    public var path: String
    public var sha256: String

    public init(count: Int, path: String, sha256: String) {
        self.count = count
        self.path = path
        self.sha256 = sha256
    }

    /// The starting band of row `row`, from whichever starting place the file gives.
    public func band(_ row: Int) -> Int {
        if let skills {
            return LevelBand.index(of: (skills[0][row] + skills[1][row] + skills[2][row] + skills[3][row]) * 0.25)
        }
        if let overall { return LevelBand.index(of: overall[row]) }
        return Int(bands?[row] ?? 0)
    }

    /// The share of students starting in each band (`LevelBand.rawValue` order).
    public var levelShares: [Double] {
        var counts = [Int](repeating: 0, count: LevelBand.allCases.count)
        for row in 0..<count { counts[band(row)] += 1 }
        return counts.map { Double($0) / Double(max(count, 1)) }
    }

    /// Mean and standard deviation of a trait's known values, and how many are known.
    public static func summary(_ column: [Float]?) -> (mean: Double, sd: Double, known: Int)? {
        guard let column else { return nil }
        var n = 0, sum = 0.0, squares = 0.0
        for value in column where !value.isNaN {
            n += 1
            sum += Double(value)
            squares += Double(value) * Double(value)
        }
        guard n > 0 else { return (0, 0, 0) }
        let mean = sum / Double(n)
        return (mean, n > 1 ? (max(0, squares - Double(n) * mean * mean) / Double(n - 1)).squareRoot() : 0, n)
    }
}
