#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counter-based random numbers: every draw is a pure function of a stream key and a counter.
///
/// There is no generator state to share between threads, so the same (seed, replication, group,
/// student, week, purpose) always yields the same number whatever the thread count or chunking.
/// The mixing function is SplitMix64's finaliser, the same one the plugin header exposes as
/// `bs_random_uniform`, so plugins and host agree.
public enum CounterRandom {
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) from `stream` and `counter`.
    @inline(__always)
    public static func uniform(_ stream: UInt64, _ counter: UInt64) -> Double {
        let bits = mix(stream &+ (counter &+ 1) &* 0x9E37_79B9_7F4A_7C15)
        return Double(bits >> 11) * 0x1.0p-53
    }

    /// A uniform float in [0, 1) — 24 bits are all a Float can hold.
    @inline(__always)
    public static func uniformFloat(_ stream: UInt64, _ counter: UInt64) -> Float {
        let bits = mix(stream &+ (counter &+ 1) &* 0x9E37_79B9_7F4A_7C15)
        return Float(bits >> 40) * 0x1.0p-24
    }

    /// A key derived from a parent key and one more coordinate.
    @inline(__always)
    public static func derive(_ parent: UInt64, _ coordinate: UInt64) -> UInt64 {
        mix(parent &+ (coordinate &+ 1) &* 0xD1B5_4A32_D192_ED03)
    }

    /// A standard normal deviate by the Box–Muller transform from counters `2k` and `2k + 1`.
    public static func normal(_ stream: UInt64, _ k: UInt64) -> Double {
        let u1 = 1.0 - uniform(stream, 2 &* k)  // (0, 1]: log is finite
        let u2 = uniform(stream, 2 &* k &+ 1)
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }
}

/// The random streams of one run, one key per level of the hierarchy
/// seed → replication → group → student → week. Purposes are counters within a week's key.
public struct StreamKeys: Sendable, Hashable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    public func replication(_ replication: Int) -> UInt64 {
        CounterRandom.derive(CounterRandom.mix(seed ^ 0x424C_454E_4453_494D), UInt64(replication))
    }

    public func group(_ replication: Int, _ group: Int) -> UInt64 {
        CounterRandom.derive(self.replication(replication), UInt64(group))
    }
}

/// The purposes of draws made in a student's week; each owns a range of counters.
public enum DrawPurpose {
    public static let skillNoise: UInt64 = 0  // 4 counters
    public static let motivationNoise: UInt64 = 4
    public static let cheating: UInt64 = 5
    public static let cheatingCaught: UInt64 = 6
    public static let lateSubmission: UInt64 = 7
    public static let dropout: UInt64 = 8
    public static let assessmentNoise: UInt64 = 9  // 4 counters
    public static let assessmentCheating: UInt64 = 13
    public static let deviceLoan: UInt64 = 14
}
