/// The four language skills every student agent carries, in the order used by every array.
public enum Skill: Int, CaseIterable, Sendable {
    case listening, reading, writing, speaking

    /// The name used in scenarios and results.
    public var name: String {
        switch self {
        case .listening: "listening"
        case .reading: "reading"
        case .writing: "writing"
        case .speaking: "speaking"
        }
    }

    /// The bit of this skill in `bs_activity.skills`.
    public var maskBit: UInt32 { 1 << UInt32(rawValue) }
}
