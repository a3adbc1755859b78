@testable import BlendSimCore
import Testing

/// The kernel's metric sums round each value to fixed point by adding a magic number scaled to the
/// fixed point's spacing, not by multiplying first: the two must give the same integer for every
/// value the kernel can meet, or results would change.
@Suite struct FixedPointTests {
    /// (exponent, magic) pairs the accumulator uses.
    static let scales: [(Int, Double)] = [(20, MetricAccumulator.magic20), (8, MetricAccumulator.magic8), (4, MetricAccumulator.magic4)]

    @Test(arguments: [0, 1, 2])
    func scaledRoundingEqualsMultiplyThenRound(scaleIndex: Int) {
        let (exponent, magic) = Self.scales[scaleIndex]
        let scale = Double(sign: .plus, exponent: exponent, significand: 1)
        func check(_ x: Float) {
            #expect(MetricAccumulator.scaled(x, magic: magic) == MetricAccumulator.round(Double(x) * scale), "x = \(x), 2^\(exponent)")
        }
        // Halfway cases (ties go to even), signs, the smallest and largest magnitudes met.
        let grid = Float(sign: .plus, exponent: -exponent, significand: 1)
        for k in -1000...1000 {
            check(Float(k) * grid)
            check((Float(k) + 0.5) * grid)
            check((Float(k) + 0.25) * grid)
        }
        for x: Float in [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, 0.3, 0.7, 1, 99.5, 120, 230, 1e5, 3e6] {
            check(x)
            check(-x)
        }
        // Every bit pattern of a run of floats, and 100,000 spread over the values the kernel
        // sums (|x| < 2^24, far below the 2^(31 − e) limit).
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<100_000 {
            state = CounterRandom.mix(state)
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: state))
            guard x.isFinite, x.magnitude < 0x1p24 else { continue }
            check(x)
        }
        for bits in UInt32(0x4300_0000)..<UInt32(0x4300_0000 + 20_000) { check(Float(bitPattern: bits)) }
    }
}
