/// What a cost item's price is counted per (docs/COSTS.md).
public enum CostBasis: String, Sendable, CaseIterable, Hashable {
    /// Each student enrolled at the start of the semester.
    case student
    /// Each teacher of the group: students ÷ students per teacher, rounded up.
    case teacher
    /// Each hour a teacher leads (classroom, live online, independent work with a teacher, tests
    /// in class), for every teacher of the group.
    case contactHour = "contact_hour"
    /// Each hour of self-paced online material in the course, counted once for the group: what
    /// one student is planned to do (live online sessions are contact hours).
    case onlineHour = "online_hour"
    /// Once per group and semester (a licence, a set-up).
    case semester
    /// Each student lent a device: students without a computer of their own × the share lent one.
    case loanedDevice = "loaned_device"

    /// How the basis reads in a table ("per student").
    public var phrase: String {
        switch self {
        case .student: "per student"
        case .teacher: "per teacher"
        case .contactHour: "per teacher contact hour"
        case .onlineHour: "per hour of self-paced online material"
        case .semester: "per group and semester"
        case .loanedDevice: "per device lent"
        }
    }
}

/// What a cost item's price is in.
public enum CostUnit: String, Sendable, Hashable {
    /// Money, in the item's currency.
    case currency
    /// Teacher hours, priced at the scenario's `teacher_hour` (course development, marking).
    case teacherHours = "teacher_hours"
}

/// A cost item as a model or policy declares it (ABI 1.2, `costs`): what is paid for, per what,
/// its default price and where that price comes from.
public struct CostItem: Sendable, Hashable {
    /// The item's name within its component: lowercase letters, digits and '_'.
    public var name: String
    public var basis: CostBasis
    /// The default price per unit of the basis, ≥ 0 and finite.
    public var price: Double
    public var unit: CostUnit
    /// The currency of the default price (an ISO 4217 code such as "KZT"); nil for teacher hours.
    public var currency: String?
    /// Where the default comes from: a citation with its figure, or "assumption" and why.
    public var source: String
    /// One line on what the item is.
    public var help: String

    public init(name: String, basis: CostBasis, price: Double, unit: CostUnit, currency: String?, source: String, help: String) {
        self.name = name
        self.basis = basis
        self.price = price
        self.unit = unit
        self.currency = currency
        self.source = source
        self.help = help
    }

    /// Whether `name` is a valid item name.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
            && name.utf8.first! >= 0x61
    }

    /// Whether `code` reads as a currency code: three capital letters.
    public static func isValidCurrency(_ code: String) -> Bool {
        code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }
}

/// One priced item of a group: its owner (a model, a policy, or `teaching`), its basis and its
/// price in the scenario's currency.
public struct PricedItem: Sendable, Hashable {
    /// "teaching" for the teachers' own time, else the model's or policy's name.
    public var owner: String
    public var name: String
    public var basis: CostBasis
    /// Per unit of the basis, in the scenario's currency.
    public var price: Double
    /// Where the price comes from: the scenario (`costs:` in the file), or the declaration's source.
    public var source: String

    public init(owner: String, name: String, basis: CostBasis, price: Double, source: String) {
        self.owner = owner
        self.name = name
        self.basis = basis
        self.price = price
        self.source = source
    }

    /// `owner.name`, as `costs:` names it.
    public var key: String { owner + "." + name }
}

/// A group's prices: what its semester costs is these items times what the group did.
public struct GroupPricing: Sendable, Hashable {
    public var currency: String
    public var items: [PricedItem]
    /// Students enrolled at the start.
    public var students: Int
    /// Teachers: students ÷ students per teacher, rounded up.
    public var teachers: Int
    /// Students without a computer of their own (expected, or counted from the cohort file).
    public var withoutDevice: Double

    public init(currency: String, items: [PricedItem], students: Int, teachers: Int, withoutDevice: Double) {
        self.currency = currency
        self.items = items
        self.students = students
        self.teachers = teachers
        self.withoutDevice = withoutDevice
    }

    /// How many units of `basis` the group used in a replication: its teacher-led and online
    /// minutes per week (one student's, i.e. one teacher's section) and the share lent a device.
    public func quantity(_ basis: CostBasis, _ outcome: GroupOutcome) -> Double {
        switch basis {
        case .student: Double(students)
        case .teacher: Double(teachers)
        case .contactHour: Double(teachers) * outcome.contactMinutes.reduce(0, +) / 60
        case .onlineHour: outcome.onlineMinutes.reduce(0, +) / 60
        case .semester: 1
        case .loanedDevice: withoutDevice * outcome.loanShare
        }
    }

    /// The semester's cost per item (in `items` order) and in total, in one replication.
    public func cost(_ outcome: GroupOutcome) -> (items: [Double], total: Double) {
        let amounts = items.map { $0.price * quantity($0.basis, outcome) }
        return (amounts, amounts.reduce(0, +))
    }
}
