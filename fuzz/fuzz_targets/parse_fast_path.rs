//! Any text: the parser's hand-written fast path gives exactly what chumsky alone gives (the
//! same tree and diagnostics), and accepts exactly the statements chumsky accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let fast = batch_autoscale::parse(src);
    let slow = batch_autoscale::fuzzing::parse_with_chumsky_only(src);
    assert_eq!(fast, slow, "{src:?}");
    if let Err(e) = batch_autoscale::fuzzing::fast_path_agreement(src) {
        panic!("{e}");
    }
});
