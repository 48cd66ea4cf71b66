//! Transport, dispatch and document state.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionParams, CompletionParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentFormattingParams, GotoDefinitionParams, HoverParams, ReferenceParams, SignatureHelpParams, TextDocumentContentChangeEvent,
    TextDocumentPositionParams, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::features::{self, Document};
use super::transport::{Frame, Reader};

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
    initialized: bool,
    shutdown: bool,
    exit: bool,
}

/// How a language server session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// `shutdown`, then `exit`: the protocol asks for exit status 0.
    Clean,
    /// `exit` without `shutdown`, or the input ended: the protocol asks for exit status 1.
    Abrupt,
}

type RequestResult = Result<Value, (ErrorCode, String)>;

/// A request's parameters as the protocol defines them, or `InvalidParams`.
fn params<P: DeserializeOwned>(params: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
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

    /// How the session ended so far: clean only after `shutdown` then `exit`.
    pub fn end(&self) -> SessionEnd {
        if self.exit && self.shutdown {
            SessionEnd::Clean
        } else {
            SessionEnd::Abrupt
        }
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
        // A response has `result` or `error`; anything else without a `method` is no message. A
        // request whose `id` is neither a number nor a string would otherwise pass for a
        // notification.
        let is_message = value.get("method").is_some() || value.get("result").is_some() || value.get("error").is_some();
        let bad_id = value
            .get("id")
            .is_some_and(|id| !(id.is_number() || id.is_string() || id.is_null()));
        // The id an "invalid request" answer names; the value itself is read without a copy.
        let id = value.get("id").filter(|_| !bad_id).cloned().unwrap_or(Value::Null);
        let message = if is_message && !bad_id {
            serde_json::from_value::<Message>(value).ok()
        } else {
            None
        };
        let Some(message) = message else {
            return vec![json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32600, "message": "invalid request"}}).to_string()];
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
        if !self.initialized && request.method != "initialize" {
            return Response::new_err(
                id,
                ErrorCode::ServerNotInitialized as i32,
                "the server has not been initialized".into(),
            );
        }
        if self.shutdown && request.method != "shutdown" {
            return Response::new_err(id, ErrorCode::InvalidRequest as i32, "the server is shutting down".into());
        }
        let p = request.params;
        let result: RequestResult = match request.method.as_str() {
            "initialize" => {
                self.initialized = true;
                Ok(initialize_result())
            }
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/hover" => params::<HoverParams>(p).map(|p| self.at(&p.text_document_position_params, features::hover)),
            "textDocument/completion" => params::<CompletionParams>(p).map(|p| self.at(&p.text_document_position, features::completion)),
            "textDocument/signatureHelp" => {
                params::<SignatureHelpParams>(p).map(|p| self.at(&p.text_document_position_params, features::signature_help))
            }
            "textDocument/definition" => params::<GotoDefinitionParams>(p).map(|p| {
                let at = &p.text_document_position_params;
                with_uri(self.at(at, features::definition), &at.text_document.uri)
            }),
            "textDocument/references" => params::<ReferenceParams>(p).map(|p| {
                let at = &p.text_document_position;
                let include = p.context.include_declaration;
                with_uri(self.at(at, |d, o| features::references(d, o, include)), &at.text_document.uri)
            }),
            "textDocument/formatting" => params::<DocumentFormattingParams>(p).and_then(|p| match self.document(&p.text_document.uri) {
                Some(doc) => features::formatting(doc).map_err(|message| (ErrorCode::RequestFailed, message)),
                None => Ok(Value::Null),
            }),
            "textDocument/codeAction" => params::<CodeActionParams>(p).map(|p| match self.document(&p.text_document.uri) {
                Some(doc) => {
                    let offset = |p: lsp_types::Position| {
                        doc.index.offset_of_utf16(crate::Utf16Position {
                            line: p.line,
                            character: p.character,
                        })
                    };
                    features::code_actions(doc, p.text_document.uri.as_str(), offset(p.range.start), offset(p.range.end))
                }
                None => Value::Null,
            }),
            method => Err((ErrorCode::MethodNotFound, format!("unknown method {method}"))),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn document(&self, uri: &Uri) -> Option<&Document> {
        self.documents.get(uri.as_str())
    }

    /// Run a positional request; a document that is not open gives `null`.
    fn at(&self, at: &TextDocumentPositionParams, f: impl Fn(&Document, usize) -> Value) -> Value {
        let Some(doc) = self.document(&at.text_document.uri) else {
            return Value::Null;
        };
        let offset = doc.index.offset_of_utf16(crate::Utf16Position {
            line: at.position.line,
            character: at.position.character,
        });
        f(doc, offset)
    }

    fn notification(&mut self, notification: Notification) -> Vec<Message> {
        if notification.method == "exit" {
            self.exit = true;
            return Vec::new();
        }
        if !self.initialized {
            return Vec::new(); // the protocol drops notifications before `initialize`
        }
        match notification.method.as_str() {
            "textDocument/didOpen" => match serde_json::from_value::<DidOpenTextDocumentParams>(notification.params) {
                Ok(p) => {
                    let uri = p.text_document.uri.as_str().to_string();
                    self.documents.insert(
                        uri.clone(),
                        Document::open(p.text_document.text, p.text_document.version, &p.text_document.language_id),
                    );
                    self.publish(&p.text_document.uri)
                }
                Err(e) => log_error(&format!("textDocument/didOpen: invalid params: {e}")),
            },
            "textDocument/didChange" => match serde_json::from_value::<DidChangeTextDocumentParams>(notification.params) {
                Ok(p) => {
                    let key = p.text_document.uri.as_str().to_string();
                    let Some(doc) = self.documents.get_mut(&key) else {
                        return Vec::new();
                    };
                    let mut text = std::mem::take(&mut doc.text);
                    // The document's index serves the first ranged change; later ones need
                    // an index of the text as the earlier changes left it.
                    let mut changed = false;
                    for change in p.content_changes {
                        let fresh = match (&change.range, changed) {
                            (Some(_), true) => Some(crate::LineIndex::new(&text)),
                            _ => None,
                        };
                        apply_change(&mut text, change, fresh.as_ref().unwrap_or(&doc.index));
                        changed = true;
                    }
                    *doc = doc.changed(text, p.text_document.version);
                    self.publish(&p.text_document.uri)
                }
                Err(e) => log_error(&format!("textDocument/didChange: invalid params: {e}")),
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

/// A `window/logMessage` error: a notification cannot be answered, but the editor's log shows
/// why it was ignored.
fn log_error(message: &str) -> Vec<Message> {
    vec![Message::Notification(Notification::new(
        "window/logMessage".into(),
        json!({"type": 1, "message": message}),
    ))]
}

/// Fill the `uri` of locations with the request's document.
fn with_uri(mut value: Value, uri: &Uri) -> Value {
    let uri = Value::String(uri.as_str().to_string());
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

/// Apply one content change: a ranged (incremental) edit, or the whole text. `index` is an
/// index of `text`.
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent, index: &crate::LineIndex) {
    match change.range {
        None => *text = change.text,
        Some(range) => {
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

/// Serve LSP over standard input and output until the client sends `exit` or the input ends.
pub fn serve_stdio() -> Result<SessionEnd, LspError> {
    let stdin = std::io::stdin();
    serve(stdin.lock(), std::io::stdout())
}

/// Serve LSP from any byte stream to any writer until the client sends `exit` or the input
/// ends. Whatever the bytes, the session goes on: a message that cannot be read is answered
/// with a parse error (see the module docs); only failing I/O ends it early.
pub fn serve(input: impl BufRead, mut output: impl Write) -> Result<SessionEnd, LspError> {
    let mut reader = Reader::new(input);
    let mut server = Server::new();
    while let Some(frame) = reader.next_frame()? {
        let replies = match frame {
            Frame::Body(body) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| server.handle(&body))).unwrap_or_else(|_| {
                vec![json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32603, "message": "internal error"}}).to_string()]
            }),
            Frame::Bad(message) => vec![json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": message}}).to_string()],
        };
        for reply in replies {
            write!(output, "Content-Length: {}\r\n\r\n{reply}", reply.len())?;
        }
        output.flush()?;
        if server.exited() {
            break;
        }
    }
    Ok(server.end())
}
