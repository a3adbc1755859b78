import BlendSimCore

/// The scenario document: its top-level keys, includes, defaults, semester, kernel and
/// population (the document primitives are in ScenarioDecoder.swift).
extension ScenarioDecoder {
    mutating func scenario(_ root: YAMLNode) -> Scenario? {
        guard let top = mapping(root, "the scenario", allowed: Self.topKeys) else { return nil }
        var kernel = KernelParameters()
        var population = PopulationSpec()
        if let node = top["include"] {
            let paths: [YAMLNode] = node.items ?? [node]
            for pathNode in paths {
                guard let path = string(pathNode, "include") else { continue }
                include(path, at: pathNode, kernel: &kernel, population: &population)
            }
        }
        var name = Self.stem(of: source.path)
        if let node = top["name"], let value = self.name(node, "name") { name = value }
        let description = top["description"].flatMap { string($0, "description") }
        var seed: UInt64 = 1
        if let node = top["seed"], let value = integer(node, "seed", 0...Int.max) { seed = UInt64(value) }
        var replications = 1
        if let node = top["replications"], let value = integer(node, "replications", 1...100_000) {
            replications = value
        }

        var weeks = 15
        var controlPoints: [Int]?
        if let node = top["semester"], let semester = mapping(node, "semester", allowed: Self.semesterKeys) {
            var weeksValid = true
            if let node = semester["weeks"] {
                if let value = integer(node, "weeks", 1...52) { weeks = value } else { weeksValid = false }
            }
            // Control points are checked against the weeks only when the weeks are valid: against
            // a default the file did not ask for, every error would follow from the first.
            if let node = semester["control_points"], weeksValid { controlPoints = self.controlPoints(node, weeks: weeks) }
        }

        if let node = top["kernel"] { kernel = self.kernel(node, base: kernel) }
        if let node = top["population"] { population = self.population(node, base: population) }
        if let node = top["model_defaults"] { defaults(node, "model_defaults") }
        if let node = top["policy_defaults"] { defaults(node, "policy_defaults") }
        if let node = top["costs"] {
            var settings = costSettings
            costs(node, into: &settings)
            costSettings = settings
        }

        var groups: [GroupScenario] = []
        if let node = top["groups"] {
            if let items = node.items, !items.isEmpty {
                for item in items {
                    if let group = group(item, population: population) {
                        if let earlier = groups.first(where: { $0.name == group.name }) {
                            error(
                                "duplicate group name '\(group.name)' (first used at line \(earlier.location.line))",
                                at: item["name"] ?? item)
                        }
                        groups.append(group)
                    }
                }
            } else {
                error("'groups' must be a non-empty list of groups, found \(node.items != nil ? "an empty list" : node.kindName)", at: node)
            }
        } else {
            error("missing key 'groups': a scenario needs at least one group", at: root)
        }

        var baseline: String?
        if let node = top["baseline"], let name = string(node, "baseline") {
            if diagnostics.isEmpty && !groups.contains(where: { $0.name == name }) {
                error(
                    "baseline '\(name)' is not a group\(Suggestion.phrase(for: name, in: groups.map(\.name)))",
                    at: node)
            }
            baseline = name
        }

        guard diagnostics.isEmpty else { return nil }
        var scenario = Scenario(
            name: name, description: description, seed: seed, replications: replications, weeks: weeks,
            controlPoints: controlPoints ?? Self.defaultControlPoints(weeks: weeks), kernel: kernel,
            groups: groups, baseline: baseline, source: source, includes: includes, variants: [],
            defaultComponents: defaultComponents)
        scenario.notes = notes
        scenario.costs = costSettings
        if let node = top["programme"] {
            scenario.programme = programme(node, root: root, first: scenario)
            guard diagnostics.isEmpty else { return nil }
        }
        return scenario
    }

    /// The components `model_defaults` and `policy_defaults` name, with their defaults, sorted by
    /// where they are written.
    var defaultComponents: [(kind: String, reference: ComponentReference)] {
        var list: [(kind: String, reference: ComponentReference)] = []
        for (kind, key, table) in [("model", "model_defaults", modelDefaults), ("policy", "policy_defaults", policyDefaults)] {
            for (name, entries) in table {
                guard let location = defaultNameLocations[key + "\u{0}" + name] else { continue }
                var locations: [String: SourceLocation] = [:]
                for entry in entries { locations[entry.0] = entry.2 }
                list.append((kind, ComponentReference(
                    name: name, parameters: entries.map { ($0.0, $0.1) }, location: location, parameterLocations: locations)))
            }
        }
        return list.sorted { ($0.reference.location.file, $0.reference.location.line, $0.reference.location.column) < ($1.reference.location.file, $1.reference.location.line, $1.reference.location.column) }
    }

