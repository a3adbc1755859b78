import ArgumentParser
import BlendSimCore
import BlendSimRunner

extension BlendSim {
    struct Rerun: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-execute the run recorded in a results directory's manifest.json and say whether the result is identical.",
            discussion: """
                The scenario must be the one the manifest records (same SHA-256). The new results go to \
                a directory of their own; summary.json (and weekly.csv, runs.csv or designs.csv) are compared byte for byte. \
                Plugins come from this command's plugin path only, never from the manifest.

                Example:
                  blendsim rerun results/paper
                """
        )

        @Argument(help: ArgumentHelp("A results directory with manifest.json.", valueName: "dir"))
        var directory: String

        @Option(help: ArgumentHelp("Where to put the new results (default: DIR/rerun).", valueName: "dir"))
        var out: String?

        @Flag(help: "Replace results already in the new directory.")
        var force = false

        @OptionGroup(title: "Plugins") var plugins: PluginOptions

        func run() throws {
            let plan: Reproduction.Plan
            do {
                plan = try Reproduction.plan(
                    directory: directory, out: out ?? directory + "/rerun", pluginDirectories: plugins.directories, force: force)
            } catch {
                throw fail(error)
            }
            var command = try BlendSim.parseAsRoot(plan.arguments)
            try command.run()
            let differences: [String]
            do {
                differences = try Reproduction.compare(original: directory, rerun: plan.out)
            } catch {
                throw fail(error)
            }
            if differences.isEmpty {
                StandardOutput.write("identical: \(plan.compared.joined(separator: ", ")) in \(plan.out) match \(directory)\n")
            } else {
                StandardOutput.write("differs: \(differences.joined(separator: ", ")) (new results in \(plan.out))\n")
                throw ExitCode(1)
            }
        }
    }
}
