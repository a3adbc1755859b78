import BlendSimCore
import BlendSimInference
import BlendSimPluginHost
import BlendSimReport
import BlendSimScenario
import BlendSimSystem

/// The generations of an ABC-SMC run saved as they finish (`OUT/.checkpoint/generations.json`),
/// with a fingerprint of everything that shapes them, so `--resume` continues only the same run.
enum PosteriorCheckpoint {
    static func path(_ directory: String) -> String { directory + "/.checkpoint/generations.json" }

    /// Where shard `shard` of round `round` of generation `generation` saves its outcomes.
    static func roundPath(_ directory: String, generation: Int, round: Int, shard: Shard) -> String {
        directory + "/.checkpoint/generation-\(generation)-round-\(round)-shard-\(shard.index)-of-\(shard.count).json"
    }

    static func removeRounds(_ directory: String, generation: Int, rounds: Int, shards: Int) {
        for round in 0..<rounds {
            for index in 1...shards {
                FileSystem.remove(roundPath(directory, generation: generation, round: round, shard: Shard(index: index, count: shards)))
            }
        }
    }

    /// Everything that shapes the generations: the plan, every scenario it runs, every target
    /// (statistic, value, tolerance, scenario), the command line's seed and replications, the
    /// plugins the scenarios use and blendsim's version — not the threads or chunk size, which do
    /// not.
    static func fingerprint(plan: CalibrationPlan, targets: [CalibrationPlan.Target], settings: RunSettings, problem: Calibrator.Problem? = nil) -> String {
        var text = String(decoding: plan.source.bytes, as: UTF8.self) + "|version=" + BlendSimVersion.current
        text += "|seed=\(settings.seed.map(String.init) ?? "-")|replications=\(settings.replications.map(String.init) ?? "-")"
        for target in targets {
            text += "|target=\(target.statistic);\(JSONValue.number(target.value).serialized());\(JSONValue.number(target.tolerance).serialized());\(target.scenarioPath)"
        }
        if let problem {
            for (path, scenario) in problem.scenarios { text += "|scenario=\(path);" + SHA256.hex(scenario.source.bytes) }
            // The plugins the scenarios use (hashing every library on the path would cost more than
            // a simulation).
            let used = Set(problem.scenarios.flatMap { $0.scenario.groups.flatMap { [$0.model.name] + $0.policies.map(\.name) } })
            let host = problem.host
            for plugin in host.plugins
            where host.models.contains(where: { $0.plugin == plugin && used.contains($0.name) })
                || host.policies.contains(where: { $0.plugin == plugin && used.contains($0.name) })
            {
                text += "|plugin=\(plugin.name);\(plugin.version);\(plugin.sha256)"
            }
        }
        return SHA256.hex(Array(text.utf8))
    }

    static func save(_ generations: [ABCSMC.Generation], directory: String, fingerprint: String) throws(Diagnostic) {
        let document = JSONValue.object([
            ("fingerprint", .string(fingerprint)),
            ("generations", .array(generations.map { generation in
                .object([
                    ("index", .integer(generation.index)),
                    ("epsilon", generation.epsilon.isFinite ? .number(generation.epsilon) : .null),
                    ("simulations", .integer(generation.simulations)),
                    ("particles", .array(generation.particles.map { particle in
                        .array([.number(particle.weight), .number(particle.distance), .array(particle.values.map { .number($0) }),
                                .array(particle.summaries.map { $0.isFinite ? .number($0) : .null })])
                    })),
                ])
            })),
        ])
        try ResultsDirectory.writeFile(path(directory), document.serialized() + "\n")
    }

    static func load(
        directory: String, fingerprint: String, plan: CalibrationPlan, targetCount: Int
    ) throws(Diagnostic) -> [ABCSMC.Generation] {
        let file = path(directory)
        guard FileSystem.exists(file) else { return [] }
        guard let bytes = FileSystem.contents(file, limit: 1 << 32) else {
            throw Diagnostic("\(file) cannot be read (\(FileSystem.lastError)); remove it to start afresh")
        }
        return try decode(bytes, file: file, fingerprint: fingerprint, plan: plan, targetCount: targetCount)
    }