    /// Fragments one scenario may include, and their total size.
    static let maximumIncludes = 64
    static let maximumIncludedBytes = 16 << 20

    /// Reads an included fragment and applies it under the scenario's own values.
    mutating func include(
        _ path: String, at node: YAMLNode, kernel: inout KernelParameters, population: inout PopulationSpec
    ) {
        let directory = source.path.contains("/") ? String(source.path[..<source.path.lastIndex(of: "/")!]) : "."
        let resolved = path.hasPrefix("/") ? path : directory + "/" + path
        guard path.hasSuffix(".yaml") || path.hasSuffix(".yml") else {
            error("an included file must be a .yaml or .yml fragment, not '\(path)'", at: node)
            return
        }
        guard includes.count < Self.maximumIncludes else {
            error("more than \(Self.maximumIncludes) includes; a scenario needs a few fragments, not many", at: node)
            return
        }
        let bytes: [UInt8]
        switch ScenarioLoader.readFile(resolved) {
        case .failure(let problem):
            error("cannot include '\(path)': \(problem.message)", at: node)
            return
        case .success(let read): bytes = read
        }
        let total = includes.reduce(bytes.count) { $0 + $1.bytes.count }
        guard total <= Self.maximumIncludedBytes else {
            error("the included files add up to more than \(Self.maximumIncludedBytes >> 20) MiB; refusing to read further", at: node)
            return
        }
        let included = ScenarioSource(path: resolved, bytes: bytes)
        includes.append(included)
        var fragment = ScenarioDecoder(source: included)
        fragment.costSettings = costSettings
        defer {
            diagnostics += fragment.diagnostics
            // A later include's value for a parameter replaces an earlier one's.
            for (name, entries) in fragment.modelDefaults {
                for entry in entries {
                    modelDefaults[name, default: []].removeAll { $0.0 == entry.0 }
                    modelDefaults[name, default: []].append(entry)
                }
            }
            defaultNameLocations.merge(fragment.defaultNameLocations) { $1 }
            costSettings = fragment.costSettings
            for (name, entries) in fragment.policyDefaults {
                for entry in entries {
                    policyDefaults[name, default: []].removeAll { $0.0 == entry.0 }
                    policyDefaults[name, default: []].append(entry)
                }
            }
        }
        let root: YAMLNode?
        do {
            root = try YAMLReader().parse(bytes)
        } catch {
            fragment.diagnostics.append(included.diagnostic(error.message, line: error.line, column: error.column))
            return
        }
        guard let root, let entries = fragment.mapping(root, "an included file", allowed: Self.fragmentKeys) else { return }
        if let node = entries["kernel"] { kernel = fragment.kernel(node, base: kernel) }
        if let node = entries["population"] { population = fragment.population(node, base: population) }
        if let node = entries["model_defaults"] { fragment.defaults(node, "model_defaults") }
        if let node = entries["policy_defaults"] { fragment.defaults(node, "policy_defaults") }
        if let node = entries["costs"] {
            var settings = fragment.costSettings
            fragment.costs(node, into: &settings)
            fragment.costSettings = settings
        }
    }

    /// `model_defaults` / `policy_defaults`: name → parameters.
    mutating func defaults(_ node: YAMLNode, _ key: String) {
        var table = key == "model_defaults" ? modelDefaults : policyDefaults
        defer {
            if key == "model_defaults" { modelDefaults = table } else { policyDefaults = table }
        }
        guard let pairs = node.pairs else {
            error("'\(key)' must be a mapping of names to parameters, found \(node.kindName)", at: node)
            return
        }
        for pair in pairs {
            let name = pair.key.scalar ?? ""
            defaultNameLocations[key + "\u{0}" + name] = source.location(of: pair.key)
            guard let parameters = pair.value.pairs else {
                error("the parameters of '\(name)' in '\(key)' must be a mapping, found \(pair.value.kindName)", at: pair.value)
                continue
            }
            for parameter in parameters {
                let parameterName = parameter.key.scalar ?? ""
                table[name, default: []].removeAll { $0.0 == parameterName }
                table[name, default: []].append((parameterName, Self.json(parameter.value), source.location(of: parameter.value)))
            }
        }
    }

