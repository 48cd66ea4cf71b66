//! Instruction counts, for figures that do not depend on how busy the machine is: runs one
//! variant of the comparison (`batch-autoscale`, `hand-written`, `rhai`, `cel-interpreter`) a
//! given number of times over the same windows as `benches/compare.rs`. It measures nothing
//! itself; `benches/instructions.sh` runs it under `valgrind --tool=callgrind` twice (n and
//! 2n evaluations) and prints the difference per evaluation, so setup cancels out.
//!
//! Run: `benches/instructions.sh` (needs valgrind).
//!
//! The variants `check-8k` (one `check` of `benches/formulas/large.formula`) and `lsp-8k` (one
//! edit of that document to its published diagnostics through the language server's message
//! handler, as `benches/lsp.rs`) count the two editor-facing paths the same way.
//!
//! The variant `replay-year` replays the year of `benches/whatif.rs` once (n is ignored), for
//! its peak memory: `/usr/bin/time -v <this binary> replay-year 1`.

#[path = "equivalents/mod.rs"]
mod equivalents;
#[path = "fixtures/mod.rs"]
mod fixtures;

use std::hint::black_box;
use std::str::FromStr;

use batch_autoscale::{Formula, Timestamp};
use equivalents::*;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let (Some(variant), Some(n)) = (args.next(), args.next().and_then(|n| n.parse::<i64>().ok())) else {
        eprintln!("usage: instructions VARIANT N   (VARIANT: batch-autoscale, hand-written, rhai, cel-interpreter)");
        return;
    };
    if variant == "replay-year" {
        replay_year();
        return;
    }
    if variant == "check-8k" || variant == "lsp-8k" {
        editor(&variant, n);
        return;
    }
    let end = Timestamp::from_str("2026-11-23T12:00:00Z").expect("a time");
    let store = history(end, 7 * 2880, false);
    let times: Vec<Timestamp> = (0..1024).map(|k| Timestamp(end.0 - k * 600_000_000)).collect();
    let formula = Formula::compile(FORMULA).expect("the formula compiles");
    let (rhai, cel) = (Rhai::new(), Cel::new());
    let mut total = 0u64;
    for k in 0..n {
        let t = black_box(times[(k & 1023) as usize]);
        total = total.wrapping_add(match variant.as_str() {
            "batch-autoscale" => ours(&formula, &store, t, 3.0),
            "hand-written" => hand_written(&store, t, 3.0),
            "rhai" => rhai.eval(&store, t, 3.0),
            "cel-interpreter" => cel.eval(&store, t, 3.0),
            other => {
                eprintln!("unknown variant {other}");
                return;
            }
        });
    }
    black_box(total);
}

/// One replay of a year of 30-second samples of five metrics at PT5M (105,120 evaluations).
fn replay_year() {
    use batch_autoscale::whatif::{replay, ReplayConfig};
    let start = Timestamp::from_str("2025-01-01T00:00:00Z").expect("a time");
    let data = fixtures::year(start);
    let formula = Formula::compile(FORMULA).expect("the formula compiles");
    let mut config = ReplayConfig::new(start, Timestamp(start.0 + 365 * 86_400 * 10_000_000 - 1));
    config.interval = batch_autoscale::TimeInterval::from_str("PT5M").expect("an interval");
    let result = replay(&formula, &data, &config).expect("the replay runs");
    eprintln!("{} evaluations", result.summary.evaluations);
}

/// `check-8k` and `lsp-8k`: n checks of the 8 KB formula, or n edits of it in the server.
fn editor(variant: &str, n: i64) {
    let text = include_str!("formulas/large.formula");
    if variant == "check-8k" {
        for _ in 0..n {
            black_box(batch_autoscale::check(black_box(text)));
        }
        return;
    }
    let mut server = batch_autoscale::lsp::Server::new();
    server.handle(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
    let open = serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": "file:///b.formula", "languageId": "batch-autoscale", "version": 1, "text": text}}});
    server.handle(&open.to_string());
    for version in 2..n + 2 {
        let change = format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"file:///b.formula","version":{version}}},"contentChanges":[{{"range":{{"start":{{"line":0,"character":0}},"end":{{"line":0,"character":2}}}},"text":"//"}}]}}}}"#
        );
        black_box(server.handle(black_box(&change)));
    }
}
