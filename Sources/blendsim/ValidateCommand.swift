import ArgumentParser
import BlendSimCore
import BlendSimRunner
import BlendSimScenario

extension BlendSim {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a scenario and its plugins' parameters; report every error found.",
            discussion: """
                Example:
                  blendsim validate scenarios/ratio-40-60.yaml
                """
        )

        @Argument(help: ArgumentHelp("The scenario file (YAML).", valueName: "scenario.yaml"))
        var scenario: String

        @OptionGroup var plugins: PluginOptions

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            let checked = ScenarioLoader.check(path: scenario)
            var diagnostics = checked.diagnostics
            do {
                if let scenario = checked.scenario {
                    diagnostics += PluginResolution.resolve(scenario, host: try PluginResolution.load(plugins.directories)).diagnostics
                } else if let source = checked.source, !checked.components.isEmpty, diagnostics.count < 100 {
                    // The models and policies are checked too, so every error shows at once.
                    diagnostics += PluginResolution.check(checked.components, host: try PluginResolution.load(plugins.directories), source: source)
                }
            } catch {
                diagnostics.append(error)
            }
            diagnostics = PluginResolution.inFileOrder(diagnostics)
            guard diagnostics.isEmpty else {
                for diagnostic in diagnostics { StandardError.write(diagnostic.rendered + "\n") }
                StandardError.write("\(diagnostics.count) error\(diagnostics.count == 1 ? "" : "s")\n")
                throw ExitCode(1)
            }
            StandardOutput.write("\(scenario): ok\n")
        }
    }
}
