import BlendSimCore
import BlendSimPluginHost
import Foundation
import Testing

/// Costs and budgets (docs/COSTS.md): what plugins declare, what a scenario's `costs:` prices,
/// the cost outcomes of run and compare, and `blendsim optimise`.
@Suite("Costs and budgets", .serialized)
struct CostTests {
    static let example = TestPaths.root + "/examples/costs"

    func summary(_ directory: String) throws -> JSONValue {
        try JSONValue.parse(String(contentsOfFile: directory + "/summary.json", encoding: .utf8))
    }

    func groups(_ json: JSONValue?) -> [JSONValue] {
        guard case .array(let list)? = json else { return [] }
        return list
    }

    /// Every shipped model with self-paced online work declares the platform and the material,
    /// the priced policies declare theirs, and every item names its source.
    @Test func pluginsDeclareSourcedCosts() throws {
        let host = try PluginHost(searchPath: [TestPaths.products])
        let shipped = [
            "traditional", "flipped-classroom", "station-rotation", "lab-rotation", "individual-rotation", "flex", "self-blend",
            "enriched-virtual", "online-driver", "fully-online", "face-to-face-driver", "training-with-continuation",
        ]
        for model in host.models where shipped.contains(model.name) {
            let names = Set(model.costs.map(\.name))
            #expect(names == (model.name == "traditional" ? [] : ["platform", "materials"]), "\(model.name): \(names)")
        }
        let priced: [String: (String, CostBasis)] = [
            "anti-plagiarism": ("licence", .student), "chat-bot-feedback": ("licence", .student), "device-loans": ("device", .loanedDevice),
            "equipped-classrooms": ("equipment", .teacher), "high-speed-internet": ("data", .student),
            "obligatory-blended-learning": ("course_review", .onlineHour), "teacher-it-training": ("training_time", .teacher),
        ]
        for (name, (item, basis)) in priced {
            let policy = try #require(host.policy(named: name))
            #expect(policy.costs.map(\.name) == [item])
            #expect(policy.costs.first?.basis == basis)
        }
        for item in host.models.flatMap(\.costs) + host.policies.flatMap(\.costs) {
            #expect(item.source.count > 20, "\(item.name) has no real source: \(item.source)")
            #expect(item.price > 0)
            #expect(item.unit == .teacherHours || item.currency == "KZT")
        }
    }

