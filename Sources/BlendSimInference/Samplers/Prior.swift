import BlendSimCore
import BlendSimSystem

/// A prior distribution of one calibrated parameter, always within the parameter's bounds
/// [lower, upper] (docs/CALIBRATION.md). Sampled by inverse transform from one uniform draw, so a
/// draw is a pure function of its random number.
public enum Prior: Sendable, Equatable {
    /// Every value in [lower, upper] equally likely.
    case uniform(lower: Double, upper: Double)
    /// log(value) uniform in [log lower, log upper] (lower > 0): for scales and rates known only to
    /// an order of magnitude.
    case logUniform(lower: Double, upper: Double)
    /// Beta(α, β) stretched over [lower, upper].
    case beta(alpha: Double, beta: Double, lower: Double, upper: Double)
    /// Normal(mean, sd) truncated to [lower, upper].
    case normal(mean: Double, sd: Double, lower: Double, upper: Double)

    /// The bounds every value lies in.
    public var bounds: ClosedRange<Double> {
        switch self {
        case .uniform(let lower, let upper), .logUniform(let lower, let upper): return lower...upper
        case .beta(_, _, let lower, let upper), .normal(_, _, let lower, let upper): return lower...upper
        }
    }

    /// The value at cumulative probability `u` in [0, 1).
    public func quantile(_ u: Double) -> Double {
        let u = min(max(u, 1e-12), 1 - 1e-12)
        switch self {
        case .uniform(let lower, let upper):
            return lower + u * (upper - lower)
        case .logUniform(let lower, let upper):
            return exp(log(lower) + u * (log(upper) - log(lower)))
        case .beta(let a, let b, let lower, let upper):
            // Bisection on the regularised incomplete beta function (monotone in x).
            var low = 0.0, high = 1.0
            for _ in 0..<60 {
                let middle = (low + high) / 2
                if SpecialFunctions.regularizedIncompleteBeta(middle, a: a, b: b) < u { low = middle } else { high = middle }
            }
            return lower + (low + high) / 2 * (upper - lower)
        case .normal(let mean, let sd, let lower, let upper):
            let a = Self.normalCDF((lower - mean) / sd), b = Self.normalCDF((upper - mean) / sd)
            let p = min(max(a + u * (b - a), 1e-300), 1 - 1e-16)
            return min(max(mean + sd * Quantiles.normal(p), lower), upper)
        }
    }

    /// The log density at `x` up to a constant; −∞ outside the bounds.
    public func logDensity(_ x: Double) -> Double {
        guard bounds.contains(x), x.isFinite else { return -.infinity }
        switch self {
        case .uniform:
            return 0
        case .logUniform:
            return x > 0 ? -log(x) : -.infinity
        case .beta(let a, let b, let lower, let upper):
            let t = (x - lower) / (upper - lower)
            guard t > 0, t < 1 else { return (t == 0 && a == 1) || (t == 1 && b == 1) ? 0 : -.infinity }
            return (a - 1) * log(t) + (b - 1) * log(1 - t)
        case .normal(let mean, let sd, _, _):
            let z = (x - mean) / sd
            return -0.5 * z * z
        }
    }

    /// Φ(z).
    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }
}
