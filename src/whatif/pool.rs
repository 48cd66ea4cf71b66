//! The pool model of the simulation: nodes, task slots and the job queue, driven by events.
//! The model is described on [`PoolSettings`].

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};

use crate::builtins::{Deallocation, Metric};
use crate::eval::MetricStore;
use crate::time::Timestamp;

use super::rng::SplitMix64;
use super::settings::{NodeFill, PoolSettings};
use super::workload::Task;

impl PoolSettings {
    fn quota(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Dedicated => self.quotas().0,
            Kind::LowPriority => self.quotas().1,
        }
    }
}

/// The two kinds of node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Dedicated,
    LowPriority,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Allocating,
    Ready,
    Preempted,
}

#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    state: State,
    alive: bool,
    /// Bumped when the node is removed or preempted: older events about it are void.
    generation: u32,
    busy: u32,
    running: Vec<u32>,
    /// Set when a resize asked the node to leave once its tasks (and data) are done.
    leaving: Option<Deallocation>,
    /// Until when data of tasks that ran here is kept.
    retained_until: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    TaskDone { task: u32, attempt: u32 },
    NodeReady { node: u32, generation: u32 },
    Preempt { node: u32, generation: u32 },
    Recover { node: u32, generation: u32 },
    DataExpired { node: u32, generation: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskState {
    Future,
    Queued,
    Running(u32),
    Succeeded,
    Lost,
}

#[derive(Debug, Clone)]
struct TaskRun {
    state: TaskState,
    attempt: u32,
    queued_since: i64,
    wait: i64,
}

/// Counts over the nodes at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Census {
    /// Nodes in the pool by kind, preempted ones included (`$Current…Nodes`).
    pub current: [u32; 2],
    /// Billed nodes by kind (all but preempted ones).
    pub billed: [u32; 2],
    /// Ready nodes (`$UsableNodeCount`).
    pub usable: u32,
    /// Preempted nodes (`$PreemptedNodeCount`).
    pub preempted: u32,
    /// Billed nodes that run no task.
    pub idle: u32,
    /// Busy slots.
    pub busy_slots: u32,
    /// Busy slots on ready nodes.
    pub ready_busy_slots: u32,
}

/// What happened to tasks and nodes, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Counters {
    pub submitted: u64,
    pub succeeded: u64,
    pub lost_by_scale_down: u64,
    pub requeued_by_scale_down: u64,
    pub requeued_by_preemption: u64,
    pub preemptions: u64,
    pub quota_capped_resizes: u64,
    pub first_submit: Option<i64>,
    pub last_end: Option<i64>,
    pub peak: [u32; 2],
}

/// Time integrals over the run, in ticks × count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Integrals {
    pub billed: [i128; 2],
    pub idle: i128,
    pub busy_slots: i128,
}

/// The pool and its queue, advanced event by event.
pub(crate) struct PoolModel<'w> {
    settings: PoolSettings,
    tasks: &'w [Task],
    start: i64,
    runs: Vec<TaskRun>,
    next_arrival: usize,
    queue: VecDeque<u32>,
    running_tasks: u32,
    nodes: Vec<Node>,
    free: Vec<u32>,
    events: BinaryHeap<Reverse<(i64, u64, Event)>>,
    sequence: u64,
    rng: SplitMix64,
    now: i64,
    /// Counts over the live nodes, kept up to date by [`PoolModel::update`].
    census: Census,
    /// Live nodes that are not leaving, by kind.
    staying: [u32; 2],
    /// Live nodes asked to leave, by kind, by index (taken back lowest first).
    leaving: [BTreeSet<u32>; 2],
    /// Live nodes that are not leaving, by kind, in the order a shrink removes them.
    shrink_order: [BTreeSet<ShrinkKey>; 2],
    /// Ready nodes that take tasks, by (busy slots, index).
    takeable: BTreeSet<(u32, u32)>,
    pub(crate) counters: Counters,
    pub(crate) integrals: Integrals,
}

const SCAN_DEPTH: usize = 512;

