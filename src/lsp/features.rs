//! The language features, as pure functions of a document and a byte offset.

use serde_json::{json, Value};

use crate::builtins::{self, VariableKind};
use crate::check::resolve::{builtin_named, Resolution};
use crate::check::{check, Analysis, VariableInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::hosts::{find_formulas, HostKind, Vars};
use crate::syntax::lexer::{lex, Token, TokenKind};
use crate::syntax::{LineIndex, Span};

/// An open document with everything the features need, computed once per change.
#[derive(Debug)]
pub struct Document {
    pub(crate) text: String,
    pub(crate) version: i32,
    pub(crate) index: LineIndex,
    analysis: Analysis,
    /// The tokens of a formula document (none for a host document or a formula over 1 MiB),
    /// lexed when a feature first needs them: an edit itself only needs the diagnostics.
    tokens: std::sync::OnceLock<Vec<Token>>,
    /// For a host document (pool JSON, Bicep, Terraform, YAML, Nextflow): its kind and the
    /// diagnostics of every formula in it, in the document's positions.
    host: Option<(HostKind, Vec<Diagnostic>)>,
}

impl Document {
    pub(crate) fn new(text: String, version: i32) -> Document {
        let analysis = check(&text);
        let tokens = std::sync::OnceLock::new();
        if text.len() > 1 << 20 {
            let _ = tokens.set(Vec::new());
        }
        Document {
            index: LineIndex::new(&text),
            analysis,
            tokens,
            text,
            version,
            host: None,
        }
    }

    /// A document opened with language id `language_id`: a host document for `json`, `bicep`,
    /// `terraform`, `yaml`, `groovy` and `nextflow`, whose formulas are checked where they are
    /// (an editor runs this server beside the host language's own); otherwise a formula.
    pub(crate) fn open(text: String, version: i32, language_id: &str) -> Document {
        match HostKind::from_language_id(language_id) {
            Some(kind) => Document::host(text, version, kind),
            None => Document::new(text, version),
        }
    }

    /// The document after an edit, of the same language.
    pub(crate) fn changed(&self, text: String, version: i32) -> Document {
        match &self.host {
            Some((kind, _)) => Document::host(text, version, *kind),
            None => Document::new(text, version),
        }
    }

    fn host(text: String, version: i32, kind: HostKind) -> Document {
        // JSON documents are told apart (pool, pool show, ARM) by content.
        let (path, forced) = match kind {
            HostKind::PoolJson => ("document.json", None),
            _ => ("document", Some(kind)),
        };
        // A document that does not read as its kind (mid-edit) has no formula diagnostics: the
        // host language's own server reports its syntax.
        let diagnostics = find_formulas(path, &text, forced)
            .map(|found| found.iter().flat_map(|f| f.check(&Vars::default()).diagnostics).collect())
            .unwrap_or_default();
        Document {
            index: LineIndex::new(&text),
            analysis: check(""),
            tokens: std::sync::OnceLock::from(Vec::new()),
            text,
            version,
            host: Some((kind, diagnostics)),
        }
    }

    /// Every diagnostic of the document, in its positions.
    fn all_diagnostics(&self) -> &[Diagnostic] {
        match &self.host {
            Some((_, d)) => d,
            None => &self.analysis.diagnostics,
        }
    }

    fn range(&self, span: Span) -> Value {
        let start = self.index.utf16_position(span.start as usize);
        let end = self.index.utf16_position(span.end as usize);
        json!({"start": {"line": start.line, "character": start.character}, "end": {"line": end.line, "character": end.character}})
    }

    /// The document's tokens, lexed on first use.
    fn tokens(&self) -> &[Token] {
        self.tokens.get_or_init(|| lex(&self.text))
    }

    /// The significant token at or just before `offset` (comments skipped).
    fn token_at(&self, offset: usize) -> Option<(usize, &Token)> {
        self.tokens()
            .iter()
            .enumerate()
            .filter(|(_, t)| t.kind != TokenKind::Comment)
            .find(|(_, t)| (t.span.start as usize) <= offset && offset <= t.span.end as usize && t.kind == TokenKind::Ident)
    }

    fn previous_significant(&self, index: usize) -> Option<&Token> {
        self.tokens()[..index].iter().rev().find(|t| t.kind != TokenKind::Comment)
    }

    /// What the name token at `span` stands for (`member`: it follows a `.`): the checker's
    /// resolution where the parser read the statement; in text it could not read (mid-edit,
    /// so no name there is resolved) the built-in of that spelling, or the formula's variable.
    fn resolve(&self, span: Span, member: bool) -> Option<Resolution> {
        self.analysis.resolved.name(span).or_else(|| {
            let text = span.text(&self.text);
            builtin_named(text, member).or_else(|| {
                if member {
                    return None;
                }
                self.analysis.variables.iter().position(|v| v.name == text).map(Resolution::User)
            })
        })
    }

    /// The user variable a resolution names.
    fn variable(&self, resolution: Option<Resolution>) -> Option<&VariableInfo> {
        match resolution? {
            Resolution::User(index) => self.analysis.variables.get(index),
            _ => None,
        }
    }
}

/// At most this many diagnostics are published for one document; one more, of severity
/// information at the first one left out, counts the others (a formula of 8192 characters can
/// have about 3,000, a host file with many formulas more; `check` lists them all).
pub(crate) const MAX_PUBLISHED: usize = 1000;

/// The document's diagnostics, as LSP `Diagnostic` objects: the first [`MAX_PUBLISHED`], then
/// one counting the others.
pub(crate) fn diagnostics(doc: &Document) -> Vec<Value> {
    let all = doc.all_diagnostics();
    let mut published: Vec<Value> = all
        .iter()
        .take(MAX_PUBLISHED)
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => 1,
                Severity::Warning => 2,
                Severity::Note => 3,
            };
            let mut message = d.message.clone();
            for note in &d.notes {
                message.push_str("\nnote: ");
                message.push_str(note);
            }
            if let Some(fix) = &d.fix {
                message.push_str("\nfix: ");
                message.push_str(&fix.message);
            }
            json!({
                "range": doc.range(d.span),
                "severity": severity,
                "code": d.code.as_str(),
                "source": "batch-autoscale",
                "message": message,
                "data": {"name": d.code.name()},
            })
        })
        .collect();
    if let Some(first_left_out) = all.get(MAX_PUBLISHED) {
        let more = all.len() - MAX_PUBLISHED;
        let noun = if more == 1 { "diagnostic" } else { "diagnostics" };
        published.push(json!({
            "range": doc.range(first_left_out.span),
            "severity": 3,
            "source": "batch-autoscale",
            "message": format!("… and {more} more {noun} in this document, not shown; `batch-autoscale check` lists them all"),
        }));
    }
    published
}

