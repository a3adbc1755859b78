import BlendSimCore
import BlendSimScenario

/// libFuzzer's entry point: any bytes, as a scenario file. The loader must answer every input
/// with a scenario or diagnostics — never crash, hang or run out of memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = ScenarioLoader.decode(ScenarioSource(path: "fuzz.yaml", bytes: bytes))
    for diagnostic in result.diagnostics { _ = diagnostic.rendered }
    if let scenario = result.scenario {
        _ = scenario.groups.count
        for variant in scenario.variants { _ = variant.scenario.groups.count }
    }
    return 0
}
