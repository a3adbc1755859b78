public import BlendSimCore
import BlendSimPluginHost
import BlendSimScenario
import BlendSimReport
import BlendSimSystem

/// A results directory (`--out`): what every command writes there, the manifest that marks it
/// complete, and the checks before reading one. Files are written all together or not at all
/// (`OutputDirectory`).
public enum ResultsDirectory {
    /// Refuses a directory that already holds results unless `force` is set.
    public static func checkOutput(_ directory: String, force: Bool) throws(Diagnostic) {
        if let status = FileSystem.status(directory), status.kind != .directory {
            throw Diagnostic("\(directory) exists and is not a directory; choose another --out")
        }
        if OutputDirectory(path: directory).holdsResults && !force {
            throw Diagnostic("\(directory) already holds results; choose another --out or pass --force to replace them")
        }
    }

    /// Writes a run's summary.json, weekly.csv and manifest.json into `directory`, all or nothing.
    public static func write(_ report: RunReport, to directory: String, force: Bool, invocation: [String], threads: Int) throws(Diagnostic) {
        let files: [(name: String, contents: String)] = [
            ("summary.json", report.summary.serialized(pretty: true)),
            ("weekly.csv", report.weeklyCSV),
        ]
        let manifest = Manifest.document(
            invocation: invocation,
            input: ("scenario", [
                ("name", .string(report.scenario.name)),
                ("path", .string(FileSystem.relative(report.scenario.source.path, from: directory))),
                ("given", .string(report.scenario.source.path)),
                ("sha256", .string(report.scenario.source.sha256)),
            ] + (ResultProvenance.cohortFiles(of: [report.scenario]).isEmpty
                ? [] : [("cohort_files", .array(ResultProvenance.cohortFiles(of: [report.scenario])))])),
            run: [
                ("seed", .integer(Int(truncatingIfNeeded: report.scenario.seed))),
                ("replications", .integer(report.scenario.replications)),
                ("threads", .integer(threads)),
                ("plugins", .array(report.plugins.map { PluginRecord($0).json })),
            ],
            outputs: files,
            measured: [
                ("student_weeks", .integer(report.result.studentWeeks)),
                ("elapsed_seconds", .finite((report.seconds * 1000).rounded() / 1000)),
            ])
        try checkOutput(directory, force: force)
        try write(files + [("manifest.json", manifest)], to: directory, replacing: force, whole: true)
    }

    /// Writes the result files of compare, sweep, merge and calibrate with a manifest naming the
    /// plan (or scenario) they came from and what produced them (seed, replications, plugins), all
    /// or nothing. The plan is recorded by its SHA-256, its path
    /// relative to `directory` (so `rerun` finds it from anywhere) and the path as given on the
    /// command line; `rerun` (merged results: the unsharded command) is what `blendsim rerun`
    /// repeats instead of `invocation`.
    public static func write(
        _ files: [(name: String, contents: String)], to directory: String, planPath: String, invocation: [String],
        provenance: ResultProvenance, force: Bool = true, rerun: [String]? = nil
    ) throws(Diagnostic) {
        let bytes = FileSystem.contents(planPath, limit: 1 << 30) ?? []
        let manifest = Manifest.document(
            invocation: invocation,
            input: ("plan", [
                ("path", .string(FileSystem.relative(planPath, from: directory))), ("given", .string(planPath)),
                ("sha256", .string(SHA256.hex(bytes))),
            ]),
            run: provenance.members + (rerun.map { [("rerun", .array($0.map { .string($0) }))] } ?? []), outputs: files, measured: [])
        // Without --force, results already there are replaced only when they are this same
        // result written again (the same plan, the same files: a merge run twice); anything else
        // — a run's results, another plan's posterior, a second writer's — is refused, under the
        // directory's lock.
        let planHash = SHA256.hex(bytes)
        let names = Set(files.map(\.name))
        let sameResult = { (directory: String) -> Bool in
            guard let existing = FileSystem.contents(directory + "/manifest.json", limit: 1 << 24),
                let document = try? JSONValue.parse(String(decoding: existing, as: UTF8.self)),
                document["plan"]?["sha256"]?.stringValue == planHash,
                case .object(let outputs)? = document["outputs"]
            else { return false }
            return Set(outputs.map(\.0)) == names
        }
        do {
            try OutputDirectory(path: directory).write(files + [("manifest.json", manifest)], replacing: force, mayReplace: sameResult, whole: true)
        } catch {
            throw Diagnostic(error.message)
        }
    }

