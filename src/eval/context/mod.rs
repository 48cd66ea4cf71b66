//! What an evaluation reads: the time, the pool, the metric histories, the publication delay
//! and the random source. The context is an input, never a global (D20, D22).

mod history;
mod pool;
mod random;
mod spec;
mod store;

pub use history::{HistoryError, MetricHistory};
pub use pool::PoolState;
pub use random::RandomSource;
pub(crate) use random::SplitMix64;
pub use spec::{ContextError, ContextSpec, MetricSpec, OwnedContext};
pub use store::MetricStore;

use crate::time::{TimeInterval, Timestamp};

/// Everything one evaluation reads.
#[derive(Debug, Clone)]
pub struct EvalContext<'m> {
    /// The evaluation time: what `time()` returns and what windows are measured back from.
    pub now: Timestamp,
    /// The pool.
    pub pool: PoolState,
    /// The metric histories.
    pub metrics: &'m MetricStore,
    /// Samples newer than `now - publication_delay` are not yet visible (D22).
    pub publication_delay: TimeInterval,
    /// The source of `rand()`.
    pub random: RandomSource,
}

impl<'m> EvalContext<'m> {
    /// A context at `now` with a default pool, no delay and seed 0.
    pub fn new(now: Timestamp, metrics: &'m MetricStore) -> EvalContext<'m> {
        EvalContext {
            now,
            pool: PoolState::default(),
            metrics,
            publication_delay: TimeInterval::ZERO,
            random: RandomSource::default(),
        }
    }
}
