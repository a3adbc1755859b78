import BlendSimCore

/// Walks the YAML tree of a scenario, checking every key and value, and collects diagnostics
/// instead of stopping at the first one.
struct ScenarioDecoder {
    let source: ScenarioSource
    var diagnostics: [Diagnostic] = []
    /// Default parameters per model and per policy name, from `model_defaults` and
    /// `policy_defaults` (included files first).
    var modelDefaults: [String: [(String, JSONValue, SourceLocation)]] = [:]
    /// Where each name of `model_defaults` and `policy_defaults` is written (the last place).
    var defaultNameLocations: [String: SourceLocation] = [:]
    var policyDefaults: [String: [(String, JSONValue, SourceLocation)]] = [:]
    var includes: [ScenarioSource] = []
    /// Every model and policy the groups name, recorded even when their group has other errors,
    /// so the plugins can check them too and all the file's errors are reported at once.
    var components: [(kind: String, reference: ComponentReference)] = []
    /// Where the components recorded are written, so a variant's copy of a group adds none twice.
    var componentPlaces = Set<String>()

    init(source: ScenarioSource) { self.source = source }

    static let topKeys = [
        "name", "description", "include", "seed", "replications", "semester", "population", "kernel",
        "model_defaults", "policy_defaults", "baseline", "groups", "variants",
    ]
    /// What an included file may set.
    static let fragmentKeys = ["kernel", "population", "model_defaults", "policy_defaults"]
    static let semesterKeys = ["weeks", "control_points"]
    static let groupKeys = [
        "name", "students", "levels", "model", "online_share", "hours", "students_per_teacher", "policies",
        "population",
    ]
    static let hourKeys = ["contact", "siwt", "siw"]
    static let componentKeys = ["name", "parameters"]
    static let traitKeys = ["mean", "sd"]
    static let populationKeys = [
        "motivation", "self_regulation", "digital_competence", "device_access", "connectivity", "integrity",
        "skill_spread", "aptitude_sd",
    ]

    // MARK: - Reporting

    /// Errors reported per file at most: a file of thousands of repeated mistakes gets the
    /// first of them and a last line saying the rest were not listed.
    static let maximumDiagnostics = 100

    mutating func error(_ message: String, at node: YAMLNode) {
        guard diagnostics.count <= Self.maximumDiagnostics else { return }
        if diagnostics.count == Self.maximumDiagnostics {
            var note = source.diagnostic(
                "more than \(Self.maximumDiagnostics) errors; stopping here (fix these first)", line: node.line, column: node.column)
            note.isNote = true
            diagnostics.append(note)
            return
        }
        let diagnostic = source.diagnostic(message, line: node.line, column: node.column)
        // The same node can be reached twice (a variant's setting applies to every group): once.
        guard !diagnostics.contains(diagnostic) else { return }
        diagnostics.append(diagnostic)
    }

