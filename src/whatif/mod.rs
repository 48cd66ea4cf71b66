//! What-if: replay a formula over recorded metric history (open loop).
//!
//! ```
//! use batch_autoscale::whatif::{replay, ReplayConfig};
//! use batch_autoscale::data::parse_csv;
//! use batch_autoscale::{Formula, TimeInterval};
//!
//! let csv = "timestamp,$PendingTasks\n2026-11-23T12:00:00Z,4\n2026-11-23T12:00:30Z,8\n";
//! let data = parse_csv(csv, "inline.csv").unwrap();
//! let formula = Formula::compile("$TargetDedicatedNodes = max(0, $PendingTasks.GetSample(1)) / 2;").unwrap();
//! let start = data.first.unwrap();
//! let config = ReplayConfig::new(start, data.last.unwrap().checked_add(TimeInterval::HOUR).unwrap());
//! let result = replay(&formula, &data, &config).unwrap();
//! assert_eq!(result.rows[0].target_dedicated, 0); // at 12:00 the first sample is not yet published
//! assert_eq!(result.rows[1].target_dedicated, 4); // at 12:15 the last sample is 8
//! ```

mod replay;
mod svg;

pub use replay::{replay, FailureSummary, Replay, ReplayConfig, ReplayError, ReplayRow, ReplaySummary, TargetStats};
pub use svg::timeline_svg;
