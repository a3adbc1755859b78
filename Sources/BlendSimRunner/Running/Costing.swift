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
        // The default teacher hour (and marking, priced at it) is in tenge: another currency needs
        // its own.
        if settings.teacherHour == nil && settings.currency != CostSettings.defaultCurrency {
            diagnostics.append(sources.diagnostic(
                "the default teacher hour (\(Int(Self.teacherHour)) KZT) is in KZT, but this scenario's costs are in "
                    + "\(settings.currency): give 'teacher_hour' in \(settings.currency)",
                at: settings.currencyLocation ?? settings.location))
        }
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
            // Students without a computer: from the cohort file's share (a blank answer counts at the
            // population's rate), scaled to the group's students when it resamples the file.
            var withoutDevice = Double(group.students) * (1 - group.population.deviceAccess)
            if let cohort = group.cohort, let access = cohort.deviceAccess, !access.isEmpty {
                let none = Double(access.count(where: { $0 == 0 }))
                let blank = Double(access.count(where: { $0 != 0 && $0 != 1 }))
                withoutDevice = (none + blank * (1 - group.population.deviceAccess)) / Double(access.count) * Double(group.students)
            }
            pricing.append(GroupPricing(
                currency: settings.currency, items: items, students: group.students,
                teachers: Int((Double(group.students) / group.studentsPerTeacher).rounded(.up)), withoutDevice: withoutDevice))
        }
        // A price for a component no group uses is kept (a variant, a sweep point or a design of
        // `optimise` may use it); one that names no component, or an item it does not declare, is
        // a mistake.
        for (key, _, location) in settings.prices where !used.contains(key) {
            // Past 100 the decoder's rule applies: the first hundred are listed.
            guard diagnostics.count < 100 else { break }
            let parts = key.split(separator: ".").map(String.init)
            let (owner, item) = (parts[0], parts[1])
            if owner == "teaching" {
                diagnostics.append(sources.diagnostic(
                    "the teachers' own items are set by 'teacher_hour' and 'marking_minutes' under costs:, not by '\(key)'", at: location))
                continue
            }
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
                    : "'\(owner)' has no cost item '\(item)' (its items: \(names.joined(separator: ", ")))\(Suggestion.phrase(for: item, in: names))",
                at: location))
        }
        return (diagnostics.isEmpty ? pricing : scenario.groups.map { _ in nil }, diagnostics)
    }
}