    /// The entries of a mapping node by key, after checking every key is one of `allowed`.
    mutating func mapping(_ node: YAMLNode, _ what: String, allowed: [String]) -> [String: YAMLNode]? {
        guard let pairs = node.pairs else {
            error("\(what) must be a mapping, found \(node.kindName)", at: node)
            return nil
        }
        var entries: [String: YAMLNode] = [:]
        var corrected: [(String, YAMLNode)] = []
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            guard allowed.contains(key) else {
                let suggestion = Suggestion.closest(to: key, in: allowed)
                error("unknown key '\(key)' in \(what)\(suggestion.map { "; did you mean '\($0)'?" } ?? "")", at: pair.key)
                if let suggestion { corrected.append((suggestion, pair.value)) }
                continue
            }
            entries[key] = pair.value
        }
        // A misspelt key is read as the key it was suggested to be (unless that key is also
        // written), so its value is still checked and the key is not reported missing as well:
        // the typo is one error, not two.
        for (key, value) in corrected where entries[key] == nil { entries[key] = value }
        return entries
    }

    // MARK: - Scalars

    mutating func number(_ node: YAMLNode, _ key: String, _ range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let text, plain: true) = node.content, let value = YAMLNode.number(text), value.isFinite else {
            error("'\(key)' must be a number, found \(node.kindName)", at: node)
            return nil
        }
        guard range.contains(value) else {
            error("'\(key)' must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), found \(text)", at: node)
            return nil
        }
        return value
    }

    mutating func integer(_ node: YAMLNode, _ key: String, _ range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let text, plain: true) = node.content, let value = Int(text) else {
            if case .scalar(let text, plain: true) = node.content, YAMLNode.number(text) != nil {
                error("'\(key)' must be a whole number, found \(text)", at: node)
            } else {
                error("'\(key)' must be a whole number, found \(node.kindName)", at: node)
            }
            return nil
        }
        guard range.contains(value) else {
            error("'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(text)", at: node)
            return nil
        }
        return value
    }

    mutating func string(_ node: YAMLNode, _ key: String) -> String? {
        guard case .scalar(let text, _) = node.content, !text.isEmpty else {
            error("'\(key)' must be a non-empty string, found \(node.kindName)", at: node)
            return nil
        }
        return text
    }

    /// A name that ends up in results, tables and file rows: printable characters only (no
    /// control characters, which would corrupt a terminal, a CSV row or a log) and at most 200 of
    /// them.
    mutating func name(_ node: YAMLNode, _ key: String) -> String? {
        guard let text = string(node, key) else { return nil }
        if let bad = text.unicodeScalars.first(where: GeneratedText.isControl) {
            error("'\(key)' must be printable; it holds the control character U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(4))", at: node)
            return nil
        }
        guard text.count <= 200 else {
            error("'\(key)' is \(text.count) characters long; at most 200", at: node)
            return nil
        }
        return text
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    // MARK: - Scenario

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
        return Scenario(
            name: name, description: description, seed: seed, replications: replications, weeks: weeks,
            controlPoints: controlPoints ?? Self.defaultControlPoints(weeks: weeks), kernel: kernel,
            groups: groups, baseline: baseline, source: source, includes: includes, variants: [],
            defaultComponents: defaultComponents)
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

    // MARK: - Groups

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
        if let node = entries["students"] {
            students = integer(node, "students", 1...100_000_000) ?? 0
        } else {
            error("\(what) needs 'students' (how many students it has)", at: node)
        }
        var levelShares = [Double](repeating: 0, count: LevelBand.allCases.count)
        if let node = entries["levels"] {
            levelShares = levels(node, what) ?? levelShares
        } else {
            error("\(what) needs 'levels' (the share of students starting at each level)", at: node)
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
            policies: policies.map { withDefaults($0, from: policyDefaults) }, location: source.location(of: node))
    }

    mutating func levels(_ node: YAMLNode, _ what: String) -> [Double]? {
        let keys = LevelBand.allCases.map(\.key)
        let before = diagnostics.count
        guard let entries = mapping(node, "'levels'", allowed: keys) else { return nil }
        var shares = [Double](repeating: 0, count: keys.count)
        // An unknown level is its own error: the sum is not checked without it.
        var valid = diagnostics.count == before
        for band in LevelBand.allCases {
            guard let node = entries[band.key] else { continue }
            if let share = number(node, band.key, 0...1) { shares[band.rawValue] = share } else { valid = false }
        }
        guard valid else { return nil }
        let sum = shares.reduce(0, +)
        guard abs(sum - 1) <= 1e-6 else {
            error(
                "the level shares of \(what) sum to \(Self.format((sum * 1e6).rounded() / 1e6)); they must sum to 1",
                at: node)
            return nil
        }
        return shares
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

    /// A YAML node as JSON, resolving plain scalars by the YAML 1.2 core schema.
    static func json(_ node: YAMLNode) -> JSONValue {
        switch node.content {
        case .scalar(let text, let plain):
            guard plain else { return .string(text) }
            if text.isEmpty || text == "~" || text == "null" { return .null }
            if text == "true" { return .bool(true) }
            if text == "false" { return .bool(false) }
            if let value = Int(text) { return .integer(value) }
            if let value = YAMLNode.number(text), value.isFinite { return .number(value) }
            return .string(text)
        case .sequence(let items):
            return .array(items.map(json))
        case .mapping(let pairs):
            return .object(pairs.map { ($0.key.scalar ?? "", json($0.value)) })
        }
    }
}

extension String {
    /// The string with leading zeros up to `width` characters.
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
