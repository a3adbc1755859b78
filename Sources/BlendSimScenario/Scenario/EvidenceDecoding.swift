import BlendSimCore
import BlendSimSystem

/// An evidence file's keys and values, checked as a scenario's are (docs/EVIDENCE.md).
extension ScenarioDecoder {
    mutating func evidence(_ root: YAMLNode) -> EvidenceFinding? {
        guard let top = mapping(root, "the evidence file", allowed: EvidenceLoader.keys) else { return nil }
        func required(_ key: String, in entries: [String: YAMLNode], of node: YAMLNode, _ what: String) -> YAMLNode? {
            guard let value = entries[key] else {
                error("\(what) needs '\(key)'", at: node)
                return nil
            }
            return value
        }
        func text(_ key: String, in entries: [String: YAMLNode], of node: YAMLNode, _ what: String) -> String? {
            required(key, in: entries, of: node, what).flatMap { string($0, key) }
        }
        let id = text("id", in: top, of: root, "an evidence file")
        if let id, id.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            error("'id' may hold only letters, digits and '-', found '\(id)'", at: top["id"]!)
        }

        // The source: every finding names where its number comes from.
        var authors: String?, year: Int?, title: String?, venue: String?, link: String?
        if let node = required("citation", in: top, of: root, "an evidence file (its source)"),
            let citation = mapping(node, "'citation'", allowed: EvidenceLoader.citationKeys)
        {
            authors = text("authors", in: citation, of: node, "'citation'")
            year = required("year", in: citation, of: node, "'citation'").flatMap { integer($0, "year", 1900...2100) }
            title = text("title", in: citation, of: node, "'citation'")
            venue = text("venue", in: citation, of: node, "'citation'")
            if let doi = citation["doi"].flatMap({ string($0, "doi") }) {
                link = "doi:" + doi
            } else if let url = citation["url"].flatMap({ string($0, "url") }) {
                if url.hasPrefix("https://") || url.hasPrefix("http://") { link = url } else { error("'url' must start with https:// or http://", at: citation["url"]!) }
            } else if let results = citation["results"].flatMap({ string($0, "results") }) {
                // A university's own pilot: the results file it was computed from, by its
                // SHA-256 (the file itself stays with the university).
                if let hashNode = citation["sha256"], let hash = string(hashNode, "sha256") {
                    if hash.count == 64, hash.allSatisfy({ $0.isHexDigit }) {
                        link = "results:\(results) (SHA-256 \(hash))"
                    } else {
                        error("'sha256' must be 64 hexadecimal digits", at: hashNode)
                    }
                } else if citation["sha256"] == nil {
                    error("a citation of a results file needs its 'sha256'", at: node)
                }
            } else {
                error("'citation' needs a 'doi', a stable 'url', or for a university's own pilot its 'results' file and 'sha256'", at: node)
            }
        }
        let design = text("design", in: top, of: root, "an evidence file")
        if let design, !EvidenceLoader.designs.contains(design) {
            error("unknown design '\(design)'; one of \(EvidenceLoader.designs.joined(separator: ", "))\(Suggestion.phrase(for: design, in: EvidenceLoader.designs))", at: top["design"]!)
        }
        let population = text("population", in: top, of: root, "an evidence file")
        let contrast = text("contrast", in: top, of: root, "an evidence file")

        var scenarioPath: String?, group: String?
        var experimentLocation = source.location(of: root)
        if let node = required("experiment", in: top, of: root, "an evidence file"),
            let experiment = mapping(node, "'experiment'", allowed: EvidenceLoader.experimentKeys)
        {
            scenarioPath = text("scenario", in: experiment, of: node, "'experiment'").map {
                CalibrationPlanLoader.resolve($0, relativeTo: source.path)
            }
            if top["anchors"] != nil || top["spread"] != nil {
                if let groupNode = experiment["group"] {
                    error("a distribution's experiment names no 'group': each anchored model is read from the group that uses it", at: groupNode)
                }
                group = ""
                experimentLocation = source.location(of: node)
            } else {
                group = text("group", in: experiment, of: node, "'experiment'")
                if let groupNode = experiment["group"] { experimentLocation = source.location(of: groupNode) }
            }
        }

        var outcome: EvidenceFinding.Outcome?
        let names = EvidenceFinding.Outcome.allCases.map(\.rawValue)
        if let node = required("outcome", in: top, of: root, "an evidence file"), let name = string(node, "outcome") {
            outcome = EvidenceFinding.Outcome(rawValue: name)
            if outcome == nil { error("unknown outcome '\(name)'; one of \(names.joined(separator: ", "))\(Suggestion.phrase(for: name, in: names))", at: node) }
        }
        var statistic: String?
        if let node = required("statistic", in: top, of: root, "an evidence file"), let name = string(node, "statistic"), let outcome {
            if outcome.statistics.contains(name) {
                statistic = name
            } else {
                error("\(outcome.rawValue) is reported as \(outcome.statistics.joined(separator: " or ")), not '\(name)'", at: node)
            }
        }
        var detail: String?
        if outcome == .levelShare {
            let levels = ["pre_intermediate", "intermediate", "upper_intermediate"]
            if let node = required("level", in: top, of: root, "a level_share finding"), let level = string(node, "level") {
                if levels.contains(level) { detail = level } else { error("unknown level '\(level)'; one of \(levels.joined(separator: ", "))", at: node) }
            }
        } else if let node = top["level"] {
            error("'level' belongs to level_share findings only", at: node)
        }
        if outcome == .levelUpGain {
            let skills = Skill.allCases.map(\.name)
            if let node = required("skill", in: top, of: root, "a level_up_gain finding"), let skill = string(node, "skill") {
                if skills.contains(skill) { detail = skill } else { error("unknown skill '\(skill)'; one of \(skills.joined(separator: ", "))", at: node) }
            }
        } else if let node = top["skill"] {
            error("'skill' belongs to level_up_gain findings only", at: node)
        }

