public import BlendSimCore

/// A programme of several semesters (`programme:`): the same students taught semester after
/// semester, with a break before each semester after the first (docs/SCENARIO.md, docs/MODEL.md).
/// The first semester is the scenario's own `semester:` and `groups:`; each later one is the one
/// before with its own changes, as a variant is the scenario with its overrides.
public struct Programme: Sendable {
    public struct Semester: Sendable {
        /// The semester's name (`name:`), or "semester N".
        public var name: String
        /// Weeks of break before the semester (0 for the first).
        public var breakWeeks: Int
        public var weeks: Int
        /// Weeks (1-based, within the semester) that end with an assessment.
        public var controlPoints: [Int]
        /// The scenario's groups as this semester teaches them: the same names, students and
        /// order; model, online share, hours and policies may differ.
        public var groups: [GroupScenario]
        /// What the semester changes from the one before, in words.
        public var changes: [String]
    }

    public var semesters: [Semester]
    /// The level the programme asks students to reach by its end (`target:`), if any.
    public var target: LevelBand?

    /// The most semesters a programme may have (six years).
    public static let maximumSemesters = 12
    /// The longest break between two semesters, in weeks.
    public static let maximumBreakWeeks = 52

    /// Teaching weeks over the whole programme.
    public var weeks: Int { semesters.reduce(0) { $0 + $1.weeks } }
    /// Rows of a group's weekly history: each semester's start and its weeks.
    public var rows: Int { semesters.reduce(0) { $0 + $1.weeks + 1 } }
}

extension Scenario {
    /// Rows of each group's weekly history: the start and every week, and for a programme each
    /// semester's start and weeks.
    public var weeklyRows: Int { programme?.rows ?? weeks + 1 }
    /// Teaching weeks the scenario simulates (every semester's, for a programme).
    public var teachingWeeks: Int { programme?.weeks ?? weeks }
}

extension ScenarioDecoder {
    static let programmeKeys = ["target", "semesters"]
    /// What a semester may change: its own name, break and weeks, and how groups are taught.
    static let semesterEntryKeys = [
        "name", "break", "semester", "groups", "online_share", "model", "policies", "hours", "students_per_teacher",
        // Refused with their own sentence: the students are the same in every semester.
        "students", "levels", "cohort", "population",
    ]
    static let semesterGroupKeys = ["online_share", "model", "policies", "hours", "students_per_teacher"]

    /// A level named as scenarios name them (`upper_intermediate`) or by its CEFR label (`B2`).
    static func level(named text: String) -> LevelBand? {
        LevelBand(key: text) ?? LevelBand.allCases.first { $0.cefr == text }
    }

