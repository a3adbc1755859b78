import BlendSimCore

/// One variant of a scenario: the base scenario with some keys overridden (`variants:`).
public struct ScenarioVariant: Sendable {
    /// The variant's label (`name:`), or a sweep point's.
    public var name: String
    public var scenario: Scenario
    /// What the variant changes from the base scenario, one phrase per override, in the order
    /// written: "online share 20% in every group", "group 'b': model flex".
    public var changes: [String] = []
}

/// Builds each variant's YAML tree from the base tree and the variant's overrides, then decodes it
/// like any scenario — so a bad override is reported at its own line.
struct VariantBuilder {
    static let groupLevelKeys = ["online_share", "model", "policies", "hours", "students_per_teacher", "population", "students", "levels"]
    static let topLevelKeys = ["kernel", "model_defaults", "policy_defaults", "population"]
    static let variantKeys = ["name", "groups"] + groupLevelKeys + ["kernel", "model_defaults", "policy_defaults", "programme"]

    /// A variant's overrides in words: each key with its value, nested keys joined by " › ";
    /// group-level keys written at the top apply "in every group".
    static func changes(_ item: YAMLNode) -> [String] {
        var phrases: [String] = []
        for pair in item.pairs ?? [] {
            let key = pair.key.scalar ?? ""
            switch key {
            case "name":
                continue
            case "groups":
                for group in pair.value.pairs ?? [] {
                    let settings = (group.value.pairs ?? []).map { phrase($0.key.scalar ?? "", $0.value) }
                    phrases.append("group '\(words(group.key.scalar ?? ""))': " + (settings.isEmpty ? "unchanged" : settings.joined(separator: ", ")))
                }
            case _ where groupLevelKeys.contains(key):
                phrases.append(phrase(key, pair.value) + " in every group")
            default:
                phrases.append(phrase(key, pair.value))
            }
        }
        return phrases
    }

    /// "online share 20%", "policies anti-plagiarism, device-loans", "kernel › points per hour 0.3".
    static func phrase(_ key: String, _ value: YAMLNode) -> String {
        let label = words(key.replacingUnderscores())
        if let pairs = value.pairs {
            guard !pairs.isEmpty else { return label + " nothing" }
            return pairs.map { phrase(key + " › " + ($0.key.scalar ?? ""), $0.value) }.joined(separator: ", ")
        }
        return label + " " + text(value, percent: key.hasSuffix("online_share"))
    }

    /// A value as short text: a share as a percentage, a list joined by commas ("none" if empty), a
    /// mapping in braces.
    static func text(_ node: YAMLNode, percent: Bool = false) -> String {
        switch node.content {
        case .scalar(let value, let plain):
            if percent, let number = YAMLNode.number(value), number.isFinite, abs(number) < 1e12 {
                let shown = (number * 1000).rounded() / 10
                return (shown == shown.rounded() ? String(Int(shown)) : String(shown)) + "%"
            }
            // A number as the number it is (000…030 is 30), not cut to its first characters.
            if plain, let number = YAMLNode.number(value), number.isFinite {
                return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
            }
            return words(value)
        case .sequence(let items):
            return items.isEmpty ? "none" : items.map { text($0) }.joined(separator: ", ")
        case .mapping(let pairs):
            if let name = pairs.first(where: { $0.key.scalar == "name" }) {
                let rest = pairs.filter { $0.key.scalar != "name" }
                return text(name.value) + (rest.isEmpty ? "" : " (" + rest.map { phrase($0.key.scalar ?? "", $0.value) }.joined(separator: ", ") + ")")
            }
            return "{" + pairs.map { phrase($0.key.scalar ?? "", $0.value) }.joined(separator: ", ") + "}"
        }
    }

    /// Text from a scenario shown to people: control characters replaced, at most 80 characters.
    static func words(_ text: String) -> String {
        let clean = GeneratedText.oneLine(text)
        return clean.count > 80 ? String(clean.prefix(79)) + "…" : clean
    }

    /// The base tree without its `variants` key.
    static func base(_ root: YAMLNode) -> YAMLNode {
        guard let pairs = root.pairs else { return root }
        var node = root
        node.content = .mapping(pairs.filter { $0.key.scalar != "variants" })
        return node
    }

    /// Mappings merge key by key (the overlay wins); anything else is replaced.
    static func merged(_ base: YAMLNode?, with overlay: YAMLNode) -> YAMLNode {
        guard let base, let basePairs = base.pairs, let overlayPairs = overlay.pairs else { return overlay }
        var pairs = basePairs
        for pair in overlayPairs {
            if let index = pairs.firstIndex(where: { $0.key.scalar == pair.key.scalar }) {
                pairs[index].value = merged(pairs[index].value, with: pair.value)
            } else {
                pairs.append(pair)
            }
        }
        var node = base
        node.content = .mapping(pairs)
        return node
    }

    static func setting(_ key: String, _ value: YAMLNode, in mapping: YAMLNode, merge: Bool) -> YAMLNode {
        guard var pairs = mapping.pairs else { return mapping }
        if let index = pairs.firstIndex(where: { $0.key.scalar == key }) {
            pairs[index].value = merge ? merged(pairs[index].value, with: value) : value
        } else {
            pairs.append(YAMLPair(key: YAMLNode(content: .scalar(key, plain: true), line: value.line, column: value.column), value: value))
        }
        var node = mapping
        node.content = .mapping(pairs)
        return node
    }
}

