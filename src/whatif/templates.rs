//! Formula templates for the common needs (`batch-autoscale new KIND`): commented formulas that
//! check without a warning and that the tests simulate on a generated workload, so each one
//! scales up under load and back down after it.

/// The kinds of template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// Pending tasks over a 15-minute window, guarded by `GetSamplePercent` (the docs' pattern).
    TaskBased,
    /// Task-based, with a warm floor of dedicated nodes during business hours (UTC).
    TimeOfDay,
    /// Spot / low-priority nodes for the load above a floor of dedicated nodes.
    Spot,
    /// Task-based, with nodes counted in task slots (`$TaskSlotsPerNode`).
    SlotAware,
    /// Spot nodes for the load, dedicated nodes in place of the preempted ones.
    PreemptionAware,
}

impl TemplateKind {
    /// The name on the command line: `task-based`, `time-of-day`, `spot`, `slot-aware`,
    /// `preemption-aware`.
    pub fn name(self) -> &'static str {
        match self {
            TemplateKind::TaskBased => "task-based",
            TemplateKind::TimeOfDay => "time-of-day",
            TemplateKind::Spot => "spot",
            TemplateKind::SlotAware => "slot-aware",
            TemplateKind::PreemptionAware => "preemption-aware",
        }
    }
}

/// The settings of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateOptions {
    /// At most this many nodes (all kinds).
    pub max_nodes: u32,
    /// Tasks one node runs at once, for the kinds that do not read `$TaskSlotsPerNode`.
    pub tasks_per_node: u32,
    /// Dedicated nodes kept: the floor of `spot`, the business-hours floor of `time-of-day`,
    /// the warm floor of `task-based` and `slot-aware` (0: none).
    pub min_dedicated: u32,
    /// Business hours of `time-of-day`, UTC: from this hour …
    pub start_hour: u32,
    /// … to this one (exclusive).
    pub end_hour: u32,
    /// The sample window, in minutes.
    pub window_minutes: u32,
}

impl Default for TemplateOptions {
    fn default() -> TemplateOptions {
        TemplateOptions {
            max_nodes: 20,
            tasks_per_node: 1,
            min_dedicated: 0,
            start_hour: 8,
            end_hour: 18,
            window_minutes: 15,
        }
    }
}

/// The guarded read of a metric over the window, as in the docs: the last sample while fewer
/// than 70 % of the window's samples exist (a fresh pool), else the larger of the last sample
/// and the window's mean.
fn guarded(out: &mut String, var: &str, metric: &str) {
    out.push_str(&format!("${var}Percent = ${metric}.GetSamplePercent($window);\n"));
    out.push_str(&format!(
        "${var} = ${var}Percent < 70 ? max(0, ${metric}.GetSample(1)) : max(${metric}.GetSample(1), avg(${metric}.GetSample($window)));\n"
    ));
}

/// Nodes for `$tasks` at `tasksPerNode`, rounded up (the service truncates targets).
fn per_node(out: &mut String, o: &TemplateOptions) {
    if o.tasks_per_node > 1 {
        out.push_str(&format!("tasksPerNode = {};\n", o.tasks_per_node));
        out.push_str("$wanted = min(maxNodes, ($tasks + tasksPerNode - 1) / tasksPerNode);\n");
    } else {
        out.push_str("$wanted = min(maxNodes, $tasks);\n");
    }
}