/// Shrinking removes preempted nodes, then allocating ones, then the least busy ready ones
/// (ties: data expiring first, then the lowest index).
type ShrinkKey = (u8, u32, i64, u32);

impl<'w> PoolModel<'w> {
    /// An empty pool at `start`; `tasks` sorted by submission, those submitted before `start`
    /// arrive at `start`.
    pub(crate) fn new(settings: PoolSettings, tasks: &'w [Task], start: Timestamp, seed: u64) -> PoolModel<'w> {
        PoolModel {
            settings,
            tasks,
            start: start.0,
            runs: vec![
                TaskRun {
                    state: TaskState::Future,
                    attempt: 0,
                    queued_since: 0,
                    wait: 0,
                };
                tasks.len()
            ],
            next_arrival: 0,
            queue: VecDeque::new(),
            running_tasks: 0,
            nodes: Vec::new(),
            free: Vec::new(),
            events: BinaryHeap::new(),
            sequence: 0,
            rng: SplitMix64::new(seed, 0x9001),
            now: start.0,
            census: Census::default(),
            staying: [0; 2],
            leaving: [BTreeSet::new(), BTreeSet::new()],
            shrink_order: [BTreeSet::new(), BTreeSet::new()],
            takeable: BTreeSet::new(),
            counters: Counters::default(),
            integrals: Integrals::default(),
        }
    }

    /// The settings.
    pub(crate) fn settings(&self) -> &PoolSettings {
        &self.settings
    }

    /// Tasks waiting in the queue (`$ActiveTasks`).
    pub(crate) fn active_tasks(&self) -> u32 {
        self.queue.len() as u32
    }

    /// Tasks running (`$RunningTasks`).
    pub(crate) fn running_tasks(&self) -> u32 {
        self.running_tasks
    }

    /// The node counts now.
    pub(crate) fn census(&self) -> Census {
        self.census
    }

    /// Add or take away node `i`'s part in the counts and indexes (a dead node has none).
    fn account(&mut self, i: u32, add: bool) {
        let n = &self.nodes[i as usize];
        if !n.alive {
            return;
        }
        let (k, state, busy, leaving, retained_until) = (n.kind as usize, n.state, n.busy, n.leaving.is_some(), n.retained_until);
        let change = |x: &mut u32, by: u32| {
            if add {
                *x += by;
            } else {
                *x -= by;
            }
        };
        let c = &mut self.census;
        change(&mut c.current[k], 1);
        match state {
            State::Preempted => change(&mut c.preempted, 1),
            State::Ready => {
                change(&mut c.usable, 1);
                change(&mut c.billed[k], 1);
                change(&mut c.ready_busy_slots, busy);
            }
            State::Allocating => change(&mut c.billed[k], 1),
        }
        if state != State::Preempted && busy == 0 {
            change(&mut c.idle, 1);
        }
        change(&mut c.busy_slots, busy);
        if leaving {
            if add {
                self.leaving[k].insert(i);
            } else {
                self.leaving[k].remove(&i);
            }
            return;
        }
        change(&mut self.staying[k], 1);
        let class = match state {
            State::Preempted => 0,
            State::Allocating => 1,
            State::Ready => 2,
        };
        let key = (class, busy, retained_until, i);
        if add {
            self.shrink_order[k].insert(key);
        } else {
            self.shrink_order[k].remove(&key);
        }
        if state == State::Ready {
            if add {
                self.takeable.insert((busy, i));
            } else {
                self.takeable.remove(&(busy, i));
            }
        }
    }

    /// Change node `i`, keeping the counts and indexes right (every change of a node goes
    /// through here, so each costs O(log nodes) and nothing ever recounts the pool).
    fn update<R>(&mut self, i: u32, change: impl FnOnce(&mut Node) -> R) -> R {
        self.account(i, false);
        let r = change(&mut self.nodes[i as usize]);
        self.account(i, true);
        r
    }

    /// Add `count` nodes of `kind` that are ready now (a pool that starts with nodes).
    /// At most up to the quota.
    pub(crate) fn add_ready_nodes(&mut self, kind: Kind, count: u32) {
        let room = self.settings.quota(kind).saturating_sub(self.census.current[kind as usize]);
        for _ in 0..count.min(room) {
            let i = self.allocate(kind);
            self.update(i, |n| n.state = State::Ready);
        }
        self.schedule();
    }

    fn push(&mut self, at: i64, event: Event) {
        self.sequence += 1;
        self.events.push(Reverse((at, self.sequence, event)));
    }

    fn arrival_time(&self, i: usize) -> Option<i64> {
        self.tasks.get(i).map(|t| t.submit.0.max(self.start))
    }

    /// Process every event up to and including `t`, then account for the time up to `t`.
    pub(crate) fn advance_to(&mut self, t: i64) {
        loop {
            let event_time = self.events.peek().map(|Reverse((at, _, _))| *at);
            let arrival = self.arrival_time(self.next_arrival);
            let next = match (event_time, arrival) {
                (Some(e), Some(a)) => e.min(a),
                (Some(e), None) => e,
                (None, Some(a)) => a,
                (None, None) => break,
            };
            if next > t {
                break;
            }
            self.accumulate_to(next);
            if event_time == Some(next) {
                if let Some(Reverse((_, _, event))) = self.events.pop() {
                    self.handle(event);
                }
            } else {
                self.arrive();
            }
            self.schedule();
        }
        self.accumulate_to(t);
    }

    fn accumulate_to(&mut self, t: i64) {
        if t <= self.now {
            return;
        }
        let dt = (t - self.now) as i128;
        let c = self.census();
        for k in 0..2 {
            self.integrals.billed[k] += c.billed[k] as i128 * dt;
        }
        self.integrals.idle += c.idle as i128 * dt;
        self.integrals.busy_slots += c.busy_slots as i128 * dt;
        self.now = t;
    }

    fn arrive(&mut self) {
        let i = self.next_arrival;
        self.next_arrival += 1;
        let run = &mut self.runs[i];
        run.state = TaskState::Queued;
        run.queued_since = self.now;
        self.queue.push_back(i as u32);
        self.counters.submitted += 1;
        self.counters.first_submit.get_or_insert(self.now);
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::TaskDone { task, attempt } => {
                let run = &self.runs[task as usize];
                if let (TaskState::Running(node), true) = (run.state, run.attempt == attempt) {
                    self.finish_task(task, node);
                }
            }
            Event::NodeReady { node, generation } => {
                let n = &self.nodes[node as usize];
                if n.alive && n.generation == generation && n.state == State::Allocating {
                    self.update(node, |n| n.state = State::Ready);
                }
            }
            Event::Preempt { node, generation } => {
                let n = &self.nodes[node as usize];
                if n.alive && n.generation == generation && n.state != State::Preempted {
                    self.preempt(node);
                }
            }
            Event::Recover { node, generation } => {
                let n = &self.nodes[node as usize];
                if n.alive && n.generation == generation && n.state == State::Preempted {
                    self.update(node, |n| n.state = State::Allocating);
                    self.start_allocation(node);
                }
            }
            Event::DataExpired { node, generation } => {
                let n = &self.nodes[node as usize];
                if n.alive
                    && n.generation == generation
                    && n.leaving == Some(Deallocation::RetainedData)
                    && n.busy == 0
                    && n.retained_until <= self.now
                {
                    self.remove(node);
                }
            }
        }
    }