extension ScenarioDecoder {
    /// Variants a scenario may declare for `compare`.
    static let maximumVariants = 1_000

    /// The variants declared under `variants:`, each decoded as a full scenario.
    mutating func variants(_ root: YAMLNode) -> [ScenarioVariant] {
        guard let node = root["variants"] else { return [] }
        guard let items = node.items, !items.isEmpty else {
            error("'variants' must be a non-empty list of variants, found \(node.kindName)", at: node)
            return []
        }
        guard items.count <= Self.maximumVariants else {
            error("\(items.count) variants; a comparison takes at most \(Self.maximumVariants) (a sweep plan explores more)", at: node)
            return []
        }
        return variants(base: VariantBuilder.base(root), items: items)
    }

    /// Variants from explicit override mappings (each with a `name`) applied to `base`.
    mutating func variants(base: YAMLNode, items: [YAMLNode]) -> [ScenarioVariant] {
        var variants: [ScenarioVariant] = []
        var names = Set<String>()
        for item in items {
            guard let entries = mapping(item, "a variant", allowed: VariantBuilder.variantKeys) else { continue }
            guard let nameNode = entries["name"], let name = self.name(nameNode, "name") else {
                if entries["name"] == nil { error("a variant needs a 'name'", at: item) }
                continue
            }
            if !names.insert(name).inserted {
                error("duplicate variant name '\(name)'", at: nameNode)
                continue
            }
            // Variants compare programmes of one kind: all of them programmes towards the
            // scenario's target, or none.
            if let programme = entries["programme"] {
                if base["programme"] == nil {
                    error("variant '\(name)' makes the scenario a programme; write 'programme:' in the scenario itself, so that every variant is one", at: programme)
                    continue
                }
                if let target = programme["target"], target.scalar != base["programme"]?["target"]?.scalar {
                    error("variant '\(name)' changes the programme's target; the variants of a comparison share the scenario's", at: target)
                    continue
                }
            }
            var tree = base
            let written = Set((item.pairs ?? []).compactMap(\.key.scalar))
            for pair in item.pairs ?? [] {
                var key = pair.key.scalar ?? ""
                // A misspelt key (already reported) is applied as the key it was suggested to be,
                // so its value is still checked.
                if !VariantBuilder.variantKeys.contains(key) {
                    guard let suggested = Suggestion.closest(to: key, in: VariantBuilder.variantKeys), !written.contains(suggested) else { continue }
                    key = suggested
                }
                switch key {
                case "name":
                    continue
                case "kernel", "model_defaults", "policy_defaults", "programme":
                    tree = VariantBuilder.setting(key, pair.value, in: tree, merge: true)
                case "groups":
                    guard let overrides = pair.value.pairs else {
                        error("'groups' in a variant must map group names to overrides, found \(pair.value.kindName)", at: pair.value)
                        continue
                    }
                    guard var groups = tree["groups"]?.items else { continue }
                    for override in overrides {
                        let groupName = override.key.scalar ?? ""
                        guard let index = groups.firstIndex(where: { $0["name"]?.scalar == groupName }) else {
                            let names = groups.compactMap { $0["name"]?.scalar }
                            error("variant '\(name)' overrides unknown group '\(groupName)'\(Suggestion.phrase(for: groupName, in: names))", at: override.key)
                            continue
                        }
                        groups[index] = VariantBuilder.merged(groups[index], with: override.value)
                    }
                    tree = replacingGroups(tree, groups)
                default:
                    guard var groups = tree["groups"]?.items else { continue }
                    for index in groups.indices {
                        groups[index] = VariantBuilder.setting(key, pair.value, in: groups[index], merge: key == "population")
                    }
                    tree = replacingGroups(tree, groups)
                }
            }
            var decoder = ScenarioDecoder(source: source)
            decoder.includes = []
            decoder.cohorts = cohorts
            if let scenario = decoder.scenario(tree) {
                variants.append(ScenarioVariant(name: name, scenario: scenario, changes: VariantBuilder.changes(item)))
            }
            // The variant's own models and policies (those written in its overrides), for the
            // plugins to check with the rest.
            for component in decoder.components {
                let key = "\(component.kind)\u{0}\(component.reference.location)"
                if componentPlaces.insert(key).inserted { components.append(component) }
            }
            for diagnostic in decoder.diagnostics where !diagnostics.contains(diagnostic) {
                var located = diagnostic
                located.message += " (in variant '\(name)')"
                diagnostics.append(located)
            }
        }
        return variants
    }

    func replacingGroups(_ tree: YAMLNode, _ groups: [YAMLNode]) -> YAMLNode {
        guard var pairs = tree.pairs, let index = pairs.firstIndex(where: { $0.key.scalar == "groups" }) else { return tree }
        var node = pairs[index].value
        node.content = .sequence(groups)
        pairs[index].value = node
        var result = tree
        result.content = .mapping(pairs)
        return result
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
