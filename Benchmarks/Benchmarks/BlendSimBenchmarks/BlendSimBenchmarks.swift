import Benchmark
import BlendSimCore
import BlendSimPluginHost
import BlendSimRunner
import BlendSimScenario
import Foundation

/// Where the plugins are: BLENDSIM_PLUGIN_PATH, or the root package's release build.
let pluginDirectories: [String] = {
    if let path = ProcessInfo.processInfo.environment["BLENDSIM_PLUGIN_PATH"] { return path.split(separator: ":").map(String.init) }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return [url.path + "/.build/release"]
}()

/// The standard workload (`blendsim bench`): a flipped classroom with two policies.
func standardSpec(students: Int, replications: Int, groups: Int = 1) -> SimulationSpec {
    let text = Bench.scenarioText(students: students, weeks: 15, replications: replications, groups: groups)
    let scenario = ScenarioLoader.check(ScenarioSource(path: "bench", bytes: Array(text.utf8))).scenario!
    // Only these directories: the benchmark's own build directory holds copies of the plugins.
    let host = try! PluginHost(searchPath: pluginDirectories)
    guard let spec = PluginResolution.resolve(scenario, host: host).spec else {
        fatalError("the flipped-classroom and policy plugins were not found in \(pluginDirectories); run `swift build -c release` in the repository root first")
    }
    return spec
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal, .throughput],
        maxDuration: .seconds(20), maxIterations: 5)

    Benchmark("semester: 10^6 students, flipped classroom + 2 policies", configuration: .init(scalingFactor: .one)) { benchmark in
        let engine = Engine(spec: standardSpec(students: 1_000_000, replications: 1))
        benchmark.startMeasurement()
        blackHole(try! engine.run())
    }

    Benchmark("replications: 1000 × 1000 students", configuration: .init(scalingFactor: .one)) { benchmark in
        let engine = Engine(spec: standardSpec(students: 1000, replications: 1000))
        benchmark.startMeasurement()
        blackHole(try! engine.run())
    }

    // The calibration workload: many small runs, where set-up, plugin calls and allocation per
    // run weigh most (mallocCountTotal / 1000 is the allocations per run).
    Benchmark("small runs: 1000 × 2 groups × 100 students", configuration: .init(scalingFactor: .one)) { benchmark in
        let engine = Engine(spec: standardSpec(students: 100, replications: 1000, groups: 2))
        benchmark.startMeasurement()
        blackHole(try! engine.run())
    }

    Benchmark("scenario load: paper-experiment.yaml", configuration: .init(maxIterations: 200)) { benchmark in
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        let path = url.path + "/scenarios/paper-experiment.yaml"
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try! ScenarioLoader.load(path: path)) }
    }

    Benchmark("plugin load: every plugin on the path", configuration: .init(maxIterations: 50)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! PluginHost(searchPath: pluginDirectories)) }
    }

    Benchmark("plugin boundary: flipped classroom as plugin", configuration: .init(scalingFactor: .one)) { benchmark in
        let engine = Engine(spec: standardSpec(students: 200_000, replications: 1))
        benchmark.startMeasurement()
        blackHole(try! engine.run())
    }

    Benchmark("plugin boundary: flipped classroom compiled in", configuration: .init(scalingFactor: .one)) { benchmark in
        var spec = standardSpec(students: 200_000, replications: 1)
        spec.groups[0].model = CompiledFlippedClassroom()
        let engine = Engine(spec: spec)
        benchmark.startMeasurement()
        blackHole(try! engine.run())
    }
}
