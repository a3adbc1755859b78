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

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func run() throws {
            PluginGuard.begin()
            defer { PluginGuard.end() }
            // The scenario, its variants and every plugin they name: what run and compare check.
            let directories = plugins.directories
            let (checked, diagnostics) = PluginResolution.problems(path: scenario, variants: true) { () throws(Diagnostic) in
                try PluginResolution.host(directories)
            }
            guard diagnostics.isEmpty else {
                StandardError.write(Diagnostic.collected(diagnostics)!.rendered + "\n")
                if diagnostics.count == 1 { StandardError.write("1 error\n") }
                throw ExitCode(1)
            }
            for note in checked?.notes ?? [] { StandardError.write(note.rendered + "\n") }
            StandardOutput.write("\(scenario): ok\n")
        }
    }
}