    /// Saved generations' bytes, checked field by field against what `plan` allows.
    static func decode(
        _ bytes: [UInt8], file: String, fingerprint: String, plan: CalibrationPlan, targetCount: Int
    ) throws(Diagnostic) -> [ABCSMC.Generation] {
        guard let document = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
            case .array(let items)? = document["generations"]
        else { throw Diagnostic("\(file) is not a calibration checkpoint blendsim wrote; remove it to start afresh") }
        guard document["fingerprint"]?.stringValue == fingerprint else {
            throw Diagnostic("\(file) is from another plan or other settings; remove it or choose another --out")
        }
        var generations: [ABCSMC.Generation] = []
        // Every count is bounded by what the plan allows, so no counter read here can overflow
        // or make a later loop run without end; a generation must hold the plan's particles with
        // positive total weight (an empty or weightless one cannot be resampled).
        let particleCount = plan.posterior.sampler.particles
        let simulationLimit = max(plan.posterior.sampler.maximumSimulations, particleCount) &* 4
        guard items.count <= plan.posterior.sampler.generations + 1 else {
            throw Diagnostic("\(file) holds \(items.count) generations, more than the plan's \(plan.posterior.sampler.generations) and its prior's; remove the checkpoint to start afresh")
        }
        var totalSimulations = 0
        for item in items {
            guard case .integer(let index)? = item["index"], case .integer(let simulations)? = item["simulations"],
                case .array(let particles)? = item["particles"], index == generations.count,
                simulations >= particles.count, simulations <= simulationLimit, (1...particleCount).contains(particles.count)
            else { throw Diagnostic("\(file): a generation is damaged; remove the checkpoint to start afresh") }
            totalSimulations += simulations
            guard totalSimulations <= simulationLimit else {
                throw Diagnostic("\(file): its generations count more simulations than the plan allows; remove the checkpoint to start afresh")
            }
            var parsed: [ABCSMC.Particle] = []
            for particle in particles {
                guard case .array(let fields) = particle, fields.count == 4, let weight = fields[0].doubleValue, weight.isFinite,
                    weight >= 0, case .array(let values) = fields[2],
                    case .array(let summaries) = fields[3]
                else { throw Diagnostic("\(file): a particle is damaged; remove the checkpoint to start afresh") }
                let numbers = values.compactMap(\.doubleValue)
                guard numbers.count == values.count, numbers.count == plan.parameters.count, summaries.count == targetCount else {
                    throw Diagnostic("\(file): a particle is damaged; remove the checkpoint to start afresh")
                }
                // A distance is a number from 0 or null (infinite, as written); a summary a number
                // or null (a statistic the run could not produce).
                let distance = fields[1] == .null ? .infinity : fields[1].doubleValue ?? -1
                guard distance >= 0, summaries.allSatisfy({ $0 == .null || $0.doubleValue?.isFinite == true }) else {
                    throw Diagnostic("\(file): a particle is damaged; remove the checkpoint to start afresh")
                }
                parsed.append(ABCSMC.Particle(
                    values: numbers, weight: weight, distance: distance, summaries: summaries.map { $0.doubleValue ?? .nan }))
            }
            let total = parsed.reduce(0) { $0 + $1.weight }
            guard total > 0, total.isFinite else {
                throw Diagnostic("\(file): generation \(index) holds no particle with positive weight; remove the checkpoint to start afresh")
            }
            if let epsilon = item["epsilon"]?.doubleValue, !(epsilon >= 0 && epsilon.isFinite) {
                throw Diagnostic("\(file): a generation is damaged; remove the checkpoint to start afresh")
            }
            generations.append(ABCSMC.Generation(
                index: index, epsilon: item["epsilon"]?.doubleValue ?? .infinity, particles: parsed, simulations: simulations))
        }
        return generations
    }
}

/// Removes a finished calibration's checkpoint (once its results are written).
public enum PosteriorCheckpointCleanup {
    public static func remove(_ directory: String) {
        FileSystem.remove(PosteriorCheckpoint.path(directory))
        FileSystem.removeDirectory(directory + "/.checkpoint")
    }
}
