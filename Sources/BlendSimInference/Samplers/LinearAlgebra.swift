import BlendSimCore
/// The small dense linear algebra calibration needs.
public enum LinearAlgebra {
    /// The inverse of a square matrix by Gauss–Jordan elimination with partial pivoting, or nil
    /// when the matrix is singular (a pivot below 10⁻¹² of the largest diagonal entry).
    public static func inverse(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        guard n > 0, matrix.allSatisfy({ $0.count == n }) else { return nil }
        let scale = max(matrix.indices.map { abs(matrix[$0][$0]) }.max() ?? 0, .leastNormalMagnitude)
        var a = matrix
        var b = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
        for column in 0..<n {
            var pivot = column
            for row in column..<n where abs(a[row][column]) > abs(a[pivot][column]) { pivot = row }
            guard abs(a[pivot][column]) > 1e-12 * scale, a[pivot][column].isFinite else { return nil }
            a.swapAt(column, pivot)
            b.swapAt(column, pivot)
            let divisor = a[column][column]
            for j in 0..<n {
                a[column][j] /= divisor
                b[column][j] /= divisor
            }
            for row in 0..<n where row != column {
                let factor = a[row][column]
                guard factor != 0 else { continue }
                for j in 0..<n {
                    a[row][j] -= factor * a[column][j]
                    b[row][j] -= factor * b[column][j]
                }
            }
        }
        return b
    }
}

extension LinearAlgebra {
    /// The lower-triangular L with L·Lᵀ = `matrix` (Cholesky), or nil when the matrix is not
    /// symmetric positive definite.
    public static func cholesky(_ matrix: [[Double]]) -> [[Double]]? {
        let n = matrix.count
        guard n > 0, matrix.allSatisfy({ $0.count == n }) else { return nil }
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var sum = matrix[i][j]
                for k in 0..<j { sum -= l[i][k] * l[j][k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    l[i][i] = sum.squareRoot()
                } else {
                    l[i][j] = sum / l[j][j]
                }
            }
        }
        return l
    }
}
