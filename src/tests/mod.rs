//! Tests of the crate's internals over whole formulas: the formatter, the printer and the
//! TextMate grammar against the lexer, on the corpus and on generated formulas.

#[path = "../../tests/common/mod.rs"]
mod common;
mod fast_parser;
mod fmt;
mod limits;
mod properties;
mod textmate;
