//! Any text as a context file (`eval --context`): reading and building the context never
//! panic, and an error names the file at a line and column inside it.
#![no_main]

mod common;

use batch_autoscale::Timestamp;
use common::{check_error, Columns};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match batch_autoscale::fuzzing::parse_context_file(text.to_string(), "c.json") {
        Ok(file) => {
            if let Err(e) = file.build(Timestamp(0)) {
                check_error(&e, text, "c.json", Columns::Characters);
            }
        }
        Err(e) => check_error(&e, text, "c.json", Columns::Characters),
    }
});
