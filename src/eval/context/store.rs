//! The histories of every metric.

use crate::builtins::Metric;

use super::history::MetricHistory;

/// Histories of every metric, indexed by [`Metric`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricStore {
    histories: Vec<MetricHistory>,
}

impl MetricStore {
    /// A store with no samples.
    pub fn new() -> MetricStore {
        MetricStore {
            histories: vec![MetricHistory::new(); Metric::ALL.len()],
        }
    }

    /// The history of `metric`.
    pub fn history(&self, metric: Metric) -> &MetricHistory {
        static EMPTY: MetricHistory = MetricHistory::EMPTY;
        self.histories.get(metric as usize).unwrap_or(&EMPTY)
    }

    /// The history of `metric`, to add samples.
    pub fn history_mut(&mut self, metric: Metric) -> &mut MetricHistory {
        if self.histories.len() < Metric::ALL.len() {
            self.histories.resize(Metric::ALL.len(), MetricHistory::new());
        }
        &mut self.histories[metric as usize]
    }

    /// Replace the history of `metric`.
    pub fn set_history(&mut self, metric: Metric, history: MetricHistory) {
        *self.history_mut(metric) = history;
    }
}
