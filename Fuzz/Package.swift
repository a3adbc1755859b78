// swift-tools-version: 6.2
import Foundation
import PackageDescription

// A libFuzzer target over the YAML reader and the scenario loader. Not part of the unit tests;
// scripts/fuzz.sh builds it with -sanitize=fuzzer and runs it for a bounded time.

// The repository's package identity is its directory's name, whatever the clone is called.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "BlendSimFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzScenario",
            dependencies: [.product(name: "BlendSim", package: root)],
            path: "Sources/FuzzScenario",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
