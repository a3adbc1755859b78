import BlendSimInference
import BlendSimCore
import BlendSimRunner
import Foundation
import Testing

/// The ABC-SMC sampler, checked on problems whose posterior is known in closed form.
@Suite("Posterior calibration")
struct PosteriorTests {
    /// y = θ + e with e ~ N(0, 1) observed twice: θ₁ with a uniform prior and y₁ = 1, so the
    /// posterior is N(1, 1); θ₂ with a N(0, 1) prior and y₂ = 2, so the posterior is N(1, ½).
    /// The sampler's weighted mean and standard deviation match within Monte Carlo error.
    @Test(.tags(.slow)) func recoversKnownPosteriors() throws {
        let sampler = ABCSMC(
            priors: [.uniform(lower: -10, upper: 10), .normal(mean: 0, sd: 1, lower: -10, upper: 10)],
            settings: .init(particles: 1000, generations: 12, quantile: 0.5, minimumAcceptance: 0.01, maximumSimulations: 200_000),
            seed: 11)
        let observed = [1.0, 2.0]
        func simulate(_ candidates: [ABCSMC.Candidate]) -> [ABCSMC.Outcome] {
            var outcomes: [ABCSMC.Outcome] = []
            for candidate in candidates {
                var simulated: [Double] = []
                var squares = 0.0
                for index in 0..<2 {
                    let u = min(max(CounterRandom.uniform(candidate.key, 100 + UInt64(index)), 1e-12), 1 - 1e-12)
                    let value = candidate.values[index] + Quantiles.normal(u)
                    simulated.append(value)
                    squares += (value - observed[index]) * (value - observed[index])
                }
                outcomes.append(ABCSMC.Outcome(distance: squares.squareRoot(), summaries: simulated))
            }
            return outcomes
        }
        let generations = try sampler.run(simulate: simulate).generations
        let final = try #require(generations.last)
        #expect(final.index >= 5, "only \(final.index) generations")
        #expect(final.epsilon < 0.5, "ε \(final.epsilon)")
        let weights = final.particles.map(\.weight)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-9)
        let expected: [(mean: Double, sd: Double)] = [(1.0, 1.0), (1.0, 0.5.squareRoot())]
        for index in 0..<2 {
            let mean = expected[index].mean, sd = expected[index].sd
            let values = final.particles.map { $0.values[index] }
            let m: Double = zip(values, weights).reduce(0.0) { $0 + $1.0 * $1.1 }
            let variance: Double = zip(values, weights).reduce(0.0) { $0 + $1.1 * ($1.0 - m) * ($1.0 - m) }
            let s: Double = variance.squareRoot()
            let meanError: Double = abs(m - mean), sdError: Double = abs(s - sd)
            #expect(meanError < 0.1, "parameter \(index): mean \(m), expected \(mean)")
            #expect(sdError < 0.12 * sd, "parameter \(index): sd \(s), expected \(sd)")
            let lower = ABCSMC.weightedQuantile(values, weights: weights, 0.05)
            let upper = ABCSMC.weightedQuantile(values, weights: weights, 0.95)
            let expectedLower: Double = mean - 1.645 * sd, expectedUpper: Double = mean + 1.645 * sd
            let lowerError: Double = abs(lower - expectedLower), upperError: Double = abs(upper - expectedUpper)
            #expect(lowerError < 0.2, "90% interval [\(lower), \(upper)]")
            #expect(upperError < 0.2, "90% interval [\(lower), \(upper)]")
        }
    }

    /// The posterior is a function of the seed alone: resuming after any generation, or
    /// simulating in other batches, gives the same particles.
    @Test func resumingGivesTheSamePosterior() throws {
        let sampler = ABCSMC(
            priors: [.logUniform(lower: 0.1, upper: 10), .beta(alpha: 2, beta: 5, lower: 0, upper: 1)],
            settings: .init(particles: 200, generations: 4, quantile: 0.5, minimumAcceptance: 0.01, maximumSimulations: 100_000),
            seed: 3)
        func simulate(_ candidates: [ABCSMC.Candidate]) -> [ABCSMC.Outcome] {
            candidates.map { ABCSMC.Outcome(distance: abs(log($0.values[0]) - 0.5) + abs($0.values[1] - 0.3), summaries: []) }
        }
        let whole = try sampler.run(simulate: simulate)
        #expect(whole.generations.count == 5)
        for cut in 1..<whole.generations.count {
            let resumed = try sampler.run(previous: Array(whole.generations.prefix(cut)), simulate: simulate)
            #expect(resumed.generations == whole.generations, "resumed after generation \(cut - 1)")
        }
        // Priors: draws stay within the bounds and follow the declared shape.
        let draws: [Double] = (0..<2000).map { Prior.beta(alpha: 2, beta: 5, lower: 0, upper: 1).quantile((Double($0) + 0.5) / 2000) }
        let betaMean: Double = draws.reduce(0, +) / 2000
        #expect(abs(betaMean - 2.0 / 7.0) < 0.005)
        let median: Double = Prior.logUniform(lower: 0.1, upper: 10).quantile(0.5)
        #expect(abs(median - 1) < 1e-9)
        #expect(Prior.normal(mean: 0, sd: 1, lower: -1, upper: 1).quantile(0.999_999) <= 1)
    }
}

