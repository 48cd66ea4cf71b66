//! Where `rand()` takes its numbers from.

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
