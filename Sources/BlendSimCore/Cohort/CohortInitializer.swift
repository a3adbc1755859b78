import BlendSimSystem

/// Draws a group's students at the start of the semester.
///
/// Students are assigned to starting bands in exact proportions (largest remainder), in band
/// order, so every replication starts from the scenario's level shares. Within a band the overall
/// score is uniform; the four skills scatter around it with `skillSpread` and are re-centred so
/// their mean is the overall score. Traits are beta-distributed, sampled by inverse transform from
/// tabulated quantiles. Each trait has its own draw, so changing one trait's distribution leaves
/// every other value as it was. Build one initializer per group and reuse it across replications:
/// the tables cost more than the students.
public struct CohortInitializer: Sendable {
    public let population: PopulationSpec
    /// First student index of each band, plus the count at the end (7 entries).
    let bandStarts: [Int]
    let motivation: BetaQuantileTable
    let selfRegulation: BetaQuantileTable
    let digitalCompetence: BetaQuantileTable
    let connectivity: BetaQuantileTable
    let integrity: BetaQuantileTable
    /// Standard deviation of what a student's end-of-course test owes to things other than this
    /// course's learning (prior knowledge of the content, the test's error), in course points.
    public let coursePriorSD: Double
    /// Correlation of self-regulation's normal score with the standardised starting score
    /// (`regulation_level_correlation`; 0 draws them independently).
    public let regulationLevelCorrelation: Double
    /// Correlation of the course prior's normal score with the standardised starting score
    /// (`course_prior_level_correlation`).
    public let coursePriorLevelCorrelation: Double
    /// The university's own students, when the group reads them from a file; `bootstrap` draws
    /// each student's row at random (with replacement, seeded per replication) instead of taking
    /// the rows in order.
    public let data: CohortData?
    public let bootstrap: Bool

    /// The starting overall score's mean and sd in the seed study's cohort (69% A2, 20% B1, 11%
    /// B2, uniform within each band): the scale on which self-regulation correlates with level,
    /// the same for every group whatever its own mix.
    static let referenceMean = 138.4
    static let referenceSD = 14.8

