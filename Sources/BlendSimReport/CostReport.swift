public import BlendSimCore

/// What a group's semester costs, and what its gains over a baseline cost per unit a teacher
/// knows: per extra student moving up a level, per withdrawal avoided, per 0.1 of Hedges' g of
/// course achievement (docs/COSTS.md, docs/RESULTS.md).
public enum CostReport {
    /// The group's cost per student enrolled, in one replication.
    public static func perStudent(_ pricing: GroupPricing, _ outcome: GroupOutcome) -> Double {
        pricing.cost(outcome).total / Double(max(pricing.students, 1))
    }

    /// Students who moved up a level (overall) and are still enrolled, per student enrolled.
    static func levelUpsPerStudent(_ outcome: GroupOutcome) -> Double {
        outcome.after.levelUpShares[4] * Double(outcome.after.active) / Double(max(outcome.enrolled, 1))
    }

    /// Withdrawals per student enrolled.
    static func withdrawalsPerStudent(_ outcome: GroupOutcome) -> Double {
        Double(outcome.dropouts) / Double(max(outcome.enrolled, 1))
    }

    /// summary.json's `cost` of a group: the semester's total and per student, and each item.
    public static func json(_ pricing: GroupPricing, outcomes: [GroupOutcome]) -> JSONValue {
        let costs = outcomes.map { pricing.cost($0) }
        let students = Double(max(pricing.students, 1))
        let items = pricing.items.enumerated().map { index, item -> JSONValue in
            .object([
                ("item", .string(item.key)),
                ("basis", .string(item.basis.rawValue)),
                ("price", .finite(item.price)),
                ("quantity", Summary.json(Statistic(outcomes.map { pricing.quantity(item.basis, $0) }))),
                ("total", Summary.json(Statistic(costs.map { $0.items[index] }))),
                ("source", .string(item.source)),
            ])
        }
        return .object([
            ("currency", .string(pricing.currency)),
            ("total", Summary.json(Statistic(costs.map(\.total)))),
            ("per_student", Summary.json(Statistic(costs.map { $0.total / students }))),
            ("teachers", .integer(pricing.teachers)),
            ("items", .array(items)),
        ])
    }

    /// A cost per unit of gain: the mean extra cost per student over the mean gain per student,
    /// with the interval the gain's 95% CI gives (the cost varies little between replications).
    public struct Ratio: Sendable, Equatable {
        /// Currency per unit of gain; nil when there is no gain to divide by.
        public var estimate: Double?
        /// The 95% interval, when the gain's interval excludes zero.
        public var interval: (lower: Double, upper: Double)?
        /// How to read it: "dominant" (cheaper and better), "costs more, gains less" and the like,
        /// or "" for an ordinary ratio.
        public var note: String

        public static func == (a: Ratio, b: Ratio) -> Bool {
            a.estimate == b.estimate && a.note == b.note && a.interval?.lower == b.interval?.lower && a.interval?.upper == b.interval?.upper
        }

        /// The ratio of `cost` (per student, mean over replications) to `gain` (per student).
        init(cost: Double, gain: Statistic) {
            let g = gain.mean
            guard g.isFinite, cost.isFinite else {
                self.init(estimate: nil, interval: nil, note: "not computable")
                return
            }
            let significant = gain.ci95.map { $0.lower > 0 || $0.upper < 0 } ?? false
            if g > 0 && cost <= 0 {
                self.init(estimate: nil, interval: nil, note: significant ? "dominant: costs less and gains more" : "costs less; the gain's interval includes zero")
                return
            }
            if g <= 0 {
                self.init(estimate: nil, interval: nil, note: cost > 0 ? "costs more and gains nothing" : "costs less and gains nothing")
                return
            }
            var interval: (Double, Double)?
            if significant, let ci = gain.ci95 { interval = (cost / ci.upper, cost / ci.lower) }
            self.init(estimate: cost / g, interval: interval, note: significant ? "" : "the gain's 95% interval includes zero, so the cost per unit has no upper bound")
        }