    /// Writes `DIR/report.html` from the results files in `DIR` (summary.json; weekly.csv and
    /// manifest.json when present). Returns the report's path.
    @discardableResult
    public static func writeReport(directory: String) throws(Diagnostic) -> String {
        // One consistent set: every file is read once, under the directory's lock (writers rename
        // their files into place holding it), and checked against the manifest read with them,
        // so a page never shows one run's summary beside the next run's manifest.
        let files = try readConsistent(directory: directory, names: ["summary.json", "weekly.csv", "manifest.json"])
        func text(_ name: String) -> String? { files[name].map { String(decoding: $0, as: UTF8.self) } }
        guard let summaryText = text("summary.json") else {
            throw Diagnostic("\(directory) holds no summary.json; run `blendsim run … --out \(directory)` first")
        }
        let summary: JSONValue
        do {
            summary = try JSONValue.parse(summaryText)
        } catch {
            throw Diagnostic("\(directory)/summary.json is not valid JSON (\(error))")
        }
        let kinds = ["groups", "variants", "points"].filter { key in
            if case .array(let items)? = summary[key], !items.isEmpty { return true }
            return false
        }
        guard kinds.count == 1 else {
            throw Diagnostic("\(directory)/summary.json is not the summary of a run, a comparison or a sweep (it needs one non-empty 'groups', 'variants' or 'points' list); no report is made")
        }
        if let problem = ResultsCheck.problem(in: summary) {
            throw Diagnostic("\(directory)/summary.json: \(problem); it is not a file blendsim wrote, so no report is made")
        }
        var manifest = text("manifest.json").flatMap { try? JSONValue.parse($0) }
        if let document = manifest, ResultsCheck.problem(in: document) != nil { manifest = nil }
        let weekly = text("weekly.csv").map(HTMLReport.Weekly.init(csv:))
        if let problem = weekly?.problem {
            throw Diagnostic("\(directory)/weekly.csv: \(problem); it is not a file blendsim wrote, so no report is made")
        }
        let html = HTMLReport.render(summary: summary, weekly: weekly, manifest: manifest)
        let path = directory + "/report.html"
        try writeFile(path, html)
        return path
    }

    /// The files `names` of a results directory (those present), read once each under the
    /// directory's lock, after checking every output the manifest read with them lists against
    /// its fingerprint (`verifyComplete`'s rule).
    static func readConsistent(directory: String, names: [String]) throws(Diagnostic) -> [String: [UInt8]] {
        try FileSystem.withLock(directory: directory) { () throws(Diagnostic) -> [String: [UInt8]] in
            var files: [String: [UInt8]] = [:]
            for name in names {
                switch FileSystem.read(directory + "/" + name, limit: 1 << 30) {
                case .bytes(let bytes): files[name] = bytes
                case .tooLarge: throw Diagnostic("\(directory)/\(name) is larger than 1 GiB; no report is made")
                case .failed(let reason):
                    // A file that is absent is left out; one that is there but cannot be read is refused.
                    if FileSystem.status(directory + "/" + name) != nil {
                        throw Diagnostic("cannot read \(directory)/\(name): \(reason)")
                    }
                }
            }
            guard let bytes = files["manifest.json"] else { return files }
            let outputs = try manifestOutputs(bytes, directory: directory)
            for (name, expected) in outputs {
                guard !name.contains("/"), name != "..", let hash = expected.stringValue else {
                    throw Diagnostic("\(directory)/manifest.json lists an output it cannot have ('\(name)')")
                }
                let contents = files[name] ?? FileSystem.contents(directory + "/" + name, limit: 1 << 30)
                guard let contents, SHA256.hex(contents) == hash else {
                    throw Diagnostic(
                        "\(directory)/\(name) does not match manifest.json: the results were interrupted while being written or changed afterwards; run again or remove manifest.json to read them as they are")
                }
            }
            return files
        }
    }