    /// A cost declared wrongly is refused when the plugin loads, with the item and the problem.
    @Test(arguments: [
        (#"[{\"name\":\"licence\",\"basis\":\"student\",\"price\":-1,\"currency\":\"KZT\",\"source\":\"x\"}]"#,
         "item 'licence' needs a 'price' that is a finite number from 0 to 10¹²"),
        (#"[{\"name\":\"licence\",\"basis\":\"per_pupil\",\"price\":1,\"currency\":\"KZT\",\"source\":\"x\"}]"#,
         "item 'licence' needs a 'basis', one of student, teacher, contact_hour, online_hour, semester, loaned_device"),
        (#"[{\"name\":\"licence\",\"basis\":\"student\",\"price\":1,\"source\":\"x\"}]"#,
         "item 'licence' is priced in money and needs a 'currency' code"),
        (#"[{\"name\":\"licence\",\"basis\":\"student\",\"price\":1,\"currency\":\"KZT\"}]"#, "item 'licence' needs a 'source'"),
        (#"{\"name\":\"licence\"}"#, "must be a JSON array of items"),
        (#"[{\"name\":\"Licence\",\"basis\":\"student\",\"price\":1,\"currency\":\"KZT\",\"source\":\"x\"}]"#,
         "item 1 needs a 'name' of lowercase letters, digits and '_'"),
        (#"[{\"name\":\"a\",\"basis\":\"student\",\"price\":1,\"currency\":\"KZT\",\"source\":\"x\",\"tax\":2}]"#, "item 1 has an unknown key 'tax'"),
        (#"[{\"name\":\"a\",\"basis\":\"student\",\"price\":1e999,\"currency\":\"KZT\",\"source\":\"x\"}]"#, "costs: "),
    ])
    func badCostDeclarationsAreRefused(costs: String, message: String) throws {
        let directory = TemporaryDirectory()
        let source = directory.file("bad.c", "#define BAD_COSTS \"\(costs)\"\n#include \"\(TestPaths.fixtures)/plugins/bad_costs.c\"\n")
        let library = try compileFixturePlugin(source, name: "bad-costs", into: directory.path)
        #expect {
            try PluginHost(searchPath: [directory.path])
        } throws: { error in
            let text = (error as? PluginHostError)?.message ?? ""
            return text.hasPrefix("\(library): policy 'bad-costs': costs: ") && text.contains(message)
        }
    }

    /// The teaching cost is the teachers' contact hours times the teacher hour, marking is priced
    /// per student and week, and every item adds up to the total; an override replaces a price.
    @Test func runPricesTheSemester() throws {
        let directory = TemporaryDirectory()
        let scenario = directory.file("s.yaml", """
            seed: 5
            replications: 3
            baseline: classic
            costs:
              currency: KZT
              teacher_hour: 4000
              marking_minutes: 6
              prices: {anti-plagiarism.licence: 700}
            groups:
              - {name: classic, students: 50, levels: {intermediate: 1}, model: traditional, online_share: 0, hours: {contact: 4, siwt: 1, siw: 3}}
              - {name: blended, students: 50, levels: {intermediate: 1}, model: flipped-classroom, online_share: 0.4,
                 hours: {contact: 4, siwt: 1, siw: 3}, policies: [anti-plagiarism, device-loans]}
            """)
        let out = directory.path + "/out"
        let result = try blendsim("run", scenario, "--out", out)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Cost of the semester (KZT; means over replications)"), "\(result.stdout)")
        let json = try summary(out)
        let list = groups(json["groups"])
        let classic = try #require(list.first)["cost"]
        // 2 teachers × ((4 contact + 1 SIWT) hours × 15 weeks + two 60-minute tests in class) × 4000.
        let items = groups(classic?["items"])
        func near(_ value: Double?, _ expected: Double) -> Bool { abs((value ?? .nan) - expected) < 1e-6 * expected }
        let teaching = try #require(items.first { $0["item"]?.stringValue == "teaching.teacher_hour" })
        #expect(near(teaching["total"]?["mean"]?.doubleValue, 2 * (5 * 15 + 2) * 4000))
        #expect(near(teaching["quantity"]?["mean"]?.doubleValue, 2 * (5 * 15 + 2)))
        let marking = try #require(items.first { $0["item"]?.stringValue == "teaching.marking" })
        #expect(near(marking["total"]?["mean"]?.doubleValue, 50 * 6 * 15 / 60 * 4000))
        let total = items.compactMap { $0["total"]?["mean"]?.doubleValue }.reduce(0, +)
        #expect(abs((classic?["total"]?["mean"]?.doubleValue ?? 0) - total) < 1e-6)
        #expect(classic?["per_student"]?["mean"]?.doubleValue == total / 50)

        let blended = groups(list[1]["cost"]?["items"])
        let licence = try #require(blended.first { $0["item"]?.stringValue == "anti-plagiarism.licence" })
        #expect(near(licence["total"]?["mean"]?.doubleValue, 700 * 50))
        #expect(licence["source"]?.stringValue == "the scenario's costs")
        // 40% of 4 contact hours online, self-paced: 1.6 h a week of material, 13 teacher hours each.
        let materials = try #require(blended.first { $0["item"]?.stringValue == "flipped-classroom.materials" })
        #expect(abs((materials["total"]?["mean"]?.doubleValue ?? 0) - 1.6 * 15 * 13 * 4000) < 1e-6)
        let devices = try #require(blended.first { $0["item"]?.stringValue == "device-loans.device" })
        // 50 students × (1 − 0.8 with a computer) × 0.8 lent one.
        #expect(abs((devices["quantity"]?["mean"]?.doubleValue ?? 0) - 8) < 1e-9)

        let gains = groups(json["gains"])
        let cost = try #require(gains.first?["cost"])
        #expect((cost["difference_per_student"]?["mean"]?.doubleValue ?? 0) > 0, "the blended group costs more")
        #expect(cost["per_extra_level_up"] != nil)
    }

    /// A scenario without `costs:` has no cost in its results: every existing result stays as it was.
    @Test func noCostsWithoutCostsKey() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        #expect(try blendsim("run", TestPaths.scenarios + "/ratio-40-60.yaml", "--replications", "2", "--out", out, "--quiet").status == 0)
        let text = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
        #expect(!text.contains("\"cost\""))
    }

    /// Bad `costs:` is reported at its place, every mistake at once, and nothing is written.
    @Test func badCostsAreLocated() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("usd.yaml", "costs: {currency: USD}\n")
        let cases: [(String, [String])] = [
            ("""
            costs: {currency: KZT, teacher_hour: -5, prices: {anti-plagiarism.licence: .nan, nothing: 3}}
            groups: [{name: a, students: 10, levels: {intermediate: 1}, model: traditional, policies: [anti-plagiarism]}]
            """, [
                "s.yaml:1:38: error: 'teacher_hour' must be between 0 and 1000000000000, found -5",
                "s.yaml:1:76: error: 'anti-plagiarism.licence' must be a number, found a number that is not finite",
                "s.yaml:1:82: error: a price is named '<model or policy>.<item>' (such as anti-plagiarism.licence), found 'nothing'",
            ]),
            ("""
            costs: {currency: kzt}
            groups: [{name: a, students: 10, levels: {intermediate: 1}, model: traditional}]
            """, ["s.yaml:1:19: error: 'currency' must be a currency code of three capital letters (such as KZT, USD, EUR), found 'kzt'"]),
            ("""
            include: usd.yaml
            costs: {currency: KZT}
            groups: [{name: a, students: 10, levels: {intermediate: 1}, model: traditional}]
            """, ["s.yaml:2:19: error: 'currency' is KZT here but USD in ./usd.yaml:1:19; a scenario and the files it includes price everything in one currency"]),
            ("""
            costs: {prices: {anti-plagiarism.licnce: 3, flipped-clasroom.platform: 1, station-rotation.platform: 2}}
            groups: [{name: a, students: 10, levels: {intermediate: 1}, model: traditional, policies: [anti-plagiarism]}]
            """, [
                "s.yaml:1:42: error: 'anti-plagiarism' has no cost item 'licnce' (its items: licence); did you mean 'licence'?",
                "s.yaml:1:72: error: 'flipped-clasroom.platform' prices nothing: no model or policy is called 'flipped-clasroom'; did you mean 'flipped-classroom'?",
            ]),
            ("""
            costs: {currency: USD}
            groups: [{name: a, students: 10, levels: {intermediate: 1}, model: traditional, policies: [anti-plagiarism]}]
            """, [
                "s.yaml:1:19: error: the default teacher hour (3530 KZT) is in KZT, but this scenario's costs are in USD: give 'teacher_hour' in USD",
                "s.yaml:1:19: error: anti-plagiarism's cost 'licence' has a default price in KZT, but this scenario's costs are in USD: give its price under costs: prices: anti-plagiarism.licence",
            ]),
        ]
        for (text, expected) in cases {
            _ = directory.file("s.yaml", text)
            let output = try runProcess(TestPaths.executable, ["run", "s.yaml", "--out", "out"], directory: directory.path)
            #expect(output.status == 1)
            let lines = output.stderr.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") }
            #expect(lines == expected, "\(output.stderr)")
            #expect(output.stdout.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: directory.path + "/out"))
        }
    }

    /// compare prints what each variant's difference costs, and summary.json carries it.
    @Test func compareReportsIncrementalCosts() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        let result = try blendsim("compare", Self.example + "/university.yaml", "--replications", "6", "--out", out)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Cost:\n  flipped-40-60 (stream) costs "), "\(result.stdout)")
        let json = try summary(out)
        let costs = groups(json["costs"])
        #expect(costs.count == 2)
        for cost in costs {
            #expect(cost["currency"]?.stringValue == "KZT")
            #expect((cost["difference_per_student"]?["mean"]?.doubleValue ?? 0) > 0, "blended costs more per student here")
        }
    }