/// The posterior from the command line: bad plans and posterior files, and `--uncertainty model`.
@Suite("Posterior from the command line")
struct PosteriorCommandTests {
    static let scenario = """
        seed: 5
        replications: 4
        groups:
          - {name: g, students: 60, levels: {intermediate: 1}, model: flipped-classroom, online_share: 0.4}
        """

    /// Priors that do not fit their parameter are refused at their place in the plan.
    @Test(arguments: [
        ("{normal: [5, 0.1]}", 4, 72, "parameter 'kernel.transfer_share': the normal prior's mean 5.0 lies outside the parameter's range [0.0, 0.9]"),
        ("log_uniform", 4, 62, "parameter 'kernel.transfer_share': a log_uniform prior needs 'min' above 0, found 0.0"),
        ("{beta: [0, 2]}", 4, 69, "parameter 'kernel.transfer_share': a beta prior needs both shapes between 0.01 and 1000"),
        ("{beta: [1e-300, 2]}", 4, 69, "parameter 'kernel.transfer_share': a beta prior needs both shapes between 0.01 and 1000"),
        ("{normal: [0.5, 1e-300]}", 4, 77, "parameter 'kernel.transfer_share': a normal prior needs an sd of at least a millionth of the parameter's range"),
        ("cauchy", 4, 62, "parameter 'kernel.transfer_share': unknown prior 'cauchy'; use uniform, log_uniform, {beta: [alpha, beta]} or {normal: [mean, sd]}"),
    ])
    func badPriorsAreLocated(prior: String, line: Int, column: Int, message: String) throws {
        let directory = TemporaryDirectory()
        _ = directory.file("s.yaml", Self.scenario)
        let plan = directory.file("plan.yaml", """
            scenario: s.yaml
            parameters:
              - {name: kernel.points_per_hour, min: 0.01, max: 0.1}
              - {name: kernel.transfer_share, min: 0.0, max: 0.9, prior: \(prior)}
            targets:
              - {statistic: groups.g.overall.after, value: 150, tolerance: 2}
            """)
        let result = try blendsim("calibrate", plan, "--method", "abc-smc", "--out", directory.path + "/out", "--quiet")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(plan):\(line):\(column): error: \(message)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/out"))
    }

