//! Any text as a CSV trace (submit, duration, slots): reading never panics, an error names the
//! file at a line and field inside it, and the tasks read can be made into a workload.
#![no_main]

mod common;

use common::{check_error, Columns};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match batch_autoscale::whatif::parse_trace_csv(text, "t.csv") {
        Ok(tasks) => {
            let _ = batch_autoscale::whatif::Workload::new(tasks);
        }
        Err(e) => check_error(&e, text, "t.csv", Columns::Fields),
    }
});