        init(estimate: Double?, interval: (lower: Double, upper: Double)?, note: String) {
            self.estimate = estimate
            self.interval = interval
            self.note = note
        }

        var json: JSONValue {
            .object([
                ("estimate", estimate.map { .finite($0) } ?? .null),
                ("ci95", interval.map { .array([.finite($0.lower), .finite($0.upper)]) } ?? .null),
                ("note", .string(note)),
            ])
        }
    }

    /// A group's cost-effectiveness against the same group of a baseline, replication by
    /// replication (both share each replication's random numbers).
    public struct Effectiveness: Sendable {
        public var currency: String
        /// Extra cost per student enrolled (group − baseline).
        public var costPerStudent: Statistic
        /// Extra students moving up a level, withdrawals avoided, and Hedges' g of course
        /// achievement, per student enrolled (g itself for the last).
        public var levelUps: Statistic
        public var withdrawalsAvoided: Statistic
        public var courseG: Statistic
        public var perLevelUp: Ratio
        public var perWithdrawalAvoided: Ratio
        /// Per 0.1 of g.
        public var perTenthG: Ratio

        public init(_ pricing: GroupPricing, _ outcomes: [GroupOutcome], baseline: GroupPricing, _ base: [GroupOutcome]) {
            let pairs = Array(zip(outcomes, base))
            currency = pricing.currency
            costPerStudent = Statistic(pairs.map { perStudent(pricing, $0.0) - perStudent(baseline, $0.1) })
            levelUps = Statistic(pairs.map { levelUpsPerStudent($0.0) - levelUpsPerStudent($0.1) })
            withdrawalsAvoided = Statistic(pairs.map { withdrawalsPerStudent($0.1) - withdrawalsPerStudent($0.0) })
            courseG = Statistic(pairs.map { Outcomes.courseHedgesG($0.0, $0.1) })
            let cost = costPerStudent.mean
            perLevelUp = Ratio(cost: cost, gain: levelUps)
            perWithdrawalAvoided = Ratio(cost: cost, gain: withdrawalsAvoided)
            // Per student, a g of 0.1 is bought for (cost per student) / (g / 0.1): the whole
            // group's cost buys the group's g, so the price is per student.
            perTenthG = Ratio(cost: cost, gain: courseG.scaled(by: 10))
        }

        public var json: JSONValue {
            .object([
                ("currency", .string(currency)),
                ("difference_per_student", Summary.json(costPerStudent)),
                ("per_extra_level_up", perLevelUp.json),
                ("per_withdrawal_avoided", perWithdrawalAvoided.json),
                ("per_0_1_g_course", perTenthG.json),
            ])
        }
    }

    /// A sum of money as a planner reads it: "1.24 M KZT", "86,400 KZT".
    public static func money(_ value: Double, _ currency: String) -> String {
        guard value.isFinite else { return "—" }
        let magnitude = abs(value)
        let sign = value < 0 ? "−" : ""
        if magnitude >= 1e9 { return sign + Self.fixed(magnitude / 1e9, 2) + " bn " + currency }
        if magnitude >= 1e6 { return sign + Self.fixed(magnitude / 1e6, 2) + " M " + currency }
        return sign + grouped(Int((magnitude).rounded())) + " " + currency
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { TerminalSummary.fixed(value, digits: digits) }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return out
    }

    /// One line for a ratio: "86,400 KZT [61,000, 148,000]" or its note.
    public static func describe(_ ratio: Ratio, _ currency: String) -> String {
        guard let estimate = ratio.estimate else { return ratio.note }
        var text = money(estimate, currency)
        if let interval = ratio.interval { text += " [" + money(interval.lower, currency) + ", " + money(interval.upper, currency) + "]" }
        if !ratio.note.isEmpty { text += " (" + ratio.note + ")" }
        return text
    }
}