    /// Posterior files from anywhere are checked before anything runs: the header, every number,
    /// the weights, and that each parameter exists among the installed plugins.
    @Test(arguments: [
        ("particle,weight,kernel.transfer_share\n1,1,0.2\n", "1:1: error: a posterior file starts with the columns particle,weight,distance and then one column per parameter"),
        ("particle,weight,distance,kernel.transfer_share\n1,nan,0.5,0.2\n", "2:3: error: 'nan' is not a finite number"),
        ("particle,weight,distance,kernel.transfer_share\n1,0.5,0.5\n", "2:1: error: this row has 3 values; the header names 4 columns"),
        ("particle,weight,distance,kernel.no_such_key\n1,1,0.5,0.2\n", "1:26: error: 'kernel.no_such_key' is not a parameter blendsim knows"),
        ("particle,weight,distance,kernel.transfer_share\n1,0,0.5,0.2\n", "error: the posterior has no particles with positive weight"),
        ("particle,weight,distance,model_defaults.no-such-model.x\n1,1,0.5,0.2\n", "error: 'model_defaults.no-such-model.x' in"),
    ])
    func badPosteriorsAreRefused(contents: String, expected: String) throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", Self.scenario)
        let posterior = directory.file("posterior.csv", contents)
        let result = try blendsim("run", scenario, "--uncertainty", "model", "--posterior", posterior, "--out", directory.path + "/out", "--quiet")
        #expect(result.status == 1)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/out"))
    }

    /// A posterior saved by a spreadsheet, with CRLF line ends, reads as the same sample as with LF.
    @Test func posteriorsWithCRLFLineEndsAreRead() throws {
        let lf = "particle,weight,distance,kernel.transfer_share\n1,1,0.5,0.2\n2,3,0.5,0.4\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try PosteriorSample.decode(Array(lf.utf8), path: "lf.csv")
        let b = try PosteriorSample.decode(Array(crlf.utf8), path: "crlf.csv")
        #expect(a.names == ["kernel.transfer_share"] && b.names == a.names)
        #expect(b.particles == a.particles && b.weights == a.weights && b.particles.count == 2)
    }

    /// `compare --uncertainty model`: every replication draws one particle (the same in every
    /// variant), the comparison carries a 90% credible interval and P(higher), and the credible
    /// interval of the overall score's difference is wider than the simulation-only 95% CI. A run
    /// without the flag is unchanged (FingerprintTests).
    @Test func compareCarriesTheModelsUncertainty() throws {
        let directory = TemporaryDirectory()
        // Two particles far apart in how much an hour of study teaches.
        let posterior = directory.file("posterior.csv", """
            particle,weight,distance,kernel.points_per_hour,model_defaults.flipped-classroom.practice_effectiveness
            1,0.5,1,0.02,0.7
            2,0.5,1,0.09,2.5

            """)
        let scenario = directory.file("c.yaml", """
            seed: 9
            replications: 30
            groups:
              - {name: g, students: 80, levels: {intermediate: 1}, model: flipped-classroom, online_share: 0.4}
            variants:
              - {name: a, online_share: 0.4}
              - {name: b, online_share: 0.2}
            """)
        let out = directory.path + "/out"
        let result = try blendsim("compare", scenario, "--uncertainty", "model", "--posterior", posterior, "--out", out, "--report")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("P(better) = "))
        let summary = try JSONValue.parse(String(contentsOfFile: out + "/summary.json", encoding: .utf8))
        #expect(summary["uncertainty"]?["particles"] == .integer(2))
        guard case .array(let comparisons)? = summary["comparisons"],
            let overall = comparisons.first(where: { $0["outcome"] == .string("overall") }),
            case .array(let credible)? = overall["credible90"], case .array(let ci)? = overall["difference"]?["ci95"],
            let lo = credible[0].doubleValue, let hi = credible[1].doubleValue, let ciLo = ci[0].doubleValue, let ciHi = ci[1].doubleValue
        else {
            Issue.record("no credible interval in \(summary.serialized())")
            return
        }
        #expect(hi - lo > ciHi - ciLo, "credible [\(lo), \(hi)] vs CI [\(ciLo), \(ciHi)]")
        let p = try #require(overall["probability_higher"]?.doubleValue)
        #expect(p >= 0 && p <= 1)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("90% credible interval") && html.contains("P(higher)"))
        // Both draws occur, and replications differ by their draw: the groups' final scores spread
        // far more than within one parameter set.
        guard case .array(let variants)? = summary["variants"], case .array(let groups)? = variants[0]["groups"],
            let sd = groups[0]["overall"]?["after"]?["sd"]?.doubleValue
        else {
            Issue.record("no variants")
            return
        }
        #expect(sd > 3, "sd over replications \(sd)")
    }
}