fn markdown(value: String) -> Value {
    json!({"contents": {"kind": "markdown", "value": value}})
}

/// Hover: built-in docs and signatures, or a user variable's type and assignment.
pub(crate) fn hover(doc: &Document, offset: usize) -> Value {
    let Some((i, token)) = doc.token_at(offset) else {
        return Value::Null;
    };
    let after_dot = doc.previous_significant(i).is_some_and(|t| t.kind == TokenKind::Dot);
    let resolution = doc.resolve(token.span, after_dot);
    let text = match resolution {
        Some(Resolution::Method(m)) => format!("```\n{}\n```\n{}", m.signatures.join("\n"), m.doc),
        Some(Resolution::Field(f)) => format!("```\n(timestamp field) {}: double\n```\n{}", f.name, f.doc),
        Some(Resolution::Service(v)) => {
            let kind = match v.kind {
                VariableKind::Target(_) => "double, assignable target",
                VariableKind::DeallocationOption => "keyword, assignable",
                VariableKind::Metric(_) => "sampled metric, read-only",
                VariableKind::Scalar(_) => "double, read-only",
            };
            let mut s = format!("```\n(service variable) {}: {kind}\n```\n{}", v.name, v.doc);
            if let Some(canonical) = v.alias_of {
                s.push_str(&format!("\n\nLegacy alias of `{canonical}`."));
            }
            if matches!(v.kind, VariableKind::Metric(_)) {
                let methods: Vec<&str> = builtins::METHODS.iter().map(|m| m.name).collect();
                s.push_str(&format!("\n\nMethods: {}.", methods.join(", ")));
            }
            s
        }
        Some(Resolution::Function(f)) => format!("```\n{}\n```\n{}", f.signatures.join("\n"), f.doc),
        Some(Resolution::Constant(c)) => format!(
            "```\n(constant) {}: timeinterval = {}\n```\n{}",
            c.name,
            c.value.format_results(),
            c.doc
        ),
        Some(Resolution::Keyword(k)) => format!("```\n(deallocation keyword) {}\n```\n{}", k.name, k.doc),
        Some(Resolution::User(_)) => {
            let Some(v) = doc.variable(resolution) else {
                return Value::Null;
            };
            let def = v
                .definitions
                .iter()
                .rev()
                .find(|d| d.name_span.start as usize <= offset)
                .or(v.definitions.first());
            match def {
                Some(d) => format!(
                    "```\n(variable) {}: {}\n```\nAssigned by:\n```\n{}\n```",
                    v.name,
                    d.type_name,
                    d.statement_span.text(&doc.text).trim()
                ),
                None => return Value::Null,
            }
        }
        None => return Value::Null,
    };
    let mut h = markdown(text);
    h["range"] = doc.range(token.span);
    h
}

