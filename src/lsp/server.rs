//! Transport, dispatch and document state.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::{DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams, TextDocumentContentChangeEvent, Uri};
use serde_json::{json, Value};

use super::features::{self, Document};

/// Why the language server stopped abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LspError {
    /// Reading standard input or writing standard output failed (e.g. the editor went away).
    #[error("language server I/O: {0}")]
    Io(#[from] std::io::Error),
}

/// The server state: open documents and whether `shutdown` was received. Feed it raw JSON-RPC
/// message bodies with [`Server::handle`]; it returns the bodies to send back.
#[derive(Debug, Default)]
pub struct Server {
    documents: HashMap<String, Document>,
    shutdown: bool,
    exit: bool,
}

impl Server {
    /// A server with no open document.
    pub fn new() -> Server {
        Server::default()
    }

    /// Whether the client sent `exit`.
    pub fn exited(&self) -> bool {
        self.exit
    }

    /// Handle one message body (JSON text) and return the messages to send, as JSON text.
    /// Never panics; malformed input gets a JSON-RPC error.
    pub fn handle(&mut self, body: &str) -> Vec<String> {
        let value: Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => {
                return vec![
                    json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": format!("parse error: {e}")}}).to_string(),
                ];
            }
        };
        let message: Message = match serde_json::from_value(value.clone()) {
            Ok(m) => m,
            Err(_) => {
                let id = value.get("id").cloned().unwrap_or(Value::Null);
                return vec![json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32600, "message": "invalid request"}}).to_string()];
            }
        };
        let out: Vec<Message> = match message {
            Message::Request(request) => vec![Message::Response(self.request(request))],
            Message::Notification(notification) => self.notification(notification),
            Message::Response(_) => Vec::new(),
        };
        out.into_iter().filter_map(|m| serde_json::to_string(&m).ok()).collect()
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        if self.shutdown && request.method != "shutdown" {
            return Response::new_err(id, ErrorCode::InvalidRequest as i32, "the server is shutting down".into());
        }
        let params = request.params;
        let result = match request.method.as_str() {
            "initialize" => Ok(initialize_result()),
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/hover" => self.with_document(&params, features::hover),
            "textDocument/completion" => self.with_document(&params, features::completion),
            "textDocument/signatureHelp" => self.with_document(&params, features::signature_help),
            "textDocument/definition" => self.with_document(&params, features::definition).map(|v| with_uri(v, &params)),
            "textDocument/references" => self.with_document(&params, features::references).map(|v| with_uri(v, &params)),
            "textDocument/formatting" => Ok(self.document(&params).map(features::formatting).unwrap_or(Value::Null)),
            "textDocument/codeAction" => Ok(self
                .document(&params)
                .map(|d| features::code_actions(d, &params))
                .unwrap_or(json!([]))),
            method => Err((ErrorCode::MethodNotFound, format!("unknown method {method}"))),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn document(&self, params: &Value) -> Option<&Document> {
        let uri = params.get("textDocument")?.get("uri")?.as_str()?;
        self.documents.get(uri)
    }

    /// Run a positional request; an unopened document or a bad position gives `null`.
    fn with_document(&self, params: &Value, f: impl Fn(&Document, usize) -> Value) -> Result<Value, (ErrorCode, String)> {
        let Some(doc) = self.document(params) else { return Ok(Value::Null) };
        let Some(position) = params.get("position") else {
            return Err((ErrorCode::InvalidParams, "missing position".into()));
        };
        let line = position.get("line").and_then(Value::as_u64).unwrap_or(0) as u32;
        let character = position.get("character").and_then(Value::as_u64).unwrap_or(0) as u32;
        let offset = doc.index.offset_of_utf16(crate::Utf16Position { line, character });
        Ok(f(doc, offset))
    }

    fn notification(&mut self, notification: Notification) -> Vec<Message> {
        match notification.method.as_str() {
            "exit" => {
                self.exit = true;
                Vec::new()
            }
            "textDocument/didOpen" => match serde_json::from_value::<DidOpenTextDocumentParams>(notification.params) {
                Ok(p) => {
                    let uri = p.text_document.uri.as_str().to_string();
                    self.documents
                        .insert(uri.clone(), Document::new(p.text_document.text, p.text_document.version));
                    self.publish(&p.text_document.uri)
                }
                Err(_) => Vec::new(),
            },
            "textDocument/didChange" => match serde_json::from_value::<DidChangeTextDocumentParams>(notification.params) {
                Ok(p) => {
                    let key = p.text_document.uri.as_str().to_string();
                    let Some(doc) = self.documents.get_mut(&key) else {
                        return Vec::new();
                    };
                    let mut text = std::mem::take(&mut doc.text);
                    for change in p.content_changes {
                        apply_change(&mut text, change);
                    }
                    *doc = Document::new(text, p.text_document.version);
                    self.publish(&p.text_document.uri)
                }
                Err(_) => Vec::new(),
            },
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(notification.params) {
                    self.documents.remove(p.text_document.uri.as_str());
                    let clear = json!({"uri": p.text_document.uri.as_str(), "diagnostics": []});
                    return vec![Message::Notification(Notification::new(
                        "textDocument/publishDiagnostics".into(),
                        clear,
                    ))];
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn publish(&self, uri: &Uri) -> Vec<Message> {
        let Some(doc) = self.documents.get(uri.as_str()) else {
            return Vec::new();
        };
        let params = json!({"uri": uri.as_str(), "version": doc.version, "diagnostics": features::diagnostics(doc)});
        vec![Message::Notification(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        ))]
    }
}

/// Fill the `uri` of locations with the request's document.
fn with_uri(mut value: Value, params: &Value) -> Value {
    let uri = params["textDocument"]["uri"].clone();
    match &mut value {
        Value::Object(map) => {
            map.insert("uri".into(), uri);
        }
        Value::Array(items) => {
            for item in items {
                item["uri"] = uri.clone();
            }
        }
        _ => {}
    }
    value
}

/// Apply one content change: a ranged (incremental) edit, or the whole text.
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
            let index = crate::LineIndex::new(text);
            let start = index.offset_of_utf16(crate::Utf16Position {
                line: range.start.line,
                character: range.start.character,
            });
            let end = index.offset_of_utf16(crate::Utf16Position {
                line: range.end.line,
                character: range.end.character,
            });
            let (start, end) = (start.min(end), start.max(end));
            text.replace_range(start..end, &change.text);
        }
    }
}

