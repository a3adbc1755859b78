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

/// Guided learning hours a learner typically needs to cross each 20-point band of the Cambridge
/// English Scale (Cambridge English / ALTE guideline: about 90–100 hours to reach A1, 180–200 to
/// A2, 350–400 to B1, 500–600 to B2, 700–800 to C1, 1,000–1,200 to C2, cumulative; the
/// differences of the midpoints). Below A1 the A1 figure is used; within C2 (200–230), which the
/// guideline does not break down, the C1-to-C2 figure (an assumption).
public enum GuidedHours {
    /// Hours to cross the band starting at 80, 100, …, 220.
    public static let perBand: [Double] = [95, 95, 185, 175, 200, 350, 350, 350]

    /// The band of `score` (0 for 80–99 and below, …, 7 for 220 and above; 0 for NaN).
    @inline(__always)
    public static func band(_ score: Float) -> Int {
        let x = (score - 80) * 0.05
        return x >= 0 ? Int(min(x, 7)) : 0
    }

    /// Growth factors per band relative to the band of `reference`: R = h(reference) / h(score).
    public struct Pace: Sendable {
        public var factors: (Float, Float, Float, Float, Float, Float, Float, Float)

        @inline(__always)
        public func factor(_ score: Float) -> Float {
            withUnsafeBytes(of: factors) { $0.load(fromByteOffset: GuidedHours.band(score) &* 4, as: Float.self) }
        }
    }

    public static func pace(reference: Double) -> Pace {
        let h = perBand[band(Float(reference))]
        func f(_ index: Int) -> Float { Float(h / perBand[index]) }
        return Pace(factors: (f(0), f(1), f(2), f(3), f(4), f(5), f(6), f(7)))
    }
}
