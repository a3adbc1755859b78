import BlendSimCore
/// The sampling designs of sweeps, as points of the unit cube [0, 1]^k: pure functions of their
/// sizes and a seed (docs/EXPERIMENTS.md). A sweep maps each coordinate onto its parameter's
/// range.
public enum SamplingDesign {
    static func key(_ seed: UInt64) -> UInt64 { CounterRandom.derive(seed, 0x5EE9) }

    /// A Latin hypercube of `points` points in `dimensions` dimensions: in every dimension each of
    /// the `points` equal strata holds exactly one point, jittered uniformly within it.
    public static func latinHypercube(points n: Int, dimensions k: Int, seed: UInt64) -> [[Double]] {
        let key = key(seed)
        var columns: [[Double]] = []
        for j in 0..<k {
            // A random permutation of the n strata (Fisher–Yates on counter draws), jittered.
            var strata = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) {
                let r = Int(CounterRandom.uniform(CounterRandom.derive(key, UInt64(j)), UInt64(i)) * Double(i + 1))
                strata.swapAt(i, r)
            }
            columns.append((0..<n).map { (Double(strata[$0]) + CounterRandom.uniform(CounterRandom.derive(key, UInt64(1000 + j)), UInt64($0))) / Double(n) })
        }
        return (0..<n).map { i in (0..<k).map { columns[$0][i] } }
    }

    /// Morris trajectories on a grid of `levels` levels p (even, ≥ 4; Morris 1991, with the
    /// random directions of Campolongo, Cariboni & Saltelli 2007): the step is Δ = p / (2(p − 1)),
    /// a whole number (p/2) of grid steps. Each trajectory draws, for every parameter, a direction
    /// (+Δ or −Δ, even odds) and a start level that the step keeps inside the cube — one of the
    /// p/2 lowest levels {0, …, 1 − Δ} for +Δ, one of the p/2 highest {Δ, …, 1} for −Δ — then moves
    /// one parameter at a time, in a random order, by its step. `trajectories × (k + 1)` points.
    public static func morris(trajectories: Int, levels: Int, dimensions k: Int, seed: UInt64) -> [[Double]] {
        let key = key(seed)
        let p = Double(levels)
        let half = levels / 2
        var points: [[Double]] = []
        for t in 0..<trajectories {
            let stream = CounterRandom.derive(key, UInt64(t))
            let up = (0..<k).map { CounterRandom.uniform(stream, UInt64(200 + $0)) < 0.5 }
            var level = (0..<k).map { j in
                min(Int(CounterRandom.uniform(stream, UInt64(j)) * Double(half)), half - 1) + (up[j] ? 0 : half)
            }
            var x = level.map { Double($0) / (p - 1) }
            var order = Array(0..<k)
            for i in stride(from: k - 1, to: 0, by: -1) {
                order.swapAt(i, Int(CounterRandom.uniform(stream, UInt64(100 + i)) * Double(i + 1)))
            }
            points.append(x)
            for j in order {
                level[j] += up[j] ? half : -half
                x[j] = Double(level[j]) / (p - 1)
                points.append(x)
            }
        }
        return points
    }

    /// Saltelli's scheme for Sobol indices: `points` rows of A, then of B (independent uniform
    /// matrices), then for each dimension i the rows of A with column i taken from B.
    /// `points × (k + 2)` points.
    public static func saltelli(points n: Int, dimensions k: Int, seed: UInt64) -> [[Double]] {
        let key = key(seed)
        let a = (0..<n).map { i in (0..<k).map { CounterRandom.uniform(CounterRandom.derive(key, 1), UInt64(i * k + $0)) } }
        let b = (0..<n).map { i in (0..<k).map { CounterRandom.uniform(CounterRandom.derive(key, 2), UInt64(i * k + $0)) } }
        var points = a + b
        for j in 0..<k {
            for i in 0..<n {
                var row = a[i]
                row[j] = b[i][j]
                points.append(row)
            }
        }
        return points
    }
}