    fn finish_task(&mut self, task: u32, node: u32) {
        let slots = self.tasks[task as usize].slots;
        self.runs[task as usize].state = TaskState::Succeeded;
        self.running_tasks -= 1;
        self.counters.succeeded += 1;
        self.counters.last_end = Some(self.now);
        let retention_end = self.now.saturating_add(self.settings.task_retention.0);
        let (busy, leaving) = self.update(node, |n| {
            n.busy -= slots;
            n.running.retain(|&t| t != task);
            n.retained_until = n.retained_until.max(retention_end);
            (n.busy, n.leaving)
        });
        if busy == 0 {
            if let Some(how) = leaving {
                self.leave_when_done(node, how);
            }
        }
    }

    /// A node asked to leave with no task left: go now, or when its data expires.
    fn leave_when_done(&mut self, node: u32, how: Deallocation) {
        let n = &self.nodes[node as usize];
        if how == Deallocation::RetainedData && n.retained_until > self.now {
            let (at, generation) = (n.retained_until, n.generation);
            self.push(at, Event::DataExpired { node, generation });
        } else {
            self.remove(node);
        }
    }

    fn preempt(&mut self, node: u32) {
        self.counters.preemptions += 1;
        let requeued = self.stop_tasks(node, true);
        self.counters.requeued_by_preemption += requeued;
        if self.nodes[node as usize].leaving.is_some() {
            self.remove(node);
            return;
        }
        let generation = self.update(node, |n| {
            n.state = State::Preempted;
            n.generation = n.generation.wrapping_add(1);
            n.generation
        });
        let at = self.now.saturating_add(self.settings.preemption_recovery.0);
        self.push(at, Event::Recover { node, generation });
    }