fn item(label: &str, kind: u32, detail: &str, documentation: &str) -> Value {
    json!({"label": label, "kind": kind, "detail": detail, "documentation": documentation})
}

// LSP CompletionItemKind values.
const KIND_FUNCTION: u32 = 3;
const KIND_FIELD: u32 = 5;
const KIND_VARIABLE: u32 = 6;
const KIND_METHOD: u32 = 2;
const KIND_CONSTANT: u32 = 21;
const KIND_KEYWORD: u32 = 14;

/// Completion at `offset`, from the built-in table and the document's variables. Nothing inside
/// a comment or a string.
pub(crate) fn completion(doc: &Document, offset: usize) -> Value {
    if doc.host.is_some() {
        return Value::Null;
    }
    let text = &doc.text;
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let in_text = doc.tokens().iter().any(|t| {
        let (start, end) = (t.span.start as usize, t.span.end as usize);
        match t.kind {
            TokenKind::Comment | TokenKind::UnterminatedString => start < offset && offset <= end,
            TokenKind::String | TokenKind::SingleQuotedString => start < offset && offset < end,
            _ => false,
        }
    });
    if in_text {
        return json!([]);
    }
    let mut start = offset;
    let bytes = text.as_bytes();
    while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_' || bytes[start - 1] == b'$') {
        start -= 1;
    }
    let prefix = &text[start..offset];
    let before = text[..start].trim_end_matches([' ', '\t']);
    let mut items = Vec::new();
    if let Some(object_end) = before.strip_suffix('.').map(str::len) {
        match object_type(doc, object_end) {
            Some(ObjectKind::Metric) => {
                for m in builtins::METHODS {
                    items.push(item(m.name, KIND_METHOD, m.signatures[0], m.doc));
                }
            }
            Some(ObjectKind::Timestamp) => {
                for f in builtins::FIELDS {
                    items.push(item(f.name, KIND_FIELD, "double", f.doc));
                }
            }
            None => {}
        }
    } else if deallocation_value_at(doc, start) {
        for k in builtins::KEYWORDS {
            items.push(item(k.name, KIND_KEYWORD, "deallocation keyword", k.doc));
        }
    } else {
        let dollar = prefix.starts_with('$');
        for v in builtins::VARIABLES.iter().filter(|v| v.alias_of.is_none()) {
            items.push(item(v.name, KIND_VARIABLE, "service variable", v.doc));
        }
        for v in &doc.analysis.variables {
            if v.definitions.iter().any(|d| (d.name_span.end as usize) < start) {
                items.push(item(
                    &v.name,
                    KIND_VARIABLE,
                    v.definitions.last().map(|d| d.type_name.as_ref()).unwrap_or(""),
                    "variable of this formula",
                ));
            }
        }
        if !dollar {
            for f in builtins::FUNCTIONS {
                items.push(item(f.name, KIND_FUNCTION, f.signatures[0], f.doc));
            }
            for c in builtins::CONSTANTS {
                items.push(item(c.name, KIND_CONSTANT, "timeinterval", c.doc));
            }
        }
    }
    let lower = prefix.to_ascii_lowercase();
    items.retain(|i| i["label"].as_str().is_some_and(|l| l.to_ascii_lowercase().starts_with(&lower)));
    json!(items)
}