    /// Decodes `programme:` of `root` (already decoded as `first`, the first semester's scenario).
    mutating func programme(_ node: YAMLNode, root: YAMLNode, first: Scenario) -> Programme? {
        guard let top = mapping(node, "programme", allowed: Self.programmeKeys) else { return nil }
        if first.costs != nil {
            error("a programme cannot be priced yet ('costs:'); price each semester as a scenario of its own", at: root["costs"] ?? node)
        }
        var target: LevelBand?
        if let targetNode = top["target"], let text = string(targetNode, "target") {
            if let band = Self.level(named: text) {
                target = band
            } else {
                let names = LevelBand.allCases.map(\.key) + LevelBand.allCases.map(\.cefr)
                error(
                    "target '\(text)' is not a level\(Suggestion.phrase(for: text, in: names)) (one of "
                        + LevelBand.allCases.map { "\($0.key) (\($0.cefr))" }.joined(separator: ", ") + ")",
                    at: targetNode)
            }
        }
        guard let semestersNode = top["semesters"] else {
            error("a programme needs 'semesters': a list of at least one semester (the first is the scenario's own)", at: node)
            return nil
        }
        guard let items = semestersNode.items, !items.isEmpty else {
            error("'semesters' must be a non-empty list of semesters, found \(semestersNode.items != nil ? "an empty list" : semestersNode.kindName)", at: semestersNode)
            return nil
        }
        guard items.count <= Programme.maximumSemesters else {
            error("\(items.count) semesters; a programme has at most \(Programme.maximumSemesters)", at: semestersNode)
            return nil
        }
        // Each semester's tree is the one before with its changes; the first is the scenario's own.
        var tree = VariantBuilder.base(root)
        if let pairs = tree.pairs { tree.content = .mapping(pairs.filter { $0.key.scalar != "programme" }) }
        var semesters: [Programme.Semester] = []
        for (index, item) in items.enumerated() {
            let number = index + 1
            guard let entries = mapping(item, "a semester", allowed: Self.semesterEntryKeys) else { continue }
            var name = "semester \(number)"
            if let nameNode = entries["name"], let value = self.name(nameNode, "name") { name = value }
            var breakWeeks = 0
            if let breakNode = entries["break"] {
                if index == 0 {
                    error("the first semester has no break before it (a break is the time between two semesters)", at: breakNode)
                } else if let breakEntries = mapping(breakNode, "break", allowed: ["weeks"]) {
                    if let weeksNode = breakEntries["weeks"] {
                        if let text = weeksNode.scalar, let value = YAMLNode.number(text), value < 0 {
                            error("a break of \(text) weeks: a break cannot be negative", at: weeksNode)
                        } else if let value = integer(weeksNode, "break weeks", 0...Programme.maximumBreakWeeks) {
                            breakWeeks = value
                        }
                    } else {
                        error("'break' needs 'weeks': the weeks between this semester and the one before", at: breakNode)
                    }
                }
            } else if index > 0 {
                error("semester \(number) needs 'break: {weeks: N}': the weeks between it and the semester before (0 for none)", at: item)
            }
            if index == 0 {
                guard refuseStudentChanges(item, number: number) else { continue }
                for key in Self.semesterEntryKeys where !["name", "break", "students", "levels", "cohort", "population"].contains(key) {
                    if let changed = entries[key] {
                        error("the first semester is the scenario's own 'semester:' and 'groups:'; set '\(key)' there", at: changed)
                    }
                }
                semesters.append(Programme.Semester(
                    name: name, breakWeeks: 0, weeks: first.weeks, controlPoints: first.controlPoints, groups: first.groups, changes: []))
                continue
            }
            guard refuseStudentChanges(item, number: number) else { continue }
            for pair in item.pairs ?? [] {
                let key = pair.key.scalar ?? ""
                switch key {
                case "semester":
                    tree = VariantBuilder.setting("semester", pair.value, in: tree, merge: true)
                case "groups":
                    guard let overrides = pair.value.pairs else {
                        error("'groups' in a semester must map group names to changes, found \(pair.value.kindName)", at: pair.value)
                        continue
                    }
                    guard var groups = tree["groups"]?.items else { continue }
                    for override in overrides {
                        let groupName = override.key.scalar ?? ""
                        guard let groupIndex = groups.firstIndex(where: { $0["name"]?.scalar == groupName }) else {
                            let names = groups.compactMap { $0["name"]?.scalar }
                            error("semester \(number) changes unknown group '\(groupName)'\(Suggestion.phrase(for: groupName, in: names))", at: override.key)
                            continue
                        }
                        guard refuseStudentChanges(override.value, number: number, group: true),
                            mapping(override.value, "group '\(groupName)' in semester \(number)", allowed: Self.semesterGroupKeys) != nil
                        else { continue }
                        for change in override.value.pairs ?? [] {
                            groups[groupIndex] = Self.changed(groups[groupIndex], change.key.scalar ?? "", to: change.value)
                        }
                    }
                    tree = replacingGroups(tree, groups)
                case _ where Self.semesterGroupKeys.contains(key):
                    guard var groups = tree["groups"]?.items else { continue }
                    for groupIndex in groups.indices { groups[groupIndex] = Self.changed(groups[groupIndex], key, to: pair.value) }
                    tree = replacingGroups(tree, groups)
                default:
                    continue
                }
            }
            var decoder = ScenarioDecoder(source: source)
            decoder.includes = []
            decoder.cohorts = cohorts
            if let scenario = decoder.scenario(tree) {
                semesters.append(Programme.Semester(
                    name: name, breakWeeks: breakWeeks, weeks: scenario.weeks, controlPoints: scenario.controlPoints,
                    groups: scenario.groups, changes: VariantBuilder.changes(item).filter { !$0.hasPrefix("break") }))
            }
            for component in decoder.components {
                let key = "\(component.kind)\u{0}\(component.reference.location)"
                if componentPlaces.insert(key).inserted { components.append(component) }
            }
            for diagnostic in decoder.diagnostics where !diagnostics.contains(diagnostic) {
                var located = diagnostic
                located.message += " (in semester \(number))"
                diagnostics.append(located)
            }
        }
        guard semesters.count == items.count else { return nil }
        return Programme(semesters: semesters, target: target)
    }

    /// A group as a semester changes it: a new model or list of policies replaces the old one
    /// (with its parameters), hours are merged key by key.
    static func changed(_ group: YAMLNode, _ key: String, to value: YAMLNode) -> YAMLNode {
        VariantBuilder.setting(key, value, in: group, merge: key == "hours")
    }

    /// Refuses a semester's change to who the students are (in a semester's entry, or with
    /// `group: true` in one group's changes, where `name` would rename it); false if there was one.
    mutating func refuseStudentChanges(_ node: YAMLNode, number: Int, group: Bool = false) -> Bool {
        let keys = ["students", "levels", "cohort", "population"] + (group ? ["name"] : [])
        var fine = true
        for pair in node.pairs ?? [] where keys.contains(pair.key.scalar ?? "") {
            error("semester \(number) cannot change '\(pair.key.scalar ?? "")': a programme teaches the same students in every semester", at: pair.key)
            fine = false
        }
        return fine
    }
}
