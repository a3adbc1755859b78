import BlendSimCore
import BlendSimPluginHost
import BlendSimRunner
import BlendSimScenario
import Foundation
import TightReference

// blendsim's kernel beside the tight reference loop (TightReference), and many small runs beside
// one large cohort — the measurements docs/PERFORMANCE.md reports. Interleaved rounds, medians.
//   swift build -c release                                           # the plugins, in the repository root
//   swift run -c release --package-path Benchmarks kernel-reference [rounds]
//   kernel-reference count blendsim|tight [students]                 # one run on 1 thread, for callgrind

let pluginDirectories: [String] = {
    if let path = ProcessInfo.processInfo.environment["BLENDSIM_PLUGIN_PATH"] { return path.split(separator: ":").map(String.init) }
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return [url.path + "/.build/release"]
}()

func spec(students: Int, groups: Int = 1, replications: Int = 1, seed: Int = 1) -> SimulationSpec {
    let text = Bench.scenarioText(students: students, weeks: 15, replications: replications, groups: groups)
        .replacingOccurrences(of: "seed: 1\n", with: "seed: \(seed)\n")
    let scenario = ScenarioLoader.check(ScenarioSource(path: "bench", bytes: Array(text.utf8))).scenario!
    let host: PluginHost
    do {
        // Only these directories: the benchmark's own build directory holds copies of the plugins.
        host = try PluginHost(searchPath: pluginDirectories)
    } catch {
        fatalError("\(error)")
    }
    guard let spec = PluginResolution.resolve(scenario, host: host).spec else {
        fatalError("the plugins were not found in \(pluginDirectories); run `swift build -c release` in the repository root first")
    }
    return spec
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median: the middle value, or the mean of the two middle values of an even count.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted(), n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}
func millions(_ value: Double) -> String { String(format: "%.1f M", value / 1e6) }

/// blendsim's end-of-semester means and semester incidents, as the reference reports them.
func blendsimResult(_ spec: SimulationSpec, threads: Int, fastPaths: Bool = true) throws -> TightReference.Result {
    let result = try Engine(spec: spec, options: EngineOptions(threads: threads, fastPaths: fastPaths)).run()
    let group = result.replications[0].groups[0]
    return TightReference.Result(
        studentWeeks: spec.groups[0].students * spec.weeks, meanOverall: group.after.overall, meanMotivation: group.after.motivation,
        activeShare: group.after.activeShare, cheating: group.cheating, late: group.lateSubmissions, dropouts: group.dropouts)
}

func describe(_ name: String, _ r: TightReference.Result) -> String {
    String(format: "%@ mean overall %.6f, motivation %.7f, enrolled %.6f; incidents: %d copying, %d late, %d withdrawals",
        name, r.meanOverall, r.meanMotivation, r.activeShare, r.cheating, r.late, r.dropouts)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "count" {
    // One run on one thread, for `valgrind --tool=callgrind`: count the instructions of
    // `LearningKernel.step` (blendsim) or `TightReference.Week.step` (tight) per student-week.
    let engine = arguments.dropFirst().first ?? "blendsim"
    let students = arguments.dropFirst(2).first.flatMap(Int.init) ?? 20_000
    let small = spec(students: students)
    let result = engine == "tight" ? try TightReference.run(spec: small, threads: 1) : try blendsimResult(small, threads: 1)
    print(describe(engine, result))
    exit(0)
}

let rounds = arguments.first.flatMap(Int.init) ?? 5
let students = 1_000_000
let large = spec(students: students)
let studentWeeks = Double(students * 15)
var times: [String: [Double]] = [:]
print("Kernel: \(students) students × 15 weeks, flipped classroom 40/60 + teacher-it-training + chat-bot-feedback; \(rounds) interleaved rounds, medians")

// The two loops compute the same semester: the same means to about 1e-6 and the same incidents,
// on three seeds (10⁵ students each).
var agreement: [String] = []
for seed in 1...3 {
    let s = spec(students: 100_000, seed: seed)
    let ours = try blendsimResult(s, threads: 2), tight = try TightReference.run(spec: s, threads: 2)
    let same = abs(ours.meanOverall - tight.meanOverall) < 1e-4 && abs(ours.meanMotivation - tight.meanMotivation) < 1e-5
        && ours.activeShare == tight.activeShare && ours.cheating == tight.cheating && ours.late == tight.late && ours.dropouts == tight.dropouts
    agreement.append("seed \(seed): " + describe("blendsim", ours))
    agreement.append("seed \(seed): " + describe("tight   ", tight) + (same ? "" : "   ← DIFFERENT"))
}

for round in 1...rounds {
    for threads in [1, 2] {
        // The three engines in an order that rotates from round to round, so none always runs
        // first (or after the same one).
        for turn in 0..<3 {
            switch (turn + round) % 3 {
            case 0, 1:
                let fastPaths = (turn + round) % 3 == 0
                let engine = Engine(spec: large, options: EngineOptions(threads: threads, fastPaths: fastPaths))
                times["blendsim\(fastPaths ? "" : " (general path)") \(threads)", default: []].append(try seconds { _ = try engine.run() })
            default:
                times["tight \(threads)", default: []].append(try seconds { _ = try TightReference.run(spec: large, threads: threads) })
            }
        }
    }
}
print("")
print("engine                       1 thread        2 threads       speed-up")
for name in ["blendsim", "blendsim (general path)", "tight"] {
    let one = median(times["\(name) 1"]!), two = median(times["\(name) 2"]!)
    print(name.padding(toLength: 28, withPad: " ", startingAt: 0)
        + "\(millions(studentWeeks / one)) sw/s".padding(toLength: 16, withPad: " ", startingAt: 0)
        + "\(millions(studentWeeks / two)) sw/s".padding(toLength: 16, withPad: " ", startingAt: 0)
        + String(format: "%.2f×", one / two))
}
for threads in [1, 2] {
    let ratios = zip(times["blendsim \(threads)"]!, times["tight \(threads)"]!).map { $0 / $1 }
    print(String(format: "blendsim / tight time, %d thread%@: %.3f× (median of the ratios per round; range %.3f–%.3f)",
        threads, threads == 1 ? "" : "s", median(ratios), ratios.min()!, ratios.max()!))
}
for line in agreement { print(line) }

// Many small runs: the calibration workload, 10^4 runs of 2 groups × 100 students × 15 weeks.
let smallRuns = 10_000
let small = spec(students: 100, groups: 2, replications: smallRuns)
var smallTimes: [Double] = []
for _ in 1...(max(rounds / 2, 2) | 1) {
    let engine = Engine(spec: small, options: EngineOptions(threads: 2))
    smallTimes.append(try seconds { _ = try engine.run() })
}
let smallSeconds = median(smallTimes)
let smallStudentWeeks = Double(smallRuns * 2 * 100 * 15)
let largeRate = studentWeeks / median(times["blendsim 2"]!)
let smallRate = smallStudentWeeks / smallSeconds
print("")
print(String(format: "small runs (2 threads): %d runs of 2 × 100 × 15 in %.2f s: %.0f runs/s, %@ sw/s = %.0f%% of the large cohort's %@ sw/s",
    smallRuns, smallSeconds, Double(smallRuns) / smallSeconds, millions(smallRate), 100 * smallRate / largeRate, millions(largeRate)))
print(String(format: "per run beyond the large cohort's rate (set-up, plugin calls, allocation): %.1f µs on 2 threads",
    1e6 * (smallSeconds - smallStudentWeeks / largeRate) / Double(smallRuns) * 2))