    /// Stop the tasks on `node`: back to the head of the queue, or lost. Returns how many.
    fn stop_tasks(&mut self, node: u32, requeue: bool) -> u64 {
        let mut running = self.update(node, |n| {
            n.busy = 0;
            std::mem::take(&mut n.running)
        });
        let count = running.len() as u64;
        // The oldest task ends up first in the queue.
        running.sort_unstable_by_key(|&t| Reverse((self.tasks[t as usize].submit, t)));
        for t in running {
            self.running_tasks -= 1;
            let run = &mut self.runs[t as usize];
            if requeue {
                run.state = TaskState::Queued;
                run.queued_since = self.now;
                self.queue.push_front(t);
            } else {
                run.state = TaskState::Lost;
                self.counters.last_end = Some(self.now);
            }
        }
        count
    }

    fn allocate(&mut self, kind: Kind) -> u32 {
        let node = Node {
            kind,
            state: State::Allocating,
            alive: true,
            generation: 0,
            busy: 0,
            running: Vec::new(),
            leaving: None,
            retained_until: i64::MIN,
        };
        let i = match self.free.pop() {
            Some(i) => {
                let generation = self.nodes[i as usize].generation.wrapping_add(1);
                self.nodes[i as usize] = Node { generation, ..node };
                i
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() as u32 - 1
            }
        };
        self.account(i, true);
        let current = self.census.current[kind as usize];
        let peak = &mut self.counters.peak[kind as usize];
        *peak = (*peak).max(current);
        i
    }

    /// Start the allocation latency (and the next preemption draw) of an allocating node.
    fn start_allocation(&mut self, node: u32) {
        let n = &self.nodes[node as usize];
        let (kind, generation) = (n.kind, n.generation);
        self.push(
            self.now.saturating_add(self.settings.allocation_latency.0),
            Event::NodeReady { node, generation },
        );
        if kind == Kind::LowPriority && self.settings.preemption_rate > 0.0 {
            let hours = self.rng.exponential(1.0 / self.settings.preemption_rate);
            let at = self.now.saturating_add((hours * 3600e7).min(i64::MAX as f64 / 2.0) as i64);
            self.push(at, Event::Preempt { node, generation });
        }
    }

    fn remove(&mut self, node: u32) {
        self.update(node, |n| {
            n.alive = false;
            n.generation = n.generation.wrapping_add(1);
            n.leaving = None;
        });
        self.free.push(node);
    }

    /// Resize towards the targets, shrinking as `deallocation` says.
    pub(crate) fn resize(&mut self, dedicated: u64, low_priority: u64, deallocation: Deallocation) {
        let mut capped = false;
        let (dedicated_quota, low_priority_quota) = self.settings.quotas();
        for (kind, target, quota) in [
            (Kind::Dedicated, dedicated, dedicated_quota),
            (Kind::LowPriority, low_priority, low_priority_quota),
        ] {
            capped |= self.resize_kind(kind, target, quota, deallocation);
        }
        if capped {
            self.counters.quota_capped_resizes += 1;
        }
        self.schedule();
    }

