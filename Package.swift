// swift-tools-version: 6.2
import PackageDescription

// blendsim builds and runs on Linux only: it uses glibc, /proc and ELF shared libraries for its
// plugins (every libc call of the tool itself is in the BlendSimSystem target). macOS and Windows
// are not supported.

/// The same strict settings for every Swift target, so no target is quietly laxer than another.
let strictSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// The standard model and policy plugins: each is its own dynamic library under Plugins/.
/// `(product, target, folder)`; product names start with `blendsim-` because the plugin host
/// only considers files named `libblendsim-*.so` on the plugin path.
let standardPlugins: [(product: String, target: String, path: String)] = [
    ("blendsim-traditional", "TraditionalModel", "Plugins/Models/Traditional"),
    ("blendsim-face-to-face-driver", "FaceToFaceDriverModel", "Plugins/Models/FaceToFaceDriver"),
    ("blendsim-training-with-continuation", "TrainingWithContinuationModel", "Plugins/Models/TrainingWithContinuation"),
    ("blendsim-station-rotation", "StationRotationModel", "Plugins/Models/StationRotation"),
    ("blendsim-lab-rotation", "LabRotationModel", "Plugins/Models/LabRotation"),
    ("blendsim-flipped-classroom", "FlippedClassroomModel", "Plugins/Models/FlippedClassroom"),
    ("blendsim-individual-rotation", "IndividualRotationModel", "Plugins/Models/IndividualRotation"),
    ("blendsim-flex", "FlexModel", "Plugins/Models/Flex"),
    ("blendsim-self-blend", "SelfBlendModel", "Plugins/Models/SelfBlend"),
    ("blendsim-enriched-virtual", "EnrichedVirtualModel", "Plugins/Models/EnrichedVirtual"),
    ("blendsim-online-driver", "OnlineDriverModel", "Plugins/Models/OnlineDriver"),
    ("blendsim-fully-online", "FullyOnlineModel", "Plugins/Models/FullyOnline"),
    ("blendsim-teacher-it-training", "TeacherITTrainingPolicy", "Plugins/Policies/TeacherITTraining"),
    ("blendsim-anti-plagiarism", "AntiPlagiarismPolicy", "Plugins/Policies/AntiPlagiarism"),
    ("blendsim-deadline-enforcement", "DeadlineEnforcementPolicy", "Plugins/Policies/DeadlineEnforcement"),
    ("blendsim-chat-bot-feedback", "ChatBotFeedbackPolicy", "Plugins/Policies/ChatBotFeedback"),
    ("blendsim-device-loans", "DeviceLoansPolicy", "Plugins/Policies/DeviceLoans"),
    ("blendsim-high-speed-internet", "HighSpeedInternetPolicy", "Plugins/Policies/HighSpeedInternet"),
    ("blendsim-equipped-classrooms", "EquippedClassroomsPolicy", "Plugins/Policies/EquippedClassrooms"),
    ("blendsim-more-siw", "MoreSIWPolicy", "Plugins/Policies/MoreSIW"),
    ("blendsim-obligatory-blended-learning", "ObligatoryBlendedLearningPolicy", "Plugins/Policies/ObligatoryBlendedLearning"),
    ("blendsim-example-peer-mentoring", "PeerMentoringExample", "Plugins/Examples/PeerMentoring"),
]

/// Example plugins written in C against the ABI header alone.
let cPlugins: [(product: String, target: String, path: String)] = [
    ("blendsim-example-microlearning", "MicrolearningExample", "Plugins/Examples/Microlearning"),
]

/// The plugin ABI header and the plugin kit, from the SDK package.
let abi: Target.Dependency = .product(name: "CBlendSimABI", package: "BlendSimSDK")
let kit: Target.Dependency = .product(name: "BlendSimPluginKit", package: "BlendSimSDK")

var package = Package(
    name: "blendsim",
    products: [
        .executable(name: "blendsim", targets: ["blendsim"]),
        .executable(name: "blendsim-serve", targets: ["blendsim-serve"]),
        .library(
            name: "BlendSim",
            targets: [
                "BlendSimSystem", "BlendSimCore", "BlendSimInference", "BlendSimScenario", "BlendSimPluginHost", "BlendSimReport",
                "BlendSimRunner",
            ]
        ),
    ] + (standardPlugins + cPlugins).map { .library(name: $0.product, type: .dynamic, targets: [$0.target]) },
    dependencies: [
        // The plugin SDK (ABI header and plugin kit) is a package of its own, so a plugin package
        // depends on it without resolving the tool and its dependencies.
        .package(path: "BlendSimSDK"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The what-if server's HTTP (blendsim-serve only): SwiftNIO's parser, limits and graceful
        // shutdown, so no HTTP is parsed by hand.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "BlendSimSystem"),
        .target(name: "BlendSimCore", dependencies: [abi, "BlendSimSystem"]),
        // Calibration's samplers, the sweep designs and sensitivity indices: statistics over
        // simulations, kept out of the simulation core.
        .target(name: "BlendSimInference", dependencies: ["BlendSimCore", "BlendSimSystem"]),
        .target(name: "BlendSimScenario", dependencies: ["CLibYAML", "BlendSimCore", "BlendSimInference", "BlendSimSystem"]),
        .target(name: "BlendSimPluginHost", dependencies: [abi, "BlendSimCore", "BlendSimSystem"]),
        .target(name: "BlendSimReport", dependencies: ["BlendSimCore", "BlendSimSystem"]),
        .target(
            name: "BlendSimRunner",
            dependencies: ["BlendSimCore", "BlendSimInference", "BlendSimScenario", "BlendSimPluginHost", "BlendSimReport", "BlendSimSystem"]
        ),
        // The what-if page's API, policy and page, without HTTP (tested without a socket).
        .target(
            name: "BlendSimServe",
            dependencies: ["BlendSimCore", "BlendSimScenario", "BlendSimPluginHost", "BlendSimReport", "BlendSimRunner", "BlendSimSystem"]
        ),
        // `blendsim serve` runs this executable: the HTTP server, a product of its own so that
        // building `blendsim` does not build SwiftNIO.
        .executableTarget(
            name: "blendsim-serve",
            dependencies: [
                "BlendSimServe", "BlendSimCore", "BlendSimSystem", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "blendsim",
            dependencies: [
                "BlendSimCore", "BlendSimScenario", "BlendSimPluginHost", "BlendSimReport", "BlendSimRunner",
                "BlendSimSystem", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "BlendSimTests",
            dependencies: [
                "BlendSimCore", "BlendSimInference", "BlendSimScenario", "BlendSimPluginHost", "BlendSimReport",
                "BlendSimRunner", "BlendSimServe", "BlendSimSystem", abi, kit, "blendsim", "blendsim-serve",
            ],
            path: "Tests/BlendSimTests"
        ),
    ] + standardPlugins.map {
        .target(name: $0.target, dependencies: [kit], path: $0.path)
    } + cPlugins.map {
        .target(name: $0.target, dependencies: [abi], path: $0.path, publicHeadersPath: ".")
    }
)

let cTargets: Set<String> = Set(cPlugins.map(\.target))
for target in package.targets where target.type != .system && !cTargets.contains(target.name) {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSwift
}
