import BlendSimCore
import BlendSimInference
import BlendSimReport
@testable import BlendSimRunner
import BlendSimScenario

/// A small calibration plan the checkpoints are checked against (scripts/fuzz.sh runs from the
/// repository's root).
nonisolated(unsafe) let fuzzPlan = try? CalibrationPlanLoader.load(path: "Tests/Fixtures/scenarios/posterior-small.yaml")

/// libFuzzer's entry point: any bytes, as every file blendsim reads from a user or from another
/// machine — a scenario, an evidence file, a sweep plan, a shard (shard.json), and a results
/// directory's summary.json, weekly.csv and manifest.json rendered as report.html, a posterior
/// sample (posterior.csv) and a calibration's checkpoints (tempered SMC's state and ABC-SMC's
/// generations, checked against a small plan, with the input's own fingerprint so the fields
/// behind it are reached). Each reader
/// must answer every input with a result or diagnostics — never crash, hang or run out of memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = ScenarioLoader.check(ScenarioSource(path: "fuzz.yaml", bytes: bytes))
    for diagnostic in result.diagnostics { _ = diagnostic.rendered }
    if let scenario = result.scenario {
        _ = scenario.groups.count
        for variant in scenario.variants { _ = variant.scenario.groups.count }
    }
    let evidence = EvidenceLoader.decode(ScenarioSource(path: "fuzz-evidence.yaml", bytes: bytes))
    for diagnostic in evidence.diagnostics { _ = diagnostic.rendered }
    if let finding = evidence.finding { _ = finding.summaryPath }
    let sweep = SweepPlanLoader.decode(ScenarioSource(path: "fuzz-sweep.yaml", bytes: bytes))
    for diagnostic in sweep.diagnostics { _ = diagnostic.rendered }
    do {
        let shard = try ShardFile.decode(bytes, path: "fuzz/shard.json")
        _ = shard.units.count
    } catch {
        _ = error.rendered
    }
    do {
        let posterior = try PosteriorSample.decode(bytes, path: "fuzz/posterior.csv")
        _ = posterior.draw(seed: 1, replication: 0)
    } catch {
        _ = error.rendered
    }
    let text = String(decoding: bytes, as: UTF8.self)
    if let document = try? JSONValue.parse(text) {
        _ = HTMLReport.render(summary: document, weekly: nil, manifest: document)
        if let plan = fuzzPlan {
            let fingerprint = document["fingerprint"]?.stringValue ?? ""
            do {
                _ = try SamplerCheckpoint<TemperedSMC>.decode(bytes, file: "fuzz/smc-state.json", fingerprint: fingerprint, plan: plan, targetCount: plan.targets.count)
            } catch {
                _ = error.rendered
            }
            do {
                _ = try SamplerCheckpoint<ABCSMC>.decode(bytes, file: "fuzz/generations.json", fingerprint: fingerprint, plan: plan, targetCount: plan.targets.count)
            } catch {
                _ = error.rendered
            }
        }
    }
    _ = HTMLReport.Weekly(csv: text)
    return 0
}

/// libFuzzer's driver, which parses its command line and calls the target.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ target: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM names an executable's entry point after its target; it hands over to libFuzzer.
@_cdecl("FuzzScenario_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzScenario(data, size) }
}