/// The formula text of a template, or why these options do not fit it.
pub fn template(kind: TemplateKind, o: &TemplateOptions) -> Result<String, String> {
    if o.max_nodes == 0 {
        return Err("--max-nodes must be at least 1".into());
    }
    if o.tasks_per_node == 0 || o.tasks_per_node > 256 {
        return Err("--slots is 1 to 256 tasks per node".into());
    }
    if !(1..=1440).contains(&o.window_minutes) {
        return Err("--window is 1 to 1440 minutes".into());
    }
    if o.min_dedicated > o.max_nodes {
        return Err(format!(
            "--min-dedicated {} is more than --max-nodes {}",
            o.min_dedicated, o.max_nodes
        ));
    }
    if kind == TemplateKind::TimeOfDay && !(o.start_hour < o.end_hour && o.end_hour <= 24) {
        return Err(format!(
            "--hours {}-{}: give START-END with 0 <= START < END <= 24",
            o.start_hour, o.end_hour
        ));
    }
    if kind == TemplateKind::PreemptionAware && o.min_dedicated > 0 {
        return Err("preemption-aware has no dedicated floor (its dedicated nodes replace preempted ones); use `spot` for a floor".into());
    }
    if kind == TemplateKind::SlotAware && o.tasks_per_node > 1 {
        return Err("slot-aware reads the pool's $TaskSlotsPerNode; --slots applies to the other templates".into());
    }
    let mut f = String::new();
    let w = o.window_minutes;
    let header = match kind {
        TemplateKind::TaskBased => format!(
            "// Task-based scaling (the pattern of the Azure Batch docs): one dedicated node per {}pending\n\
             // task{}, {} to {} nodes. When the queue empties the target halves at each evaluation, and\n\
             // nodes leave only when their running tasks complete.",
            if o.tasks_per_node > 1 {
                format!("{} ", o.tasks_per_node)
            } else {
                String::new()
            },
            if o.tasks_per_node > 1 { "s" } else { "" },
            o.min_dedicated,
            o.max_nodes
        ),
        TemplateKind::TimeOfDay => format!(
            "// Time of day: task-based scaling up to {} dedicated nodes, with at least {} kept warm from\n\
             // {:02}:00 to {:02}:00, Monday to Friday. The service evaluates time() in UTC: these hours are\n\
             // UTC, and a local business day moves by an hour against them when daylight saving time\n\
             // starts or ends (`batch-autoscale replay --tz ZONE` shows where).",
            o.max_nodes, o.min_dedicated, o.start_hour, o.end_hour
        ),
        TemplateKind::Spot => format!(
            "// Spot / low-priority nodes for the load, above a floor of {} dedicated node{} that is always\n\
             // there (Spot nodes can be preempted at any time). At most {} nodes in all.",
            o.min_dedicated,
            if o.min_dedicated == 1 { "" } else { "s" },
            o.max_nodes
        ),
        TemplateKind::SlotAware => format!(
            "// Slot-aware task-based scaling: a node runs $TaskSlotsPerNode tasks at once, so the pool\n\
             // needs pending tasks / slots nodes, rounded up; {} to {} nodes.",
            o.min_dedicated, o.max_nodes
        ),
        TemplateKind::PreemptionAware => format!(
            "// Preemption-aware: Spot nodes for the load (at most {}), and a dedicated node in place of\n\
             // each preempted one while there is work, so preemptions do not stall the queue. Preempted\n\
             // nodes run nothing and are not billed: at most maxNodes nodes are ever working.",
            o.max_nodes
        ),
    };
    f.push_str(&format!("{header}\n"));
    f.push_str(&format!("// Written by `batch-autoscale new {}`.\n", kind.name()));
    f.push('\n');
    f.push_str(&format!("maxNodes = {};\n", o.max_nodes));
    f.push_str(&format!(
        "// Pending tasks over {w} minutes; on a fresh pool (fewer than 70 % of the samples) the last sample.\n"
    ));
    f.push_str(&format!("$window = TimeInterval_Minute * {w};\n"));
    guarded(&mut f, "tasks", "PendingTasks");
    match kind {
        TemplateKind::TaskBased => {
            per_node(&mut f, o);
            f.push_str("$target = $wanted > 0 ? $wanted : max(0, $TargetDedicatedNodes / 2);\n");
            if o.min_dedicated > 0 {
                f.push_str("// Nodes kept warm: tasks start at once instead of waiting for an allocation.\n");
                f.push_str(&format!("warmNodes = {};\n", o.min_dedicated));
                f.push_str("$TargetDedicatedNodes = max(warmNodes, min(maxNodes, $target));\n");
            } else {
                f.push_str("$TargetDedicatedNodes = max(0, min(maxNodes, $target));\n");
            }
        }
        TemplateKind::TimeOfDay => {
            per_node(&mut f, o);
            f.push_str(&format!("warmNodes = {};\n", o.min_dedicated));
            f.push_str("$now = time();\n");
            f.push_str(&format!(
                "$businessHours = $now.hour >= {} && $now.hour < {} && $now.weekday >= 1 && $now.weekday <= 5;\n",
                o.start_hour, o.end_hour
            ));
            f.push_str("$TargetDedicatedNodes = $businessHours ? max(warmNodes, $wanted) : $wanted;\n");
        }
        TemplateKind::Spot => {
            per_node(&mut f, o);
            f.push_str(&format!("dedicatedFloor = {};\n", o.min_dedicated));
            f.push_str("$TargetDedicatedNodes = dedicatedFloor;\n");
            f.push_str("$TargetLowPriorityNodes = max(0, $wanted - dedicatedFloor);\n");
        }
        TemplateKind::SlotAware => {
            f.push_str("$slots = max(1, $TaskSlotsPerNode);\n");
            if o.min_dedicated > 0 {
                f.push_str(&format!("minNodes = {};\n", o.min_dedicated));
                f.push_str("$TargetDedicatedNodes = max(minNodes, min(maxNodes, ($tasks + $slots - 1) / $slots));\n");
            } else {
                f.push_str("$TargetDedicatedNodes = min(maxNodes, ($tasks + $slots - 1) / $slots);\n");
            }
        }
        TemplateKind::PreemptionAware => {
            per_node(&mut f, o);
            f.push_str("// Preempted Spot nodes over the same window.\n");
            guarded(&mut f, "preempted", "PreemptedNodeCount");
            f.push_str("$TargetLowPriorityNodes = $wanted;\n");
            f.push_str("$TargetDedicatedNodes = min($wanted, $preempted);\n");
        }
    }
    f.push_str("$NodeDeallocationOption = taskcompletion;\n");
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    #[test]
    fn every_template_checks_without_a_warning() {
        let variants = [
            TemplateOptions::default(),
            TemplateOptions {
                max_nodes: 100,
                tasks_per_node: 4,
                min_dedicated: 3,
                start_hour: 6,
                end_hour: 22,
                window_minutes: 5,
            },
        ];
        for kind in [
            TemplateKind::TaskBased,
            TemplateKind::TimeOfDay,
            TemplateKind::Spot,
            TemplateKind::SlotAware,
            TemplateKind::PreemptionAware,
        ] {
            for o in &variants {
                let Ok(src) = template(kind, o) else {
                    assert!(matches!(kind, TemplateKind::SlotAware | TemplateKind::PreemptionAware));
                    continue;
                };
                let a = crate::check(&src);
                let bad: Vec<_> = a.diagnostics.iter().filter(|d| d.severity != Severity::Note).collect();
                assert!(bad.is_empty(), "{}:\n{src}\n{bad:?}", kind.name());
            }
        }
        assert!(template(
            TemplateKind::Spot,
            &TemplateOptions {
                min_dedicated: 30,
                ..TemplateOptions::default()
            }
        )
        .is_err());
        assert!(template(
            TemplateKind::TimeOfDay,
            &TemplateOptions {
                start_hour: 18,
                end_hour: 8,
                ..TemplateOptions::default()
            }
        )
        .is_err());
    }
}