    public init(
        population: PopulationSpec, levelShares: [Double], students: Int, coursePriorSD: Double = 0,
        regulationLevelCorrelation: Double = 0, coursePriorLevelCorrelation: Double = 0, data: CohortData? = nil,
        bootstrap: Bool = false
    ) {
        self.population = population
        self.data = data
        self.bootstrap = bootstrap || (data.map { $0.count != students } ?? false)
        self.coursePriorSD = coursePriorSD
        self.regulationLevelCorrelation = regulationLevelCorrelation
        self.coursePriorLevelCorrelation = coursePriorLevelCorrelation
        let counts = Self.apportion(shares: levelShares, total: students)
        var starts = [0]
        for count in counts { starts.append(starts.last! + count) }
        bandStarts = starts
        motivation = BetaQuantileTable.shared(population.motivation)
        selfRegulation = BetaQuantileTable.shared(population.selfRegulation)
        digitalCompetence = BetaQuantileTable.shared(population.digitalCompetence)
        connectivity = BetaQuantileTable.shared(population.connectivity)
        integrity = BetaQuantileTable.shared(population.integrity)
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

    /// Draw numbers within a student's initialisation stream.
    enum Draw {
        static let level: UInt64 = 0
        static let skillOffsets: UInt64 = 1  // 4 draws
        static let motivation: UInt64 = 5
        static let selfRegulation: UInt64 = 6
        static let digitalCompetence: UInt64 = 7
        static let connectivity: UInt64 = 8
        static let integrity: UInt64 = 9
        static let device: UInt64 = 10
        static let aptitude: UInt64 = 11
        static let coursePrior: UInt64 = 12
        static let bootstrapRow: UInt64 = 13
    }

    /// Initialises students `range` and adds their starting state to `metrics`.
    ///
    /// With a university's own file (`data`), what a student's row gives is used as given
    /// (scores, a level, traits) and what it leaves out is drawn exactly as for a generated
    /// cohort, with the same draw numbers — self-regulation through the same copula with the
    /// starting score, so a missing trait is drawn conditional on what is known. With
    /// `bootstrap`, each student's row is drawn from the file with replacement, from the
    /// student's own stream.
    public func initialize(
        cohort: Cohort, range: Range<Int>, groupKey: UInt64, into metrics: inout MetricAccumulator
    ) {
        let p = population
        let aptitudeSigma = (log(1 + p.aptitudeSD * p.aptitudeSD)).squareRoot()
        let rho = regulationLevelCorrelation
        let residual = (1 - rho * rho).squareRoot()
        let lambda = coursePriorLevelCorrelation
        let priorResidual = (1 - lambda * lambda).squareRoot()
        for i in range {
            let key = CounterRandom.derive(CounterRandom.derive(groupKey, UInt64(i)), 0)
            // Uniforms in (0, 1) for the quantile functions.
            func draw(_ n: UInt64) -> Double { CounterRandom.uniform(key, n) * (1 - 0x1p-52) + 0x1p-53 }
            var row = i
            if let data, bootstrap { row = min(Int(CounterRandom.uniform(key, Draw.bootstrapRow) * Double(data.count)), data.count - 1) }
            /// The file's value of a column for this student, if it gives one.
            func known(_ column: [Float]?) -> Float? {
                guard let value = column?[row], !value.isNaN else { return nil }
                return value
            }

            var scores: InlineArray<4, Double> = [0, 0, 0, 0]
            let overall: Double
            if let skills = data?.skills {
                for s in 0..<4 { scores[s] = Double(skills[s][row]) }
                overall = (scores[0] + scores[1] + scores[2] + scores[3]) / 4
            } else {
                if let given = known(data?.overall) {
                    overall = Double(given)
                } else {
                    let band = data?.bands.map { LevelBand(rawValue: Int($0[row])) ?? .elementary } ?? band(of: i)
                    overall = band.lowerBound + 20 * CounterRandom.uniform(key, Draw.level)
                }
                var offsets: InlineArray<4, Double> = [0, 0, 0, 0]
                var centre = 0.0
                for s in 0..<4 {
                    offsets[s] = Quantiles.normal(draw(Draw.skillOffsets + UInt64(s))) * p.skillSpread
                    centre += offsets[s]
                }
                centre /= 4
                for s in 0..<4 { scores[s] = overall + offsets[s] - centre }
            }
            var sum: Float = 0
            var bands: UInt16 = 0
            for skill in Skill.allCases {
                let score = min(max(scores[skill.rawValue], CambridgeScale.minimum), CambridgeScale.maximum)
                cohort.skill(skill)[i] = Float(score)
                bands |= UInt16(LevelBand.index(of: Float(score))) << UInt16(3 * skill.rawValue)
                sum += Float(score)
            }
            cohort.startBands[i] = bands | UInt16(LevelBand.index(of: sum * 0.25)) << 12
            cohort.motivation[i] = known(data?.motivation) ?? Float(motivation.value(draw(Draw.motivation)))
            // The starting score on the reference scale, for the traits that lean on it.
            let z = (overall - Self.referenceMean) / Self.referenceSD
            if let given = known(data?.selfRegulation) {
                cohort.selfRegulation[i] = given
            } else {
                var regulationDraw = draw(Draw.selfRegulation)
                if rho > 0 {
                    // The Gaussian copula: the draw's normal score leans towards the standardised
                    // starting score, and returns to a uniform through Φ.
                    let score = rho * z + residual * Quantiles.normal(regulationDraw)
                    regulationDraw = min(max(0.5 * erfc(-score / 2.0.squareRoot()), 0x1p-53), 1 - 0x1p-53)
                }
                cohort.selfRegulation[i] = Float(selfRegulation.value(regulationDraw))
            }
            cohort.digitalCompetence[i] = known(data?.digitalCompetence) ?? Float(digitalCompetence.value(draw(Draw.digitalCompetence)))
            cohort.connectivity[i] = known(data?.connectivity) ?? Float(connectivity.value(draw(Draw.connectivity)))
            cohort.integrity[i] = known(data?.integrity) ?? Float(integrity.value(draw(Draw.integrity)))
            if let device = data?.deviceAccess?[row], device <= 1 {
                cohort.deviceAccess[i] = device
            } else {
                cohort.deviceAccess[i] = CounterRandom.uniform(key, Draw.device) < p.deviceAccess ? 1 : 0
            }
            let aptitudeScore = Quantiles.normal(draw(Draw.aptitude))
            cohort.aptitude[i] = Float(exp(aptitudeSigma * aptitudeScore - aptitudeSigma * aptitudeSigma / 2))
            let priorScore = Quantiles.normal(draw(Draw.coursePrior))
            cohort.course[i] = Float(coursePriorSD * (lambda > 0 ? lambda * z + priorResidual * priorScore : priorScore))
            cohort.active[i] = 1
            cohort.onlineMinutes[i] = 0
            cohort.cheatingIncidents[i] = 0
            cohort.lateSubmissions[i] = 0
            metrics.addStudent(
                listening: cohort.listening[i], reading: cohort.reading[i], writing: cohort.writing[i],
                speaking: cohort.speaking[i], motivation: cohort.motivation[i], onlineMinutes: 0,
                digitalCompetence: cohort.digitalCompetence[i])
            metrics.addCourse(cohort.course[i], cheated: false)
        }
    }
}
