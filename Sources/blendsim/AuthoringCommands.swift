import ArgumentParser
import BlendSimCore
import BlendSimRunner

extension BlendSim {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a commented starting scenario that runs as it is.",
            discussion: """
                Example:
                  blendsim init --model station-rotation > my.yaml
                  blendsim run my.yaml --out results/my --report
                """
        )

        @Option(help: "The blended model of the second group (see `blendsim plugins`).")
        var model = "flipped-classroom"

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func run() throws {
            // Loading runs the plugins' constructors: one that exits ends blendsim with status 70.
            PluginGuard.begin()
            defer { PluginGuard.end() }
            do throws(Diagnostic) {
                let host = try PluginResolution.host(plugins.directories)
                StandardOutput.write(try ScenarioTemplate.text(model: model, host: host))
            } catch {
                throw fail(error)
            }
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
            // Loading runs the plugins' constructors: one that exits ends blendsim with status 70.
            PluginGuard.begin()
            defer { PluginGuard.end() }
            do throws(Diagnostic) {
                let host = try PluginResolution.host(plugins.directories)
                StandardOutput.write(ScenarioSchema.document(host: host).serialized(pretty: true))
            } catch {
                throw fail(error)
            }
        }
    }
}
