import ArgumentParser
import BlendSimCore
import BlendSimRunner
import BlendSimSystem

extension BlendSim {
    struct Plugin: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the plugins on the plugin path, or start one of your own.",
            subcommands: [List.self, New.self]
        )

        struct New: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a SwiftPM package for a new model or policy plugin.",
                discussion: """
                    The package depends on blendsim's plugin SDK (BlendSimSDK: the ABI header and \
                    BlendSimPluginKit) by path and on nothing else, and holds the plugin's source, a \
                    test, a sample scenario and a README (docs/PLUGINS.md).

                    Example:
                      blendsim plugin new peer-mentoring --kind policy --dir ~/plugins/peer-mentoring
                    """
            )

            @Argument(help: ArgumentHelp("The model's or policy's name: lowercase letters, digits and '-'.", valueName: "name"))
            var name: String

            @Option(help: "model or policy.")
            var kind: String = "model"

            @Option(help: ArgumentHelp("Where to create the package (default: ./NAME).", valueName: "dir"))
            var dir: String?

            @Option(help: ArgumentHelp(
                "The plugin SDK package to depend on (default: BlendSimSDK in the blendsim package this executable was built from).",
                valueName: "path"))
            var sdkPath: String?

            @Option(help: .hidden)
            var kitPath: String?

            func run() throws {
                do throws(Diagnostic) {
                    guard let kind = PluginScaffold.Kind(rawValue: kind) else {
                        throw Diagnostic("--kind must be model or policy, not '\(kind)'")
                    }
                    // --kit-path (earlier releases) named the blendsim package; its SDK is inside.
                    guard let given = sdkPath ?? kitPath.map({ $0 + "/BlendSimSDK" }) ?? PluginScaffold.sdkPackage() else {
                        throw Diagnostic(
                            "cannot find the plugin SDK (BlendSimSDK): neither in the blendsim package this executable was built from nor in ../share/blendsim beside it (scripts/install.sh installs it there); pass --sdk-path")
                    }
                    // Package.swift reads a relative path from the new package's directory: write
                    // the SDK's absolute path, whatever directory the command was run from.
                    let sdk = FileSystem.absolute(given)
                    let directory = dir ?? name
                    try PluginScaffold.create(name: name, kind: kind, in: directory, sdkPath: sdk)
                    StandardOutput.write("""
                        Created the \(kind.rawValue) '\(name)' in \(directory)/
                          cd \(directory) && swift build && blendsim run scenario.yaml --plugin-dir .build/debug

                        """)
                } catch {
                    throw fail(error)
                }
            }
        }
    }
}
