import BlendSimSystem

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


    /// A key derived from a parent key and one more coordinate.
    @inline(__always)
    public static func derive(_ parent: UInt64, _ coordinate: UInt64) -> UInt64 {
        mix(parent &+ (coordinate &+ 1) &* 0xD1B5_4A32_D192_ED03)
    }

    /// The key of one student's week: one mix of the group's key and the pair (student, week),
    /// which is unique for students below 2⁴⁸ and weeks below 2¹⁶.
    @inline(__always)
    public static func studentWeek(_ groupKey: UInt64, student: Int, week: UInt64) -> UInt64 {
        // A student index is never negative: the conversion needs no check.
        mix(groupKey &+ ((UInt64(truncatingIfNeeded: student) &<< 16) | week) &* 0xD1B5_4A32_D192_ED03)
    }

    /// 64 random bits, word `n` of a stream; the kernel splits words into several draws.
    @inline(__always)
    public static func word(_ stream: UInt64, _ n: UInt64) -> UInt64 {
        mix(stream &+ (n &+ 1) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// A uniform float in (0, 1) from 16 bits of `word` (slot 0…3), for continuous noise.
    @inline(__always)
    public static func unit16(_ word: UInt64, _ slot: UInt64) -> Float {
        (Float((word >> (16 &* slot)) & 0xFFFF) + 0.5) * 0x1.0p-16
    }

    /// A uniform float in [0, 1) from 24 bits of one half of `word` (0: low, 1: high), for
    /// comparisons with small probabilities.
    @inline(__always)
    public static func unit24(_ word: UInt64, _ half: UInt64) -> Float {
        Float((word >> (32 &* half &+ 8)) & 0xFF_FFFF) * 0x1.0p-24
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

/// The words of a student's week stream and what each is split into.
public enum DrawPurpose {
    /// Four 16-bit draws: the growth noise of each skill.
    public static let skillNoise: UInt64 = 0
    /// Low half: copying; high half: dropout (24 bits each).
    public static let cheatingAndDropout: UInt64 = 1
    /// Low half: lateness; high half: motivation noise.
    public static let lateAndMotivation: UInt64 = 2
    /// Low half: whether copying of work is caught; high half: of a test.
    public static let caught: UInt64 = 3
    /// Four 16-bit draws: the assessment's measurement error.
    public static let assessmentNoise: UInt64 = 4
    /// Low half: copying an online test.
    public static let assessmentCheating: UInt64 = 5
    /// Counter in the student's initialisation stream: whether a loaned device reaches them.
    public static let deviceLoan: UInt64 = 14
}
