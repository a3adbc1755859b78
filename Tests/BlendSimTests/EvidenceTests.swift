import BlendSimCore
import BlendSimPluginHost
import BlendSimReport
import BlendSimRunner
import BlendSimScenario
import Foundation
import Testing

@Suite("Evidence", .serialized)
struct EvidenceTests {
    static let settings = RunSettings(pluginDirectories: [TestPaths.products], engine: EngineOptions(threads: 2))
    static let evidence = TestPaths.root + "/evidence"

    /// A valid finding whose lines the refusal cases below change one at a time.
    static func finding(scenario: String, replacing: [String: String] = [:]) -> String {
        var lines: [(String, String)] = [
            ("id", "id: test-finding"),
            ("citation", "citation:\n  authors: \"A, B.\"\n  year: 2020\n  title: \"T\"\n  venue: \"V\"\n  doi: \"10.1/x\""),
            ("design", "design: meta-analysis"),
            ("population", "population: \"students\""),
            ("contrast", "contrast: \"blended against classroom\""),
            ("experiment", "experiment:\n  scenario: \(scenario)\n  group: blended"),
            ("outcome", "outcome: course_achievement"),
            ("statistic", "statistic: hedges_g"),
            ("reported", "reported:\n  value: 0.3\n  ci95: [0.1, 0.5]"),
            ("quote", "quote: \"g = 0.3\""),
        ]
        for (key, text) in replacing.sorted(by: { $0.key < $1.key }) {
            if let index = lines.firstIndex(where: { $0.0 == key }) { lines[index].1 = text } else { lines.append((key, text)) }
        }
        return lines.map(\.1).filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
    }

    static let scenario = """
        replications: 2
        baseline: classroom
        groups:
          - {name: classroom, students: 20, levels: {pre_intermediate: 1}, model: traditional}
          - {name: blended, students: 20, levels: {pre_intermediate: 1}, model: face-to-face-driver, online_share: 0.3}
        """

