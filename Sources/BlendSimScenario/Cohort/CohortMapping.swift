public import BlendSimCore

/// How the columns of a university's student file map onto blendsim's state (docs/SCENARIO.md,
/// "A cohort from a file"): which column identifies a student, where each student's starting
/// place is (four skill scores, an overall score or a CEFR level) and which survey items give
/// traits, each with its scale.
public struct CohortMapping: Sendable {
    /// A column and how its values turn into blendsim's.
    public struct Column: Sendable {
        public var name: String
        public var scale: Scale
        /// Where the mapping names the column (an error about the column points here).
        public var location: SourceLocation

        public init(name: String, scale: Scale, location: SourceLocation) {
            self.name = name
            self.scale = scale
            self.location = location
        }
    }

    public init() {}

    /// A scale a column's values are written on.
    public enum Scale: Sendable, Equatable {
        /// The Cambridge English Scale, 80–230, taken as it is.
        case cambridge
        /// A test's own scale mapped linearly: `from` onto `to` (the Cambridge English Scale for
        /// scores, 0–1 for traits).
        case linear(from: ClosedRange<Double>, to: ClosedRange<Double>)
        /// A Likert item with points 1…n, to 0–1: (x − 1)/(n − 1).
        case likert(Int)
        /// Yes or no (yes, no, y, n, true, false, 1, 0, да, нет, иә, жоқ), to 1 or 0.
        case yesNo
        /// CEFR levels: A1…C2, the scenario's level names, or the labels `labels` maps to them.
        case levels([String: LevelBand])

        /// What the documentation and errors call it.
        public var name: String {
            switch self {
            case .cambridge: "cambridge (80–230)"
            case .linear(let from, _): "\(Self.format(from.lowerBound))–\(Self.format(from.upperBound))"
            case .likert(let points): "likert-\(points) (1–\(points))"
            case .yesNo: "yes-no"
            case .levels: "CEFR level"
            }
        }

        static func format(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)" }
    }

    public var id: Column?
    public var level: Column?
    public var overall: Column?
    /// All four (`Skill` order) or none.
    public var skills: [Column]?
    /// By trait key (`motivation`, `self_regulation`, `digital_competence`, `connectivity`,
    /// `integrity`, `device_access`).
    public var traits: [(key: String, column: Column)] = []
    /// Only the rows whose `column` holds `value` (one file of every group's students, a column
    /// saying which group each is in).
    public var select: (column: Column, value: String)?

    /// The trait keys a mapping may name, with the scale a bare column name means.
    public static let traitKeys = ["motivation", "self_regulation", "digital_competence", "connectivity", "integrity", "device_access"]

    /// Every column the mapping reads.
    public var columns: [Column] {
        [id, level, overall, select?.column].compactMap { $0 } + (skills ?? []) + traits.map(\.column)
    }

    /// The accepted spellings of each CEFR level: A1…C2 and blendsim's level names, compared
    /// without case, spaces, '-' or '_' (so "Pre-Intermediate" is `pre_intermediate`, A2).
    public static let standardLabels: [String: LevelBand] = {
        var labels: [String: LevelBand] = [:]
        for band in LevelBand.allCases {
            labels[normalisedLabel(band.cefr)] = band
            labels[normalisedLabel(band.key)] = band
        }
        labels["beginner"] = .elementary
        return labels
    }()

    /// A label as labels are compared: lower case, without spaces, '-', '_' or '.'.
    public static func normalisedLabel(_ text: String) -> String {
        String(text.lowercased().filter { $0 != " " && $0 != "-" && $0 != "_" && $0 != "." })
    }

    /// The default mapping of a file given without one: each column whose header is one of
    /// blendsim's names (`id` or `student_id`, `level`, `overall`, the four skills, the traits)
    /// with that name's default scale.
    public static func byHeader(_ header: [String], at location: SourceLocation) -> CohortMapping {
        var mapping = CohortMapping()
        let names = Set(header)
        func column(_ name: String, _ scale: Scale) -> Column? { names.contains(name) ? Column(name: name, scale: scale, location: location) : nil }
        mapping.id = column("student_id", .cambridge) ?? column("id", .cambridge)
        let skillColumns = Skill.allCases.compactMap { column($0.name, .cambridge) }
        if skillColumns.count == 4 {
            mapping.skills = skillColumns
        } else if let overall = column("overall", .cambridge) {
            mapping.overall = overall
        } else {
            mapping.level = column("level", .levels(standardLabels))
        }
        for key in traitKeys {
            if let found = column(key, defaultScale(trait: key)) { mapping.traits.append((key, found)) }
        }
        return mapping
    }

    /// The scale a trait's bare column name means: yes-no for device access, a 1–5 Likert item
    /// otherwise.
    public static func defaultScale(trait: String) -> Scale { trait == "device_access" ? .yesNo : .likert(5) }
}
