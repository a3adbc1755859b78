/// A figure summarised over replications: mean, standard deviation, 95% confidence interval of the
/// mean and the number of replications. With fewer than two values the sd and the interval are
/// unknown (nil), not zero.
public struct Statistic: Sendable, Equatable {
    public var mean: Double
    public var sd: Double?
    public var ci95: (lower: Double, upper: Double)?
    public var n: Int

    public init(mean: Double, sd: Double?, ci95: (lower: Double, upper: Double)?, n: Int) {
        self.mean = mean
        self.sd = sd
        self.ci95 = ci95
        self.n = n
    }

    /// Summarises `values` in their given order (the order fixes the rounding of the sums).
    /// Non-finite values are skipped.
    public init(_ values: [Double]) {
        let finite = values.filter { $0.isFinite }
        n = finite.count
        guard n > 0 else {
            mean = .nan
            sd = nil
            ci95 = nil
            return
        }
        let m = finite.reduce(0, +) / Double(n)
        mean = m
        guard n > 1 else {
            sd = nil
            ci95 = nil
            return
        }
        let squares = finite.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        let s = (squares / Double(n - 1)).squareRoot()
        sd = s
        let half = StudentT.quantile(0.975, degreesOfFreedom: Double(n - 1)) * s / Double(n).squareRoot()
        ci95 = (m - half, m + half)
    }

    public static func == (a: Statistic, b: Statistic) -> Bool {
        a.mean.bitPattern == b.mean.bitPattern && a.sd == b.sd && a.n == b.n
            && a.ci95?.lower == b.ci95?.lower && a.ci95?.upper == b.ci95?.upper
    }
}
