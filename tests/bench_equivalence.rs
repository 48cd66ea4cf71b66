//! The comparison bench's four implementations of the docs' task-based formula give the same
//! target on every history tried, including fresh pools and windows below 70 %.

#[path = "../benches/equivalents/mod.rs"]
mod equivalents;

use batch_autoscale::{Formula, Timestamp};
use equivalents::*;
use std::str::FromStr;

#[test]
fn all_four_agree() {
    let formula = Formula::compile(FORMULA).unwrap();
    let rhai = Rhai::new();
    let cel = Cel::new();
    let end = Timestamp::from_str("2026-11-23T12:00:00Z").unwrap();
    let mut compared = 0;
    for (samples, gaps) in [
        (0, false),
        (5, false),
        (25, true),
        (40, false),
        (40, true),
        (2880, false),
        (2880, true),
    ] {
        let store = history(end, samples, gaps);
        for offset in [0i64, 10, 95, 600] {
            let now = Timestamp(end.0 + offset * 10_000_000);
            for target in [0.0, 1.0, 7.0] {
                let expected = hand_written(&store, now, target);
                assert_eq!(
                    ours(&formula, &store, now, target),
                    expected,
                    "ours, {samples} samples, +{offset}s, target {target}"
                );
                assert_eq!(
                    rhai.eval(&store, now, target),
                    expected,
                    "rhai, {samples} samples, +{offset}s, target {target}"
                );
                assert_eq!(
                    cel.eval(&store, now, target),
                    expected,
                    "cel, {samples} samples, +{offset}s, target {target}"
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 84);
}
