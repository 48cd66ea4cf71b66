//! Random numbers for the simulation: the evaluator's SplitMix64 generator (the one behind the
//! seeded `rand()`, D20), started per seed and stream, and the few distributions a workload
//! and a pool need.
//!
//! The same seed gives the same numbers on every platform: the generator is integer
//! arithmetic, and the distributions use only `+ - * /` and `sqrt`, which IEEE 754 rounds
//! exactly, with our own `ln` and `exp` instead of the platform's math library (whose last bit
//! may differ between systems).

pub(crate) use crate::eval::context::SplitMix64;

impl SplitMix64 {
    /// A generator started from `seed`; `stream` separates independent uses of one seed.
    pub(crate) fn new(seed: u64, stream: u64) -> SplitMix64 {
        let mut g = SplitMix64::from_state(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        g.next_u64(); // decorrelate nearby seeds
        g
    }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    fn uniform_open0(&mut self) -> f64 {
        1.0 - self.uniform()
    }

    /// Exponentially distributed with the given mean.
    pub(crate) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * ln(self.uniform_open0())
    }

    /// Standard normal (Marsaglia's polar method).
    pub(crate) fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * ln(s) / s).sqrt();
            }
        }
    }
}

const LN_2: f64 = std::f64::consts::LN_2;

/// Natural logarithm of a positive finite `x` from `+ - * /` only: x = m · 2^k with
/// m in [√½, √2), ln m = 2 atanh((m − 1)/(m + 1)) by its series. Accurate to about 1 ulp.
pub(crate) fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (mut m, mut k) = (x, 0i32);
    // Subnormals: scale into the normal range first.
    if m < f64::MIN_POSITIVE {
        m *= (1u64 << 54) as f64;
        k -= 54;
    }
    let bits = m.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32 - 1023;
    m = f64::from_bits((bits & !(0x7ff << 52)) | (1023 << 52)); // in [1, 2)
    k += exponent;
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        k += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut n = 1.0;
    while n < 40.0 {
        sum += term / n;
        term *= s2;
        n += 2.0;
    }
    2.0 * sum + k as f64 * LN_2
}

/// e^x from `+ - * /` only: x = k ln 2 + r with |r| ≤ ½ ln 2, e^r by its Taylor series, then
/// scaled by 2^k exactly.
pub(crate) fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    // Cody and Waite: ln 2 in two parts, the first with trailing zero bits, so k · LN2_HI is exact.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    let k = (x / LN_2 + if x < 0.0 { -0.5 } else { 0.5 }) as i64;
    let r = (x - k as f64 * LN2_HI) - k as f64 * LN2_LO;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..24 {
        term *= r / n as f64;
        sum += term;
    }
    sum * f64::from_bits(((k + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_and_exp_agree_with_the_platform_to_a_few_ulps() {
        for &x in &[1e-300, 1e-10, 0.001, 0.1, 0.5, 0.7, 1.0, 1.5, 1.42, 2.0, 10.0, 12345.678, 1e300] {
            let (a, b) = (ln(x), x.ln());
            assert!((a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0), "ln({x}) = {a}, want {b}");
        }
        for &x in &[-700.0, -20.0, -1.0, -0.1, 0.0, 0.3, 1.0, 2.5, 50.0, 700.0] {
            let (a, b) = (exp(x), x.exp());
            assert!((a - b).abs() <= 8.0 * f64::EPSILON * b, "exp({x}) = {a}, want {b}");
        }
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert_eq!(exp(1000.0), f64::INFINITY);
    }

    #[test]
    fn the_generator_is_reproducible_and_streams_differ() {
        let mut a = SplitMix64::new(42, 1);
        let mut b = SplitMix64::new(42, 1);
        let mut c = SplitMix64::new(42, 2);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn distributions_have_the_right_mean() {
        let mut g = SplitMix64::new(7, 0);
        let n = 100_000;
        let mean_exp = (0..n).map(|_| g.exponential(3.0)).sum::<f64>() / n as f64;
        assert!((mean_exp - 3.0).abs() < 0.05, "{mean_exp}");
        let normals: Vec<f64> = (0..n).map(|_| g.normal()).collect();
        let mean = normals.iter().sum::<f64>() / n as f64;
        let var = normals.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.02 && (var - 1.0).abs() < 0.02, "{mean} {var}");
        assert!((0..n).map(|_| g.uniform()).all(|u| (0.0..1.0).contains(&u)));
    }
}