extension PosteriorCommandTests {
    /// A calibration (ABC-SMC or tempered SMC) stopped by SIGTERM after a generation resumes with
    /// `--resume` to the very bytes of an uninterrupted one.
    @Test(.tags(.slow), arguments: [("abc-smc", "Posterior (ABC-SMC): 30 particles", "generations.json"), ("smc", "Posterior (tempered SMC): 30 particles", "smc-state.json")])
    func anInterruptedCalibrationResumesToTheSamePosterior(method: String, header: String, checkpoint: String) throws {
        let directory = TemporaryDirectory()
        _ = directory.file("s.yaml", """
            seed: 5
            replications: 3
            groups:
              - {name: g, students: 100, levels: {intermediate: 1}, model: flipped-classroom, online_share: 0.4}
            """)
        let plan = directory.file("plan.yaml", """
            scenario: s.yaml
            parameters:
              - {name: kernel.points_per_hour, min: 0.01, max: 0.1}
              - {name: kernel.transfer_share, min: 0.0, max: 0.9, prior: {beta: [2, 2]}}
            targets:
              - {statistic: groups.g.overall.after, value: 152, tolerance: 2}
              - {statistic: groups.g.motivation.after, value: 0.6, tolerance: 0.05}
            abc: {particles: 30, generations: 3, min_acceptance: 0.01}
            """)
        let whole = try blendsim("calibrate", plan, "--method", method, "--out", directory.path + "/whole", "--threads", "1")
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stdout.contains(header), "\(whole.stdout)")

        let out = directory.path + "/interrupted"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.executable)
        process.arguments = ["calibrate", plan, "--method", method, "--out", out, "--threads", "1"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while !seen.contains("generation 1:") {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143, "the calibration finished before it could be interrupted")
        #expect(FileManager.default.fileExists(atPath: out + "/.checkpoint/" + checkpoint))
        #expect(!FileManager.default.fileExists(atPath: out + "/posterior.csv"))

        let resumed = try blendsim("calibrate", plan, "--method", method, "--out", out, "--resume", "--threads", "1")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for file in ["posterior.csv", "calibration.json"] {
            let a = try String(contentsOfFile: directory.path + "/whole/" + file, encoding: .utf8)
            let b = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
            #expect(a == b, "\(file) differs after resuming")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/.checkpoint"))
    }
}

extension PosteriorTests {
    /// Coverage: 20 recoveries of three parameters from noisy observations of known true values
    /// (y = θ + N(0, 1), uniform priors): the 90% credible interval holds the truth in 80–98% of
    /// the 60 cases — calibrated intervals, neither overconfident nor vacuous.
    @Test(.tags(.slow)) func credibleIntervalsCoverTheTruth() throws {
        let truth = [1.0, -2.0, 0.5]
        var covered = 0, cases = 0
        for recovery in 0..<20 {
            let noise = CounterRandom.derive(77, UInt64(recovery))
            let observed = truth.indices.map { truth[$0] + Quantiles.normal(CounterRandom.uniform(noise, UInt64($0))) }
            let sampler = ABCSMC(
                priors: Array(repeating: .uniform(lower: -8, upper: 8), count: 3),
                settings: .init(particles: 200, generations: 10, quantile: 0.5, minimumAcceptance: 0.02, maximumSimulations: 40_000),
                seed: 1000 + UInt64(recovery))
            func simulate(_ candidates: [ABCSMC.Candidate]) -> [ABCSMC.Outcome] {
                candidates.map { candidate in
                    var squares = 0.0
                    for index in 0..<3 {
                        let u = min(max(CounterRandom.uniform(candidate.key, 50 + UInt64(index)), 1e-12), 1 - 1e-12)
                        let difference = candidate.values[index] + Quantiles.normal(u) - observed[index]
                        squares += difference * difference
                    }
                    return ABCSMC.Outcome(distance: squares.squareRoot(), summaries: [])
                }
            }
            let final = try #require(try sampler.run(simulate: simulate).generations.last)
            let weights = final.particles.map(\.weight)
            for index in 0..<3 {
                let values = final.particles.map { $0.values[index] }
                let lower = ABCSMC.weightedQuantile(values, weights: weights, 0.05)
                let upper = ABCSMC.weightedQuantile(values, weights: weights, 0.95)
                cases += 1
                if truth[index] >= lower && truth[index] <= upper { covered += 1 }
            }
        }
        let coverage = Double(covered) / Double(cases)
        #expect(coverage >= 0.8 && coverage <= 0.98, "coverage \(covered) of \(cases)")
    }
}