    @Test func theShippedEvidenceBaseLoadsAndCoversEveryLever() throws {
        guard case .success(let files) = EvidenceLoader.expand([Self.evidence]) else { Issue.record("evidence/ unreadable"); return }
        let (findings, diagnostics) = EvidenceLoader.loadAll(paths: files)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.rendered))")
        #expect(findings.count >= 12)
        let outcomes = Set(findings.map(\.outcome))
        for outcome in EvidenceFinding.Outcome.allCases { #expect(outcomes.contains(outcome), "no finding on \(outcome.rawValue)") }
        for finding in findings {
            #expect(finding.interval.lower <= finding.value && finding.value <= finding.interval.upper, "\(finding.id)")
            #expect(!finding.quote.isEmpty && !finding.link.isEmpty, "\(finding.id)")
        }
        // Meta-analyses and large datasets first: most non-seed findings are one of the two.
        let published = findings.filter { !$0.id.hasPrefix("seed-") }
        #expect(published.filter { $0.design == "meta-analysis" || $0.design == "dataset" }.count * 2 > published.count)
    }

    @Test func badFindingsAreRefusedWithLocatedErrors() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("experiment.yaml", Self.scenario)
        func headline(_ name: String, _ replacing: [String: String]) -> String? {
            let path = directory.file(name, Self.finding(scenario: scenario, replacing: replacing))
            do {
                _ = try EvidenceLoader.load(path: path)
                return nil
            } catch {
                return error.headline.replacingOccurrences(of: directory.path + "/", with: "")
            }
        }
        #expect(headline("source.yaml", ["citation": ""]) == "source.yaml:1:1: error: an evidence file (its source) needs 'citation'")
        #expect(headline("link.yaml", ["citation": "citation:\n  authors: \"A\"\n  year: 2020\n  title: \"T\"\n  venue: \"V\""])
            == "link.yaml:3:3: error: 'citation' needs a 'doi', a stable 'url', or for a university's own pilot its 'results' file and 'sha256'")
        #expect(headline("outcome.yaml", ["outcome": "outcome: course_achievment"])
            == "outcome.yaml:14:10: error: unknown outcome 'course_achievment'; one of course_achievement, withdrawal, cheater_share, cheating_attempts, self_regulation_correlation, level_share, level_up_gain, motivation_gain; did you mean 'course_achievement'?")
        #expect(headline("statistic.yaml", ["statistic": "statistic: share"])
            == "statistic.yaml:15:12: error: course_achievement is reported as hedges_g or difference, not 'share'")
        #expect(headline("interval.yaml", ["reported": "reported:\n  value: 0.7\n  ci95: [0.1, 0.5]"])
            == "interval.yaml:18:9: error: the interval [0.1, 0.5] does not contain the value 0.7")
        #expect(headline("derived.yaml", ["reported": "reported:\n  value: 0.3\n  ci95: [0.1, 0.5]\n  basis: derived"])
            == "derived.yaml:17:3: error: a derived interval needs 'derivation': how it was derived from the source")
        #expect(headline("group.yaml", ["experiment": "experiment:\n  scenario: experiment.yaml\n  group: flipped"])
            == "group.yaml:13:10: error: the experiment's scenario experiment.yaml has no group 'flipped'")
        #expect(headline("baseline.yaml", ["experiment": "experiment:\n  scenario: experiment.yaml\n  group: classroom"])
            == "baseline.yaml:13:10: error: group 'classroom' is the scenario's baseline; name the group compared with it")
        #expect(headline("nan.yaml", ["reported": "reported:\n  value: nan\n  ci95: [0.1, 0.5]"])
            == "nan.yaml:17:10: error: 'value' must be a number, found a number that is not finite")
        #expect(headline("quote.yaml", ["quote": ""]) == "quote.yaml:1:1: error: an evidence file (the source's words with the figure) needs 'quote'")
        #expect(headline("informs.yaml", ["informs": "informs: [kernel.feedback_gian]"])
            == "informs.yaml:20:11: error: unknown kernel parameter 'feedback_gian'; did you mean 'feedback_gain'?")
        let duplicate = directory.file("duplicate.yaml", Self.finding(scenario: scenario))
        let original = directory.file("original.yaml", Self.finding(scenario: scenario))
        let loaded = EvidenceLoader.loadAll(paths: [original, duplicate])
        #expect(loaded.findings.count == 1)
        #expect(loaded.diagnostics.map(\.headline) == ["\(duplicate):1:1: error: finding id 'test-finding' is also used by \(original)"])
        #expect(headline("missing.yaml", ["experiment": "experiment:\n  scenario: no-such-scenario.yaml\n  group: blended"])
            == "missing.yaml:13:10: error: the experiment's scenario \(directory.path)/no-such-scenario.yaml cannot be read: No such file or directory".replacingOccurrences(of: directory.path + "/", with: ""))
        let broken = directory.file("broken.yaml", "groups:\n  - {name: blended, students: -1, levels: {pre_intermediate: 1}, model: traditional}\n")
        #expect(headline("experiment.yaml.finding", ["experiment": "experiment:\n  scenario: broken.yaml\n  group: blended"])?
            .hasPrefix("broken.yaml:2:") == true, "\(broken)")
    }

    /// A distribution of effects stands for one finding per anchored model, each the prediction
    /// of one more design's effect (mean ± 1.96 √(τ² + SE²)); its bad forms are located errors.
    @Test func distributionsAnchorModelsWithTheirSpreadAndRefuseBadForms() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("experiment.yaml", Self.scenario + "\n  - {name: station, students: 20, levels: {pre_intermediate: 1}, model: station-rotation, online_share: 0.3}\n")
        let distribution: [String: String] = [
            "experiment": "experiment:\n  scenario: experiment.yaml",
            "reported": "reported:\n  value: 0.4\n  ci95: [0.204, 0.596]",
            "spread": "spread:\n  tau: 0.2\n  basis: derived\n  derivation: \"the spread of designs' means\"",
            "anchors": "anchors: [face-to-face-driver, station-rotation]",
        ]
        func file(_ name: String, _ changes: [String: String]) -> String {
            directory.file(name, Self.finding(scenario: scenario, replacing: distribution.merging(changes) { $1 }))
        }
        let findings = try EvidenceLoader.load(path: file("good.yaml", [:]))
        #expect(findings.map(\.id) == ["test-finding:face-to-face-driver", "test-finding:station-rotation"])
        #expect(findings.map(\.group) == ["blended", "station"])
        #expect(findings.allSatisfy { $0.distribution == "test-finding" && $0.value == 0.4 })
        // SE of the mean 0.1, τ 0.2: the prediction's standard error is √0.05.
        #expect(abs(findings[1].standardError - 0.05.squareRoot()) < 1e-5)
        #expect(abs(findings[1].interval.upper - (0.4 + 1.959964 * 0.05.squareRoot())) < 1e-5)
        #expect(findings[1].anchoredModel == "station-rotation")

        func headline(_ name: String, _ changes: [String: String]) -> String? {
            do {
                _ = try EvidenceLoader.load(path: file(name, changes))
                return nil
            } catch {
                return error.headline.replacingOccurrences(of: directory.path + "/", with: "")
            }
        }
        #expect(headline("unknown.yaml", ["anchors": "anchors: [face-to-face-driver, station-rotaton]"])
            == "unknown.yaml:19:32: error: 'station-rotaton' is anchored by this distribution, but no group of its experiment experiment.yaml (other than the baseline 'classroom') uses that model; its groups use face-to-face-driver, station-rotation; did you mean 'station-rotation'?")
        #expect(headline("unused.yaml", ["anchors": "anchors: [flex]"])
            == "unused.yaml:19:11: error: 'flex' is anchored by this distribution, but no group of its experiment experiment.yaml (other than the baseline 'classroom') uses that model; its groups use face-to-face-driver, station-rotation")
        #expect(headline("negative.yaml", ["spread": "spread:\n  tau: -0.2\n  basis: reported"])
            == "negative.yaml:21:8: error: 'tau' is a standard deviation and cannot be negative, found -0.2")
        #expect(headline("nospread.yaml", ["spread": ""])
            == "nospread.yaml:19:10: error: 'anchors' belongs to a distribution of effects; it needs 'spread'")
        #expect(headline("noanchors.yaml", ["anchors": ""])
            == "noanchors.yaml:20:3: error: a distribution ('spread') needs 'anchors': the models with no finding of their own it stands for")
        #expect(headline("group.yaml", ["experiment": "experiment:\n  scenario: experiment.yaml\n  group: blended"])
            == "group.yaml:13:10: error: a distribution's experiment names no 'group': each anchored model is read from the group that uses it")
        #expect(headline("twice.yaml", ["anchors": "anchors: [flex, flex]"])
            == "twice.yaml:19:17: error: model 'flex' is anchored twice")
        #expect(headline("underived.yaml", ["spread": "spread:\n  tau: 0.2\n  basis: derived"])
            == "underived.yaml:21:3: error: a derived spread needs 'derivation': how it was derived from the sources")
        // A model anchored by two distributions would be counted twice.
        let first = file("first.yaml", [:])
        let second = file("second.yaml", ["id": "id: other-distribution", "anchors": "anchors: [station-rotation]"])
        let loaded = EvidenceLoader.loadAll(paths: [first, second])
        #expect(loaded.diagnostics.map(\.headline) == ["\(second):1:1: error: 'station-rotation' is already anchored by the distribution in \(first)"])
    }

    /// Every shipped model and policy says where its effect comes from, and what it says is
    /// true of evidence/: the findings it names exist and their experiments use it; a model
    /// borrowed from the distribution is one the distribution anchors; every model the
    /// distribution anchors says so.
    @Test func everyShippedComponentsProvenanceMatchesTheEvidenceBase() throws {
        let host = try PluginResolution.host([TestPaths.products])
        guard case .success(let files) = EvidenceLoader.expand([Self.evidence]) else { Issue.record("evidence/ unreadable"); return }
        let (findings, diagnostics) = EvidenceLoader.loadAll(paths: files)
        #expect(diagnostics.isEmpty)
        let shipped = host.models.map(\.name).filter { $0 != "microlearning" }
        for name in shipped {
            let entry = try #require(Provenance.entry(name, kind: "model"), "model \(name) says nothing of its evidence")
            #expect(!entry.words.isEmpty)
            switch entry.basis {
            case .distribution:
                #expect(findings.contains { $0.distribution == Provenance.distribution && $0.anchoredModel == name }, "\(name)")
            case .findings:
                for id in entry.findings {
                    let finding = try #require(findings.first { $0.id == id }, "\(name): no finding \(id)")
                    let scenario = try ScenarioLoader.load(path: finding.scenarioPath)
                    let used = scenario.groups.filter { $0.name == finding.group || $0.name == scenario.baseline }.map(\.model.name)
                    #expect(used.contains(name), "\(name): \(id)'s experiment does not use it")
                }
            case .derived:
                for id in entry.findings { #expect(findings.contains { $0.id == id }, "\(name): no finding \(id)") }
            case .assumption, .unknown:
                Issue.record("model \(name) has no basis")
            }
        }
        for anchored in findings.compactMap(\.anchoredModel) {
            #expect(Provenance.entry(anchored, kind: "model")?.basis == .distribution, "\(anchored)")
        }
        for name in host.policies.map(\.name) where name != "peer-mentoring" {
            let entry = try #require(Provenance.entry(name, kind: "policy"), "policy \(name) says nothing of its evidence")
            for id in entry.findings {
                let finding = try #require(findings.first { $0.id == id }, "\(name): no finding \(id)")
                if entry.basis == .findings {
                    let scenario = try ScenarioLoader.load(path: finding.scenarioPath)
                    #expect(scenario.groups.contains { $0.policies.contains { $0.name == name } }, "\(name): \(id)'s experiment does not use it")
                }
            }
        }
        #expect(Provenance.describe("my-own-model", kind: "model").basis == .unknown)
    }

    /// The plain answers and the --uncertainty model answers tell one story: every shipped
    /// default (and the seed study's own values) lies inside the 90% credible interval of the
    /// shipped posterior for that parameter, and the posterior has every calibrated parameter.
    @Test func shippedDefaultsLieInsideThePosteriorsCredibleIntervals() throws {
        let text = try String(contentsOfFile: TestPaths.scenarios + "/evidence-defaults.yaml", encoding: .utf8)
        var defaults: [String: Double] = [:]
        var table = "", component = ""
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# study: ") {
                let parts = line.dropFirst("# study: ".count).split(separator: " = ")
                defaults[String(parts[0])] = Double(parts[1])
                continue
            }
            if line.hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " }.count
            let pair = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            switch indent {
            case 0: table = pair[0]
            case 2 where table == "kernel": defaults["kernel." + pair[0]] = Double(pair[1])
            case 2: component = pair[0]
            default: defaults["\(table).\(component).\(pair[0])"] = Double(pair[1])
            }
        }
        let posterior = try PosteriorSample.load(path: TestPaths.scenarios + "/evidence-posterior.csv")
        #expect(Set(posterior.names) == Set(defaults.keys), "the posterior's parameters are the calibration's")
        for (column, name) in posterior.names.enumerated() {
            let value = try #require(defaults[name], "no default for \(name)")
            let pairs = zip(posterior.particles.map { $0[column] }, posterior.weights).sorted { $0.0 < $1.0 }
            let total = pairs.reduce(0) { $0 + $1.1 }
            func quantile(_ p: Double) -> Double {
                var cumulative = 0.0
                for (x, w) in pairs {
                    cumulative += w / total
                    if cumulative >= p { return x }
                }
                return pairs.last!.0
            }
            #expect(quantile(0.05) <= value && value <= quantile(0.95), "\(name): default \(value) outside [\(quantile(0.05)), \(quantile(0.95))]")
        }
    }

    @Test func checkRunsEveryFindingsExperimentAndComparesWithTheInterval() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/scenarios", withIntermediateDirectories: false)
        _ = directory.file("scenarios/experiment.yaml", Self.scenario)
        // Two replications of 20 students: an interval wide enough for their noise.
        _ = directory.file("a.yaml", Self.finding(scenario: "scenarios/experiment.yaml", replacing: [
            "reported": "reported:\n  value: 0.3\n  ci95: [-1.5, 2]",
        ]))
        _ = directory.file("b.yaml", Self.finding(scenario: "scenarios/experiment.yaml", replacing: [
            "id": "id: impossible", "reported": "reported:\n  value: 40\n  ci95: [39, 41]",
        ]))
        let rows = try EvidenceCheck.run(paths: [directory.path], settings: Self.settings)
        #expect(rows.map(\.finding.id) == ["test-finding", "impossible"])
        #expect(rows[1].reproduced == false)
        #expect(rows[0].simulated.n == 2)
        #expect(rows[0].simulated.mean == rows[1].simulated.mean)
        let table = EvidenceCheck.render(rows, format: "markdown")
        #expect(table.contains("| impossible | course_achievement (hedges_g) | 40 [39, 41] |"))
        let page = EvidenceCheck.report(rows)
        #expect(page.contains("1 of 2 published findings are reproduced"))
        #expect(page.components(separatedBy: "<svg").count - 1 == 2)
        #expect(page.contains("<td class=\"name\">A, B. (2020), V</td>"))
        #expect(!page.contains("<table></table>"))
    }

    /// The mechanisms move outcomes the way the evidence says, at the shipped defaults.
    @Test func leversMoveOutcomesInTheDirectionsTheEvidenceReports() throws {
        let rows = try EvidenceCheck.run(paths: [Self.evidence], settings: Self.settings)
        func simulated(_ id: String) throws -> Double { try #require(rows.first { $0.finding.id == id }).simulated.mean }
        #expect(try simulated("xu-jaggars-2011-completion-gap") > 0.03)  // online courses lose more students
        #expect(try simulated("xu-jaggars-2011-completion-gap-remedial") > simulated("xu-jaggars-2011-completion-gap"))
        #expect(try simulated("corrigan-gibbs-2015-warning-deterrence") < 0.8)  // detection deters attempts
        #expect(try simulated("wisniewski-2020-feedback") > 0.2)
        #expect(try simulated("fairlie-london-2012-home-computers") > 0)
        #expect(try simulated("vitta-alhoorie-2023-flipped-l2") > 0.2)
        #expect(try simulated("kraft-2018-teacher-coaching") > 0.05)
    }

    /// scenarios/evidence-defaults.yaml is what `blendsim calibrate
    /// scenarios/evidence-calibration.yaml` wrote; the compiled-in defaults must be it.
    @Test func shippedDefaultsAreTheEvidenceCalibrationsOutput() throws {
        let source = ScenarioSource(path: "fragment", bytes: Array(try String(contentsOfFile: TestPaths.scenarios + "/evidence-defaults.yaml", encoding: .utf8).utf8))
        let fragment = try #require(try YAMLReaderFacade.parse(source))
        let kernel = KernelParameters()
        for pair in fragment["kernel"]?.pairs ?? [] {
            let info = try #require(KernelParameters.catalog.first { $0.key == pair.key.scalar })
            #expect(kernel[keyPath: info.keyPath] == Double(pair.value.scalar!), "kernel.\(info.key)")
        }
        let host = try PluginResolution.host([TestPaths.products])
        for (table, lookup) in [("model_defaults", { host.model(named: $0)?.schema }), ("policy_defaults", { host.policy(named: $0)?.schema })] {
            for component in fragment[table]?.pairs ?? [] {
                let schema = try #require(lookup(component.key.scalar!))
                for parameter in component.value.pairs ?? [] {
                    let declared = try #require(schema.parameters.first { $0.name == parameter.key.scalar })
                    #expect(declared.defaultValue.doubleValue == Double(parameter.value.scalar!), "\(component.key.scalar!).\(declared.name)")
                }
            }
        }
        #expect((fragment["kernel"]?.pairs?.count ?? 0) >= 10)

        // The studies' own values (comment lines of the fragment) are the ones their scenarios set.
        let text = try String(contentsOfFile: TestPaths.scenarios + "/evidence-defaults.yaml", encoding: .utf8)
        let studies = text.split(separator: "\n").filter { $0.hasPrefix("# study: ") }
        #expect(studies.count == 2)
        let paper = try ScenarioLoader.load(path: TestPaths.scenarios + "/paper-experiment.yaml")
        for line in studies {
            let parts = line.dropFirst("# study: ".count).split(separator: " = ")
            let name = String(parts[0])
            guard case .group(let scenario, let group, let model, let parameter) = try #require(CalibrationPlan.Setting(name: name)) else {
                Issue.record("\(name) is not a study's setting"); continue
            }
            #expect(scenario == paper.name)
            let reference = try #require(paper.groups.first { $0.name == group }).model
            #expect(reference.name == model)
            #expect(reference.setsOwn(parameter))
            #expect(reference.parameters.first { $0.0 == parameter }?.1.doubleValue == Double(parts[1]), "\(name)")
        }
    }

    /// `hold` replaces the named findings' reported intervals in a plan; a pattern that names no
    /// finding is refused.
    @Test func holdTightensFindingsAndRefusesUnknownOnes() throws {
        let directory = TemporaryDirectory()
        let plan = directory.file("plan.yaml", """
            evidence: \(Self.evidence)
            hold:
              - {findings: seed-gain-*, within: 3}
              - {findings: kraft-2018-teacher-coaching, within: 0.01}
            parameters:
              - {name: kernel.points_per_hour, min: 0.01, max: 0.1}
            """)
        let loaded = try CalibrationPlanLoader.load(path: plan)
        let gains = loaded.targets.filter { $0.finding?.hasPrefix("seed-gain-") == true }
        #expect(gains.count == 5)
        for target in gains {
            #expect(target.tolerance == 3 / 1.96)
            #expect(target.interval?.lower == target.value - 3 && target.interval?.upper == target.value + 3)
        }
        let kraft = try #require(loaded.targets.first { $0.finding == "kraft-2018-teacher-coaching" })
        #expect(kraft.tolerance == 0.01 / 1.96)
        let table = try #require(loaded.targets.first { $0.finding == "seed-table1-control-intermediate" })
        #expect(table.interval?.lower == 0.182)   // not held: its reported interval

        let unknown = directory.file("unknown.yaml", """
            evidence: \(Self.evidence)
            hold:
              - {findings: seed-gains-*, within: 3}
            parameters:
              - {name: kernel.points_per_hour, min: 0.01, max: 0.1}
            """)
        #expect {
            try CalibrationPlanLoader.load(path: unknown)
        } throws: { error in
            (error as? Diagnostic)?.headline == "\(unknown):3:16: error: no finding of the plan's evidence is 'seed-gains-*'"
        }
        let twice = directory.file("twice.yaml", """
            evidence: \(Self.evidence)
            hold:
              - {findings: seed-*, within: 3}
              - {findings: seed-gain-reading, within: 1}
            parameters:
              - {name: kernel.points_per_hour, min: 0.01, max: 0.1}
            """)
        #expect {
            try CalibrationPlanLoader.load(path: twice)
        } throws: { error in
            (error as? Diagnostic)?.headline == "\(twice):4:16: error: finding 'seed-gain-reading' is already held by an earlier 'hold' entry"
        }
    }

    /// A small parameter recovery: two informed parameters, synthetic targets from the scenarios'
    /// own values with other random numbers, fitted from elsewhere; each recovered within its
    /// approximate 95% interval. The full study is scripts/recovery.sh.
    @Test(.tags(.slow)) func recoversParametersFromSyntheticEvidence() throws {
        let directory = TemporaryDirectory()
        let plan = directory.file("plan.yaml", """
            evidence: [\(Self.evidence)/xu-jaggars-2011-completion-classroom.yaml, \(Self.evidence)/xu-jaggars-2011-completion-gap.yaml, \(Self.evidence)/wisniewski-2020-feedback.yaml]
            replications: 10
            parameters:
              - {name: kernel.dropout_hazard, min: 0.0, max: 0.2, start: 0.15}
              - {name: kernel.feedback_gain, min: 0.0, max: 3.0, start: 2.0}
            optimizer: {max_evaluations: 150, restarts: 1}
            """)
        let report = try Calibrator.run(try CalibrationPlanLoader.load(path: plan), settings: Self.settings, synthetic: 1000)
        let truth = try #require(report.syntheticTruth)
        for index in truth.indices {
            let u = report.uncertainty[index]
            #expect(u.informed)
            #expect(abs(report.fitted[index] - truth[index]) <= 1.96 * u.standardError,
                    "\(report.plan.parameters[index].name): fitted \(report.fitted[index]), true \(truth[index]) ± \(u.standardError)")
        }
    }
}