    /// The outputs a manifest fingerprints. A manifest that is there but damaged cannot say
    /// whether the files beside it are complete, so the directory is refused, not read as if it
    /// had none.
    static func manifestOutputs(_ bytes: [UInt8], directory: String) throws(Diagnostic) -> [(String, JSONValue)] {
        guard let manifest = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)), case .object(let outputs)? = manifest["outputs"] else {
            throw Diagnostic("\(directory)/manifest.json is damaged (it does not list its outputs' fingerprints); run again or remove manifest.json to read the results as they are")
        }
        return outputs
    }

    /// A results directory's manifest.json is written last and fingerprints the files written
    /// before it: a directory whose files do not match it was interrupted between renames or
    /// changed afterwards, and is not read. Directories without a manifest are read as they are.
    public static func verifyComplete(directory: String) throws(Diagnostic) {
        guard let bytes = FileSystem.contents(directory + "/manifest.json", limit: 1 << 24) else { return }
        for (name, expected) in try manifestOutputs(bytes, directory: directory) {
            guard !name.contains("/"), name != "..", let hash = expected.stringValue else {
                throw Diagnostic("\(directory)/manifest.json lists an output it cannot have ('\(name)')")
            }
            guard let contents = FileSystem.contents(directory + "/" + name, limit: 1 << 30), SHA256.hex(contents) == hash else {
                throw Diagnostic(
                    "\(directory)/\(name) does not match manifest.json: the results were interrupted while being written or changed afterwards; run again or remove manifest.json to read them as they are")
            }
        }
    }

    /// Writes one file atomically (a temporary file renamed into place).
    public static func writeFile(_ path: String, _ contents: String, replacing: Bool = true) throws(Diagnostic) {
        do {
            try OutputDirectory.writeFile(path, contents, replacing: replacing)
        } catch {
            throw Diagnostic(error.message)
        }
    }

    static func write(_ files: [(name: String, contents: String)], to directory: String, replacing: Bool, whole: Bool = false) throws(Diagnostic) {
        do {
            try OutputDirectory(path: directory).write(files, replacing: replacing, whole: whole)
        } catch {
            throw Diagnostic(error.message)
        }
    }
}

/// manifest.json: what is needed to reproduce a result — versions, the command, the input's
/// fingerprint, the settings — and the fingerprint of every output, which marks the directory
/// complete.
enum Manifest {
    /// The document, its members in a fixed order: version and ABI, time, command, the input
    /// (`scenario` or `plan`), the run's settings, the outputs' SHA-256, what was measured.
    static func document(
        invocation: [String], input: (key: String, members: [(String, JSONValue)]), run: [(String, JSONValue)],
        outputs: [(name: String, contents: String)], measured: [(String, JSONValue)]
    ) -> String {
        let members: [(String, JSONValue)] = [
            ("blendsim_version", .string(BlendSimVersion.current)),
            ("abi", .string(PluginHost.abiVersion)),
            ("created", .string(Clock.utcTimestamp())),
            ("command", .array(invocation.map { .string($0) })),
            (input.key, .object(input.members)),
        ] + run + [
            ("outputs", .object(outputs.map { ($0.name, .string(SHA256.hex(Array($0.contents.utf8)))) })),
        ] + measured
        return JSONValue.object(members).serialized(pretty: true)
    }
}
