public import BlendSimCore
import BlendSimPluginHost
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `blendsim plugin new`: an out-of-tree SwiftPM package for a new model or policy, ready to
/// build, load with `--plugin-dir` and run.
public enum PluginScaffold {
    public enum Kind: String, Sendable, CaseIterable {
        case model, policy
    }

    /// Plugin names: lowercase letters, digits and '-', starting with a letter.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && !name.hasSuffix("-") && !name.contains("--")
    }

    /// `peer-mentoring` → `PeerMentoring`.
    public static func typeName(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The blendsim package this executable was built from: the nearest directory above the
    /// executable with a Package.swift naming the package "blendsim".
    public static func kitPackage() -> String? {
        guard var directory = PluginHost.executableDirectory() else { return nil }
        while directory.count > 1 {
            let manifest = directory + "/Package.swift"
            if let text = readText(manifest), text.contains("name: \"blendsim\"") { return directory }
            guard let slash = directory.lastIndex(of: "/") else { break }
            directory = String(directory[..<slash])
        }
        return nil
    }

    static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65536, file) }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The files of the package, relative to its directory.
    public static func files(name: String, kind: Kind, kitPath: String) -> [(path: String, contents: String)] {
        let type = typeName(name)
        let identity = kitPath.split(separator: "/").last.map { $0.lowercased() } ?? "blendsim"
        let manifest = """
            // swift-tools-version: 6.2
            import PackageDescription

            // A blendsim \(kind.rawValue) plugin. The product's name must start with "blendsim-": blendsim only
            // loads libblendsim-*.so files from its plugin path.
            let package = Package(
                name: "\(name)",
                products: [
                    .library(name: "blendsim-\(name)", type: .dynamic, targets: ["\(type)"]),
                ],
                dependencies: [
                    .package(path: "\(kitPath)"),
                ],
                targets: [
                    .target(
                        name: "\(type)",
                        dependencies: [.product(name: "BlendSimPluginKit", package: "\(identity)")],
                        swiftSettings: [.swiftLanguageMode(.v6)]
                    ),
                    .testTarget(name: "\(type)Tests", dependencies: ["\(type)"]),
                ]
            )

            """
        let source = kind == .model ? modelSource(name: name, type: type) : policySource(name: name, type: type)
        let test = kind == .model ? modelTest(type: type) : policyTest(type: type)
        let scenario = kind == .model
            ? """
            # Runs the new model. From this directory:
            #   swift build && blendsim run scenario.yaml --plugin-dir .build/debug
            name: \(name)-sample
            seed: 1
            replications: 10
            baseline: classroom
            groups:
              - name: classroom
                students: 60
                levels: {pre_intermediate: 0.6, intermediate: 0.3, upper_intermediate: 0.1}
                model: traditional
              - name: \(name)
                students: 60
                levels: {pre_intermediate: 0.6, intermediate: 0.3, upper_intermediate: 0.1}
                model: {name: \(name), parameters: {classroom_feedback: 0.5}}
                online_share: 0.3

            """
            : """
            # Runs a face-to-face-driver course with and without the new policy. From this directory:
            #   swift build && blendsim run scenario.yaml --plugin-dir .build/debug
            name: \(name)-sample
            seed: 1
            replications: 10
            baseline: without
            groups:
              - name: without
                students: 60
                levels: {pre_intermediate: 0.6, intermediate: 0.3, upper_intermediate: 0.1}
                model: face-to-face-driver
                online_share: 0.4
              - name: with
                students: 60
                levels: {pre_intermediate: 0.6, intermediate: 0.3, upper_intermediate: 0.1}
                model: face-to-face-driver
                online_share: 0.4
                policies: [{name: \(name), parameters: {support: 0.3}}]

            """
        let readme = """
            # \(name)

            A blendsim \(kind.rawValue) plugin. `Sources/\(type)/\(type).swift` is the \(kind.rawValue); change
            its plan (or its conditions) and its parameters, keeping the documented contract
            (blendsim's docs/PLUGINS.md).

            ```sh
            swift build                                          # builds .build/debug/libblendsim-\(name).so
            swift test                                           # the \(kind.rawValue)'s own tests
            blendsim plugins --plugin-dir .build/debug           # lists '\(name)'
            blendsim run scenario.yaml --plugin-dir .build/debug # runs the sample scenario
            ```

            Scenarios name the \(kind.rawValue) as `\(name)`; blendsim finds it on its plugin path
            (`--plugin-dir`, `BLENDSIM_PLUGIN_PATH`, or the directory of the blendsim executable).
            The directory and the library must not be writable by group or others.

            """
        return [
            ("Package.swift", manifest),
            ("README.md", readme),
            ("scenario.yaml", scenario),
            (".gitignore", ".build/\nPackage.resolved\n"),
            ("Sources/\(type)/\(type).swift", source),
            ("Tests/\(type)Tests/\(type)Tests.swift", test),
        ]
    }

    static func modelSource(name: String, type: String) -> String {
        """
        import BlendSimPluginKit

        /// \(name): a blended model. Each week it plans the group's activities; blendsim's learning
        /// kernel turns them into learning (docs/MODEL.md in blendsim).
        struct \(type): BlendedModel {
            /// Decoded from the scenario's `parameters`, snake_case keys to camelCase properties.
            /// blendsim checks every value against `parameters` below and fills in defaults first.
            struct Parameters: Decodable, Sendable {
                var classroomFeedback: Double
                var onlineEffectiveness: Double
            }

            static let name = "\(name)"
            static let summary = "classroom teaching with online practice (edit me)"
            static let parameters: [ParameterSpec] = [
                .number("classroom_feedback", default: 0.4, range: 0...1, help: "share of classroom work that gets feedback"),
                .number("online_effectiveness", default: 1.0, range: 0...3, help: "quality of the online practice"),
            ]

            let parameters: Parameters

            init(parameters: Parameters) throws {
                self.parameters = parameters
            }

            /// Called once per group per week, on one thread.
            func planWeek(_ week: Week) throws -> [Activity] {
                var plan = [Activity(.classroom, minutes: week.classroomMinutes, feedback: parameters.classroomFeedback)]
                if week.onlineMinutes > 0 {
                    plan.append(Activity(
                        .onlineAsync, minutes: week.onlineMinutes, skills: .receptive,
                        effectiveness: parameters.onlineEffectiveness, feedback: 0.3, submitted: true))
                }
                return plan + week.independentWork() + week.controlPointAssessment(minutes: 60)
            }
        }

        /// The library's one entry point: blendsim looks it up with dlsym.
        @_cdecl("blendsim_plugin_v1")
        public func blendsimPlugin() -> UnsafeRawPointer {
            PluginExport.plugin(name: "blendsim-\(name)", version: "0.1.0", models: [\(type).self])
        }

        """
    }

    static func policySource(name: String, type: String) -> String {
        """
        import BlendSimPluginKit

        /// \(name): a policy. Each week, before the model plans, it changes the group's teaching
        /// conditions; blendsim's learning kernel reads them (docs/MODEL.md in blendsim).
        struct \(type): Policy {
            struct Parameters: Decodable, Sendable {
                var support: Double
            }

            static let name = "\(name)"
            static let summary = "supports motivation and feedback (edit me)"
            static let parameters: [ParameterSpec] = [
                .number("support", default: 0.2, range: 0...1, help: "weekly motivation support and extra feedback"),
            ]

            let parameters: Parameters

            init(parameters: Parameters) throws {
                self.parameters = parameters
            }

            /// Called once per group per week, on one thread, before the model plans the week.
            func beginWeek(_ week: Week, conditions: inout Conditions) throws {
                conditions.motivationSupport = min(1, conditions.motivationSupport + parameters.support)
                conditions.feedbackChannel = max(conditions.feedbackChannel, parameters.support)
            }
        }

        /// The library's one entry point: blendsim looks it up with dlsym.
        @_cdecl("blendsim_plugin_v1")
        public func blendsimPlugin() -> UnsafeRawPointer {
            PluginExport.plugin(name: "blendsim-\(name)", version: "0.1.0", policies: [\(type).self])
        }

        """
    }

    static func modelTest(type: String) -> String {
        """
        import BlendSimPluginKit
        import Testing
        @testable import \(type)

        @Test func plansClassroomAndOnlineTime() throws {
            let model = try \(type)(parameters: .init(classroomFeedback: 0.4, onlineEffectiveness: 1))
            let week = Week(number: 1, group: GroupInfo(onlineShare: 0.25, contactMinutes: 240))
            let plan = try model.planWeek(week)
            let classroom = plan.filter { $0.kind == .classroom }.reduce(0) { $0 + $1.minutes }
            let online = plan.filter { $0.kind == .onlineAsync }.reduce(0) { $0 + $1.minutes }
            #expect(classroom == 180)
            #expect(online == 60)
        }

        """
    }

    static func policyTest(type: String) -> String {
        """
        import BlendSimPluginKit
        import Testing
        @testable import \(type)

        @Test func raisesSupportAndFeedback() throws {
            let policy = try \(type)(parameters: .init(support: 0.3))
            var conditions = Conditions()
            try policy.beginWeek(Week(number: 1, group: GroupInfo(onlineShare: 0.4)), conditions: &conditions)
            #expect(conditions.motivationSupport == 0.3)
            #expect(conditions.feedbackChannel == 0.3)
        }

        """
    }

    /// Writes the package into `directory`, which must not exist yet.
    public static func create(name: String, kind: Kind, in directory: String, kitPath: String) throws(Diagnostic) {
        guard isValidName(name) else {
            throw Diagnostic("'\(name)' is not a valid plugin name: use lowercase letters, digits and '-', starting with a letter")
        }
        if access(directory, F_OK) == 0 {
            throw Diagnostic("\(directory) already exists; choose another --dir or remove it")
        }
        for file in files(name: name, kind: kind, kitPath: kitPath) {
            try Runner.writeFile(directory + "/" + file.path, file.contents)
        }
    }
}
