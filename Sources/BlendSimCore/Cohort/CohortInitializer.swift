#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws a group's students at the start of the semester.
///
/// Students are assigned to starting bands in exact proportions (largest remainder), in band
/// order, so every replication starts from the scenario's level shares. Within a band the overall
/// score is uniform; the four skills scatter around it with `skillSpread` and are re-centred so
/// their mean is the overall score. Traits are beta-distributed. Each trait has its own stream,
/// so changing one trait's distribution leaves every other draw as it was.
public struct CohortInitializer: Sendable {
    public let population: PopulationSpec
    /// First student index of each band, plus the count at the end (7 entries).
    let bandStarts: [Int]

    public init(population: PopulationSpec, levelShares: [Double], students: Int) {
        self.population = population
        let counts = Self.apportion(shares: levelShares, total: students)
        var starts = [0]
        for count in counts { starts.append(starts.last! + count) }
        bandStarts = starts
    }

    /// Splits `total` into integer counts proportional to `shares` (largest remainder, ties to
    /// the lower band).
    public static func apportion(shares: [Double], total: Int) -> [Int] {
        let sum = shares.reduce(0, +)
        guard sum > 0 else { return shares.map { _ in 0 } }
        let exact = shares.map { $0 / sum * Double(total) }
        var counts = exact.map { Int($0.rounded(.down)) }
        var left = total - counts.reduce(0, +)
        let order = exact.indices.sorted {
            let a = exact[$0] - exact[$0].rounded(.down)
            let b = exact[$1] - exact[$1].rounded(.down)
            return a != b ? a > b : $0 < $1
        }
        var index = 0
        while left > 0 {
            counts[order[index % order.count]] += 1
            left -= 1
            index += 1
        }
        return counts
    }

    /// The starting band of a student.
    func band(of student: Int) -> LevelBand {
        var band = 0
        while band < 5 && student >= bandStarts[band + 1] { band += 1 }
        return LevelBand(rawValue: band)!
    }

    /// Initialises students `range` and adds their starting state to `metrics`.
    public func initialize(
        cohort: Cohort, range: Range<Int>, groupKey: UInt64, into metrics: inout MetricAccumulator
    ) {
        let p = population
        let motivation = BetaSampler(p.motivation)
        let selfRegulation = BetaSampler(p.selfRegulation)
        let digital = BetaSampler(p.digitalCompetence)
        let connectivity = BetaSampler(p.connectivity)
        let integrity = BetaSampler(p.integrity)
        let aptitudeSigma = (log(1 + p.aptitudeSD * p.aptitudeSD)).squareRoot()
        for i in range {
            let initKey = CounterRandom.derive(CounterRandom.derive(groupKey, UInt64(i)), 0)
            func stream(_ purpose: UInt64) -> UInt64 { CounterRandom.derive(initKey, purpose) }

            let band = band(of: i)
            let overall = band.lowerBound + 20 * CounterRandom.uniform(stream(1), 0)
            var offsets = (0..<4).map { CounterRandom.normal(stream(2), UInt64($0)) * p.skillSpread }
            let centre = offsets.reduce(0, +) / 4
            for s in 0..<4 { offsets[s] -= centre }
            for skill in Skill.allCases {
                let score = min(max(overall + offsets[skill.rawValue], CambridgeScale.minimum), CambridgeScale.maximum)
                cohort.skill(skill)[i] = Float(score)
            }
            cohort.motivation[i] = Float(motivation.sample(stream(3)))
            cohort.selfRegulation[i] = Float(selfRegulation.sample(stream(4)))
            cohort.digitalCompetence[i] = Float(digital.sample(stream(5)))
            cohort.connectivity[i] = Float(connectivity.sample(stream(6)))
            cohort.integrity[i] = Float(integrity.sample(stream(7)))
            cohort.deviceAccess[i] = CounterRandom.uniform(stream(8), 0) < p.deviceAccess ? 1 : 0
            let z = CounterRandom.normal(stream(9), 0)
            cohort.aptitude[i] = Float(exp(aptitudeSigma * z - aptitudeSigma * aptitudeSigma / 2))
            for skill in Skill.allCases {
                cohort.startBands[skill.rawValue * cohort.count + i] = UInt8(LevelBand.of(score: cohort.skill(skill)[i]).rawValue)
            }
            cohort.startBands[4 * cohort.count + i] = UInt8(LevelBand.of(score: cohort.overall(i)).rawValue)
            cohort.active[i] = 1
            cohort.onlineMinutes[i] = 0
            cohort.cheatingIncidents[i] = 0
            cohort.lateSubmissions[i] = 0
            metrics.addStudent(
                listening: cohort.listening[i], reading: cohort.reading[i], writing: cohort.writing[i],
                speaking: cohort.speaking[i], motivation: cohort.motivation[i], onlineMinutes: 0,
                digitalCompetence: cohort.digitalCompetence[i])
        }
    }
}

/// Samples a beta distribution from a counter-based stream (Marsaglia–Tsang gamma variates).
struct BetaSampler: Sendable {
    let distribution: TraitDistribution
    let alpha: Double
    let beta: Double

    init(_ distribution: TraitDistribution) {
        self.distribution = distribution
        if distribution.sd > 0 {
            (alpha, beta) = distribution.betaShape
        } else {
            (alpha, beta) = (1, 1)
        }
    }

    func sample(_ stream: UInt64) -> Double {
        guard distribution.sd > 0 else { return distribution.mean }
        var counter: UInt64 = 0
        let x = Self.gamma(alpha, CounterRandom.derive(stream, 1), &counter)
        counter = 0
        let y = Self.gamma(beta, CounterRandom.derive(stream, 2), &counter)
        let total = x + y
        return total > 0 ? x / total : distribution.mean
    }

    /// A Gamma(shape, 1) variate; `counter` advances through the stream.
    static func gamma(_ shape: Double, _ stream: UInt64, _ counter: inout UInt64) -> Double {
        if shape < 1 {
            let u = CounterRandom.uniform(CounterRandom.derive(stream, 0xFFFF), 0)
            return gamma(shape + 1, stream, &counter) * pow(max(u, 1e-300), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = CounterRandom.normal(stream, counter)
            let u = CounterRandom.uniform(CounterRandom.derive(stream, 0xFFFE), counter)
            counter += 1
            var v = 1 + c * x
            if v <= 0 { continue }
            v = v * v * v
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) {
                return d * v
            }
        }
    }
}
