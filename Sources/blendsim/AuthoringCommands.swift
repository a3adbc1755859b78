import ArgumentParser
import BlendSimCore
import BlendSimPluginHost
import BlendSimRunner

extension BlendSim {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a commented starting scenario that runs as it is.",
            discussion: """
                Example:
                  blendsim init --model station-rotation > my.yaml
                  blendsim init --cohort students.csv > my.yaml
                  blendsim run my.yaml --out results/my --report
                """
        )

        @Option(help: "The blended model of the second group (see `blendsim plugins`).")
        var model = "flipped-classroom"

        @Option(help: ArgumentHelp("Both groups read their students from this CSV file (placement results, survey items); its columns are mapped by what they hold and summarised in comments.", valueName: "students.csv"))
        var cohort: String?

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func run() throws {
            try printWithPlugins(plugins) { host throws(Diagnostic) in try ScenarioTemplate.text(model: model, host: host, cohort: cohort) }
        }
    }
}

extension BlendSim {
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a JSON Schema of scenario files, with every loaded plugin's parameters, for editors.",
            discussion: """
                Example (the YAML language server reads the comment):
                  blendsim schema > blendsim.schema.json
                  # in my.yaml:  # yaml-language-server: $schema=blendsim.schema.json
                """
        )

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func run() throws {
            try printWithPlugins(plugins) { host in ScenarioSchema.document(host: host).serialized(pretty: true) }
        }
    }
}

/// Loads the plugins on the plugin path and prints what `text` makes of them. Loading runs the
/// plugins' constructors: one that exits ends blendsim with status 70.
func printWithPlugins(_ plugins: PluginOptions, _ text: (PluginHost) throws(Diagnostic) -> String) throws {
    PluginGuard.begin()
    defer { PluginGuard.end() }
    do throws(Diagnostic) {
        StandardOutput.write(try text(try PluginResolution.host(plugins.directories)))
    } catch {
        throw fail(error)
    }
}
