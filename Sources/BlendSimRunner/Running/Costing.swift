public import BlendSimCore
public import BlendSimPluginHost
public import BlendSimScenario

/// From a scenario's `costs:` and the cost items its models and policies declare to each group's
/// prices (docs/COSTS.md). Every price the scenario names must be an item a group uses, and every
/// item priced in money must be in the scenario's currency or be given a price there.
public enum Costing {
    /// The default price of a teacher hour and where it comes from.
    public static let teacherHour = 3_530.0
    public static let teacherHourSource =
        "derived: the minimum monthly salary of a university teacher, 200,000 KZT from September 2021 (Ministry of "
        + "Education and Science order, reported by Sputnik Kazakhstan, 18 March 2021), × 12 ÷ 680, the most teaching "
        + "hours one post carries in a year (the same order, reported by Kazinform); gross pay, without the employer's "
        + "contributions"
    /// The default marking time per student and week, and where it comes from.
    public static let markingMinutes = 3.8
    public static let markingSource =
        "assumption sized by England's school teachers: 9.4 hours of marking a week (DfE Teachers' Workload Diary "
        + "Survey 2013, as cited by Education Magazine) over a load of about 150 students is 3.8 minutes per student and week"

    /// Each group's prices (nil for every group when the scenario has no `costs:`), or the
    /// problems, each at the place in the files it concerns.
    public static func pricing(_ scenario: Scenario, host: PluginHost) -> (pricing: [GroupPricing?], diagnostics: [Diagnostic]) {
        guard let settings = scenario.costs else { return (scenario.groups.map { _ in nil }, []) }
        let sources = PluginResolution.Sources(scenario.source, includes: scenario.includes)
        var diagnostics: [Diagnostic] = []
        let teacherHour = settings.teacherHour ?? teacherHour
        let teacherHourSource = settings.teacherHour == nil ? Self.teacherHourSource : "the scenario's costs"
        let marking = settings.markingMinutes ?? markingMinutes
        let markingSource = settings.markingMinutes == nil ? Self.markingSource : "the scenario's costs"
        var used: Set<String> = []
        var reported: Set<String> = []
        var pricing: [GroupPricing?] = []
        for group in scenario.groups {
            var items = [
                PricedItem(owner: "teaching", name: "teacher_hour", basis: .contactHour, price: teacherHour, source: teacherHourSource),
                PricedItem(
                    owner: "teaching", name: "marking", basis: .student, price: marking * Double(scenario.weeks) / 60 * teacherHour,
                    source: markingSource + "; priced at the teacher hour"),
            ]
            var declared: [(owner: String, item: CostItem)] = []
            if let model = host.model(named: group.model.name) { declared += model.costs.map { (model.name, $0) } }
            for reference in group.policies {
                if let policy = host.policy(named: reference.name) { declared += policy.costs.map { (policy.name, $0) } }
            }
            for (owner, item) in declared {
                let key = owner + "." + item.name
                used.insert(key)
                let override = settings.prices.last { $0.key == key }
                var price: Double
                var source = item.source
                if let override {
                    price = override.price
                    source = "the scenario's costs"
                } else {
                    price = item.price
                    if item.unit == .currency, let currency = item.currency, currency != settings.currency {
                        if reported.insert(key).inserted {
                            diagnostics.append(sources.diagnostic(
                                "\(owner)'s cost '\(item.name)' has a default price in \(currency), but this scenario's costs are in "
                                    + "\(settings.currency): give its price under costs: prices: \(key)",
                                at: settings.currencyLocation ?? settings.location))
                        }
                        continue
                    }
                }
                if item.unit == .teacherHours {
                    price *= teacherHour
                    source += "; in teacher hours, priced at the teacher hour"
                }
                items.append(PricedItem(owner: owner, name: item.name, basis: item.basis, price: price, source: source))
            }
            let withoutDevice = group.cohort?.deviceAccess.map { Double($0.count(where: { $0 == 0 })) }
                ?? Double(group.students) * (1 - group.population.deviceAccess)
            pricing.append(GroupPricing(
                currency: settings.currency, items: items, students: group.students,
                teachers: Int((Double(group.students) / group.studentsPerTeacher).rounded(.up)), withoutDevice: withoutDevice))
        }
        // A price for a component no group uses is kept (a variant, a sweep point or a design of
        // `optimise` may use it); one that names no component, or an item it does not declare, is
        // a mistake.
        for (key, _, location) in settings.prices where !used.contains(key) {
            let parts = key.split(separator: ".").map(String.init)
            let (owner, item) = (parts[0], parts[1])
            let known = host.model(named: owner)?.costs ?? host.policy(named: owner)?.costs
            guard let known else {
                let names = host.models.map(\.name) + host.policies.map(\.name)
                diagnostics.append(sources.diagnostic(
                    "'\(key)' prices nothing: no model or policy is called '\(owner)'\(Suggestion.phrase(for: owner, in: names))",
                    at: location))
                continue
            }
            let names = known.map(\.name)
            guard !names.contains(item) else { continue }
            diagnostics.append(sources.diagnostic(
                names.isEmpty
                    ? "'\(owner)' declares no cost items, so '\(key)' prices nothing"
                    : "'\(owner)' has no cost item '\(item)'\(Suggestion.phrase(for: item, in: names)); its items: \(names.joined(separator: ", "))",
                at: location))
        }
        return (diagnostics.isEmpty ? pricing : scenario.groups.map { _ in nil }, diagnostics)
    }
}
