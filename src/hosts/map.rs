//! Position mapping from a formula's text (after the host's quoting is undone) back to the host
//! file, and the host's quoting rule for writing a fix back.

use crate::syntax::Span;

/// One stretch of the formula text and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    /// Start of the stretch in the formula text.
    formula: usize,
    /// Its length in the formula text.
    len: usize,
    /// Where it starts in the host file.
    host: usize,
    /// Its length in the host file.
    host_len: usize,
    /// Whether the stretch is copied byte for byte (so every offset inside maps exactly); an
    /// escape (`\n`, `''`) or a substituted placeholder is not.
    verbatim: bool,
}

/// Maps byte offsets of a formula's text to byte offsets of the host file it was read from.
///
/// Built while the host's string is decoded: verbatim stretches map byte for byte; an escape
/// sequence or a substituted placeholder maps as a whole to the host text it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    pieces: Vec<Piece>,
    text_len: usize,
    host_end: usize,
}

impl SourceMap {
    /// The identity map of a plain formula file of `len` bytes.
    pub fn identity(len: usize) -> SourceMap {
        let mut map = SourceMap::default();
        map.push(0, len, len, true);
        map
    }

    /// Append a stretch of `len` formula bytes that came from `host_len` host bytes at `host`.
    pub(crate) fn push(&mut self, host: usize, host_len: usize, len: usize, verbatim: bool) {
        if len == 0 && host_len == 0 {
            return;
        }
        if let Some(last) = self.pieces.last_mut() {
            if verbatim && last.verbatim && last.host + last.host_len == host && last.formula + last.len == self.text_len {
                last.len += len;
                last.host_len += host_len;
                self.text_len += len;
                self.host_end = host + host_len;
                return;
            }
        }
        self.pieces.push(Piece {
            formula: self.text_len,
            len,
            host,
            host_len,
            verbatim,
        });
        self.text_len += len;
        self.host_end = host + host_len;
    }

    /// Set where the text ends in the host (the closing quote or the end of the block).
    pub(crate) fn set_end(&mut self, host_end: usize) {
        self.host_end = host_end;
    }

    /// Length of the formula text this map covers.
    pub fn text_len(&self) -> usize {
        self.text_len
    }

    fn piece_at(&self, offset: usize) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.formula + p.len <= offset);
        self.pieces.get(i).filter(|p| p.formula <= offset)
    }

    /// The host offset of a formula offset (an offset inside an escape maps to its start; the
    /// end of the text maps to the end of the host string).
    pub fn to_host(&self, offset: usize) -> usize {
        if offset >= self.text_len {
            return self.host_end;
        }
        match self.piece_at(offset) {
            Some(p) if p.verbatim => p.host + (offset - p.formula).min(p.host_len),
            Some(p) => p.host,
            None => self.host_end,
        }
    }

    /// Whether a formula offset falls on a boundary the host text has too (so an edit may
    /// start or end there).
    fn exact(&self, offset: usize) -> bool {
        match self.piece_at(offset) {
            Some(p) => p.verbatim || p.formula == offset,
            None => true,
        }
    }

    /// The host span of a formula span; an empty span stays empty, a span ending inside an
    /// escape covers the whole escape.
    pub fn span_to_host(&self, span: Span) -> Span {
        let start = self.to_host(span.start as usize);
        if span.is_empty() {
            return Span::empty(start);
        }
        let last = span.end as usize - 1;
        let end = match self.piece_at(last) {
            Some(p) if !p.verbatim => p.host + p.host_len,
            _ => self.to_host(span.end as usize),
        };
        Span::new(start, end.max(start))
    }

    /// The host span an edit of `span` must replace, or `None` when the edit starts or ends
    /// inside an escape or a substituted placeholder.
    pub fn edit_to_host(&self, span: Span) -> Option<Span> {
        if !self.exact(span.start as usize) || !self.exact(span.end as usize) {
            return None;
        }
        let start = self.to_host(span.start as usize);
        let end = if span.end as usize >= self.text_len {
            self.host_end
        } else {
            self.to_host(span.end as usize)
        };
        Some(Span::new(start, end.max(start)))
    }

    /// This map seen through `inner`, a map from a rewritten text (placeholders substituted)
    /// to this map's text.
    pub(crate) fn compose(&self, inner: &SourceMap) -> SourceMap {
        let mut out = SourceMap::default();
        for p in &inner.pieces {
            if p.verbatim {
                // Split along this map's pieces.
                let mut offset = p.host;
                let end = p.host + p.host_len;
                while offset < end {
                    let (host, host_len, len, verbatim, next) = match self.piece_at(offset) {
                        Some(q) if q.verbatim => {
                            let stop = (q.formula + q.len).min(end);
                            let n = stop - offset;
                            (q.host + (offset - q.formula), n, n, true, stop)
                        }
                        Some(q) => {
                            let stop = (q.formula + q.len).min(end);
                            (q.host, q.host_len, stop - offset, false, stop)
                        }
                        None => (self.host_end, 0, end - offset, false, end),
                    };
                    out.push(host, host_len, len, verbatim);
                    offset = next.max(offset + 1);
                }
            } else {
                let host = self.to_host(p.host);
                let host_end = self.span_to_host(Span::new(p.host, p.host + p.host_len)).end as usize;
                out.push(host, host_end.saturating_sub(host), p.len, false);
            }
        }
        out.text_len = inner.text_len;
        out.host_end = self.host_end;
        out
    }
}