extension PosteriorCommandTests {
    /// The shipped posterior loads with the installed plugins, is what `--uncertainty model` uses
    /// by default, and widens the comparison of 40/60 and 20/80 beyond the simulation's interval.
    @Test func theShippedPosteriorAnswersTheRatioQuestion() throws {
        let posterior = try PosteriorSample.load(path: TestPaths.scenarios + "/evidence-posterior.csv")
        #expect(posterior.particles.count >= 100)
        #expect(posterior.names.count == 27)
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        let result = try blendsim(
            "compare", TestPaths.scenarios + "/compare-ratios.yaml", "--uncertainty", "model", "--replications", "40", "--out", out)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("evidence-posterior.csv"))
        let summary = try JSONValue.parse(String(contentsOfFile: out + "/summary.json", encoding: .utf8))
        guard case .array(let comparisons)? = summary["comparisons"],
            let overall = comparisons.first(where: { $0["outcome"] == .string("overall") }),
            case .array(let credible)? = overall["credible90"], case .array(let ci)? = overall["difference"]?["ci95"],
            let lo = credible[0].doubleValue, let hi = credible[1].doubleValue, let ciLo = ci[0].doubleValue, let ciHi = ci[1].doubleValue
        else {
            Issue.record("no credible interval")
            return
        }
        #expect(hi - lo > 2 * (ciHi - ciLo), "credible [\(lo), \(hi)] vs CI [\(ciLo), \(ciHi)]")
    }
}

