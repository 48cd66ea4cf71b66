//! The language server (`batch-autoscale lsp`): diagnostics, hover, completion, signature help,
//! formatting, code actions, go to definition and find references over stdio.
//!
//! The transport is our own Content-Length reader so that a malformed message gets a JSON-RPC
//! parse error and the server keeps running (a transport that stops at the first bad message
//! would end the session). Messages are `lsp-server` types; parameters are `lsp-types` types.
//! Everything the server knows about the language comes from the library: [`crate::check()`] for
//! diagnostics and user variables, [`crate::builtins`] for hover and completion,
//! [`crate::format()`] for formatting.

mod features;
mod server;
mod transport;

pub use server::{serve, serve_stdio, LspError, Server, SessionEnd};