    func optimisePlan(_ directory: TemporaryDirectory, search: String, budget: String = "", replications: Int = 12) -> String {
        _ = directory.file("u.yaml", """
            seed: 11
            costs: {currency: KZT}
            groups: [{name: s, students: 60, levels: {pre_intermediate: 0.7, intermediate: 0.3}, model: flipped-classroom, online_share: 0.4}]
            """)
        return directory.file("plan-\(search).yaml", """
            scenario: u.yaml
            group: s
            replications: \(replications)
            \(budget)
            search: \(search)
            space:
              online_share: [0.2, 0.4]
              policies: [teacher-it-training, chat-bot-feedback, device-loans]
            """)
    }

    /// Racing finds the design exhaustive search finds; P(best) is a probability; the frontier
    /// rises with cost.
    @Test func racingFindsTheExhaustiveBest() throws {
        let directory = TemporaryDirectory()
        var best: [String] = []
        for search in ["exhaustive", "racing"] {
            let out = directory.path + "/\(search)"
            let result = try blendsim("optimise", optimisePlan(directory, search: search), "--out", out, "--quiet")
            #expect(result.status == 0, "\(result.stderr)")
            let json = try summary(out)
            #expect(json["search"]?.stringValue == search)
            #expect(json["designs"] == .integer(16))
            // The same design with the same figures (P(best) is over the designs run to the end,
            // which racing narrows).
            let top = try #require(groups(json["best"]).first)
            guard case .object(let members) = top else { continue }
            best.append(JSONValue.object(members.filter { $0.0 != "p_best" }).serialized())
            let p = groups(json["best"]).compactMap { $0["p_best"]?.doubleValue }
            #expect(p.allSatisfy { $0 >= 0 && $0 <= 1 } && p.reduce(0, +) <= 1 + 1e-9)
            let front = groups(json["frontier"])
            let costs = front.compactMap { $0["cost_per_student"]?["mean"]?.doubleValue }
            let values = front.compactMap { $0["level_up_share"]?["mean"]?.doubleValue }
            #expect(costs == costs.sorted() && values == values.sorted() && !front.isEmpty)
            let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
            #expect(html.contains("<svg") && html.contains("on the frontier"))
            #expect(try String(contentsOfFile: out + "/designs.csv", encoding: .utf8).split(separator: "\n").count == 17)
        }
        #expect(best[0] == best[1], "racing and exhaustive search disagree:\n\(best[0])\n\(best[1])")
    }