extension PosteriorCommandTests {
    /// A checkpoint is data from anywhere: counters near Int.max, a population without a
    /// particle that produces the targets, an ABC generation without weight or with more
    /// generations than the plan allows are refused on --resume with a sentence, not a crash or
    /// a loop.
    @Test(arguments: ["smc", "abc-smc"])
    func tamperedCheckpointsAreRefusedOnResume(method: String) throws {
        let plan = TestPaths.fixtures + "/scenarios/posterior-small.yaml"
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        // One round simulated and merged: a checkpoint of a calibration under way.
        #expect(try blendsim("calibrate", plan, "--method", method, "--out", out, "--shard", "1/1", "--round", "0", "--quiet").status == 0)
        let merged = try blendsim("calibrate", plan, "--method", method, "--out", out, "--merge-shards", "1")
        #expect(merged.status == 0, "\(merged.stderr)")
        let file = out + "/.checkpoint/" + (method == "smc" ? "smc-state.json" : "generations.json")
        let original = try String(contentsOfFile: file, encoding: .utf8)
        // Each tampered text with the refusal it must get.
        var tampered: [(String, String)] = []
        if method == "smc" {
            tampered.append((original.replacingOccurrences(of: #""round":1,"#, with: #""round":9223372036854775000,"#), "is damaged"))
            tampered.append((original.replacingOccurrences(of: #"("records":\[\[[0-9.e+-]+,[0-9.e+-]+,[0-9.e+-]+,[0-9.e+-]+,[0-9]+,)[0-9]+"#, with: "$1999", options: .regularExpression), "is damaged"))
            var noLikelihood = original
            while let range = noLikelihood.range(of: #"\],-?[0-9][0-9.e+-]*,"#, options: .regularExpression) {
                noLikelihood.replaceSubrange(range, with: "],\"-inf\",")
            }
            tampered.append((noLikelihood, "holds no particle that produces every target"))
        } else {
            tampered.append((original.replacingOccurrences(of: #""simulations":"#, with: #""simulations":9223372036854775000,"x":"#), "a generation is damaged"))
            // Only the weights: each particle's first number, after '[[' or '],['.
            tampered.append((original.replacingOccurrences(of: #"(\[\[|\],\[)[0-9.e-]+,"#, with: "$10,", options: .regularExpression), "holds no particle with positive weight"))
            tampered.append((original.replacingOccurrences(of: #""particles":\[.*?\]\]\]\}"#, with: #""particles":[]}"#, options: .regularExpression), "a generation is damaged"))
        }
        for (index, (text, refusal)) in tampered.enumerated() {
            #expect(text != original, "case \(index) changed nothing")
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let resumed = try blendsim("calibrate", plan, "--method", method, "--out", out, "--resume", "--quiet")
            #expect(resumed.status == 1, "case \(index): \(resumed.stdout)")
            #expect(resumed.stderr.contains(refusal), "case \(index): \(resumed.stderr)")
        }
    }

    /// A calibration split into shards — each round of each generation simulated by three
    /// separate processes, then merged — writes the same posterior, byte for byte, as one
    /// unsharded process (what the Slurm driver of `--emit-slurm` does, run here by hand). Here
    /// for tempered SMC; scripts/slurm-test.sh (in `.ci/run`) checks both samplers on Slurm. A
    /// merge with a shard missing says which, for both.
    @Test(.tags(.slow), arguments: [("abc-smc", "round 0 of generation 0 has 1 of its 3 shards"), ("smc", "round 0 has 1 of its 3 shards")])
    func shardedCalibrationMergesToTheSamePosterior(method: String, missing: String) throws {
        let plan = TestPaths.fixtures + "/scenarios/posterior-small.yaml"
        let directory = TemporaryDirectory()
        defer {
            // A merge with a shard missing says which.
            let partial = directory.path + "/partial"
            _ = try? blendsim("calibrate", plan, "--method", method, "--out", partial, "--shard", "1/3", "--round", "0", "--quiet")
            let refused = try? blendsim("calibrate", plan, "--method", method, "--out", partial, "--merge-shards", "3")
            #expect(refused?.status == 1)
            #expect(refused?.stderr.contains(missing) == true, "\(refused?.stderr ?? "")")
        }
        guard method == "smc" else { return }
        let whole = try blendsim("calibrate", plan, "--method", method, "--out", directory.path + "/whole", "--quiet")
        #expect(whole.status == 0, "\(whole.stderr)")
        let out = directory.path + "/sharded"
        var state = try blendsim("calibrate", plan, "--method", method, "--out", out, "--merge-shards", "3")
        var steps = 0
        while state.status == 0, let word = state.stdout.split(separator: "\n").first, word != "done", steps < 200 {
            let round = word.hasPrefix("more ") ? String(word.dropFirst(5)) : "0"
            for shard in 1...3 {
                let run = try blendsim("calibrate", plan, "--method", method, "--out", out, "--shard", "\(shard)/3", "--round", round, "--quiet")
                #expect(run.status == 0, "\(run.stderr)")
            }
            state = try blendsim("calibrate", plan, "--method", method, "--out", out, "--merge-shards", "3")
            steps += 1
        }
        #expect(state.status == 0, "\(state.stderr)")
        #expect(state.stdout.hasPrefix("done\n"))
        for file in ["posterior.csv", "calibration.json"] {
            let a = try String(contentsOfFile: directory.path + "/whole/" + file, encoding: .utf8)
            let b = try String(contentsOfFile: out + "/" + file, encoding: .utf8)
            #expect(a == b, "\(file) differs between the sharded and the unsharded calibration")
        }
    }
}

extension PosteriorCommandTests {
    /// `--method laplace`: equally weighted draws around the plan's current values, inside the
    /// bounds, that `--uncertainty model` reads; a parameter the targets inform has a credible
    /// interval narrower than its prior's.
    @Test func laplaceDrawsAroundTheCurrentValues() throws {
        let plan = TestPaths.fixtures + "/scenarios/posterior-small.yaml"
        let directory = TemporaryDirectory()
        let out = directory.path + "/laplace"
        let result = try blendsim("calibrate", plan, "--method", "laplace", "--out", out)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Posterior (normal approximation at the point fit): 20 draws"))
        // --quiet prints nothing on stdout, as for every command.
        let quiet = try blendsim("calibrate", plan, "--method", "laplace", "--out", directory.path + "/quiet", "--quiet")
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout)")
        let posterior = try PosteriorSample.load(path: out + "/posterior.csv")
        #expect(posterior.particles.count == 20)
        #expect(posterior.weights.allSatisfy { abs($0 - 1.0 / 20) < 1e-12 })
        #expect(posterior.particles.allSatisfy { $0[0] >= 0.01 && $0[0] <= 0.1 && $0[1] >= 0 && $0[1] <= 0.9 })
        let report = try JSONValue.parse(String(contentsOfFile: out + "/calibration.json", encoding: .utf8))
        #expect(report["method"] == .string("laplace"))
        guard case .array(let parameters)? = report["parameters"] else {
            Issue.record("no parameters")
            return
        }
        #expect(parameters.first?["informed"] == .bool(true), "points_per_hour moves the control group's score: \(parameters[0].serialized())")
    }
}

extension PosteriorCommandTests {
    /// A sweep over a parameter the posterior draws would have every point drawn alike: refused,
    /// not run with the studied difference erased. A particle outside its parameter's range is
    /// refused at its line, whichever particles a run would draw.
    @Test func drawsThatWouldEraseTheStudiedDifferenceAreRefused() throws {
        let sweep = try blendsim(
            "sweep", TestPaths.scenarios + "/sensitivity-morris.yaml", "--uncertainty", "model", "--replications", "1", "--quiet")
        #expect(sweep.status == 1)
        #expect(sweep.stderr.contains("set kernel.feedback_gain to different values, but --uncertainty model draws it"), "\(sweep.stderr)")

        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", Self.scenario)
        let posterior = directory.file("posterior.csv", """
            particle,weight,distance,kernel.transfer_share
            1,0.5,inf,0.2
            2,0.5,1,7.5

            """)
        let result = try blendsim("run", scenario, "--uncertainty", "model", "--posterior", posterior, "--quiet")
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(posterior):3:1: error: particle 2: kernel.transfer_share = 7.5 lies outside its range"), "\(result.stderr)")
    }
}

extension PosteriorCommandTests {
    /// The posterior does not depend on how many threads simulate it.
    @Test(.tags(.slow), arguments: ["abc-smc", "smc"])
    func thePosteriorIsTheSameOnAnyThreadCount(method: String) throws {
        let plan = TestPaths.fixtures + "/scenarios/posterior-small.yaml"
        let directory = TemporaryDirectory()
        for threads in ["1", "3"] {
            let result = try blendsim("calibrate", plan, "--method", method, "--out", directory.path + "/t" + threads, "--threads", threads, "--quiet")
            #expect(result.status == 0, "\(result.stderr)")
        }
        for file in ["posterior.csv", "calibration.json"] {
            let one = try String(contentsOfFile: directory.path + "/t1/" + file, encoding: .utf8)
            let three = try String(contentsOfFile: directory.path + "/t3/" + file, encoding: .utf8)
            #expect(one == three, "\(file) depends on the thread count")
        }
    }
}

extension PosteriorCommandTests {
    /// A checkpoint is data from anywhere: a damaged or foreign one is refused with a sentence,
    /// and `--resume` without one says there is nothing to resume.
    @Test(.tags(.slow), arguments: [("abc-smc", "generations.json"), ("smc", "smc-state.json")])
    func damagedCheckpointsAreRefused(method: String, checkpoint: String) throws {
        let plan = TestPaths.fixtures + "/scenarios/posterior-small.yaml"
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        let nothing = try blendsim("calibrate", plan, "--method", method, "--out", out, "--resume", "--quiet")
        #expect(nothing.status == 1)
        #expect(nothing.stderr.contains("holds no interrupted calibration to resume"), "\(nothing.stderr)")
        try FileManager.default.createDirectory(atPath: out + "/.checkpoint", withIntermediateDirectories: true)
        for (contents, expected) in [
            ("not json", "is not a calibration checkpoint blendsim wrote"),
            (#"{"fingerprint":"0000","generations":[]}"#, "is from another plan or other settings"),
        ] {
            _ = directory.file("out/.checkpoint/" + checkpoint, contents)
            let result = try blendsim("calibrate", plan, "--method", method, "--out", out, "--resume", "--quiet")
            #expect(result.status == 1)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            let merge = try blendsim("calibrate", plan, "--method", method, "--out", out, "--merge-shards", "2")
            #expect(merge.status == 1)
            #expect(merge.stderr.contains(expected), "\(merge.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out + "/posterior.csv"))
        guard method == "smc" else { return }
        // A checkpoint of this very calibration (its fingerprint is right) with a damaged field.
        let real = directory.path + "/real"
        #expect(try blendsim("calibrate", plan, "--method", "smc", "--out", real, "--shard", "1/1", "--round", "0", "--quiet").status == 0)
        #expect(try blendsim("calibrate", plan, "--method", "smc", "--out", real, "--merge-shards", "1").stdout == "more 1\n")
        let state = real + "/.checkpoint/smc-state.json"
        let original = try String(contentsOfFile: state, encoding: .utf8)
        for (from, to) in [("\"beta\":", "\"beta\":2"), ("\"sweep\":0", "\"sweep\":99"), ("\"round\":1", "\"round\":-1"), ("\"particles\":[[", "\"particles\":[[1e300],[")] {
            try original.replacingOccurrences(of: from, with: to, options: [], range: original.range(of: from)).write(toFile: state, atomically: true, encoding: .utf8)
            let result = try blendsim("calibrate", plan, "--method", "smc", "--out", real, "--resume", "--quiet")
            #expect(result.status == 1, "\(from) → \(to)")
            #expect(result.stderr.contains("smc-state.json is damaged; remove the checkpoint to start afresh"), "\(from) → \(to): \(result.stderr)")
        }
    }
}

extension PosteriorCommandTests {
    /// `calibrate fit`, `calibrate posterior` and `calibrate recover` are the same calibrations as
    /// `calibrate PLAN --method M` (byte for byte), each check said in the spelling used.
    @Test func theSubcommandsAreTheMethods() throws {
        let plan = TestPaths.fixtures + "/scenarios/posterior-small.yaml"
        let directory = TemporaryDirectory()
        let old = try blendsim("calibrate", plan, "--method", "laplace", "--out", directory.path + "/old", "--quiet")
        let new = try blendsim("calibrate", "posterior", plan, "--sampler", "laplace", "--out", directory.path + "/new", "--quiet")
        #expect(old.status == 0 && new.status == 0, "\(old.stderr)\(new.stderr)")
        for file in ["posterior.csv", "calibration.json"] {
            let a = try String(contentsOfFile: directory.path + "/old/" + file, encoding: .utf8)
            let b = try String(contentsOfFile: directory.path + "/new/" + file, encoding: .utf8)
            #expect(a == b && !a.isEmpty, "\(file) differs")
        }
        let fitOld = try blendsim("calibrate", plan, "--output", directory.path + "/old.yaml")
        let fitNew = try blendsim("calibrate", "fit", plan, "--output", directory.path + "/new.yaml")
        #expect(fitOld.status == 0 && fitNew.status == 0, "\(fitOld.stderr)\(fitNew.stderr)")
        #expect(fitOld.stdout.replacingOccurrences(of: "old.yaml", with: "new.yaml") == fitNew.stdout)
        #expect(try String(contentsOfFile: directory.path + "/old.yaml", encoding: .utf8)
            == String(contentsOfFile: directory.path + "/new.yaml", encoding: .utf8))
        let recoverOld = try blendsim("calibrate", plan, "--synthetic", "2", "--quiet")
        let recover = try blendsim("calibrate", "recover", plan, "--offset", "2")
        #expect(recoverOld.status == 0 && recover.status == 0, "\(recover.stderr)")
        #expect(recover.stdout.contains("true ") && (recover.stdout.contains("recovered") || recover.stdout.contains("not informed")), "\(recover.stdout)")
        let wrong = try blendsim("calibrate", "posterior", plan, "--sampler", "laplace", "--resume", "--out", directory.path + "/x")
        #expect(wrong.status != 0 && wrong.stderr.contains("--sampler laplace takes neither --resume nor --synthetic"), "\(wrong.stderr)")
        let zero = try blendsim("calibrate", "recover", plan, "--offset", "0")
        #expect(zero.status != 0 && zero.stderr.contains("--offset must be at least 1"), "\(zero.stderr)")
        let help = try blendsim("calibrate", "--help")
        for name in ["fit", "posterior", "recover"] { #expect(help.stdout.contains("  \(name) "), "\(help.stdout)") }
        #expect(!help.stdout.contains("  method "), "the old spelling is not listed")
    }
}