        // The reported value and its uncertainty.
        var value: Double?, interval: (Double, Double)?, basis = "reported", derivation: String?, heterogeneity: String?
        if let node = required("reported", in: top, of: root, "an evidence file"),
            let reported = mapping(node, "'reported'", allowed: EvidenceLoader.reportedKeys)
        {
            value = required("value", in: reported, of: node, "'reported'").flatMap { number($0, "value", -1e6...1e6) }
            if let ci = required("ci95", in: reported, of: node, "'reported' (its uncertainty)") {
                if let items = ci.items, items.count == 2, let lower = number(items[0], "ci95", -1e6...1e6),
                    let upper = number(items[1], "ci95", -1e6...1e6)
                {
                    if lower >= upper {
                        error("'ci95' must be [lower, upper] with lower < upper", at: ci)
                    } else if let value, !(lower...upper).contains(value) {
                        error("the interval [\(Self.format(lower)), \(Self.format(upper))] does not contain the value \(Self.format(value))", at: ci)
                    } else {
                        interval = (lower, upper)
                    }
                } else if ci.items?.count != 2 {
                    error("'ci95' must be a list of two numbers, [lower, upper]", at: ci)
                }
            }
            if let node = reported["basis"], let given = string(node, "basis") {
                if ["reported", "derived"].contains(given) { basis = given } else { error("'basis' must be reported or derived, found '\(given)'", at: node) }
            }
            derivation = reported["derivation"].flatMap { string($0, "derivation") }
            if basis == "derived" && derivation == nil { error("a derived interval needs 'derivation': how it was derived from the source", at: node) }
            heterogeneity = reported["heterogeneity"].flatMap { string($0, "heterogeneity") }
        }
        let quote = text("quote", in: top, of: root, "an evidence file (the source's words with the figure)")
        var informs: [String] = []
        if let node = top["informs"] {
            if let items = node.items {
                for item in items {
                    guard let name = string(item, "informs"), setting(name, at: item) != nil else { continue }
                    informs.append(name)
                }
            } else {
                error("'informs' must be a list of parameter names", at: node)
            }
        }
        let notes = top["notes"].flatMap { string($0, "notes") }

        // A distribution of effects: the between-study spread and the models it stands for.
        var spread: Double?, spreadBasis: String?, spreadDerivation: String?
        var anchors: [String] = []
        var anchorLocations: [String: SourceLocation] = [:]
        if let node = top["spread"] {
            if let entries = mapping(node, "'spread'", allowed: EvidenceLoader.spreadKeys) {
                if let tauNode = required("tau", in: entries, of: node, "'spread' (the between-study standard deviation τ)") {
                    if let tau = tauNode.scalar.flatMap(YAMLNode.number), tau < 0 {
                        error("'tau' is a standard deviation and cannot be negative, found \(Self.format(tau))", at: tauNode)
                    } else {
                        spread = number(tauNode, "tau", 0...10)
                    }
                }
                spreadBasis = "reported"
                if let basisNode = entries["basis"], let given = string(basisNode, "basis") {
                    if ["reported", "derived"].contains(given) { spreadBasis = given } else { error("'basis' must be reported or derived, found '\(given)'", at: basisNode) }
                }
                spreadDerivation = entries["derivation"].flatMap { string($0, "derivation") }
                if spreadBasis == "derived" && spreadDerivation == nil { error("a derived spread needs 'derivation': how it was derived from the sources", at: node) }
            }
            if top["anchors"] == nil { error("a distribution ('spread') needs 'anchors': the models with no finding of their own it stands for", at: node) }
            if let outcome, outcome != .courseAchievement || statistic != "hedges_g" {
                error("a distribution of effects is of course_achievement as hedges_g", at: node)
            }
        }
        if let node = top["anchors"] {
            if top["spread"] == nil { error("'anchors' belongs to a distribution of effects; it needs 'spread'", at: node) }
            if let items = node.items, !items.isEmpty {
                for item in items {
                    guard let name = string(item, "anchors") else { continue }
                    if anchors.contains(name) {
                        error("model '\(name)' is anchored twice", at: item)
                    } else {
                        anchors.append(name)
                        anchorLocations[name] = source.location(of: item)
                    }
                }
            } else {
                error("'anchors' must be a non-empty list of model names", at: node)
            }
        }

        guard diagnostics.isEmpty, let id, let authors, let year, let title, let venue, let link, let design, let population,
            let contrast, let scenarioPath, let group, let outcome, let statistic, let value, let interval, let quote
        else { return nil }
        return EvidenceFinding(
            id: id, authors: authors, year: year, title: title, venue: venue, link: link, design: design,
            population: population, contrast: contrast, scenarioPath: scenarioPath, group: group, outcome: outcome,
            statistic: statistic, detail: detail, value: value, interval: interval, basis: basis, derivation: derivation,
            heterogeneity: heterogeneity, quote: quote, informs: informs, notes: notes, spread: spread,
            spreadBasis: spreadBasis, spreadDerivation: spreadDerivation, anchors: anchors,
            location: source.location(of: root), anchorLocations: anchorLocations, experimentLocation: experimentLocation,
            source: source)
    }
}