/// Whether a value typed at `start` is what `$NodeDeallocationOption` gets: right after
/// `$NodeDeallocationOption =`, or after a `?` or `:` of the expression assigned to it. The
/// statement may still lack its `;` (the user is typing), so the assignment is looked for
/// backwards from the cursor up to the previous `;` and no other `=` may follow it.
fn deallocation_value_at(doc: &Document, start: usize) -> bool {
    let before: Vec<&Token> = doc
        .tokens()
        .iter()
        .filter(|t| t.kind != TokenKind::Comment && (t.span.end as usize) <= start)
        .collect();
    let statement = &before[before.iter().rposition(|t| t.kind == TokenKind::Semicolon).map_or(0, |i| i + 1)..];
    let Some(assign) = statement.iter().rposition(|t| t.kind == TokenKind::Assign) else {
        return false;
    };
    let target = assign.checked_sub(1).map(|i| statement[i]);
    target.is_some_and(|t| {
        t.kind == TokenKind::Ident
            && matches!(doc.resolve(t.span, false), Some(Resolution::Service(v)) if v.kind == VariableKind::DeallocationOption)
    }) && statement[assign + 1..]
        .last()
        .is_none_or(|last| matches!(last.kind, TokenKind::Question | TokenKind::Colon))
}

enum ObjectKind {
    Metric,
    Timestamp,
}