fn initialize_result() -> Value {
    json!({
        "capabilities": {
            "textDocumentSync": { "openClose": true, "change": 2 },
            "hoverProvider": true,
            "completionProvider": { "triggerCharacters": ["$", "."] },
            "signatureHelpProvider": { "triggerCharacters": ["(", ","] },
            "documentFormattingProvider": true,
            "codeActionProvider": true,
            "definitionProvider": true,
            "referencesProvider": true
        },
        "serverInfo": { "name": "batch-autoscale", "version": env!("CARGO_PKG_VERSION") }
    })
}

/// Read one Content-Length framed body; `Ok(None)` at end of input. A malformed header is
/// skipped, never fatal.
fn read_body(input: &mut impl BufRead) -> std::io::Result<Option<Result<String, String>>> {
    let mut length: Option<usize> = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok();
            }
        }
    }
    let length = length.unwrap_or(0);
    if length > 64 * 1024 * 1024 {
        return Ok(Some(Err(format!("message of {length} bytes is too large"))));
    }
    let mut body = vec![0u8; length];
    input.read_exact(&mut body)?;
    Ok(Some(String::from_utf8(body).map_err(|_| "message is not UTF-8".to_string())))
}

/// Serve LSP over standard input and output until the client sends `exit`.
pub fn serve_stdio() -> Result<(), LspError> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut server = Server::new();
    while let Some(body) = read_body(&mut input)? {
        let replies = match body {
            Ok(body) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.handle(&body))).unwrap_or_else(|_| {
                vec![json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32603, "message": "internal error"}}).to_string()]
            }),
            Err(message) => vec![json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": message}}).to_string()],
        };
        let mut out = stdout.lock();
        for reply in replies {
            write!(out, "Content-Length: {}\r\n\r\n{reply}", reply.len())?;
        }
        out.flush()?;
        if server.exited() {
            break;
        }
    }
    Ok(())
}
