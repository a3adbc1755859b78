import BlendSimCore

/// A scenario's groups: their keys, levels and the models and policies they name.
extension ScenarioDecoder {
    mutating func group(_ node: YAMLNode, population base: PopulationSpec) -> GroupScenario? {
        guard let entries = mapping(node, "a group", allowed: Self.groupKeys) else { return nil }
        let before = diagnostics.count
        var name = ""
        if let node = entries["name"] {
            name = self.name(node, "name") ?? ""
        } else {
            error("a group needs a 'name'", at: node)
        }
        let what = name.isEmpty ? "the group" : "group '\(name)'"
        var students = 0
        var studentsGiven = false
        if let node = entries["students"] {
            students = integer(node, "students", 1...100_000_000) ?? 0
            studentsGiven = true
        }
        var levelShares = [Double](repeating: 0, count: LevelBand.allCases.count)
        var cohort: (data: CohortData, bootstrap: Bool)?
        if let node = entries["cohort"] {
            if let levels = entries["levels"] {
                error("\(what) takes its students from 'cohort'; 'levels' cannot be given as well", at: levels)
            }
            cohort = cachedCohort(node, what)
            if let cohort {
                levelShares = cohort.data.levelShares
                if !studentsGiven && !cohort.bootstrap {
                    students = cohort.data.count
                } else if students != cohort.data.count || cohort.bootstrap {
                    if !studentsGiven { students = cohort.data.count }
                    notes.append(
                        .note(
                            "\(what) draws \(students) students from the \(cohort.data.count) in its cohort file, with replacement (bootstrap, seeded)",
                            at: source.location(of: entries["students"] ?? node), sourceLine: source.line((entries["students"] ?? node).line)))
                }
            }
        } else {
            var counted: Int?
            var levelsRead = true
            if let node = entries["levels"] {
                if let read = levels(node, what) {
                    levelShares = read.shares
                    counted = read.headCount
                } else {
                    levelsRead = false
                }
            } else {
                error("\(what) needs 'levels' (the share of students starting at each level) or a 'cohort' file", at: node)
            }
            if !studentsGiven {
                if let counted {
                    students = counted
                } else if levelsRead {
                    // (Levels that failed may have been head-counts: no second error for them.)
                    error("\(what) needs 'students' (how many students it has)", at: node)
                }
            }
        }
        var model: ComponentReference?
        if let node = entries["model"] {
            model = component(node, "model")
        } else {
            error("\(what) needs a 'model' (e.g. traditional, flipped-classroom)", at: node)
        }
        var onlineShare = 0.0
        if let node = entries["online_share"], let value = number(node, "online_share", 0...1) { onlineShare = value }
        var studentsPerTeacher = 25.0
        if let node = entries["students_per_teacher"], let value = number(node, "students_per_teacher", 1...500) {
            studentsPerTeacher = value
        }
        var hours = (contact: 4.0, siwt: 1.0, siw: 3.0)
        if let node = entries["hours"], let values = mapping(node, "'hours'", allowed: Self.hourKeys) {
            if let node = values["contact"], let value = number(node, "contact", 0...40) { hours.contact = value }
            if let node = values["siwt"], let value = number(node, "siwt", 0...40) { hours.siwt = value }
            if let node = values["siw"], let value = number(node, "siw", 0...40) { hours.siw = value }
            if hours.contact + hours.siwt + hours.siw == 0 {
                error("\(what) has no hours at all: contact, siwt and siw are all 0", at: node)
            }
        }
        var policies: [ComponentReference] = []
        if let node = entries["policies"] {
            if let items = node.items {
                for item in items {
                    guard let policy = component(item, "policy") else { continue }
                    if let earlier = policies.first(where: { $0.name == policy.name }) {
                        error("policy '\(policy.name)' is listed twice (first at line \(earlier.location.line))", at: item)
                    }
                    policies.append(policy)
                }
            } else {
                error("'policies' must be a list, found \(node.kindName)", at: node)
            }
        }
        var population = base
        if let node = entries["population"] { population = self.population(node, base: base) }

        if let model, componentPlaces.insert("model\u{0}\(model.location)").inserted {
            components.append(("model", withDefaults(model, from: modelDefaults)))
        }
        for policy in policies where componentPlaces.insert("policy\u{0}\(policy.location)").inserted {
            components.append(("policy", withDefaults(policy, from: policyDefaults)))
        }
        guard diagnostics.count == before, let model else { return nil }
        return GroupScenario(
            name: name, students: students, levelShares: levelShares, onlineShare: onlineShare,
            contactHours: hours.contact, siwtHours: hours.siwt, siwHours: hours.siw,
            studentsPerTeacher: studentsPerTeacher, population: population,
            model: withDefaults(model, from: modelDefaults),
            policies: policies.map { withDefaults($0, from: policyDefaults) }, location: source.location(of: node),
            cohort: cohort?.data, bootstrap: cohort?.bootstrap ?? false)
    }

