//! Syntax: spans, tokens, the tree, the parser and the printer.

pub mod ast;
mod descent;
pub mod lexer;
pub mod line_index;
pub mod parser;
pub mod printer;
pub mod span;
pub mod text;

pub use line_index::{LineCol, LineIndex, Utf16Position};
pub use parser::{parse, Parsed};
pub use span::Span;
