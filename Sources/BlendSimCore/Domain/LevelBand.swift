/// A proficiency band on the Cambridge English Scale, named as the paper names its levels.
///
/// The bands follow the CEFR: A1 100–119, A2 120–139, B1 140–159, B2 160–179, C1 180–199 and
/// C2 200–230. The paper's three levels are pre-intermediate (A2), intermediate (B1) and
/// upper-intermediate (B2). A student's level is the band of the mean of their four skills.
public enum LevelBand: Int, CaseIterable, Sendable {
    case elementary, preIntermediate, intermediate, upperIntermediate, advanced, proficiency

    /// The key used in scenarios and results.
    public var key: String {
        switch self {
        case .elementary: "elementary"
        case .preIntermediate: "pre_intermediate"
        case .intermediate: "intermediate"
        case .upperIntermediate: "upper_intermediate"
        case .advanced: "advanced"
        case .proficiency: "proficiency"
        }
    }

    /// The CEFR label.
    public var cefr: String { ["A1", "A2", "B1", "B2", "C1", "C2"][rawValue] }

    /// The lowest scale score in the band (inclusive).
    public var lowerBound: Double { 100 + 20 * Double(rawValue) }

    /// The score at which the next band starts; the top band ends at the top of the scale.
    public var upperBound: Double {
        self == .proficiency ? CambridgeScale.maximum : lowerBound + 20
    }

    public init?(key: String) {
        guard let band = LevelBand.allCases.first(where: { $0.key == key }) else { return nil }
        self = band
    }

    /// The band's `rawValue` for a score (below A1 counts as elementary): five comparisons, no division, no conversion, no
    /// branch — this runs several times per student-week.
    @inline(__always)
    public static func index(of score: Float) -> Int {
        (score >= 120 ? 1 : 0) &+ (score >= 140 ? 1 : 0) &+ (score >= 160 ? 1 : 0)
            &+ (score >= 180 ? 1 : 0) &+ (score >= 200 ? 1 : 0)
    }
}

/// Bounds of the Cambridge English Scale as blendsim uses it.
public enum CambridgeScale {
    /// No skill falls below this score.
    public static let minimum: Double = 80
    /// No skill rises above this score.
    public static let maximum: Double = 230
}
