/// How a trait in [0, 1] is distributed over a group's students: a beta distribution with the
/// given mean and standard deviation (a constant when `sd` is 0).
public struct TraitDistribution: Sendable, Hashable {
    public var mean: Double
    public var sd: Double

    public init(mean: Double, sd: Double) {
        self.mean = mean
        self.sd = sd
    }

    /// Whether a beta distribution with this mean and sd exists: 0 < mean < 1 and
    /// sd² < mean·(1 − mean), or sd = 0.
    public var isFeasible: Bool {
        guard mean >= 0, mean <= 1, sd >= 0 else { return false }
        if sd == 0 { return true }
        return mean > 0 && mean < 1 && sd * sd < mean * (1 - mean)
    }

    /// The beta shape parameters (α, β) by the method of moments.
    public var betaShape: (alpha: Double, beta: Double) {
        let common = mean * (1 - mean) / (sd * sd) - 1
        return (mean * common, (1 - mean) * common)
    }
}

/// The traits of a group's students at the start of the semester.
///
/// Defaults are documented in docs/SCENARIO.md with their sources.
public struct PopulationSpec: Sendable, Hashable {
    /// Motivation to learn English.
    public var motivation = TraitDistribution(mean: 0.55, sd: 0.15)
    /// Ability to plan and keep up self-paced work.
    public var selfRegulation = TraitDistribution(mean: 0.5, sd: 0.15)
    /// Skill with digital tools and platforms (the paper: "different levels of digital competence").
    public var digitalCompetence = TraitDistribution(mean: 0.6, sd: 0.18)
    /// Share of students with a personal PC (the paper: "not all students have the opportunity to
    /// work with a personal PC").
    public var deviceAccess = 0.8
    /// Quality of the student's internet connection (the paper: "low quality of the Internet").
    public var connectivity = TraitDistribution(mean: 0.65, sd: 0.2)
    /// Academic integrity: resistance to copying online work (the paper: 34.7% of teachers expect
    /// online work to invite cheating).
    public var integrity = TraitDistribution(mean: 0.7, sd: 0.18)
    /// Standard deviation of each skill around the student's overall level, in scale points.
    public var skillSpread = 5.0
    /// Standard deviation of the individual learning-rate multiplier (mean 1).
    public var aptitudeSD = 0.2

    public init() {}
}