/// What the expression ending at byte `end` (just before a `.`) is.
fn object_type(doc: &Document, end: usize) -> Option<ObjectKind> {
    let before: Vec<&Token> = doc
        .tokens()
        .iter()
        .filter(|t| (t.span.end as usize) <= end && t.kind != TokenKind::Comment)
        .collect();
    let last = *before.last()?;
    match last.kind {
        TokenKind::Ident => {
            let resolution = doc.resolve(last.span, false);
            if let Some(Resolution::Service(v)) = resolution {
                return matches!(v.kind, VariableKind::Metric(_)).then_some(ObjectKind::Metric);
            }
            let v = doc.variable(resolution)?;
            v.definitions
                .iter()
                .any(|d| d.type_name.contains("timestamp"))
                .then_some(ObjectKind::Timestamp)
        }
        TokenKind::RParen => {
            // Find the matching `(` and the name before it: `time(…).`
            let mut depth = 0usize;
            for (k, t) in before.iter().enumerate().rev() {
                match t.kind {
                    TokenKind::RParen => depth += 1,
                    TokenKind::LParen => {
                        depth -= 1;
                        if depth == 0 {
                            let name = before.get(k.checked_sub(1)?)?;
                            let member = k >= 2 && before[k - 2].kind == TokenKind::Dot;
                            let timestamp = name.kind == TokenKind::Ident
                                && match doc.resolve(name.span, member) {
                                    Some(Resolution::Function(f)) => f.returns_timestamp(),
                                    Some(Resolution::Method(m)) => m.returns_timestamp(),
                                    _ => false,
                                };
                            return timestamp.then_some(ObjectKind::Timestamp);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        _ => None,
    }
}

/// Signature help inside a call: the function's or method's overloads and the active argument.
pub(crate) fn signature_help(doc: &Document, offset: usize) -> Value {
    if doc.host.is_some() {
        return Value::Null;
    }
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (index of `(`, commas)
    let tokens: Vec<&Token> = doc
        .tokens()
        .iter()
        .filter(|t| t.kind != TokenKind::Comment && (t.span.end as usize) <= offset)
        .collect();
    for (k, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::LParen => stack.push((k, 0)),
            TokenKind::RParen => {
                stack.pop();
            }
            TokenKind::Comma => {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
            }
            TokenKind::Semicolon => stack.clear(),
            _ => {}
        }
    }
    let Some(&(open, commas)) = stack.last() else { return Value::Null };
    let Some(name_token) = open.checked_sub(1).and_then(|k| tokens.get(k)) else {
        return Value::Null;
    };
    if name_token.kind != TokenKind::Ident {
        return Value::Null;
    }
    let is_method = open >= 2 && tokens[open - 2].kind == TokenKind::Dot;
    let (signatures, documentation): (&[&str], &str) = match doc.resolve(name_token.span, is_method) {
        Some(Resolution::Method(m)) => (m.signatures, m.doc),
        Some(Resolution::Function(f)) => (f.signatures, f.doc),
        _ => return Value::Null,
    };
    let signatures: Vec<Value> = signatures
        .iter()
        .map(|s| {
            let params: Vec<Value> = s
                .split_once('(')
                .map(|(_, rest)| rest.trim_end_matches(')'))
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| json!({"label": p}))
                .collect();
            json!({"label": s, "documentation": documentation, "parameters": params})
        })
        .collect();
    let active_signature = signatures
        .iter()
        .position(|s| s["parameters"].as_array().is_some_and(|p| p.len() > commas))
        .unwrap_or(0);
    json!({"signatures": signatures, "activeSignature": active_signature, "activeParameter": commas})
}

fn user_variable_at(doc: &Document, offset: usize) -> Option<&VariableInfo> {
    let (i, token) = doc.token_at(offset)?;
    let after_dot = doc.previous_significant(i).is_some_and(|t| t.kind == TokenKind::Dot);
    doc.variable(doc.resolve(token.span, after_dot))
}

/// Go to definition: the assignment of the user variable under the cursor (the last one before
/// the cursor, else the first).
pub(crate) fn definition(doc: &Document, offset: usize) -> Value {
    let Some(v) = user_variable_at(doc, offset) else {
        return Value::Null;
    };
    let def = v
        .definitions
        .iter()
        .rev()
        .find(|d| (d.name_span.end as usize) < offset)
        .or(v.definitions.first());
    match def {
        Some(d) => json!({"uri": Value::Null, "range": doc.range(d.name_span)}),
        None => Value::Null,
    }
}

/// Find references: every read of the user variable under the cursor, and every assignment
/// when `include_declaration`.
pub(crate) fn references(doc: &Document, offset: usize, include_declaration: bool) -> Value {
    let Some(v) = user_variable_at(doc, offset) else { return json!([]) };
    let mut spans: Vec<Span> = v
        .definitions
        .iter()
        .filter(|_| include_declaration)
        .map(|d| d.name_span)
        .chain(v.references.iter().copied())
        .collect();
    spans.sort();
    json!(spans
        .into_iter()
        .map(|s| json!({"uri": Value::Null, "range": doc.range(s)}))
        .collect::<Vec<_>>())
}

/// Formatting: one edit replacing the whole document, none when it has syntax errors (its
/// diagnostics say why) or is a host file (the host language's formatter owns it), or an error
/// message when it is over the size limits (D3) or would be once formatted.
pub(crate) fn formatting(doc: &Document) -> Result<Value, String> {
    if doc.host.is_some() {
        return Ok(Value::Null);
    }
    match crate::fmt::format(&doc.text) {
        Ok(formatted) if formatted != doc.text => Ok(json!([{"range": doc.range(Span::new(0, doc.text.len())), "newText": formatted}])),
        Ok(_) => Ok(json!([])),
        Err(crate::fmt::FormatError::Syntax) => Ok(Value::Null),
        Err(e) => Err(format!("not formatted: {e}")),
    }
}

/// Code actions: the checker's fixes for diagnostics that touch the byte range `start..end`.
pub(crate) fn code_actions(doc: &Document, uri: &str, start: usize, end: usize) -> Value {
    let (start, end) = (start.min(end), start.max(end));
    let mut actions = Vec::new();
    for d in doc.all_diagnostics() {
        let Some(fix) = &d.fix else { continue };
        if (d.span.end as usize) < start || (d.span.start as usize) > end {
            continue;
        }
        let edits: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| json!({"range": doc.range(e.span), "newText": e.replacement}))
            .collect();
        let key = uri.to_string();
        actions.push(json!({
            "title": fix.message,
            "kind": "quickfix",
            "diagnostics": [{"range": doc.range(d.span), "code": d.code.as_str(), "message": d.message}],
            "edit": {"changes": {key: edits}},
            "isPreferred": true,
        }));
    }
    json!(actions)
}
