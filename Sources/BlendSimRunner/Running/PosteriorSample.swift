public import BlendSimCore
import BlendSimPluginHost
public import BlendSimScenario
import BlendSimSystem

/// A posterior sample (`posterior.csv` from `calibrate --method abc-smc`), as `--uncertainty model`
/// uses it: each replication draws one particle, by weight, and runs with its parameters.
///
/// The draw is keyed by the seed and the replication alone, so every variant of a comparison (and
/// every point of a sweep) runs replication r with the same parameters and the same random
/// numbers: differences stay paired, and their spread over replications carries both the
/// parameters' uncertainty and the students' chance.
public struct PosteriorSample: Sendable {
    /// Where it was read from.
    public var path: String
    /// SHA-256 of the file.
    public var sha256: String
    /// The parameters' names (`kernel.x`, `model_defaults.m.p`, `policy_defaults.p.q`,
    /// `group.s.g.m.p`).
    public var names: [String]
    public var settings: [CalibrationPlan.Setting]
    /// Normalised weights, one per particle.
    public var weights: [Double]
    /// One row of values per particle, in `names` order.
    public var particles: [[Double]]

    /// The sample shipped with blendsim: `evidence-posterior.csv` beside the executable, or in the
    /// `scenarios/` folder of the package it was built from.
    public static func shippedPath() -> String? {
        guard var directory = PluginHost.executableDirectory() else { return nil }
        if FileSystem.exists(directory + "/evidence-posterior.csv") { return directory + "/evidence-posterior.csv" }
        // Installed: PREFIX/bin/blendsim with PREFIX/share/blendsim/evidence-posterior.csv.
        let installed = FileSystem.absolute(directory + "/../share/blendsim/evidence-posterior.csv")
        if FileSystem.exists(installed) { return installed }
        while directory.count > 1 {
            let candidate = directory + "/scenarios/evidence-posterior.csv"
            if FileSystem.exists(directory + "/Package.swift") && FileSystem.exists(candidate) { return candidate }
            guard let slash = directory.lastIndex(of: "/") else { break }
            directory = String(directory[..<slash])
        }
        return nil
    }

    /// Reads and checks a posterior file: the header `particle,weight,distance,<parameters…>`,
    /// then rows of finite numbers with non-negative weights that do not all vanish. Problems are
    /// located at the file's line and column.
    public static func load(path: String) throws(Diagnostic) -> PosteriorSample {
        let bytes: [UInt8]
        switch FileSystem.read(path, limit: 1 << 28) {
        case .bytes(let read): bytes = read
        case .tooLarge: throw Diagnostic("posterior '\(path)' is larger than 256 MiB")
        case .failed(let reason): throw Diagnostic("cannot read posterior '\(path)': \(reason)")
        }
        return try decode(bytes, path: path)
    }

