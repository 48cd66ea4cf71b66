//! Any text as a metric file, CSV (long or wide) or JSON (first byte even/odd): reading never
//! panics, and an error names the file at a line and column inside it.
#![no_main]

mod common;

use common::{check_error, Columns};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let (result, path, columns) = if choice % 2 == 0 {
        (batch_autoscale::parse_csv(text, "m.csv"), "m.csv", Columns::Fields)
    } else {
        (batch_autoscale::parse_json(text, "m.json"), "m.json", Columns::Characters)
    };
    match result {
        Ok(d) => assert_eq!(d.first.is_some(), d.last.is_some()),
        Err(e) => check_error(&e, text, path, columns),
    }
});
