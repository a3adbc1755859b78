import ArgumentParser
import BlendSimCore
import BlendSimSystem

extension BlendSim {
    /// `blendsim serve` runs `blendsim-serve`, built and installed beside blendsim: the HTTP
    /// server is a product of its own, so that building blendsim does not build SwiftNIO.
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the what-if page: change a design in the browser and see the simulation's answer (docs/SERVE.md).",
            discussion: """
                Listens on 127.0.0.1:8080 unless --host and --port say otherwise; beyond loopback \
                every API call needs the token it prints. Options: --port, --host, --scenarios DIR, \
                --plugin-dir DIR, --max-simulations N, --max-memory GiB, --max-student-weeks N, \
                --max-connections N (blendsim serve --help-server lists them).

                Example:
                  swift build --product blendsim-serve && .build/debug/blendsim serve
                """)

        @Argument(parsing: .allUnrecognized, help: "The server's options (see above).")
        var options: [String] = []

        func run() throws {
            guard let executable = FileSystem.executablePath() else { throw fail(Diagnostic("cannot find blendsim's own path")) }
            let server = FileSystem.split(executable).directory + "/blendsim-serve"
            guard FileSystem.exists(server) else {
                throw fail(Diagnostic("blendsim serve needs blendsim-serve beside blendsim (\(server)); build it with `swift build --product blendsim-serve`"))
            }
            let arguments = options.map { $0 == "--help-server" ? "--help" : $0 }
            let reason = Process.replace(with: server, arguments: ["blendsim-serve"] + arguments)
            throw fail(Diagnostic("cannot start \(server): \(reason)"))
        }
    }
}
