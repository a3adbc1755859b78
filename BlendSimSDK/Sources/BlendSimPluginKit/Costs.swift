import FoundationEssentials

/// One thing a model or policy costs, declared beside its `@Parameter`s:
///
/// ```swift
/// static let costs: [Cost] = [
///     Cost("licence", .perStudent, 546, currency: "KZT",
///          source: "derived: CSU's Turnitin spending $1.1 M (2025) / 460,000 students ≈ $2.4 a year",
///          help: "text-matching licence, per student and semester"),
/// ]
/// ```
///
/// The host multiplies the price by what its basis counts in the group (docs/COSTS.md); a
/// scenario's `costs: prices:` can replace the price (`<component>.<name>: price`) with a
/// university's own.
/// Every default names its source: a citation with its figure, or "assumption" and why.
public struct Cost: Sendable, Encodable {
    /// What the price is counted per.
    public enum Basis: String, Sendable, Encodable {
        /// Each student enrolled at the start.
        case perStudent = "student"
        /// Each teacher of the group (students ÷ students per teacher, rounded up).
        case perTeacher = "teacher"
        /// Each hour a teacher leads, for every teacher of the group.
        case perContactHour = "contact_hour"
        /// Each hour of self-paced online material in the course, once for the group.
        case perOnlineHour = "online_hour"
        /// Once per group and semester.
        case perSemester = "semester"
        /// Each student lent a device.
        case perLoanedDevice = "loaned_device"
    }

    public let name: String
    public let basis: Basis
    public let price: Double
    /// "currency" or "teacher_hours" (priced at the scenario's teacher hour).
    public let unit: String
    public let currency: String?
    public let source: String
    public let help: String

    /// A price in money, in `currency` (an ISO 4217 code such as "KZT").
    public init(_ name: String, _ basis: Basis, _ price: Double, currency: String, source: String, help: String) {
        self.name = name
        self.basis = basis
        self.price = price
        unit = "currency"
        self.currency = currency
        self.source = source
        self.help = help
    }

    /// A price in teacher hours, priced at the scenario's `teacher_hour` (course development,
    /// extra marking).
    public init(_ name: String, _ basis: Basis, teacherHours: Double, source: String, help: String) {
        self.name = name
        self.basis = basis
        price = teacherHours
        unit = "teacher_hours"
        currency = nil
        self.source = source
        self.help = help
    }

    /// The declarations as the ABI's `costs` text (a JSON array), or nil for none.
    static func json(_ costs: [Cost]) -> String? {
        guard !costs.isEmpty else { return nil }
        return ParameterTable.encode(costs) ?? #"[{"error":"the cost declarations could not be encoded"}]"#
    }
}

extension Cost {
    /// What any model with self-paced online work costs besides teachers' contact hours: the
    /// learning platform per student, and the teachers' time making the online material.
    public static let onlineCourse: [Cost] = [
        Cost(
            "platform", .perStudent, 1_370, currency: "KZT",
            source: "derived: hosting and support of Moodle for an institution of about 10,000 students, $40,000–80,000 a "
                + "year (A. Essa, summarised by Apereo, December 2025), $4–8 per student a year; $3 for a semester, at "
                + "455.69 KZT per USD (National Bank of Kazakhstan, 14 December 2023)",
            help: "the learning platform, per student and semester"),
        Cost(
            "materials", .perOnlineHour, teacherHours: 13,
            source: "Chapman (2010), How long does it take to create learning?: 79 hours of development per hour of basic "
                + "e-learning (184 for interactive); written off over 6 semesters of use (assumption): about 13 teacher "
                + "hours per hour of self-paced material and semester",
            help: "making the self-paced online material, per hour of it"),
    ]
}
