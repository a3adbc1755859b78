import ArgumentParser
import BlendSimCore
import BlendSimRunner

extension BlendSim {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine the shards of a comparison, sweep or optimise search into the result of an unsharded run.",
            discussion: """
                Each directory holds one shard.json. Shards from different plans or settings are \
                refused; missing shards are named by number.

                Example:
                  blendsim merge results/shard-1 results/shard-2 results/shard-3 --out results/all
                """
        )

        @Argument(help: ArgumentHelp("The shards' directories.", valueName: "dir"))
        var directories: [String]

        @Option(help: ArgumentHelp("Write the merged results here.", valueName: "dir"))
        var out: String

        @Flag(help: "Replace results already in the --out directory.")
        var force = false

        @OptionGroup var presentation: PresentationOptions
        var quiet: Bool { presentation.quiet }
        var report: Bool { presentation.report }

        func run() throws {
            do throws(Diagnostic) {
                try ResultsDirectory.checkOutput(out, force: force)
                let merged = try ShardMerge.merge(directories: directories)
                try finish(merged, planPath: merged.planPath, out: out, force: force, report: report, quiet: quiet)
            } catch {
                throw fail(error)
            }
        }
    }
}
