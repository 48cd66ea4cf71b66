//! Limits of the what-if models.

/// The largest pool the simulation models: at most this many nodes of each kind. It is the
/// quota when none is given and the largest quota accepted; a target above the quota is held
/// to it (the evaluation counts as quota-capped), as the service holds a pool to the
/// account's quota.
pub const MAX_POOL_NODES: u32 = 100_000;
