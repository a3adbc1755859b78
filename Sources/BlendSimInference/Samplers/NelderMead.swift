import BlendSimCore
/// Nelder–Mead simplex minimisation over the unit cube, for objectives without derivatives.
///
/// Points are clamped to [0, 1] in every coordinate; callers map the cube to their parameters'
/// bounds. After the simplex converges the search restarts from the best point with a fresh
/// simplex (`restarts` times), which guards against the premature collapse Nelder–Mead is known
/// for on noisy or stepped objectives.
public struct NelderMead: Sendable {
    public var maximumEvaluations: Int
    public var restarts: Int
    /// Initial simplex edge, in unit-cube coordinates.
    public var initialStep: Double
    /// Converged when the simplex's objective values differ by less than this …
    public var objectiveTolerance: Double
    /// … and its vertices by less than this in every coordinate.
    public var pointTolerance: Double

    public init(
        maximumEvaluations: Int = 300, restarts: Int = 1, initialStep: Double = 0.15,
        objectiveTolerance: Double = 1e-6, pointTolerance: Double = 1e-4
    ) {
        self.maximumEvaluations = maximumEvaluations
        self.restarts = restarts
        self.initialStep = initialStep
        self.objectiveTolerance = objectiveTolerance
        self.pointTolerance = pointTolerance
    }

    public struct Result: Sendable {
        public var point: [Double]
        public var value: Double
        public var evaluations: Int
    }

    /// Minimises `objective` from `start` (unit-cube coordinates).
    public func minimize<E: Error>(
        from start: [Double], _ objective: ([Double]) throws(E) -> Double
    ) throws(E) -> Result {
        let n = start.count
        var evaluations = 0
        var best = (point: start.map(Self.clamp), value: Double.infinity)
        func evaluate(_ point: [Double]) throws(E) -> Double {
            evaluations += 1
            let value = try objective(point)
            let comparable = value.isNaN ? Double.infinity : value
            if comparable < best.value { best = (point, comparable) }
            return comparable
        }
        guard n > 0 else {
            return Result(point: [], value: try evaluate([]), evaluations: evaluations)
        }
        for _ in 0...max(restarts, 0) {
            guard evaluations < maximumEvaluations else { break }
            var simplex: [(point: [Double], value: Double)] = []
            let origin = best.point
            simplex.append((origin, try evaluate(origin)))
            for axis in 0..<n where evaluations < maximumEvaluations {
                var vertex = origin
                vertex[axis] = origin[axis] + initialStep <= 1 ? origin[axis] + initialStep : origin[axis] - initialStep
                simplex.append((vertex, try evaluate(vertex)))
            }
            guard simplex.count == n + 1 else { break }
            while evaluations < maximumEvaluations {
                simplex.sort { $0.value < $1.value }
                let spread = simplex[n].value - simplex[0].value
                let size = (0..<n).map { axis in
                    simplex.map { $0.point[axis] }.max()! - simplex.map { $0.point[axis] }.min()!
                }.max()!
                if spread <= objectiveTolerance && size <= pointTolerance { break }
                if size <= pointTolerance * 0.01 { break }

                let centroid = (0..<n).map { axis in simplex[0..<n].reduce(0) { $0 + $1.point[axis] } / Double(n) }
                func toward(_ factor: Double) -> [Double] {
                    (0..<n).map { Self.clamp(centroid[$0] + factor * (simplex[n].point[$0] - centroid[$0])) }
                }
                let reflected = toward(-1)
                let reflectedValue = try evaluate(reflected)
                if reflectedValue < simplex[0].value {
                    let expanded = toward(-2)
                    let expandedValue = try evaluate(expanded)
                    simplex[n] = expandedValue < reflectedValue ? (expanded, expandedValue) : (reflected, reflectedValue)
                } else if reflectedValue < simplex[n - 1].value {
                    simplex[n] = (reflected, reflectedValue)
                } else {
                    let outside = reflectedValue < simplex[n].value
                    let contracted = toward(outside ? -0.5 : 0.5)
                    let contractedValue = try evaluate(contracted)
                    if contractedValue < min(reflectedValue, simplex[n].value) {
                        simplex[n] = (contracted, contractedValue)
                    } else {
                        for index in 1...n where evaluations < maximumEvaluations {
                            let point = (0..<n).map {
                                Self.clamp(simplex[0].point[$0] + 0.5 * (simplex[index].point[$0] - simplex[0].point[$0]))
                            }
                            simplex[index] = (point, try evaluate(point))
                        }
                    }
                }
            }
        }
        return Result(point: best.point, value: best.value, evaluations: evaluations)
    }

    static func clamp(_ x: Double) -> Double { min(max(x, 0), 1) }
}
