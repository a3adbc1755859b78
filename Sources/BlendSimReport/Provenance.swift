public import BlendSimCore

/// Where each shipped model's and policy's effect comes from, in the evidence base (evidence/,
/// docs/EVIDENCE.md): findings of its own, the distribution of blended-learning effects (a model
/// no study has measured), other designs' findings through the shared mechanisms, or an
/// assumption. summary.json carries it (`evidence`), and the verdicts, the run's gains and the
/// reports say it in words, so no answer reads as more certain than its evidence.
public enum Provenance {
    /// What a component's effect rests on.
    public enum Basis: String, Sendable {
        /// Findings whose experiments use the component itself.
        case findings
        /// No study of its own: its effect is drawn from the distribution of blended effects.
        case distribution
        /// No study of its own: its effect follows from findings on other designs through the
        /// mechanisms they share.
        case derived
        /// No finding: its size is an assumption.
        case assumption
        /// Not a shipped component: its values are its author's.
        case unknown
    }

    public struct Entry: Sendable {
        public let name: String
        /// `model` or `policy`.
        public let kind: String
        public let basis: Basis
        /// The findings (ids in evidence/) it rests on, or the distribution's id.
        public let findings: [String]
        /// The plain sentence a planner reads.
        public let words: String
    }

    /// The distribution of blended effects that models without a study of their own borrow.
    public static let distribution = "vo-2017-blended-distribution"

    static func borrowed(_ name: String, _ what: String) -> Entry {
        Entry(
            name: name, kind: "model", basis: .distribution, findings: [distribution],
            words: "no study has measured \(what): its effect is what blended teaching does on average (Vo et al. 2017, g = 0.39 against classroom teaching), with the spread between blended designs (τ = 0.2); treat it as uncertain, and use --uncertainty model to see that spread in the answer")
    }

    /// Every shipped model and policy.
    public static let entries: [Entry] = [
        Entry(name: "traditional", kind: "model", basis: .findings, findings: ["xu-jaggars-2011-completion-classroom"],
              words: "the classroom baseline; its completion (90%) is from Xu & Jaggars (2011)"),
        Entry(name: "face-to-face-driver", kind: "model", basis: .findings,
              findings: ["means-2009-blended-vs-classroom", "muller-mildenberger-2021-reduced-seat-time", "bowen-2014-hybrid-completion"],
              words: "measured: blends that replace class time with online work (Means et al. 2010; Müller & Mildenberger 2021), and their completion (Bowen et al. 2014)"),
        Entry(name: "flipped-classroom", kind: "model", basis: .findings, findings: ["lag-saele-2019-flipped", "vitta-alhoorie-2023-flipped-l2"],
              words: "measured: two meta-analyses of flipped classrooms (Låg & Sæle 2019; Vitta & Al-Hoorie 2023)"),
        Entry(name: "fully-online", kind: "model", basis: .findings,
              findings: ["bettinger-2017-online-devry", "means-2009-online-vs-classroom", "xu-jaggars-2011-completion-gap", "newton-essex-2023-online-cheating"],
              words: "measured: online against classroom courses (Bettinger et al. 2017; Means et al. 2010), their completion (Xu & Jaggars 2011) and cheating (Newton & Essex 2023)"),
        Entry(name: "online-driver", kind: "model", basis: .derived,
              findings: ["bettinger-2017-online-devry", "means-2009-online-vs-classroom", "xu-jaggars-2011-completion-gap", "kraft-2018-teacher-coaching"],
              words: "no study of the online driver itself: its teaching values are neutral, so its effect is what the findings on online courses make of mostly-online teaching (Bettinger et al. 2017; Xu & Jaggars 2011); teacher IT training within it is measured (Kraft et al. 2018)"),
        borrowed("training-with-continuation", "training with continuation"),
        borrowed("station-rotation", "station rotation"),
        borrowed("lab-rotation", "lab rotation"),
        borrowed("individual-rotation", "individual rotation"),
        borrowed("flex", "the flex model"),
        borrowed("self-blend", "self-blend"),
        borrowed("enriched-virtual", "enriched virtual teaching"),
        Entry(name: "teacher-it-training", kind: "policy", basis: .findings, findings: ["kraft-2018-teacher-coaching"],
              words: "measured: teacher coaching programmes (Kraft et al. 2018)"),
        Entry(name: "anti-plagiarism", kind: "policy", basis: .findings, findings: ["corrigan-gibbs-2015-warning-deterrence"],
              words: "measured: warnings of detection halve copying (Corrigan-Gibbs et al. 2015)"),
        Entry(name: "device-loans", kind: "policy", basis: .derived, findings: ["fairlie-london-2012-home-computers"],
              words: "no study of device loans themselves: what a computer at home does for completion is measured (Fairlie & London 2012); how many students a loan reaches is an assumption"),
        Entry(name: "chat-bot-feedback", kind: "policy", basis: .derived, findings: ["wisniewski-2020-feedback"],
              words: "no study of chat-bot feedback itself: it raises the share of work with feedback, whose effect is measured (Wisniewski et al. 2020); how much work it covers is an assumption"),
        Entry(name: "deadline-enforcement", kind: "policy", basis: .assumption, findings: [],
              words: "no finding: how many late submissions it prevents and what lateness costs are assumptions"),
        Entry(name: "high-speed-internet", kind: "policy", basis: .assumption, findings: [],
              words: "no finding: the connection it guarantees and what a poor line costs are assumptions"),
        Entry(name: "equipped-classrooms", kind: "policy", basis: .assumption, findings: [],
              words: "no finding: the gain from equipped classrooms is an assumption"),
        Entry(name: "more-siw", kind: "policy", basis: .assumption, findings: [],
              words: "no finding: what an extra hour of independent work is worth is an assumption"),
        Entry(name: "obligatory-blended-learning", kind: "policy", basis: .assumption, findings: [],
              words: "no finding: the gains from one obligatory standard are assumptions"),
    ]

