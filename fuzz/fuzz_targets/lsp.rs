//! Any byte stream on the language server's standard input: the server answers or skips every
//! message and ends when the input ends (or at `exit`); it never panics, whatever the framing,
//! the JSON or the documents.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    let _ = batch_autoscale::lsp::serve(data, &mut out);
    // Every reply is framed with its exact length.
    let mut rest = &out[..];
    while !rest.is_empty() {
        let text = std::str::from_utf8(rest).expect("replies are UTF-8");
        let header_end = text.find("\r\n\r\n").expect("a header block");
        let length: usize = text[..header_end].strip_prefix("Content-Length: ").unwrap().parse().unwrap();
        let body = &rest[header_end + 4..header_end + 4 + length];
        serde_json::from_slice::<serde_json::Value>(body).expect("a JSON reply");
        rest = &rest[header_end + 4 + length..];
    }
});
