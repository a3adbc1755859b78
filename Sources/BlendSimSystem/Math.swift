public import Glibc

// The C math library, for the core's statistics and random draws. Inlinable wrappers, so the
// learning kernel's calls compile to the same libm calls as before and results stay bit-identical.

/// eˣ (libm `exp`).
@inlinable public func exp(_ x: Double) -> Double { Glibc.exp(x) }
/// Natural logarithm (libm `log`).
@inlinable public func log(_ x: Double) -> Double { Glibc.log(x) }
/// ln|Γ(x)| (libm `lgamma`).
@inlinable public func lgamma(_ x: Double) -> Double { Glibc.lgamma(x) }
/// xʸ (libm `pow`).
@inlinable public func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
/// eˣ for single precision (libm `expf`).
@inlinable public func exp(_ x: Float) -> Float { Glibc.expf(x) }
/// Natural logarithm for single precision (libm `logf`).
@inlinable public func log(_ x: Float) -> Float { Glibc.logf(x) }
/// Base-10 logarithm (libm `log10`).
@inlinable public func log10(_ x: Double) -> Double { Glibc.log10(x) }
/// Complementary error function (libm `erfc`).
@inlinable public func erfc(_ x: Double) -> Double { Glibc.erfc(x) }