    /// The entry of a shipped model or policy.
    public static func entry(_ name: String, kind: String) -> Entry? {
        entries.first { $0.name == name && $0.kind == kind }
    }

    /// A component's entry, or for one blendsim does not ship, what can be said of it.
    public static func describe(_ name: String, kind: String) -> Entry {
        entry(name, kind: kind) ?? Entry(
            name: name, kind: kind, basis: .unknown, findings: [],
            words: "not in blendsim's evidence base: its effect rests on its author's values")
    }

    /// summary.json's `evidence`: one object per model, then per policy, that the groups use, in
    /// the order first used.
    public static func json(models: [String], policies: [String]) -> JSONValue {
        var seen: Set<String> = []
        var items: [JSONValue] = []
        for (name, kind) in models.map({ ($0, "model") }) + policies.map({ ($0, "policy") }) where seen.insert(kind + ":" + name).inserted {
            let entry = describe(name, kind: kind)
            items.append(.object([
                ("name", .string(name)), ("kind", .string(kind)), ("basis", .string(entry.basis.rawValue)),
                ("findings", .array(entry.findings.map { .string($0) })), ("words", .string(entry.words)),
            ]))
        }
        return .array(items)
    }

    /// The `evidence` of a run's description.
    public static func json(_ run: RunDescription) -> JSONValue {
        json(models: run.models, policies: run.policies)
    }

    /// The sentences of a summary's `evidence`, as "Where this comes from" lists them: the
    /// components with the weakest evidence first.
    public static func lines(_ summary: JSONValue) -> [String] {
        guard case .array(let items)? = summary["evidence"] else { return [] }
        let order: [Basis] = [.unknown, .distribution, .assumption, .derived, .findings]
        let parsed = items.compactMap { item -> (String, String, Basis, String)? in
            guard let name = item["name"]?.stringValue, let kind = item["kind"]?.stringValue,
                let basis = item["basis"]?.stringValue.flatMap(Basis.init(rawValue:)), let words = item["words"]?.stringValue
            else { return nil }
            return (name, kind, basis, words)
        }
        return order.flatMap { basis -> [String] in
            let items = parsed.filter { $0.2 == basis }
            // The models that borrow the distribution share one sentence.
            if basis == .distribution && items.count > 1 {
                let names = items.map(\.0).joined(separator: ", ")
                return ["\(names) (models): no study has measured any of these: the effect of each is what blended teaching does on average (Vo et al. 2017, g = 0.39 against classroom teaching), with the spread between blended designs (τ = 0.2); treat them as uncertain, and use --uncertainty model to see that spread in the answer."]
            }
            return items.map { "\($0.0) (\($0.1)): \($0.3)." }
        }
    }

    /// The terminal's paragraph: a heading and one line per model and policy.
    public static func text(_ summary: JSONValue) -> String {
        let lines = lines(summary)
        guard !lines.isEmpty else { return "" }
        return "Where this comes from\n" + lines.map { "  " + $0 + "\n" }.joined()
    }
}