    /// Returns whether the quota kept the pool below the target. Costs O(log nodes) per node
    /// added, taken back or removed, whatever the target.
    fn resize_kind(&mut self, kind: Kind, target: u64, quota: u32, deallocation: Deallocation) -> bool {
        let k = kind as usize;
        let staying = self.staying[k] as u64;
        if target > staying {
            let mut need = target - staying;
            // Take back nodes that were leaving, lowest index first.
            let back: Vec<u32> = self.leaving[k].iter().copied().take(need.min(u32::MAX as u64) as usize).collect();
            for node in back {
                self.update(node, |n| n.leaving = None);
                need -= 1;
            }
            let present = self.census.current[k] as u64;
            let room = (quota as u64).saturating_sub(present);
            let new = need.min(room);
            for _ in 0..new {
                let i = self.allocate(kind);
                self.start_allocation(i);
            }
            return new < need;
        }
        let excess = staying - target;
        if excess == 0 {
            return false;
        }
        let candidates: Vec<u32> = self.shrink_order[k].iter().take(excess as usize).map(|key| key.3).collect();
        for node in candidates {
            let n = &self.nodes[node as usize];
            if n.state != State::Ready {
                self.remove(node);
                continue;
            }
            match deallocation {
                Deallocation::Requeue => {
                    self.counters.requeued_by_scale_down += self.stop_tasks(node, true);
                    self.remove(node);
                }
                Deallocation::Terminate => {
                    self.counters.lost_by_scale_down += self.stop_tasks(node, false);
                    self.remove(node);
                }
                Deallocation::TaskCompletion | Deallocation::RetainedData => {
                    self.update(node, |n| n.leaving = Some(deallocation));
                    if self.nodes[node as usize].busy == 0 {
                        self.leave_when_done(node, deallocation);
                    }
                }
            }
        }
        false
    }

    /// Start queued tasks on free slots.
    fn schedule(&mut self) {
        if self.queue.is_empty() {
            return;
        }
        let per_node = self.settings.task_slots_per_node;
        let mut max_free = self.max_free_slots();
        let mut i = 0;
        let mut skipped = 0;
        while max_free > 0 && i < self.queue.len() && skipped < SCAN_DEPTH {
            let task = self.queue[i];
            let slots = self.tasks[task as usize].slots;
            if slots > per_node {
                // Never schedulable (more slots than a node has): it stays queued, as the
                // service leaves it, and does not count against the scan depth.
                i += 1;
                continue;
            }
            if slots > max_free {
                i += 1;
                skipped += 1;
                continue;
            }
            let Some(node) = self.pick_node(slots, per_node) else {
                break;
            };
            self.queue.remove(i);
            self.start_task(task, node);
            max_free = self.max_free_slots();
        }
    }

    /// The most free slots on a node that takes tasks.
    fn max_free_slots(&self) -> u32 {
        let per_node = self.settings.task_slots_per_node;
        self.takeable.first().map_or(0, |&(busy, _)| per_node.saturating_sub(busy))
    }

    /// The node for a task of `slots` (O(log nodes)).
    fn pick_node(&self, slots: u32, per_node: u32) -> Option<u32> {
        let most_busy = per_node.checked_sub(slots)?;
        match self.settings.node_fill {
            // Most free slots; on a tie the first node.
            NodeFill::Spread => self.takeable.first().filter(|&&(busy, _)| busy <= most_busy).map(|&(_, i)| i),
            // Fewest free slots that suffice; on a tie the first node.
            NodeFill::Pack => {
                let &(busy, _) = self.takeable.range(..=(most_busy, u32::MAX)).next_back()?;
                self.takeable.range((busy, 0)..).next().map(|&(_, i)| i)
            }
        }
    }

    fn start_task(&mut self, task: u32, node: u32) {
        let t = self.tasks[task as usize];
        let run = &mut self.runs[task as usize];
        run.state = TaskState::Running(node);
        run.attempt += 1;
        run.wait += self.now - run.queued_since;
        let attempt = run.attempt;
        self.update(node, |n| {
            n.busy += t.slots;
            n.running.push(task);
        });
        self.running_tasks += 1;
        self.push(self.now.saturating_add(t.duration.0), Event::TaskDone { task, attempt });
    }

