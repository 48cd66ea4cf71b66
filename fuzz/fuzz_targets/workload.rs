//! Any text as a workload file (JSON generators and pool settings): reading never panics, and
//! an error names the file at a line and column inside it (trace files it names are looked up
//! in a directory that does not exist, so they fail to open).
#![no_main]

mod common;

use common::{check_error, Columns};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let dir = std::path::Path::new("/nonexistent-fuzz-dir");
    match batch_autoscale::whatif::parse_workload_json(text, "w.json", dir) {
        Ok(spec) => {
            if let Some(pool) = &spec.pool {
                assert!(pool.validate().is_ok(), "a pool read from a file is valid: {pool:?}");
            }
        }
        Err(e) => {
            if !e.to_string().starts_with("/nonexistent-fuzz-dir") {
                check_error(&e, text, "w.json", Columns::Characters);
            }
        }
    }
});
