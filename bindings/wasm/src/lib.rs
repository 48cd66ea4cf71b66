//! WebAssembly bindings of `batch-autoscale` for the browser playground.
//!
//! Every function takes and returns plain strings (JSON for structured values), so the
//! JavaScript side needs nothing but `JSON.parse`. Offsets given to JavaScript are UTF-16 code
//! units, as the browser's strings count them. Only the library's top-level API is used.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;

use wasm_bindgen::prelude::wasm_bindgen;

/// Diagnostics of `src` as JSON: `[{code, name, severity, message, from, to, line, column, fix}]`.
#[wasm_bindgen]
pub fn check(src: &str) -> String {
    api::to_json(&api::check(src))
}

/// The built-ins table as JSON: variables, functions, methods, fields, constants, keywords.
#[wasm_bindgen]
pub fn builtins() -> String {
    api::to_json(&api::builtins())
}

/// Evaluate `src` once in the context `context_json` (the CLI's `--context` shape); `now_ms`
/// (milliseconds since 1970) is the time when the context has no `now`. Returns JSON:
/// `{run, applied, variables, trace, contextError}`.
#[wasm_bindgen]
pub fn evaluate(src: &str, context_json: &str, now_ms: f64) -> String {
    api::to_json(&api::evaluate(src, context_json, now_ms))
}

/// Replay `src` over a metric history (`{"$PendingTasks": [[ms, value], ...], ...}`), one
/// evaluation every `interval_seconds` from the first to the last sample, the pool of
/// `context_json` at the start and the targets carried from one evaluation to the next.
/// Returns JSON: `{rows: [{time, dedicated, lowPriority, error}], error}`.
#[wasm_bindgen]
pub fn replay(src: &str, context_json: &str, history_json: &str, interval_seconds: f64) -> String {
    api::to_json(&api::replay(src, context_json, history_json, interval_seconds))
}