    /// Record one sample of every simulated metric at the current time.
    pub(crate) fn sample(&mut self, store: &mut MetricStore) {
        let t = Timestamp(self.now);
        let c = self.census();
        let active = self.queue.len() as f64;
        let running = self.running_tasks as f64;
        let capacity = c.usable as f64 * self.settings.task_slots_per_node as f64;
        let busy_on_usable = c.ready_busy_slots;
        let cpu = if capacity > 0.0 {
            busy_on_usable as f64 / capacity * self.settings.cpu_percent_scale
        } else {
            0.0
        };
        let lost = self.counters.lost_by_scale_down as f64;
        for (metric, value) in [
            (Metric::ActiveTasks, active),
            (Metric::RunningTasks, running),
            (Metric::PendingTasks, active + running),
            (Metric::SucceededTasks, self.counters.succeeded as f64),
            (Metric::FailedTasks, lost),
            (Metric::PreemptedNodeCount, c.preempted as f64),
            (Metric::CpuPercent, cpu),
        ] {
            // Times increase (the caller samples each time once) and values are finite by
            // construction (counts, and a share of a positive capacity times a checked scale).
            let pushed = store.history_mut(metric).push(t, value);
            debug_assert!(pushed.is_ok(), "sampling {metric:?} at {t:?}: {pushed:?}");
        }
    }

    /// Per-task queue times at `end` (tasks still queued count up to `end`), of every
    /// submitted task, and how many tasks are unfinished.
    pub(crate) fn waits(&self, end: i64) -> (Vec<i64>, u64) {
        let mut waits = Vec::with_capacity(self.runs.len());
        let mut unfinished = 0;
        for run in &self.runs {
            match run.state {
                TaskState::Future => {}
                TaskState::Queued => {
                    unfinished += 1;
                    waits.push(run.wait + (end - run.queued_since).max(0));
                }
                TaskState::Running(_) => {
                    unfinished += 1;
                    waits.push(run.wait);
                }
                TaskState::Succeeded | TaskState::Lost => waits.push(run.wait),
            }
        }
        (waits, unfinished)
    }
}

