import BlendSimCore
import BlendSimRunner
import Foundation
import Testing

/// `--replications auto`: the stopping rule, and what a run that stops says.
@Suite("Stopping rules")
struct StoppingTests {
    /// Paired differences whose spread comes from rare events (one replication in 37 differs by a
    /// whole point; the rest by a thousandth): the first 30 replications hold none, so their
    /// interval is narrow and misleading. The rule confirms the count at twice as many, sees the
    /// event there, and goes on until the interval over all the replications it ran meets the target.
    @Test func aMisleadingPilotIsFoundOut() {
        let differences = (0..<4000).map { k -> Double in
            0.001 * Quantiles.normal(CounterRandom.uniform(7, UInt64(k))) + (k % 37 == 36 ? 1 : 0)
        }
        func halfWidth(_ n: Int) -> Double {
            let ci = Statistic(Array(differences.prefix(n))).ci95!
            return (ci.upper - ci.lower) / 2
        }
        let rule = AutomaticReplications(halfWidth: 0.02, maximum: 4000)
        #expect(halfWidth(30) < 0.001, "the pilot is misleading by construction")
        var asked: [Int] = []
        let outcome = rule.run(pilot: 30) { n in
            asked.append(n)
            return halfWidth(n)
        }
        #expect(asked.first == 30)
        #expect(asked.contains(60), "the pilot's count is confirmed at twice as many")
        #expect(outcome.targetMet)
        #expect(outcome.replications > 300, "\(outcome.replications)")
        #expect(halfWidth(outcome.replications) <= 0.02)
        #expect(outcome.achieved == halfWidth(outcome.replications))
    }

    /// A target the maximum cannot reach: the rule stops there and says so.
    @Test func theMaximumIsNotATargetMet() {
        let rule = AutomaticReplications(halfWidth: 0.001, maximum: 50)
        let outcome = rule.run(pilot: 10) { n in 1 / Double(n).squareRoot() }
        #expect(outcome.replications == 50)
        #expect(!outcome.targetMet)
        #expect(abs(outcome.achieved - 1 / 50.0.squareRoot()) < 1e-12)
    }

    /// From the command line: a comparison that stops at the maximum warns and records
    /// `target_met: false`; one that meets its target records true; `--shard` with `auto` is refused.
    @Test func commandsSayWhetherTheTargetWasMet() throws {
        let directory = TemporaryDirectory()
        let scenario = TestPaths.scenarios + "/compare-ratios.yaml"
        let short = try blendsim("compare", scenario, "--replications", "auto", "--half-width", "0.001", "--max-replications", "40",
                                 "--out", directory.path + "/short", "--quiet")
        #expect(short.status == 0, "\(short.stderr)")
        #expect(short.stderr.contains("warning: --replications auto stopped at its maximum of 40 replications with a 95% CI half-width of"), "\(short.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path + "/short/summary.json"))) as! [String: Any]
        let auto = try #require(summary["replications_auto"] as? [String: Any])
        #expect(auto["target_met"] as? Bool == false)
        #expect(summary["replications"] as? Int == 40)

        let met = try blendsim("compare", scenario, "--replications", "auto", "--half-width", "0.25", "--out", directory.path + "/met", "--quiet")
        #expect(met.status == 0)
        #expect(!met.stderr.contains("warning"), "\(met.stderr)")
        let metSummary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path + "/met/summary.json"))) as! [String: Any]
        #expect((metSummary["replications_auto"] as? [String: Any])?["target_met"] as? Bool == true)

        let run = try blendsim("run", TestPaths.scenarios + "/paper-experiment.yaml", "--replications", "auto", "--half-width", "0.0001",
                               "--max-replications", "12", "--quiet")
        #expect(run.status == 0)
        #expect(run.stderr.contains("warning: --replications auto stopped at its maximum of 12 replications"), "\(run.stderr)")

        let sharded = try blendsim("compare", scenario, "--replications", "auto", "--shard", "1/2", "--out", directory.path + "/shard")
        #expect(sharded.status != 0)
        #expect(sharded.stderr.contains("--replications auto cannot be sharded"), "\(sharded.stderr)")
    }
}