    /// The same plan and seed give the same files on one thread and on two.
    @Test func optimiseIsDeterministicAcrossThreads() throws {
        let directory = TemporaryDirectory()
        let plan = optimisePlan(directory, search: "racing", replications: 8)
        var files: [[String]] = []
        for threads in ["1", "2"] {
            let out = directory.path + "/t\(threads)"
            #expect(try blendsim("optimise", plan, "--threads", threads, "--out", out, "--quiet").status == 0)
            files.append(try ["summary.json", "designs.csv", "report.html"].map { try String(contentsOfFile: out + "/" + $0, encoding: .utf8) })
        }
        #expect(files[0] == files[1])
    }

    /// report.html of a priced comparison shows the costs and what the gains cost.
    @Test func reportShowsCosts() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        #expect(try blendsim("compare", Self.example + "/university.yaml", "--replications", "4", "--out", out, "--report", "--quiet").status == 0)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("<h2>Cost of the semester</h2>"))
        #expect(html.contains("flipped-40-60 · stream") && html.contains("per extra student up a level"))
    }

    /// A design is the scenario's group with the design's settings: the group's own policies (with
    /// their parameters) stay, so a design of the group's own settings costs what `run` says; racing
    /// down to one design still runs it for every replication; a dropout target is per 100 students.
    @Test func designsKeepTheGroupsOwnSettings() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("u.yaml", """
            seed: 3
            replications: 6
            costs: {currency: KZT}
            groups:
              - {name: s, students: 80, levels: {intermediate: 1}, model: flipped-classroom, online_share: 0.4,
                 policies: [{name: device-loans, parameters: {share: 0.1}}]}
            """)
        let run = directory.path + "/run"
        #expect(try blendsim("run", directory.path + "/u.yaml", "--out", run, "--quiet").status == 0)
        let runCost = try summary(run)["groups"].map(groups)?.first?["cost"]?["total"]?["mean"]?.doubleValue
        let plan = directory.file("p.yaml", "scenario: u.yaml\ngroup: s\nreplications: 6\nsearch: racing\nspace: {online_share: [0.4, 0.2]}\n")
        let out = directory.path + "/opt"
        let result = try blendsim("optimise", plan, "--out", out, "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let designs = try String(contentsOfFile: out + "/designs.csv", encoding: .utf8)
        #expect(designs.contains(",flipped-classroom,0.4,device-loans,6,"), "\(designs)")
        let json = try summary(out)
        let best = groups(json["best"])
        #expect(!best.isEmpty && best.allSatisfy { $0["replications"] == .integer(6) })
        let own = groups(json["frontier"]) + best
        let same = own.first { $0["online_share"]?.doubleValue == 0.4 }
        #expect(same?["cost"]?["mean"]?.doubleValue == runCost, "a design of the group's own settings costs what run says")

        _ = directory.file("t.yaml", "scenario: u.yaml\ngroup: s\nreplications: 3\nobjective: dropouts\ntarget: 150\nspace: {online_share: [0.4]}\n")
        let target = try runProcess(TestPaths.executable, ["optimise", "t.yaml"], directory: directory.path)
        #expect(target.status == 1)
        #expect(target.stderr.hasPrefix("t.yaml:5:9: error: a target for dropouts is between 0 and 100 withdrawals per 100 students"), "\(target.stderr)")
    }

    /// An exhaustive search run as three shards merges to the files of the whole search, byte for
    /// byte; a racing search is refused at its place; tampered, foreign or incomplete shards are
    /// refused and nothing is written.
    @Test func shardedSearchMergesToTheWholeSearch() throws {
        let directory = TemporaryDirectory()
        let plan = optimisePlan(directory, search: "exhaustive", replications: 6)
        let whole = directory.path + "/whole"
        #expect(try blendsim("optimise", plan, "--out", whole, "--quiet").status == 0)
        var shards: [String] = []
        for k in 1...3 {
            let out = directory.path + "/shard-\(k)"
            let result = try blendsim("optimise", plan, "--shard", "\(k)/3", "--out", out, "--quiet")
            #expect(result.status == 0, "\(result.stderr)")
            shards.append(out)
        }
        let merged = directory.path + "/merged"
        let merge = try runProcess(TestPaths.executable, ["merge"] + shards + ["--out", merged, "--quiet"])
        #expect(merge.status == 0, "\(merge.stderr)")
        for file in ["summary.json", "designs.csv", "report.html"] {
            #expect(try String(contentsOfFile: whole + "/" + file, encoding: .utf8) == String(contentsOfFile: merged + "/" + file, encoding: .utf8), "\(file)")
        }
        #expect(try blendsim("rerun", merged, "--out", directory.path + "/again").status == 0)

        // Tampered shards: shard 2 holds designs 2, 5, 8, 11 and 14 of 16.
        let original = try String(contentsOfFile: shards[1] + "/shard.json", encoding: .utf8)
        func refused(_ text: String) throws -> String {
            try text.write(toFile: shards[1] + "/shard.json", atomically: true, encoding: .utf8)
            let out = directory.path + "/bad"
            let result = try runProcess(TestPaths.executable, ["merge"] + shards + ["--out", out])
            #expect(result.status == 1)
            #expect(!FileManager.default.fileExists(atPath: out))
            return result.stderr
        }
        let costs = try #require(original.range(of: #""cost":\[[0-9.e+]+"#, options: .regularExpression))
        let negative = original.replacingCharacters(in: costs, with: "\"cost\":[-5")
        #expect(try refused(negative).contains("shard.json: design record 1 is incomplete or out of range (a design number, finite outcomes, costs from 0 to 10^15)"))
        let fewer = original.replacingOccurrences(of: #""outcome":\[[^\]]*?,"#, with: "\"outcome\":[", options: .regularExpression)
            .replacingOccurrences(of: #""cost":\[[^\]]*?,"#, with: "\"cost\":[", options: .regularExpression)
        #expect(try refused(fewer).contains("shard.json: design record 1 has 5 replications, not the shard's 6"))
        #expect(try refused(original.replacingOccurrences(of: "\"design\":4,", with: "\"design\":1,")).contains("the shards hold design 2 twice; refusing to merge"))
        #expect(try refused(original.replacingOccurrences(of: "\"design\":4,", with: "\"design\":16,")).contains(
            "a shard holds design 17, which the plan's 16 designs do not have; refusing to merge"))
        #expect(try refused(original.replacingOccurrences(of: "\"kind\":\"optimise\"", with: "\"kind\":\"sweep\"")).contains(
            "this shard is from a different plan or settings"))
        try original.write(toFile: shards[1] + "/shard.json", atomically: true, encoding: .utf8)
        let missing = try runProcess(TestPaths.executable, ["merge", shards[0], shards[2], "--out", directory.path + "/bad"])
        #expect(missing.status == 1 && missing.stderr.contains("missing shard 2 of 3"), "\(missing.stderr)")
        // A plan changed after the shards ran is not merged.
        try (try String(contentsOfFile: plan, encoding: .utf8) + "# changed\n").write(toFile: plan, atomically: true, encoding: .utf8)
        let changed = try runProcess(TestPaths.executable, ["merge"] + shards + ["--out", directory.path + "/bad"])
        #expect(changed.status == 1 && changed.stderr.contains("or its scenario has changed since the shards ran; refusing to merge"), "\(changed.stderr)")

        // Racing cannot be sharded, nor written as Slurm jobs: a located error, nothing written.
        let racing = optimisePlan(directory, search: "racing")
        for arguments in [["--shard", "1/2", "--out", directory.path + "/r"], ["--emit-slurm", directory.path + "/slurm", "--out", directory.path + "/r"]] {
            let result = try runProcess(TestPaths.executable, ["optimise", racing] + arguments)
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("\(racing):5:9: error: a racing search cannot be sharded"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.path + "/r") && !FileManager.default.fileExists(atPath: directory.path + "/slurm"))
        }
    }

    /// A plan (optimise, sweep, calibration) whose scenario cannot be read says so at its
    /// `scenario:` line, and writes nothing.
    @Test(arguments: [
        ("optimise", "scenario: nothere.yaml\ngroup: s\nspace: {online_share: [0.2]}\n"),
        ("sweep", "scenario: nothere.yaml\ndesign: grid\nparameters:\n  - {name: groups.s.online_share, values: [0.1]}\n"),
        ("calibrate", "scenario: nothere.yaml\nparameters:\n  - {name: kernel.points_per_hour, min: 0.01, max: 0.1}\ntargets:\n  - {statistic: groups.g.overall.after, value: 150, tolerance: 2}\n"),
    ])
    func aPlansMissingScenarioIsLocated(command: String, plan: String) throws {
        let directory = TemporaryDirectory()
        _ = directory.file("plan.yaml", plan)
        let result = try runProcess(TestPaths.executable, [command, "plan.yaml"] + (command == "calibrate" ? [] : ["--out", "out"]), directory: directory.path)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("plan.yaml:1:11: error: cannot read scenario 'nothere.yaml': "), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/out"))
    }

    /// A budget below every design's cost is a clear answer naming the cheapest, not an empty table.
    @Test func budgetBelowEveryDesign() throws {
        let directory = TemporaryDirectory()
        for search in ["exhaustive", "racing"] {
            let result = try blendsim("optimise", optimisePlan(directory, search: search, budget: "budget: 1000", replications: 8))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("No design fits within 1,000 KZT: the cheapest, flipped-classroom at 20% online, no policies, costs "), "\(search): \(result.stdout)")
        }
    }

    /// A space beyond the resource budget is refused before anything runs, with its size; a bad
    /// plan is refused at its place.
    @Test func oversizedAndBadPlansAreRefused() throws {
        let directory = TemporaryDirectory()
        _ = directory.file("u.yaml", "costs: {}\ngroups: [{name: s, students: 100000, levels: {intermediate: 1}, model: flipped-classroom, online_share: 0.4}]\n")
        _ = directory.file("big.yaml", """
            scenario: u.yaml
            group: s
            replications: 200
            space: {online_share: [0.2, 0.4], policies: [teacher-it-training, chat-bot-feedback, device-loans, anti-plagiarism, equipped-classrooms, high-speed-internet]}
            """)
        let big = try runProcess(TestPaths.executable, ["optimise", "big.yaml", "--out", "out"], directory: directory.path)
        #expect(big.status == 1)
        #expect(big.stderr.hasPrefix("big.yaml:1:1: error: the space has 128 designs × 200 replications × 100000 students × 15 weeks = 3.8·10^10"), "\(big.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/out"))

        _ = directory.file("bad.yaml", """
            scenario: u.yaml
            group: t
            objective: happiness
            space: {models: [flipped-clasroom], policies: [device-loans, device-loans]}
            """)
        let bad = try runProcess(TestPaths.executable, ["optimise", "bad.yaml"], directory: directory.path)
        #expect(bad.status == 1)
        let lines = bad.stderr.split(separator: "\n").filter { $0.contains(": error: ") }.map(String.init)
        #expect(lines == [
            "bad.yaml:3:12: error: unknown objective 'happiness' (one of level_up_share, overall, course_achievement, motivation, upper_intermediate_share, dropouts, cheater_share)",
            "bad.yaml:4:62: error: 'device-loans' is listed twice in 'policies'",
        ], "\(bad.stderr)")

        _ = directory.file("nocost.yaml", "groups: [{name: s, students: 10, levels: {intermediate: 1}, model: traditional}]\n")
        _ = directory.file("plan.yaml", "scenario: nocost.yaml\ngroup: s\nspace: {models: [traditional]}\n")
        let noCosts = try runProcess(TestPaths.executable, ["optimise", "plan.yaml"], directory: directory.path)
        #expect(noCosts.status == 1)
        #expect(noCosts.stderr.contains("has no 'costs:'; optimising needs prices (docs/COSTS.md)"), "\(noCosts.stderr)")
    }
}