/// The metrics the simulation produces: every metric the service still populates (the
/// retired ones keep only the samples a user supplies, D32).
pub const SIMULATED_METRICS: [Metric; 7] = Metric::LIVE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TimeInterval;

    const MINUTE: i64 = 60 * 10_000_000;

    fn task(submit_min: i64, duration_min: i64, slots: u32) -> Task {
        Task {
            submit: Timestamp(submit_min * MINUTE),
            duration: TimeInterval(duration_min * MINUTE),
            slots,
        }
    }

    fn settings(slots: u32, latency_min: i64) -> PoolSettings {
        PoolSettings {
            task_slots_per_node: slots,
            allocation_latency: TimeInterval(latency_min * MINUTE),
            ..PoolSettings::default()
        }
    }

    fn pool<'a>(s: PoolSettings, tasks: &'a [Task]) -> PoolModel<'a> {
        PoolModel::new(s, tasks, Timestamp(0), 1)
    }

    #[test]
    fn new_nodes_run_tasks_only_after_the_allocation_latency() {
        let tasks = [task(0, 30, 1), task(0, 30, 1)];
        let mut p = pool(settings(1, 5), &tasks);
        p.resize(2, 0, Deallocation::Requeue);
        p.advance_to(4 * MINUTE);
        let c = p.census();
        assert_eq!((c.current[0], c.usable, p.running_tasks(), p.active_tasks()), (2, 0, 0, 2));
        p.advance_to(5 * MINUTE);
        assert_eq!((p.census().usable, p.running_tasks(), p.active_tasks()), (2, 2, 0));
        p.advance_to(35 * MINUTE);
        assert_eq!(p.counters.succeeded, 2);
        let (waits, unfinished) = p.waits(35 * MINUTE);
        assert_eq!((waits, unfinished), (vec![5 * MINUTE, 5 * MINUTE], 0));
        // Billed from the resize: 2 nodes × 35 minutes, idle for the first 5 and the last 0.
        assert_eq!(p.integrals.billed[0], 2 * 35 * MINUTE as i128);
        assert_eq!(p.integrals.idle, 2 * 5 * MINUTE as i128);
    }

    /// Two busy nodes (one task each, 60 minutes), then the target drops to 0 at minute 10.
    fn shrink(how: Deallocation, retention_min: i64) -> PoolModel<'static> {
        static TASKS: [Task; 2] = [
            Task {
                submit: Timestamp(0),
                duration: TimeInterval(60 * MINUTE),
                slots: 1,
            },
            Task {
                submit: Timestamp(0),
                duration: TimeInterval(60 * MINUTE),
                slots: 1,
            },
        ];
        let mut s = settings(1, 0);
        s.task_retention = TimeInterval(retention_min * MINUTE);
        let mut p = pool(s, &TASKS);
        p.resize(2, 0, Deallocation::Requeue);
        p.advance_to(10 * MINUTE);
        assert_eq!(p.running_tasks(), 2);
        p.resize(0, 0, how);
        p
    }

    #[test]
    fn requeue_puts_running_tasks_back_and_removes_nodes_at_once() {
        let mut p = shrink(Deallocation::Requeue, 0);
        assert_eq!(p.census().current[0], 0);
        assert_eq!((p.active_tasks(), p.running_tasks()), (2, 0));
        assert_eq!(p.counters.requeued_by_scale_down, 2);
        // Scaling up again runs them from the start.
        p.resize(2, 0, Deallocation::Requeue);
        p.advance_to(69 * MINUTE);
        assert_eq!(p.counters.succeeded, 0);
        p.advance_to(70 * MINUTE);
        assert_eq!(p.counters.succeeded, 2);
    }

    #[test]
    fn terminate_loses_running_tasks() {
        let mut p = shrink(Deallocation::Terminate, 0);
        assert_eq!(p.census().current[0], 0);
        assert_eq!((p.active_tasks(), p.running_tasks()), (0, 0));
        assert_eq!(p.counters.lost_by_scale_down, 2);
        let mut store = MetricStore::new();
        p.advance_to(11 * MINUTE);
        p.sample(&mut store);
        assert_eq!(store.history(Metric::FailedTasks).values(), &[2.0]);
    }

    #[test]
    fn taskcompletion_waits_for_running_tasks() {
        let mut p = shrink(Deallocation::TaskCompletion, 0);
        assert_eq!(p.census().current[0], 2, "the nodes stay while their tasks run");
        p.advance_to(59 * MINUTE);
        assert_eq!(p.census().current[0], 2);
        p.advance_to(60 * MINUTE);
        assert_eq!((p.census().current[0], p.counters.succeeded), (0, 2));
        assert_eq!(p.counters.requeued_by_scale_down + p.counters.lost_by_scale_down, 0);
    }

    #[test]
    fn retaineddata_waits_for_the_data_to_expire() {
        let mut p = shrink(Deallocation::RetainedData, 30);
        p.advance_to(60 * MINUTE);
        assert_eq!((p.census().current[0], p.counters.succeeded), (2, 2));
        p.advance_to(89 * MINUTE);
        assert_eq!(p.census().current[0], 2);
        p.advance_to(90 * MINUTE);
        assert_eq!(p.census().current[0], 0);
    }

    #[test]
    fn a_leaving_node_takes_no_new_task_and_is_taken_back_when_the_target_grows() {
        let tasks = [task(0, 60, 1), task(20, 10, 1)];
        let mut p = pool(settings(2, 0), &tasks);
        p.resize(1, 0, Deallocation::Requeue);
        p.advance_to(10 * MINUTE);
        p.resize(0, 0, Deallocation::TaskCompletion);
        p.advance_to(20 * MINUTE);
        assert_eq!((p.running_tasks(), p.active_tasks()), (1, 1), "no new task on a leaving node");
        p.resize(1, 0, Deallocation::TaskCompletion);
        assert_eq!(p.census().current[0], 1, "taken back, not a new node");
        p.advance_to(20 * MINUTE);
        assert_eq!(p.running_tasks(), 2);
    }

    #[test]
    fn shrinking_prefers_idle_nodes() {
        let tasks = [task(0, 60, 1)];
        let mut p = pool(settings(1, 0), &tasks);
        p.resize(3, 0, Deallocation::Requeue);
        p.advance_to(MINUTE);
        p.resize(1, 0, Deallocation::Requeue);
        assert_eq!(p.counters.requeued_by_scale_down, 0);
        assert_eq!(p.running_tasks(), 1);
    }

    #[test]
    fn the_quota_caps_the_pool() {
        let mut s = settings(1, 0);
        s.dedicated_quota = Some(3);
        s.low_priority_quota = Some(0);
        let mut p = pool(s, &[]);
        p.resize(10, 5, Deallocation::Requeue);
        let c = p.census();
        assert_eq!(c.current, [3, 0]);
        assert_eq!(p.counters.quota_capped_resizes, 1);
        p.resize(2, 0, Deallocation::Requeue);
        assert_eq!(p.counters.quota_capped_resizes, 1);
    }

    #[test]
    fn preemption_requeues_tasks_and_the_node_comes_back() {
        let tasks: Vec<Task> = (0..20).map(|_| task(0, 600, 1)).collect();
        let mut s = settings(1, 5);
        s.preemption_rate = 2.0; // per node-hour: about every 30 minutes
        s.preemption_recovery = TimeInterval(10 * MINUTE);
        let mut p = pool(s, &tasks);
        p.resize(0, 4, Deallocation::Requeue);
        let mut store = MetricStore::new();
        let mut seen_preempted = false;
        for minute in 1..=600 {
            p.advance_to(minute * MINUTE);
            p.sample(&mut store);
            let c = p.census();
            assert_eq!(c.current[1], 4, "preempted nodes still count as current");
            seen_preempted |= c.preempted > 0;
            assert!(p.running_tasks() <= c.usable, "one slot per node");
        }
        assert!(seen_preempted);
        assert!(p.counters.preemptions > 10, "{}", p.counters.preemptions);
        assert!(p.counters.requeued_by_preemption > 0);
        assert!(store.history(Metric::PreemptedNodeCount).values().iter().any(|&v| v > 0.0));
        // Preempted nodes are not billed.
        assert!(p.integrals.billed[1] < 4 * 600 * MINUTE as i128);
    }

    #[test]
    fn multi_slot_tasks_fill_nodes_and_small_ones_pass_a_blocked_big_one() {
        let tasks = [task(0, 60, 3), task(0, 60, 2), task(0, 60, 1)];
        let mut p = pool(settings(4, 0), &tasks);
        p.resize(1, 0, Deallocation::Requeue);
        p.advance_to(0);
        // 3 slots taken; the 2-slot task does not fit, the 1-slot task behind it does.
        assert_eq!((p.running_tasks(), p.active_tasks()), (2, 1));
        assert_eq!(p.census().busy_slots, 4);
    }

    #[test]
    fn spread_and_pack_place_tasks_differently() {
        let tasks = [task(0, 60, 1), task(0, 60, 1)];
        for (fill, idle) in [(NodeFill::Spread, 0), (NodeFill::Pack, 1)] {
            let mut s = settings(2, 0);
            s.node_fill = fill;
            let mut p = pool(s, &tasks);
            p.resize(2, 0, Deallocation::Requeue);
            p.advance_to(0);
            assert_eq!(p.census().idle, idle, "{fill:?}");
        }
    }

    #[test]
    fn cpu_percent_is_the_busy_share_of_usable_slots() {
        let tasks = [task(0, 60, 1)];
        let mut p = pool(settings(4, 0), &tasks);
        p.resize(1, 0, Deallocation::Requeue);
        p.advance_to(MINUTE);
        let mut store = MetricStore::new();
        p.sample(&mut store);
        assert_eq!(store.history(Metric::CpuPercent).values(), &[25.0]);
        assert_eq!(store.history(Metric::PendingTasks).values(), &[1.0]);
    }
}
