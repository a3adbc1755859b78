public import BlendSimCore

/// A scenario's `costs:` (docs/COSTS.md): the currency everything is priced in, what a teacher
/// hour and marking cost, and the university's own prices for any model's or policy's items.
/// Present, it asks for costs in the results; absent, results carry none.
public struct CostSettings: Sendable {
    /// The ISO 4217 code every price is in.
    public var currency: String
    /// Where the currency is stated (the first file that states it), or nil for the default.
    public var currencyLocation: SourceLocation?
    /// The price of one teacher hour, in `currency`; nil for the documented default.
    public var teacherHour: Double?
    /// Minutes of marking per student and week; nil for the documented default.
    public var markingMinutes: Double?
    /// `component.item` → price (in `currency`, or in teacher hours for an item priced in them),
    /// with where it is written.
    public var prices: [(key: String, price: Double, location: SourceLocation)]
    /// Where `costs:` is written.
    public var location: SourceLocation

    /// The currency when a scenario does not state one: the seed study's university's.
    public static let defaultCurrency = "KZT"

    public init(
        currency: String = CostSettings.defaultCurrency, currencyLocation: SourceLocation? = nil, teacherHour: Double? = nil,
        markingMinutes: Double? = nil, prices: [(key: String, price: Double, location: SourceLocation)] = [], location: SourceLocation
    ) {
        self.currency = currency
        self.currencyLocation = currencyLocation
        self.teacherHour = teacherHour
        self.markingMinutes = markingMinutes
        self.prices = prices
        self.location = location
    }
}

extension ScenarioDecoder {
    static let costKeys = ["currency", "teacher_hour", "marking_minutes", "prices"]
    /// The largest price accepted: beyond any budget (10¹²), so a typo of many zeros is caught.
    static let maximumPrice = 1e12
    /// The most prices one `costs:` may give (far more than any space declares items).
    static let maximumPrices = 1_000

    /// Reads `costs:` into `settings`, over what earlier files (includes) set.
    mutating func costs(_ node: YAMLNode, into settings: inout CostSettings?) {
        guard let entries = mapping(node, "costs", allowed: Self.costKeys) else { return }
        var result = settings ?? CostSettings(location: source.location(of: node))
        if let node = entries["currency"], let code = string(node, "currency") {
            if !CostItem.isValidCurrency(code) {
                error("'currency' must be a currency code of three capital letters (such as KZT, USD, EUR), found '\(code)'", at: node)
            } else if let earlier = result.currencyLocation, code != result.currency {
                error(
                    "'currency' is \(code) here but \(result.currency) in \(earlier.file):\(earlier.line):\(earlier.column); "
                        + "a scenario and the files it includes price everything in one currency", at: node)
            } else {
                result.currency = code
                result.currencyLocation = source.location(of: node)
            }
        }
        if let node = entries["teacher_hour"], let value = number(node, "teacher_hour", 0...Self.maximumPrice) { result.teacherHour = value }
        if let node = entries["marking_minutes"], let value = number(node, "marking_minutes", 0...600) { result.markingMinutes = value }
        if let node = entries["prices"] {
            if let pairs = node.pairs {
                guard pairs.count <= Self.maximumPrices else {
                    error("'prices' has \(pairs.count) entries; at most \(Self.maximumPrices)", at: node)
                    settings = result
                    return
                }
                for pair in pairs {
                    let key = pair.key.scalar ?? ""
                    let parts = key.split(separator: ".", omittingEmptySubsequences: false)
                    guard parts.count == 2, !parts[0].isEmpty, CostItem.isValidName(String(parts[1])) else {
                        error("a price is named '<model or policy>.<item>' (such as anti-plagiarism.licence), found '\(key)'", at: pair.key)
                        continue
                    }
                    guard let value = number(pair.value, key, 0...Self.maximumPrice) else { continue }
                    result.prices.removeAll { $0.key == key }
                    result.prices.append((key, value, source.location(of: pair.value)))
                }
            } else {
                error("'prices' must be a mapping of '<model or policy>.<item>' to prices, found \(node.kindName)", at: node)
            }
        }
        settings = result
    }
}
