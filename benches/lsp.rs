//! Time from a change notification to the diagnostics of an ~8 KB formula, through the
//! server's message handler. Run: `cargo bench --bench lsp`.

use std::hint::black_box;

use batch_autoscale::lsp::Server;
use criterion::{criterion_group, criterion_main, Criterion};

fn lsp(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/benches/formulas/large.formula")).unwrap();
    let mut server = Server::new();
    server.handle(&serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}).to_string());
    let open = serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": "file:///b.formula", "languageId": "batch-autoscale", "version": 1, "text": text}}});
    server.handle(&open.to_string());
    let mut version = 1;
    c.bench_function(&format!("lsp/change-to-diagnostics-{}B", text.len()), |b| {
        b.iter(|| {
            version += 1;
            let change = serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": "file:///b.formula", "version": version},
                "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 2}}, "text": "//"}]}});
            let replies = server.handle(black_box(&change.to_string()));
            assert_eq!(replies.len(), 1);
            replies
        })
    });
}

criterion_group!(benches, lsp);
criterion_main!(benches);
