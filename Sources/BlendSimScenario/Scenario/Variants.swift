import BlendSimCore

/// One variant of a scenario: the base scenario with some keys overridden (`variants:`).
public struct ScenarioVariant: Sendable {
    /// The variant's label (`name:`), or a sweep point's.
    public var name: String
    public var scenario: Scenario
}

/// Builds each variant's YAML tree from the base tree and the variant's overrides, then decodes it
/// like any scenario — so a bad override is reported at its own line.
struct VariantBuilder {
    static let groupLevelKeys = ["online_share", "model", "policies", "hours", "students_per_teacher", "population", "students", "levels"]
    static let topLevelKeys = ["kernel", "model_defaults", "policy_defaults", "population"]
    static let variantKeys = ["name", "groups"] + groupLevelKeys + ["kernel", "model_defaults", "policy_defaults"]

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
            var tree = base
            for pair in item.pairs ?? [] {
                let key = pair.key.scalar ?? ""
                switch key {
                case "name":
                    continue
                case _ where !VariantBuilder.variantKeys.contains(key):
                    continue  // already reported as an unknown key
                case "kernel", "model_defaults", "policy_defaults":
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
            if let scenario = decoder.scenario(tree) {
                variants.append(ScenarioVariant(name: name, scenario: scenario))
            }
            // The variant's own models and policies (those written in its overrides), for the
            // plugins to check with the rest.
            for component in decoder.components where !components.contains(where: { $0.kind == component.kind && $0.reference.location == component.reference.location }) {
                components.append(component)
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
