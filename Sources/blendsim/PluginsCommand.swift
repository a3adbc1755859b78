import ArgumentParser
import BlendSimCore
import BlendSimPluginHost
import BlendSimReport
import BlendSimRunner

extension BlendSim {
    /// `blendsim plugins`: the earlier spelling of `blendsim plugin list`, kept working.
    struct Plugins: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the models and policies found on the plugin path (the same as `blendsim plugin list`).",
            discussion: """
                `blendsim plugins` is the earlier spelling of `blendsim plugin list`; both work.

                Example:
                  blendsim plugins --verbose
                """
        )

        @OptionGroup var list: Plugin.List

        func run() throws { try list.run() }
    }
}

extension BlendSim.Plugin {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the models and policies found on the plugin path.",
            discussion: """
                Each with its kind, version, ABI, file and what its effect rests on; with --verbose, \
                its parameters with defaults, units and help.

                Example:
                  blendsim plugin list --verbose
                """
        )

        @Flag(help: "Show each component's parameters with defaults, units and help.")
        var verbose = false

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            let host: PluginHost
            do {
                host = try PluginResolution.host(plugins.directories)
            } catch {
                throw fail(error)
            }
            StandardOutput.write(PluginListing.render(host, verbose: verbose))
        }
    }
}

/// The plugin table: name, kind, version, ABI, file.
enum PluginListing {
    static func render(_ host: PluginHost, verbose: Bool) -> String {
        struct Entry {
            var name: String, kind: String, summary: String, evidence: String?, schema: ParameterSchema, plugin: LoadedPlugin
            var costs: [CostItem]
        }
        let all = host.models.map {
            Entry(name: $0.name, kind: "model", summary: $0.summary, evidence: $0.evidence, schema: $0.schema, plugin: $0.plugin, costs: $0.costs)
        } + host.policies.map {
            Entry(name: $0.name, kind: "policy", summary: $0.summary, evidence: $0.evidence, schema: $0.schema, plugin: $0.plugin, costs: $0.costs)
        }
        // The example plugins (written to show how a plugin is made) come last, marked as examples,
        // not beside the models and policies the evidence base describes.
        let entries = all.filter { !$0.plugin.isExample } + all.filter(\.plugin.isExample)
        guard !entries.isEmpty else { return "no plugins found; searched: \(host.searchPath.joined(separator: ", "))\n" }
        // What the evidence base says of each: the effect measured, borrowed from the distribution
        // of blended effects, derived from other designs' findings, assumed, or unknown.
        func evidence(_ entry: Entry) -> Provenance.Entry { Provenance.describe(entry.name, kind: entry.kind) }
        let labels: [Provenance.Basis: String] = [
            .findings: "measured", .distribution: "borrowed", .derived: "derived", .assumption: "assumed", .unknown: "none",
        ]
        var rows: [[String]] = [["name", "kind", "evidence", "version", "abi", "file"]]
        for entry in entries {
            rows.append([
                entry.name, entry.kind + (entry.plugin.isExample ? " (example)" : ""), labels[evidence(entry).basis] ?? "none", entry.plugin.version,
                "\(entry.plugin.abiMajor).\(entry.plugin.abiMinor)", entry.plugin.path,
            ])
        }
        var out = ""
        let columns = rows[0].count
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            var line = ""
            for (column, cell) in row.enumerated() {
                line += cell + (column < columns - 1 ? String(repeating: " ", count: widths[column] - cell.count + 2) : "")
            }
            out += line + "\n"
        }
        out += "evidence: measured = findings of its own; borrowed = no study of its own, the average blended effect with its spread;\n"
        out += "derived = no study of its own, follows from other designs' findings; assumed = no finding (docs/EVIDENCE.md)\n"
        // Plugins of a newer minor ABI load; say what that means.
        for entry in entries where entry.plugin.isNewerThanHost {
            out += "\(entry.name): ABI \(entry.plugin.abiDescription)\n"
        }
        if verbose {
            for entry in entries {
                out += "\n\(entry.name): \(entry.summary)\n"
                out += "  evidence base: \(evidence(entry).words)\n"
                if let evidence = entry.evidence { out += "  the plugin's own evidence note: \(evidence)\n" }
                if entry.schema.parameters.isEmpty { out += "  (no parameters)\n" }
                for p in entry.schema.parameters {
                    var range = ""
                    if let minimum = p.minimum, let maximum = p.maximum {
                        range = " in [\(format(minimum)), \(format(maximum))]"
                    }
                    if let options = p.options { range = " one of \(options.joined(separator: ", "))" }
                    let unit = p.unit.isEmpty || p.unit == "1" ? "" : " \(p.unit)"
                    out += "  \(p.name) (\(p.type)\(range)) = \(p.defaultValue.serialized())\(unit): \(p.help)\n"
                }
                // What it costs (ABI 1.2; priced when a scenario has `costs:`, docs/COSTS.md).
                for item in entry.costs {
                    let price = item.unit == .teacherHours ? "\(format(item.price)) teacher hours" : "\(format(item.price)) \(item.currency ?? "")"
                    out += "  cost \(entry.name).\(item.name): \(price) \(item.basis.phrase) — \(item.help)\n"
                    out += "    source: \(item.source)\n"
                }
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
