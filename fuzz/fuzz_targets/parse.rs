//! Any bytes: lexing, parsing, checking and printing never panic and spans stay in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let analysis = batch_autoscale::check(src);
    for d in &analysis.diagnostics {
        assert!(d.span.end as usize <= src.len());
    }
    let _ = batch_autoscale::fuzzing::print_formula(batch_autoscale::fuzzing::checked_tree(&analysis), Some(src));
});
