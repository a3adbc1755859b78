import BlendSimSystem

/// Sampling by inverse transform: a value is the distribution's quantile at one uniform draw.
///
/// One draw per value, no rejection loop, no transcendental function on the common path — and a
/// value is monotone in its draw, so two scenarios that share a seed also share which students
/// sit in which tail.
public enum Quantiles {
    /// The standard normal quantile Φ⁻¹(p) (Acklam's rational approximation, relative error
    /// below 1.2·10⁻⁹), for p in (0, 1).
    @inline(__always)
    public static func normal(_ p: Double) -> Double {
        let low = 0.02425
        if p < low {
            let q = (-2 * log(max(p, 1e-300))).squareRoot()
            return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
        }
        if p > 1 - low {
            let q = (-2 * log(max(1 - p, 1e-300))).squareRoot()
            return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
        }
        let q = p - 0.5
        let r = q * q
        return (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q
            / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
    }

    private static let a0 = -3.969683028665376e+01, a1 = 2.209460984245205e+02, a2 = -2.759285104469687e+02
    private static let a3 = 1.383577518672690e+02, a4 = -3.066479806614716e+01, a5 = 2.506628277459239e+00
    private static let b0 = -5.447609879822406e+01, b1 = 1.615858368580409e+02, b2 = -1.556989798598866e+02
    private static let b3 = 6.680131188771972e+01, b4 = -1.328068155288572e+01
    private static let c0 = -7.784894002430293e-03, c1 = -3.223964580411365e-01, c2 = -2.400758277161838e+00
    private static let c3 = -2.549732539343734e+00, c4 = 4.374664141464968e+00, c5 = 2.938163982698783e+00
    private static let d0 = 7.784695709041462e-03, d1 = 3.224671290700398e-01, d2 = 2.445134137142996e+00
    private static let d3 = 3.754408661907416e+00
}

/// A beta distribution's quantile function tabulated at 4,096 equal steps of probability and
/// interpolated linearly between them; a constant when the sd is 0.
public struct BetaQuantileTable: Sendable {
    static let steps = 4096
    let values: [Double]
    let constant: Double?

    private static let cache = LockedValue<[TraitDistribution: BetaQuantileTable]>([:])

    /// The table for `distribution`, computed once per process: runs, calibration evaluations
    /// and replications with the same population share it.
    public static func shared(_ distribution: TraitDistribution) -> BetaQuantileTable {
        if let table = cache.withLock({ $0[distribution] }) { return table }
        let table = BetaQuantileTable(distribution)
        cache.withLock { $0[distribution] = table }
        return table
    }

    public init(_ distribution: TraitDistribution) {
        guard distribution.sd > 0 else {
            values = []
            constant = distribution.mean
            return
        }
        constant = nil
        let (alpha, beta) = distribution.betaShape
        let logBeta = lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta)
        func density(_ x: Double) -> Double {
            exp((alpha - 1) * log(x) + (beta - 1) * log(1 - x) - logBeta)
        }
        var table = [Double](repeating: 0, count: Self.steps + 1)
        table[Self.steps] = 1
        var previous = 0.0
        for index in 1..<Self.steps {
            let p = Double(index) / Double(Self.steps)
            // Safeguarded Newton on I_x(α, β) = p: quantiles rise with p, so the previous one
            // bounds this one from below; a step that leaves the bracket is replaced by bisection.
            var lo = previous
            var hi = 1.0
            var x = index == 1 ? distribution.mean : min(max(previous, 1e-12), 1 - 1e-12)
            for _ in 0..<100 {
                let error = SpecialFunctions.regularizedIncompleteBeta(x, a: alpha, b: beta) - p
                if error < 0 { lo = x } else { hi = x }
                var next = x - error / density(x)
                if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
                if abs(next - x) < 1e-13 || hi - lo < 1e-13 {
                    x = next
                    break
                }
                x = next
            }
            table[index] = x
            previous = lo
        }
        values = table
    }

    /// The quantile at probability `u` in [0, 1).
    @inline(__always)
    public func value(_ u: Double) -> Double {
        if let constant { return constant }
        let position = u * Double(Self.steps)
        let index = min(Int(position), Self.steps - 1)
        let fraction = position - Double(index)
        return values[index] + fraction * (values[index + 1] - values[index])
    }
}
