//! A small JSON reader that keeps the span of every value and decodes strings with a
//! [`SourceMap`], so positions inside a JSON string map back to the file. ARM templates may hold
//! `//` and `/* */` comments; they are skipped.

use super::map::SourceMap;
use crate::syntax::Span;

/// Deepest nesting accepted (serde_json's own limit is 128).
pub(crate) const MAX_DEPTH: usize = 128;

/// A JSON value with its span.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Span,
}

/// JSON values.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Object(Vec<Member>),
    Array(Vec<Node>),
    String(Str),
    Number(f64),
    Bool(bool),
    Null,
}

/// An object member.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub key: String,
    pub value: Node,
}

/// A decoded string and the map back to its characters in the file.
#[derive(Debug, Clone)]
pub(crate) struct Str {
    pub text: String,
    pub map: SourceMap,
}

impl Node {
    /// The member `key` of an object (JSON keys of Azure resources are case-insensitive).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().find(|m| m.key.eq_ignore_ascii_case(key)).map(|m| &m.value),
            _ => None,
        }
    }

    /// The node at a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The string, if this is one.
    pub fn str(&self) -> Option<&Str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn number(&self) -> Option<f64> {
        match self.value {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The boolean, if this is one (a `"true"`/`"false"` string counts, as ARM writes them).
    pub fn bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.text.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.text.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
}

/// Parse `src` as one JSON document, or say where and why not.
pub(crate) fn parse(src: &str) -> Result<Node, (usize, String)> {
    let mut p = Parser {
        src,
        bytes: src.as_bytes(),
        pos: 0,
    };
    p.skip_ws()?;
    let node = p.value(0)?;
    p.skip_ws()?;
    if p.pos < p.bytes.len() {
        return Err((p.pos, "unexpected text after the JSON value".into()));
    }
    Ok(node)
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) -> Result<(), (usize, String)> {
        loop {
            match self.bytes.get(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'/') => {
                    while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'*') => {
                    let start = self.pos;
                    match self.src[self.pos + 2..].find("*/") {
                        Some(i) => self.pos += i + 4,
                        None => return Err((start, "unterminated `/*` comment".into())),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, (usize, String)> {
        if depth > MAX_DEPTH {
            return Err((self.pos, format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        let start = self.pos;
        let value = match self.bytes.get(self.pos) {
            None => return Err((self.pos, "expected a JSON value, found the end of the file".into())),
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                self.skip_ws()?;
                if self.bytes.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws()?;
                        if self.bytes.get(self.pos) != Some(&b'"') {
                            return Err((self.pos, "expected a quoted key".into()));
                        }
                        let key = self.string()?.text;
                        self.skip_ws()?;
                        if self.bytes.get(self.pos) != Some(&b':') {
                            return Err((self.pos, "expected `:` after the key".into()));
                        }
                        self.pos += 1;
                        self.skip_ws()?;
                        let value = self.value(depth + 1)?;
                        members.push(Member { key, value });
                        self.skip_ws()?;
                        match self.bytes.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err((self.pos, "expected `,` or `}`".into())),
                        }
                    }
                }
                Value::Object(members)
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws()?;
                if self.bytes.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws()?;
                        items.push(self.value(depth + 1)?);
                        self.skip_ws()?;
                        match self.bytes.get(self.pos) {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err((self.pos, "expected `,` or `]`".into())),
                        }
                    }
                }
                Value::Array(items)
            }
            Some(b'"') => Value::String(self.string()?),
            Some(b't') if self.src[self.pos..].starts_with("true") => {
                self.pos += 4;
                Value::Bool(true)
            }
            Some(b'f') if self.src[self.pos..].starts_with("false") => {
                self.pos += 5;
                Value::Bool(false)
            }
            Some(b'n') if self.src[self.pos..].starts_with("null") => {
                self.pos += 4;
                Value::Null
            }
            Some(b'-' | b'0'..=b'9') => {
                while matches!(self.bytes.get(self.pos), Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
                    self.pos += 1;
                }
                match self.src[start..self.pos].parse::<f64>() {
                    Ok(n) => Value::Number(n),
                    Err(_) => return Err((start, format!("`{}` is not a JSON number", &self.src[start..self.pos]))),
                }
            }
            Some(_) => return Err((self.pos, "expected a JSON value".into())),
        };
        Ok(Node {
            value,
            span: Span::new(start, self.pos),
        })
    }

    /// A string starting at the `"` under the cursor.
    fn string(&mut self) -> Result<Str, (usize, String)> {
        let open = self.pos;
        self.pos += 1;
        let mut text = String::new();
        let mut map = SourceMap::default();
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err((open, "unterminated JSON string".into()));
            };
            match b {
                b'"' => {
                    map.set_end(self.pos);
                    self.pos += 1;
                    return Ok(Str { text, map });
                }
                b'\\' => {
                    let at = self.pos;
                    let (c, len) = match self.bytes.get(at + 1) {
                        Some(b'"') => ('"', 2),
                        Some(b'\\') => ('\\', 2),
                        Some(b'/') => ('/', 2),
                        Some(b'b') => ('\u{8}', 2),
                        Some(b'f') => ('\u{c}', 2),
                        Some(b'n') => ('\n', 2),
                        Some(b'r') => ('\r', 2),
                        Some(b't') => ('\t', 2),
                        Some(b'u') => self.unicode_escape(at)?,
                        _ => return Err((at, "invalid escape in a JSON string".into())),
                    };
                    text.push(c);
                    map.push(at, len, c.len_utf8(), false);
                    self.pos += len;
                }
                b'\n' => return Err((self.pos, "line break inside a JSON string (write `\\n`)".into())),
                _ => {
                    let c = self.src[self.pos..].chars().next().unwrap_or('\u{fffd}');
                    text.push(c);
                    map.push(self.pos, c.len_utf8(), c.len_utf8(), true);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.src.get(at..at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    }

    fn unicode_escape(&self, at: usize) -> Result<(char, usize), (usize, String)> {
        let bad = || (at, "invalid `\\u` escape in a JSON string".to_string());
        let hi = self.hex4(at + 2).ok_or_else(bad)?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.src.get(at + 6..at + 8) == Some("\\u") {
                if let Some(lo) = self.hex4(at + 8).filter(|lo| (0xDC00..0xE000).contains(lo)) {
                    let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).ok_or_else(bad)?;
                    return Ok((c, 12));
                }
            }
            return Ok(('\u{fffd}', 6));
        }
        Ok((char::from_u32(hi).unwrap_or('\u{fffd}'), 6))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_decode_and_map_back() {
        let src = r#"{"f": "a\n\"b\u00e9"}"#;
        let node = parse(src).unwrap();
        let s = node.get("F").unwrap().str().unwrap();
        assert_eq!(s.text, "a\n\"bé");
        assert_eq!(s.map.to_host(0), src.find('a').unwrap());
        assert_eq!(s.map.to_host(3), src.find('b').unwrap());
        assert_eq!(s.map.to_host(4), src.find("\\u00e9").unwrap());
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(parse("{\"a\": }").unwrap_err().0, 6);
        assert!(parse(&"[".repeat(10_000)).unwrap_err().1.contains("deeper"));
        assert!(parse("// c\n{/* x */\"a\": 1}").is_ok());
    }
}