    /// A group's `levels`: shares by level name or CEFR label, or head-counts. Shares summing to
    /// 0.99–1.01 (rounded to two digits) and head-counts are normalised, with a note; the
    /// head-count total is returned for a group that gives no `students`.
    mutating func levels(_ node: YAMLNode, _ what: String) -> (shares: [Double], headCount: Int?)? {
        let keys = LevelBand.allCases.map(\.key)
        let labels = LevelBand.allCases.map(\.cefr)
        let before = diagnostics.count
        guard let entries = mapping(node, "'levels'", allowed: keys + labels) else { return nil }
        var shares = [Double](repeating: 0, count: keys.count)
        // An unknown level is its own error: the sum is not checked without it.
        var valid = diagnostics.count == before
        var written: [(band: LevelBand, key: String, node: YAMLNode)] = []
        for band in LevelBand.allCases {
            for key in [band.key, band.cefr] {
                guard let node = entries[key] else { continue }
                if written.contains(where: { $0.band == band }) {
                    error("level \(band.cefr) is given twice (as '\(band.key)' and '\(band.cefr)')", at: node)
                    valid = false
                    continue
                }
                written.append((band, key, node))
            }
        }
        guard valid else { return nil }
        // Head-counts: every value a whole number, more than one student in all ({A2: 34, B1: 11}).
        let counts = written.map { entry -> Int? in
            guard case .scalar(let text, plain: true) = entry.node.content, let count = Int(text), count >= 0 else { return nil }
            // Larger than any cohort: capped so the total cannot overflow (and is refused below).
            return min(count, 100_000_001)
        }
        if counts.allSatisfy({ $0 != nil }), counts.reduce(0, { $0 + $1! }) > 1 {
            let sum = counts.reduce(0) { $0 + $1! }
            guard sum <= 100_000_000 else {
                error("the head-counts of \(what) add up to more than 100000000 students", at: node)
                return nil
            }
            for (entry, count) in zip(written, counts) { shares[entry.band.rawValue] = Double(count!) / Double(sum) }
            let shown = LevelBand.allCases.filter { shares[$0.rawValue] > 0 }.map { "\($0.cefr) \(Self.format((shares[$0.rawValue] * 1000).rounded() / 1000))" }
            notes.append(
                .note(
                    "the levels of \(what) are read as head-counts of \(sum) students: shares \(shown.joined(separator: ", "))",
                    at: source.location(of: node), sourceLine: source.line(node.line)))
            return (shares, sum)
        }
        var values: [(band: LevelBand, value: Double)] = []
        for entry in written {
            if let share = number(entry.node, entry.key, 0...1) { values.append((entry.band, share)) } else { valid = false }
        }
        guard valid else { return nil }
        let sum = values.reduce(0) { $0 + $1.value }
        for entry in values { shares[entry.band.rawValue] = entry.value }
        guard abs(sum - 1) <= 0.01 + 1e-9 else {
            error(
                "the level shares of \(what) sum to \(Self.format((sum * 1e6).rounded() / 1e6)); they must sum to 1",
                at: node)
            return nil
        }
        if abs(sum - 1) > 1e-6 {
            shares = shares.map { $0 / sum }
            notes.append(
                .note(
                    "the level shares of \(what) sum to \(Self.format((sum * 1e6).rounded() / 1e6)) (rounded); each is divided by that sum",
                    at: source.location(of: node), sourceLine: source.line(node.line)))
        }
        return (shares, nil)
    }

    /// A model or policy: its name, or `{name, parameters}`.
    mutating func component(_ node: YAMLNode, _ kind: String) -> ComponentReference? {
        if case .scalar = node.content {
            guard let name = string(node, kind) else { return nil }
            return ComponentReference(
                name: name, parameters: [], location: source.location(of: node), parameterLocations: [:])
        }
        guard let entries = mapping(node, "a \(kind)", allowed: Self.componentKeys) else { return nil }
        guard let nameNode = entries["name"] else {
            error("a \(kind) needs a 'name'", at: node)
            return nil
        }
        guard let name = self.name(nameNode, "name") else { return nil }
        var parameters: [(String, JSONValue)] = []
        var locations: [String: SourceLocation] = [:]
        if let parametersNode = entries["parameters"] {
            guard let pairs = parametersNode.pairs else {
                error("'parameters' must be a mapping, found \(parametersNode.kindName)", at: parametersNode)
                return nil
            }
            for pair in pairs {
                let key = pair.key.scalar ?? ""
                parameters.append((key, Self.json(pair.value)))
                locations[key] = source.location(of: pair.value)
            }
        }
        return ComponentReference(
            name: name, parameters: parameters, location: source.location(of: nameNode),
            parameterLocations: locations)
    }
}
