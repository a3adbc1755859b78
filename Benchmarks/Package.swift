// swift-tools-version: 6.2
import Foundation
import PackageDescription

// The repository's package identity is its directory's name, whatever the clone is called.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

// Performance benchmarks for blendsim, with package-benchmark. Not part of the unit tests:
//   swift build -c release                     # in the repository root: builds the plugins
//   swift package --package-path Benchmarks benchmark
//   swift run -c release --package-path Benchmarks kernel-reference   # blendsim beside the tight loop
let package = Package(
    name: "BlendSimBenchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The tight loop blendsim's kernel is measured against (docs/PERFORMANCE.md): built
        // with -Ounchecked, as a hand-tuned single-purpose loop would be.
        .target(
            name: "TightReference",
            dependencies: [.product(name: "BlendSim", package: root)],
            path: "Benchmarks/TightReference",
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "kernel-reference",
            dependencies: ["TightReference", .product(name: "BlendSim", package: root)],
            path: "Benchmarks/KernelReference"
        ),
        .executableTarget(
            name: "BlendSimBenchmarks",
            dependencies: [
                .product(name: "BlendSim", package: root),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/BlendSimBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
