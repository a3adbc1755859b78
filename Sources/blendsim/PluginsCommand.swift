import ArgumentParser
import BlendSimCore
import BlendSimPluginHost
import BlendSimRunner

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the models and policies found on the plugin path.",
        discussion: """
            Example:
              blendsim plugins --verbose
            """
    )

    @Flag(help: "Show each component's parameters with defaults, units and help.")
    var verbose = false

    @OptionGroup var plugins: PluginOptions

    func run() throws {
        PluginGuard.begin()
        defer { PluginGuard.end() }
        let host: PluginHost
        do {
            host = try Runner.loadPlugins(plugins.directories)
        } catch {
            throw fail(error)
        }
        StandardOutput.write(PluginListing.render(host, verbose: verbose))
    }
}

/// The plugin table: name, kind, version, ABI, file.
enum PluginListing {
    static func render(_ host: PluginHost, verbose: Bool) -> String {
        var rows: [[String]] = [["name", "kind", "version", "abi", "file"]]
        var details: [(String, String, ParameterSchema)] = []
        for model in host.models {
            rows.append([model.name, "model", model.plugin.version, "\(model.plugin.abiMajor).\(model.plugin.abiMinor)", model.plugin.path])
            details.append((model.name, model.summary, model.schema))
        }
        for policy in host.policies {
            rows.append([policy.name, "policy", policy.plugin.version, "\(policy.plugin.abiMajor).\(policy.plugin.abiMinor)", policy.plugin.path])
            details.append((policy.name, policy.summary, policy.schema))
        }
        var out = ""
        if rows.count == 1 {
            out += "no plugins found; searched: \(host.searchPath.joined(separator: ", "))\n"
            return out
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            var line = ""
            for (column, cell) in row.enumerated() {
                line += cell + (column < 4 ? String(repeating: " ", count: widths[column] - cell.count + 2) : "")
            }
            out += line + "\n"
        }
        if verbose {
            for (name, summary, schema) in details {
                out += "\n\(name): \(summary)\n"
                if schema.parameters.isEmpty { out += "  (no parameters)\n" }
                for p in schema.parameters {
                    var range = ""
                    if let minimum = p.minimum, let maximum = p.maximum {
                        range = " in [\(format(minimum)), \(format(maximum))]"
                    }
                    if let options = p.options { range = " one of \(options.joined(separator: ", "))" }
                    let unit = p.unit.isEmpty || p.unit == "1" ? "" : " \(p.unit)"
                    out += "  \(p.name) (\(p.type)\(range)) = \(p.defaultValue.serialized())\(unit): \(p.help)\n"
                }
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
