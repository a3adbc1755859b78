public import BlendSimCore
import BlendSimPluginHost
import BlendSimSystem

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

    /// Type and module names a plugin's type (its name in UpperCamelCase, also its target's and
    /// module's name) must not take: the plugin SDK's own types and modules, the modules a
    /// package imports, and Swift's names that cannot be declared or would shadow the standard
    /// library's. A name that would take one makes a package that does not compile.
    public static let reservedTypeNames: Set<String> = [
        // The plugin SDK (BlendSimSDK/Sources).
        "Activity", "ActivityKind", "BlendedModel", "Conditions", "GroupInfo", "NoParameters", "Parameter", "ParameterValue",
        "PluginError", "PluginExport", "PluginParameters", "Policy", "SkillSet", "StudentChunk", "Week", "Parameters",
        "BlendSimPluginKit", "CBlendSimABI",
        // Modules every package or test imports.
        "Swift", "Foundation", "Testing", "XCTest", "Glibc", "Dispatch", "PackageDescription", "_Concurrency",
        // Names Swift reserves or the standard library's types a plugin uses.
        "Self", "Any", "Type", "Protocol", "Sendable", "Codable", "Equatable", "Hashable", "Comparable", "Identifiable",
        "Error", "Never", "Void", "Optional", "Result", "String", "Substring", "Character", "Int", "Double", "Float", "Bool",
        "Array", "Dictionary", "Set", "Range", "Task", "Actor", "Main",
    ]

    /// Why a valid plugin name would still make a package that does not compile, or nil.
    public static func typeNameProblem(_ name: String) -> String? {
        let type = typeName(name)
        if reservedTypeNames.contains(type) || reservedTypeNames.contains(type + "Tests") || GeneratedText.swiftKeywords.contains(type) {
            return "'\(name)' would name the plugin's type and module '\(type)', which Swift or the plugin SDK already uses; choose another name"
        }
        return nil
    }

    /// A Swift string literal holding `text` exactly (`GeneratedText.swiftStringLiteral`).
    public static func swiftStringLiteral(_ text: String) -> String { GeneratedText.swiftStringLiteral(text) }

    /// `peer-mentoring` → `PeerMentoring`.
    public static func typeName(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The plugin SDK package beside the blendsim package this executable was built from: the
    /// nearest directory above the executable with a Package.swift naming the package "blendsim",
    /// and its BlendSimSDK folder.
    public static func sdkPackage() -> String? {
        guard var directory = PluginHost.executableDirectory() else { return nil }
        // An installed blendsim (scripts/install.sh): PREFIX/bin/blendsim and PREFIX/share/blendsim/BlendSimSDK.
        let installed = directory + "/../share/blendsim/BlendSimSDK"
        if FileSystem.exists(installed + "/Package.swift") { return FileSystem.absolute(installed) }
        while directory.count > 1 {
            let manifest = directory + "/Package.swift"
            if let text = FileSystem.contents(manifest, limit: 1 << 20).map({ String(decoding: $0, as: UTF8.self) }),
                text.contains("name: \"blendsim\""), FileSystem.exists(directory + "/BlendSimSDK/Package.swift")
            {
                return directory + "/BlendSimSDK"
            }
            guard let slash = directory.lastIndex(of: "/") else { break }
            directory = String(directory[..<slash])
        }
        return nil
    }

    /// The files of the package, relative to its directory.
    public static func files(name: String, kind: Kind, sdkPath: String) -> [(path: String, contents: String)] {
        let type = typeName(name)
        let identity = sdkPath.split(separator: "/").last.map { String($0) } ?? "BlendSimSDK"
        let manifest = """
            // swift-tools-version: 6.2
            import PackageDescription

            // A blendsim \(kind.rawValue) plugin. The product's name must start with "blendsim-": blendsim only
            // loads libblendsim-*.so files from its plugin path. It depends on the plugin SDK alone
            // (the ABI header and BlendSimPluginKit), by path: nothing is fetched.
            let package = Package(
                name: "\(name)",
                products: [
                    .library(name: "blendsim-\(name)", type: .dynamic, targets: ["\(type)"]),
                ],
                dependencies: [
                    .package(path: \(swiftStringLiteral(sdkPath))),
                ],
                targets: [
                    .target(
                        name: "\(type)",
                        dependencies: [.product(name: "BlendSimPluginKit", package: \(swiftStringLiteral(identity)))],
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
                model: \(name)   # with parameters: {name: \(name), parameters: {classroom_feedback: 0.5}}
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

    /// The name, summary, stored parameters and initialiser every component starts with.
    static func identity(name: String, summary: String) -> String {
        """
            static let name = "\(name)"
            static let summary = "\(summary)"

            let parameters: Parameters

            init(parameters: Parameters) throws {
                self.parameters = parameters
            }
        """
    }

    static func modelSource(name: String, type: String) -> String {
        """
        import BlendSimPluginKit

        /// \(name): a blended model. Each week it plans the group's activities; blendsim's learning
        /// kernel turns them into learning (docs/MODEL.md in blendsim).
        struct \(type): BlendedModel {
            /// Each parameter declared once: the scenario's key is the property's name in snake_case
            /// (`classroom_feedback`), the initial value its default. blendsim checks every value
            /// against the range and fills in defaults before `init`.
            struct Parameters: PluginParameters {
                @Parameter(range: 0...1, help: "share of classroom work that gets feedback")
                var classroomFeedback: Double = 0.4
                @Parameter(range: 0...3, help: "quality of the online practice")
                var onlineEffectiveness: Double = 1.0
            }

        \(identity(name: name, summary: "classroom teaching with online practice (edit me)"))
            /// The sources of the model's figures, shown by `blendsim plugins --verbose`.
            static let evidence: String? = "name the studies behind the effectiveness values here (edit me)"

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
            /// Each parameter declared once (see the model template, docs/PLUGINS.md).
            struct Parameters: PluginParameters {
                @Parameter(range: 0...1, help: "weekly motivation support and extra feedback")
                var support: Double = 0.2
            }

        \(identity(name: name, summary: "supports motivation and feedback (edit me)"))

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
            let model = try \(type)(parameters: .init())
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
            var parameters = \(type).Parameters()
            parameters.support = 0.3
            let policy = try \(type)(parameters: parameters)
            var conditions = Conditions()
            try policy.beginWeek(Week(number: 1, group: GroupInfo(onlineShare: 0.4)), conditions: &conditions)
            #expect(conditions.motivationSupport == 0.3)
            #expect(conditions.feedbackChannel == 0.3)
        }

        """
    }

    /// Writes the package into `directory`, which must not exist yet.
    public static func create(name: String, kind: Kind, in directory: String, sdkPath: String) throws(Diagnostic) {
        guard isValidName(name) else {
            throw Diagnostic("'\(name)' is not a valid plugin name: use lowercase letters, digits and '-', starting with a letter")
        }
        if let problem = typeNameProblem(name) { throw Diagnostic(problem) }
        if FileSystem.exists(directory) {
            throw Diagnostic("\(directory) already exists; choose another --dir or remove it")
        }
        for file in files(name: name, kind: kind, sdkPath: sdkPath) {
            try ResultsDirectory.writeFile(directory + "/" + file.path, file.contents)
        }
    }
}
