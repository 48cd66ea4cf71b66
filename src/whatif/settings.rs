//! The pool's settings: everything about a simulated pool that is not the formula (the pool
//! model itself is described on [`PoolSettings`]).

use serde::Deserialize;

use crate::time::TimeInterval;

use super::fields;
use super::limits::MAX_POOL_NODES;

/// How queued tasks are placed on nodes (the pool's `taskSchedulingPolicy.nodeFillType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeFill {
    /// The node with the most free slots (the service's default).
    #[default]
    Spread,
    /// The node with the fewest free slots that still fit the task.
    Pack,
}

/// The pool's settings: everything about the pool that is not the formula. The JSON form (a
/// `--pool` file, or the `pool` object of a workload file) uses the camelCase names, durations
/// as ISO 8601 (`"PT5M"`) or seconds, and rejects unknown fields.
///
/// **The pool model.** LANGUAGE.md describes what a formula reads and what it sets (§5,
/// §7); how a pool reaches its targets is the service's business, and this model is our
/// choice, kept simple and documented here (and in the README):
///
/// - **Nodes** are dedicated or low-priority (Spot). A node asked for by a resize is
///   *allocating* for `allocationLatency`, then *ready*. Allocating nodes count in
///   `$CurrentDedicatedNodes`/`$CurrentLowPriorityNodes` (they are in the pool's node list) but
///   not in `$UsableNodeCount`, and they cannot run tasks.
/// - **Tasks** wait in one queue in submission order. Whenever slots free up, queued tasks
///   start on ready nodes that have enough free slots (`nodeFill`: `spread` takes the node with
///   the most free slots, `pack` the one with the fewest that suffice). A task that does not
///   fit anywhere lets the tasks behind it start (the scheduler looks 512 tasks deep).
/// - **Resizes** happen only when an evaluation succeeds (a failed one changes nothing, §7.4),
///   at the evaluation time, towards the evaluation's targets, and are retried at every
///   successful evaluation (so a pool held back by the quota grows once the quota allows).
///   Growing first takes back nodes that are still waiting to leave, then allocates new ones
///   up to the **quota** (`dedicatedQuota`, `lowPriorityQuota`, in nodes; every node in the
///   pool counts, leaving and preempted ones too).
/// - **Shrinking** removes, in this order, preempted nodes, allocating nodes, idle nodes, then
///   the nodes with the fewest busy slots (ties: the oldest first). What happens to the tasks
///   on a busy node is the evaluation's `$NodeDeallocationOption` (§5.1): `requeue` stops them
///   and puts them back at the head of the queue (their work is lost) and removes the node at
///   once; `terminate` stops them for good (they count in `$FailedTasks`) and removes the node;
///   `taskcompletion` lets them finish (the node takes no new task and leaves when it is
///   empty); `retaineddata` waits like `taskcompletion` and then until the data of every task
///   that ran on the node has expired (`taskRetention` after the task ended, 7 days by default
///   as on the service); an idle node under `retaineddata` also waits for its data.
/// - **Preemption**: every low-priority node is preempted at `preemptionRate` per node-hour
///   (a Poisson process, drawn from the seeded generator). Its running tasks go back to the
///   queue (as the service does), the node stays *preempted* for `preemptionRecovery`
///   (counted in `$CurrentLowPriorityNodes` and `$PreemptedNodeCount`, not billed), then
///   allocates again.
/// - **Billing**: every node that is not preempted is billed from the moment it is asked for
///   until it leaves; *idle* node-hours are billed hours of nodes that run no task (allocating,
///   idle, or waiting for retained data).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PoolSettings {
    /// `$TaskSlotsPerNode`: tasks (of one slot) a node runs at once, 1–256 (default 1).
    #[serde(deserialize_with = "fields::slots")]
    pub task_slots_per_node: u32,
    /// How long a new node takes from the resize to ready (default 5 minutes).
    #[serde(deserialize_with = "fields::duration")]
    pub allocation_latency: TimeInterval,
    /// Preemptions per low-priority node per hour, at most 60 (default 0).
    #[serde(deserialize_with = "fields::non_negative")]
    pub preemption_rate: f64,
    /// How long a preempted node stays preempted before it allocates again (default 15 minutes).
    #[serde(deserialize_with = "fields::duration")]
    pub preemption_recovery: TimeInterval,
    /// At most this many dedicated nodes (the account's quota), at most [`MAX_POOL_NODES`];
    /// `None`: [`MAX_POOL_NODES`].
    #[serde(deserialize_with = "fields::quota")]
    pub dedicated_quota: Option<u32>,
    /// At most this many low-priority nodes, at most [`MAX_POOL_NODES`]; `None`:
    /// [`MAX_POOL_NODES`].
    #[serde(deserialize_with = "fields::quota")]
    pub low_priority_quota: Option<u32>,
    /// Price of a dedicated node-hour (default 0).
    #[serde(deserialize_with = "fields::non_negative")]
    pub dedicated_price: f64,
    /// Price of a low-priority node-hour (default 0).
    #[serde(deserialize_with = "fields::non_negative")]
    pub low_priority_price: f64,
    /// How long a task's data stays on its node after the task ends, for `retaineddata`
    /// (default 7 days, the service's default `retentionTime`).
    #[serde(deserialize_with = "fields::duration")]
    pub task_retention: TimeInterval,
    /// How tasks are placed on nodes (default `spread`).
    pub node_fill: NodeFill,
    /// `$CPUPercent` is the busy share of the usable nodes' slots times this (default 100, a
    /// percentage; 1 gives the 0–1 scale some formulas assume, §9 Q19).
    #[serde(deserialize_with = "fields::non_negative")]
    pub cpu_percent_scale: f64,
}