/// How the host writes the formula's text, for writing a fix back into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Quoting {
    /// Written as is (a plain formula file, a heredoc without indentation, a `'''` string).
    Raw,
    /// Each new line of the text is indented by this many spaces (YAML block scalar, `<<-`
    /// heredoc, indented triple-quoted string).
    Indented(usize),
    /// A JSON string (`"…"` with `\"`, `\\`, `\n` escapes).
    Json,
    /// A Terraform quoted string (JSON escapes and `$${`).
    Hcl,
    /// A Bicep `'…'` string (`\'`, `\\`, `\n`, `\${`).
    BicepSingle,
    /// A Groovy `'…'` or `'''…'''` string (`\\` and `\'`).
    GroovySingle,
    /// A Groovy `"…"` or `"""…"""` string (`\\`, `\"` and `\$`).
    GroovyDouble,
    /// A YAML double-quoted scalar.
    YamlDouble,
    /// A YAML single-quoted scalar (`''`).
    YamlSingle,
}

impl Quoting {
    /// `text` as the host must write it.
    pub fn encode(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match (self, c) {
                (Quoting::Raw, c) => out.push(c),
                (Quoting::Indented(n), '\n') => {
                    out.push('\n');
                    out.extend(std::iter::repeat_n(' ', n));
                }
                (Quoting::Indented(_), c) => out.push(c),
                (Quoting::Json | Quoting::Hcl | Quoting::YamlDouble, '"') => out.push_str("\\\""),
                (Quoting::Json | Quoting::Hcl | Quoting::YamlDouble | Quoting::BicepSingle, '\\') => out.push_str("\\\\"),
                (Quoting::Json | Quoting::Hcl | Quoting::YamlDouble | Quoting::BicepSingle, '\n') => out.push_str("\\n"),
                (Quoting::Json | Quoting::Hcl | Quoting::YamlDouble | Quoting::BicepSingle, '\r') => out.push_str("\\r"),
                (Quoting::Json | Quoting::Hcl | Quoting::YamlDouble | Quoting::BicepSingle, '\t') => out.push_str("\\t"),
                (Quoting::BicepSingle, '\'') => out.push_str("\\'"),
                (Quoting::BicepSingle, '$') => out.push_str("\\$"),
                (Quoting::Hcl, '$') => out.push('$'),
                (Quoting::GroovySingle, '\\') | (Quoting::GroovyDouble, '\\') => out.push_str("\\\\"),
                (Quoting::GroovySingle, '\'') => out.push_str("\\'"),
                (Quoting::GroovyDouble, '"') => out.push_str("\\\""),
                (Quoting::GroovyDouble, '$') => out.push_str("\\$"),
                (Quoting::YamlSingle, '\'') => out.push_str("''"),
                (_, c) if (c as u32) < 0x20 && !matches!(self, Quoting::GroovySingle | Quoting::GroovyDouble | Quoting::YamlSingle) => {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                }
                (_, c) => out.push(c),
            }
        }
        if self == Quoting::Hcl {
            out = out.replace("${", "$${").replace("%{", "%%{");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_and_escapes_map_to_their_host_text() {
        // host: `"a\nb"` at offset 10; text "a\nb".
        let mut map = SourceMap::default();
        map.push(11, 1, 1, true);
        map.push(12, 2, 1, false);
        map.push(14, 1, 1, true);
        map.set_end(15);
        assert_eq!(map.to_host(0), 11);
        assert_eq!(map.to_host(1), 12);
        assert_eq!(map.to_host(2), 14);
        assert_eq!(map.to_host(3), 15);
        assert_eq!(map.span_to_host(Span::new(1, 2)), Span::new(12, 14));
        assert_eq!(map.edit_to_host(Span::new(0, 3)), Some(Span::new(11, 15)));
        assert_eq!(map.edit_to_host(Span::new(2, 2)), Some(Span::new(14, 14)));
    }

    #[test]
    fn compose_follows_both_maps() {
        let mut outer = SourceMap::default();
        outer.push(100, 10, 10, true);
        outer.set_end(110);
        // inner: "ab" verbatim from 0..2, "XYZ" from placeholder 2..6, rest verbatim 6..10.
        let mut inner = SourceMap::default();
        inner.push(0, 2, 2, true);
        inner.push(2, 4, 3, false);
        inner.push(6, 4, 4, true);
        inner.set_end(10);
        let map = outer.compose(&inner);
        assert_eq!(map.to_host(1), 101);
        assert_eq!(map.to_host(3), 102);
        assert_eq!(map.to_host(5), 106);
        assert_eq!(map.span_to_host(Span::new(2, 5)), Span::new(102, 106));
        assert_eq!(map.to_host(9), 110);
    }

    #[test]
    fn encodings_escape_what_the_host_needs() {
        assert_eq!(Quoting::Json.encode("a\"b\\\n"), "a\\\"b\\\\\\n");
        assert_eq!(Quoting::Hcl.encode("${x}"), "$${x}");
        assert_eq!(Quoting::BicepSingle.encode("it's"), "it\\'s");
        assert_eq!(Quoting::Indented(4).encode("a\nb"), "a\n    b");
        assert_eq!(Quoting::YamlSingle.encode("'"), "''");
    }
}
