import BlendSimCore
import BlendSimInference
import BlendSimScenario

/// The checkpoint of an ABC-SMC run (`OUT/.checkpoint/generations.json`): the generations saved
/// as they finish, each checked on reading against what the plan allows.
extension ABCSMC {
    static func encode(_ generations: [Generation]) -> [(String, JSONValue)] {
        [("generations", .array(generations.map { generation in
            .object([
                ("index", .integer(generation.index)),
                ("epsilon", generation.epsilon.isFinite ? .number(generation.epsilon) : .null),
                ("simulations", .integer(generation.simulations)),
                ("particles", .array(generation.particles.map { particle in
                    .array([.number(particle.weight), .number(particle.distance), .array(particle.values.map { .number($0) }),
                            .array(particle.summaries.map { $0.isFinite ? .number($0) : .null })])
                })),
            ])
        }))]
    }

    static func isCheckpoint(_ document: JSONValue) -> Bool {
        if case .array? = document["generations"] { return true }
        return false
    }

    /// Saved generations, checked field by field against what `plan` allows.
    static func decode(_ document: JSONValue, file: String, plan: CalibrationPlan, targetCount: Int) throws(Diagnostic) -> [Generation] {
        guard case .array(let items)? = document["generations"] else {
            throw Diagnostic("\(file) is not a calibration checkpoint blendsim wrote; remove it to start afresh")
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
