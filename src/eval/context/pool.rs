//! The pool state a formula sees.

use serde::{Deserialize, Serialize};

/// The pool state a formula sees (§5.1, §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PoolState {
    /// Initial value of `$TargetDedicatedNodes` (the pool's current dedicated target).
    pub target_dedicated_nodes: f64,
    /// Initial value of `$TargetLowPriorityNodes`.
    pub target_low_priority_nodes: f64,
    /// `$CurrentDedicatedNodes`.
    pub current_dedicated_nodes: f64,
    /// `$CurrentLowPriorityNodes`.
    pub current_low_priority_nodes: f64,
    /// `$TaskSlotsPerNode` (default 1).
    pub task_slots_per_node: f64,
    /// `$UsableNodeCount`.
    pub usable_node_count: f64,
}

impl Default for PoolState {
    fn default() -> PoolState {
        PoolState {
            target_dedicated_nodes: 0.0,
            target_low_priority_nodes: 0.0,
            current_dedicated_nodes: 0.0,
            current_low_priority_nodes: 0.0,
            task_slots_per_node: 1.0,
            usable_node_count: 0.0,
        }
    }
}