    /// A reference with the defaults for its name filled in where it sets nothing.
    func withDefaults(_ reference: ComponentReference, from table: [String: [(String, JSONValue, SourceLocation)]]) -> ComponentReference {
        var reference = reference
        for (name, value, location) in table[reference.name] ?? [] where !reference.parameters.contains(where: { $0.0 == name }) {
            reference.parameters.append((name, value))
            reference.parameterLocations[name] = location
            reference.fromDefaults.insert(name)
        }
        return reference
    }

    /// Mid-semester and the last week.
    static func defaultControlPoints(weeks: Int) -> [Int] {
        let middle = (weeks + 1) / 2
        return middle == weeks ? [weeks] : [middle, weeks]
    }

    static func stem(of path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        for suffix in [".yaml", ".yml"] where file.hasSuffix(suffix) {
            return String(file.dropLast(suffix.count))
        }
        return file
    }

    mutating func controlPoints(_ node: YAMLNode, weeks: Int) -> [Int]? {
        guard let items = node.items else {
            error("'control_points' must be a list of weeks, found \(node.kindName)", at: node)
            return nil
        }
        var weeksSeen: [Int] = []
        for item in items {
            guard let week = integer(item, "control_points", 1...weeks) else { continue }
            if weeksSeen.contains(week) {
                error("week \(week) is listed twice in 'control_points'", at: item)
            }
            weeksSeen.append(week)
        }
        return weeksSeen.sorted()
    }

    mutating func kernel(_ node: YAMLNode, base: KernelParameters) -> KernelParameters {
        var kernel = base
        let catalog = KernelParameters.catalog
        guard let entries = mapping(node, "kernel", allowed: catalog.map(\.key)) else { return kernel }
        for info in catalog {
            if let value = entries[info.key].flatMap({ number($0, info.key, info.range) }) {
                kernel[keyPath: info.keyPath] = value
            }
        }
        if kernel.referenceScore >= kernel.ceilingScore, let node = entries["reference_score"] ?? entries["ceiling_score"] {
            error("'reference_score' must be below 'ceiling_score'", at: node)
        }
        return kernel
    }

    mutating func population(_ node: YAMLNode, base: PopulationSpec) -> PopulationSpec {
        var population = base
        guard let entries = mapping(node, "population", allowed: Self.populationKeys) else { return population }
        func trait(_ key: String, _ keyPath: WritableKeyPath<PopulationSpec, TraitDistribution>) {
            if let node = entries[key], let value = traitDistribution(node, key) {
                population[keyPath: keyPath] = value
            }
        }
        trait("motivation", \.motivation)
        trait("self_regulation", \.selfRegulation)
        trait("digital_competence", \.digitalCompetence)
        trait("connectivity", \.connectivity)
        trait("integrity", \.integrity)
        if let node = entries["device_access"], let value = number(node, "device_access", 0...1) {
            population.deviceAccess = value
        }
        if let node = entries["skill_spread"], let value = number(node, "skill_spread", 0...30) {
            population.skillSpread = value
        }
        if let node = entries["aptitude_sd"], let value = number(node, "aptitude_sd", 0...1) {
            population.aptitudeSD = value
        }
        return population
    }

    /// A trait: a constant in [0, 1], or `{mean, sd}` of a beta distribution.
    mutating func traitDistribution(_ node: YAMLNode, _ key: String) -> TraitDistribution? {
        if case .scalar = node.content {
            return number(node, key, 0...1).map { TraitDistribution(mean: $0, sd: 0) }
        }
        guard let entries = mapping(node, "'\(key)'", allowed: Self.traitKeys) else { return nil }
        guard let meanNode = entries["mean"] else {
            error("'\(key)' needs a 'mean'", at: node)
            return nil
        }
        guard let mean = number(meanNode, "mean", 0...1) else { return nil }
        var sd = 0.0
        if let sdNode = entries["sd"] {
            guard let value = number(sdNode, "sd", 0...0.5) else { return nil }
            sd = value
        }
        let distribution = TraitDistribution(mean: mean, sd: sd)
        guard distribution.isFeasible else {
            error(
                "'\(key)' cannot have mean \(Self.format(mean)) and sd \(Self.format(sd)): a beta distribution needs 0 < mean < 1 and sd² < mean·(1 − mean)",
                at: entries["sd"] ?? node)
            return nil
        }
        return distribution
    }
}