impl Default for PoolSettings {
    fn default() -> PoolSettings {
        PoolSettings {
            task_slots_per_node: 1,
            allocation_latency: TimeInterval::MINUTE.checked_mul_f64(5.0).unwrap_or(TimeInterval::ZERO),
            preemption_rate: 0.0,
            preemption_recovery: TimeInterval::MINUTE.checked_mul_f64(15.0).unwrap_or(TimeInterval::ZERO),
            dedicated_quota: None,
            low_priority_quota: None,
            dedicated_price: 0.0,
            low_priority_price: 0.0,
            task_retention: TimeInterval::WEEK,
            node_fill: NodeFill::Spread,
            cpu_percent_scale: 100.0,
        }
    }
}

impl PoolSettings {
    /// Check settings built in code (a file's are checked as it is read): the first problem.
    pub fn validate(&self) -> Result<(), String> {
        fields::check_slots(self.task_slots_per_node as u64).map_err(|m| format!("taskSlotsPerNode: {m}"))?;
        for (name, x) in [
            ("preemptionRate", self.preemption_rate),
            ("dedicatedPrice", self.dedicated_price),
            ("lowPriorityPrice", self.low_priority_price),
            ("cpuPercentScale", self.cpu_percent_scale),
        ] {
            if !x.is_finite() || x < 0.0 {
                return Err(format!("{name}: {x} is not a finite number that is not negative"));
            }
        }
        for (name, q) in [
            ("dedicatedQuota", self.dedicated_quota),
            ("lowPriorityQuota", self.low_priority_quota),
        ] {
            if let Some(q) = q {
                fields::check_quota(q as u64).map_err(|m| format!("{name}: {m}"))?;
            }
        }
        if self.preemption_rate > MAX_PREEMPTION_RATE {
            return Err(format!(
                "preemptionRate: {} per node-hour is more than {MAX_PREEMPTION_RATE} (once a minute)",
                self.preemption_rate
            ));
        }
        for (name, d) in [
            ("allocationLatency", self.allocation_latency),
            ("preemptionRecovery", self.preemption_recovery),
            ("taskRetention", self.task_retention),
        ] {
            if d.0 < 0 {
                return Err(format!("{name}: a duration cannot be negative"));
            }
        }
        Ok(())
    }
}

impl PoolSettings {
    /// The quotas in force, dedicated and low-priority: the settings, or [`MAX_POOL_NODES`].
    pub fn quotas(&self) -> (u32, u32) {
        let q = |x: Option<u32>| x.unwrap_or(MAX_POOL_NODES).min(MAX_POOL_NODES);
        (q(self.dedicated_quota), q(self.low_priority_quota))
    }
}

/// The most preemptions per node-hour the model takes (more would be a pool that never runs).
const MAX_PREEMPTION_RATE: f64 = 60.0;

/// Read pool settings from a JSON file (see [`PoolSettings`]), errors at file:line:column.
pub fn load_pool_settings(path: &std::path::Path) -> Result<PoolSettings, crate::data::DataError> {
    let text = crate::data::read_text(path)?;
    fields::from_json(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_built_in_code_are_checked() {
        assert!(PoolSettings::default().validate().is_ok());
        let bad = [
            PoolSettings {
                task_slots_per_node: 0,
                ..PoolSettings::default()
            },
            PoolSettings {
                dedicated_price: f64::NAN,
                ..PoolSettings::default()
            },
            PoolSettings {
                allocation_latency: TimeInterval(-1),
                ..PoolSettings::default()
            },
            PoolSettings {
                preemption_rate: 1e300,
                ..PoolSettings::default()
            },
        ];
        for s in bad {
            assert!(s.validate().is_err(), "{s:?}");
        }
    }
}
