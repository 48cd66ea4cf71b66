//! The parser on texts beyond the 8 KB limit (which `check` refuses unparsed, but `parse` is
//! public): the input is repeated to 9–64 KB. Parsing, printing and re-parsing never panic or
//! overflow the stack, and spans stay in bounds.
#![no_main]

use batch_autoscale::fuzzing::{print_formula, tree, utf16_len};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(piece) = std::str::from_utf8(data) else { return };
    if piece.is_empty() {
        return;
    }
    // Past the limit in UTF-16 code units, whatever the characters.
    let units = utf16_len(piece);
    let target = 9_000 + (piece.len() * 37) % 56_000;
    let src = piece.repeat(target / units + 1);
    let parsed = batch_autoscale::parse(&src);
    for d in &parsed.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end as usize <= src.len());
    }
    for s in &tree(&parsed).statements {
        assert!(s.span.end as usize <= src.len());
    }
    let printed = print_formula(tree(&parsed), Some(&src));
    let _ = batch_autoscale::parse(&printed);
    let analysis = batch_autoscale::check(&src);
    assert_eq!(analysis.diagnostics.len(), 1);
    assert!(batch_autoscale::format(&src).is_err());
});