    /// Checks the bytes of a posterior file (`load`), named `path` in its diagnostics.
    public static func decode(_ bytes: [UInt8], path: String) throws(Diagnostic) -> PosteriorSample {
        func located(_ message: String, line: Int, column: Int = 1) -> Diagnostic {
            Diagnostic(message, at: SourceLocation(file: path, line: line, column: column))
        }
        // Lines end with LF or CRLF (a spreadsheet's CSV). In a Swift string CR LF is one
        // character, so both are separators here.
        let lines = String(decoding: bytes, as: UTF8.self)
            .split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let header = lines.first, !header.isEmpty else { throw located("the posterior file is empty", line: 1) }
        let columns = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard columns.count > 3, Array(columns.prefix(3)) == ["particle", "weight", "distance"] else {
            throw located("a posterior file starts with the columns particle,weight,distance and then one column per parameter", line: 1)
        }
        let names = Array(columns.dropFirst(3))
        var settings: [CalibrationPlan.Setting] = []
        var column = columns.prefix(3).reduce(0) { $0 + $1.count + 1 } + 1
        for name in names {
            guard let setting = CalibrationPlan.Setting(name: name) else {
                throw located(
                    "'\(name)' is not a parameter blendsim knows (kernel.<key>, model_defaults.<model>.<parameter>, policy_defaults.<policy>.<parameter> or group.<scenario>.<group>.<model>.<parameter>)",
                    line: 1, column: column)
            }
            if settings.contains(setting) { throw located("parameter '\(name)' appears twice", line: 1, column: column) }
            settings.append(setting)
            column += name.count + 1
        }
        var weights: [Double] = []
        var particles: [[Double]] = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == columns.count else {
                throw located("this row has \(cells.count) values; the header names \(columns.count) columns", line: offset + 1)
            }
            var numbers: [Double] = []
            var position = 1
            for (column, cell) in cells.enumerated() {
                if column == 2 && cell == "inf" {  // the distance of a candidate whose run lacks a statistic
                    numbers.append(.infinity)
                    position += cell.count + 1
                    continue
                }
                guard let value = YAMLNode.number(String(cell)), value.isFinite else {
                    throw located("'\(cell)' is not a finite number", line: offset + 1, column: position)
                }
                numbers.append(value)
                position += cell.count + 1
            }
            guard numbers[1] >= 0 else { throw located("a weight must not be negative", line: offset + 1, column: cells[0].count + 2) }
            weights.append(numbers[1])
            particles.append(Array(numbers.dropFirst(3)))
            guard particles.count <= 1_000_000 else { throw located("more than 1000000 particles", line: offset + 1) }
        }
        let total = weights.reduce(0, +)
        guard !particles.isEmpty, total > 0, total.isFinite else {
            throw located("the posterior has no particles with positive weight", line: max(lines.count, 1))
        }
        return PosteriorSample(
            path: path, sha256: SHA256.hex(bytes), names: names, settings: settings, weights: weights.map { $0 / total },
            particles: particles)
    }

    /// Every parameter must exist — a known kernel key, or a numeric parameter of a model or
    /// policy the loaded plugins provide — and every particle's value must lie in that parameter's
    /// range (and be whole for an integer parameter), whichever particles a run happens to draw.
    func check(host: PluginHost) throws(Diagnostic) {
        for (column, (name, setting)) in zip(names, settings).enumerated() {
            var range: ClosedRange<Double>
            var integer = false
            switch setting {
            case .kernel(let key):
                guard let info = KernelParameters.catalog.first(where: { $0.key == key }) else { continue }
                range = info.range
            case .modelDefault(let owner, let parameter), .policyDefault(let owner, let parameter), .group(_, _, let owner, let parameter):
                let isModel: Bool
                if case .policyDefault = setting { isModel = false } else { isModel = true }
                let schema = isModel ? host.model(named: owner)?.schema : host.policy(named: owner)?.schema
                guard let schema, let spec = schema.parameters.first(where: { $0.name == parameter }), spec.type == "number" || spec.type == "integer"
                else {
                    throw Diagnostic(
                        "'\(name)' in \(path) is not a numeric parameter of an installed model or policy",
                        at: SourceLocation(file: path, line: 1, column: 1))
                }
                range = (spec.minimum ?? -1e12)...(spec.maximum ?? 1e12)
                integer = spec.type == "integer"
            }
            for (row, particle) in particles.enumerated() {
                let value = particle[column]
                guard range.contains(value), !integer || value == value.rounded() else {
                    throw Diagnostic(
                        "particle \(row + 1): \(name) = \(value) lies outside its range [\(range.lowerBound), \(range.upperBound)]\(integer ? " or is not whole" : "")",
                        at: SourceLocation(file: path, line: row + 2, column: 1))
                }
            }
        }
    }

    /// The particle replication `replication` of a run with `seed` uses.
    public func draw(seed: UInt64, replication: Int) -> [Double] {
        let u = CounterRandom.uniform(CounterRandom.derive(CounterRandom.derive(seed, 0x9057_E810), UInt64(replication)), 0)
        var cumulative = 0.0
        for (index, weight) in weights.enumerated() {
            cumulative += weight
            if u < cumulative { return particles[index] }
        }
        return particles[particles.count - 1]
    }
}
