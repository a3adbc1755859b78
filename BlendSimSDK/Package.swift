// swift-tools-version: 6.2
import PackageDescription

// The blendsim plugin SDK: the C ABI header (CBlendSimABI) and the Swift kit built on it
// (BlendSimPluginKit). A plugin package depends on this package alone, by path, and needs nothing
// else — no network, no other package. blendsim itself uses the same two targets from here.
let package = Package(
    name: "BlendSimSDK",
    products: [
        .library(name: "BlendSimPluginKit", targets: ["BlendSimPluginKit"]),
        .library(name: "CBlendSimABI", targets: ["CBlendSimABI"]),
    ],
    targets: [
        .target(name: "CBlendSimABI"),
        .target(
            name: "BlendSimPluginKit",
            dependencies: ["CBlendSimABI"],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .treatAllWarnings(as: .error),
            ]
        ),
    ]
)
