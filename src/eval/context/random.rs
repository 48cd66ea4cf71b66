//! Where `rand()` takes its numbers from, and the generator behind a seed.

/// Where `rand()` takes its numbers from (D20).
#[derive(Debug, Clone, PartialEq)]
pub enum RandomSource {
    /// These values, in order; an evaluation that calls `rand()` more often fails.
    Sequence(Vec<f64>),
    /// A deterministic generator (SplitMix64) started from this seed.
    Seeded(u64),
}

impl Default for RandomSource {
    fn default() -> RandomSource {
        RandomSource::Seeded(0)
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): 64 bits of state, period 2^64. The seeded `rand()`
/// draws from it (D20), and so do the simulation's workloads and pool (`whatif`).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator whose state is `state` (the seeded `rand()` starts from the seed itself).
    #[inline]
    pub(crate) const fn from_state(state: u64) -> SplitMix64 {
        SplitMix64 { state }
    }

    /// The next 64 random bits.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    #[inline]
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_gives_the_reference_sequence() {
        // The first outputs from state 1234567, as in the reference implementation
        // (https://prng.di.unimi.it/splitmix64.c).
        let mut g = SplitMix64::from_state(1_234_567);
        let got: Vec<u64> = (0..3).map(|_| g.next_u64()).collect();
        assert_eq!(
            got,
            [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423]
        );
    }
}
