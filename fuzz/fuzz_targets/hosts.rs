//! Any bytes read as every host kind: the readers never panic, and every diagnostic and fix of
//! every formula found stays inside the file.
#![no_main]

use batch_autoscale::hosts::{find_formulas, HostKind, Vars};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for kind in HostKind::ALL {
        let Ok(found) = find_formulas("fuzz", text, Some(*kind)) else { continue };
        for f in &found {
            for d in f.check(&Vars::default()).diagnostics {
                assert!(d.span.start <= d.span.end && d.span.end as usize <= text.len());
                for e in d.fix.iter().flat_map(|f| f.edits.iter()) {
                    assert!(text.is_char_boundary(e.span.start as usize) && text.is_char_boundary(e.span.end as usize));
                }
            }
        }
    }
});
