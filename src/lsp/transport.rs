//! The LSP base protocol read from a byte stream: header blocks with a `Content-Length`, then
//! that many bytes of body.
//!
//! The reader trusts nothing. Headers are read as bytes, one line at a time up to
//! [`MAX_HEADER_LINE`] bytes; a body may have at most [`MAX_BODY`] bytes and is read as it
//! arrives (nothing is allocated for a length that is only announced). A message that cannot
//! be read (a missing, malformed or too large `Content-Length`, a header line that is too long
//! or not UTF-8, a body that is not UTF-8) becomes a [`Frame::Bad`], which the server answers
//! with a JSON-RPC parse error; after a violation that loses the framing the reader skips to
//! the next `Content-Length:` (in any case, even glued to the end of the previous line, where
//! the tail of a message sent with a wrong length leaves it). Memory is bounded by
//! [`MAX_BODY`] whatever the input.

use std::io::{BufRead, Read};

/// Largest message body the server reads; a larger announced length is refused at once.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Longest header line, in bytes (real headers are under 100).
pub const MAX_HEADER_LINE: usize = 8 * 1024;

/// The header name that frames a message, in lower case.
const CONTENT_LENGTH: &[u8] = b"content-length:";

/// What the reader found next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A message body, as UTF-8 text.
    Body(String),
    /// A message that could not be read, and why.
    Bad(String),
}

/// A reader of framed messages.
#[derive(Debug)]
pub struct Reader<R> {
    input: R,
    /// Bytes already read that start the next header line.
    carry: Vec<u8>,
    /// The framing was lost: skip to the next `Content-Length:` before reading headers.
    resync: bool,
}

enum Line {
    Text(Vec<u8>),
    TooLong,
}

impl<R: BufRead> Reader<R> {
    /// A reader of `input`.
    pub fn new(input: R) -> Reader<R> {
        Reader {
            input,
            carry: Vec::new(),
            resync: false,
        }
    }

    /// The next frame; `Ok(None)` when the input ends (also in the middle of a message).
    pub fn next_frame(&mut self) -> std::io::Result<Option<Frame>> {
        if self.resync {
            self.resync = false;
            if !self.skip_to_content_length()? {
                return Ok(None);
            }
        }
        let mut length: Option<usize> = None;
        let mut problem: Option<String> = None;
        let mut any_header = false;
        loop {
            let line = match self.read_line()? {
                None => return Ok(None),
                Some(Line::TooLong) => {
                    self.resync = true;
                    return Ok(Some(Frame::Bad(format!("a header line is longer than {MAX_HEADER_LINE} bytes"))));
                }
                Some(Line::Text(line)) => line,
            };
            let line = trim_line_end(&line);
            if line.is_empty() {
                if any_header {
                    break;
                }
                continue; // blank lines between messages
            }
            any_header = true;
            match find_content_length(line) {
                // Anything before the name is the tail of an earlier message: ignored.
                Some(at) => match parse_length(&line[at + CONTENT_LENGTH.len()..]) {
                    Ok(n) if n <= MAX_BODY => length = Some(n),
                    Ok(_) | Err(LengthError::TooLarge) => {
                        self.resync = true;
                        let value = String::from_utf8_lossy(&line[at + CONTENT_LENGTH.len()..]).trim().to_string();
                        return Ok(Some(Frame::Bad(format!(
                            "a message of {value} bytes is too large (at most {MAX_BODY})"
                        ))));
                    }
                    Err(LengthError::Malformed) => {
                        let value = String::from_utf8_lossy(&line[at + CONTENT_LENGTH.len()..]).trim().to_string();
                        problem = Some(format!("bad Content-Length {value:?}"));
                    }
                },
                None if std::str::from_utf8(line).is_err() => {
                    problem.get_or_insert_with(|| "a header line is not UTF-8".to_string());
                }
                None => {} // another header (Content-Type): ignored
            }
        }
        let Some(length) = length else {
            // Where the body ends is unknown: find the next message.
            self.resync = true;
            return Ok(Some(Frame::Bad(
                problem.unwrap_or_else(|| "a message without a Content-Length header".into()),
            )));
        };
        let mut body = Vec::new();
        (&mut self.input).take(length as u64).read_to_end(&mut body)?;
        if body.len() < length {
            return Ok(None);
        }
        if let Some(problem) = problem {
            return Ok(Some(Frame::Bad(problem)));
        }
        Ok(Some(match String::from_utf8(body) {
            Ok(text) => Frame::Body(text),
            Err(_) => Frame::Bad("the message is not UTF-8".into()),
        }))
    }

    /// One header line (without its end), at most [`MAX_HEADER_LINE`] bytes; `None` at the end
    /// of the input.
    fn read_line(&mut self) -> std::io::Result<Option<Line>> {
        let mut line = std::mem::take(&mut self.carry);
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(None);
            }
            let newline = buf.iter().position(|&b| b == b'\n');
            let take = newline.map_or(buf.len(), |i| i + 1);
            let room = MAX_HEADER_LINE + 2 - line.len();
            if take > room {
                // Too long: keep the end of what was seen, in case a `Content-Length:` starts
                // there, and skip to it.
                let seen = room.min(buf.len());
                line.extend_from_slice(&buf[..seen]);
                self.input.consume(seen);
                let keep = line.len().saturating_sub(CONTENT_LENGTH.len());
                self.carry = line.split_off(keep);
                return Ok(Some(Line::TooLong));
            }
            line.extend_from_slice(&buf[..take]);
            self.input.consume(take);
            if newline.is_some() {
                return Ok(Some(Line::Text(line)));
            }
        }
    }

    /// Skip to the next `Content-Length:` (any case), which becomes the start of the next
    /// line read. `false` when the input ends first.
    fn skip_to_content_length(&mut self) -> std::io::Result<bool> {
        // First in what is carried over, then in the stream.
        let carried = std::mem::take(&mut self.carry);
        let mut matched = 0usize;
        for (i, &b) in carried.iter().enumerate() {
            matched = step(matched, b);
            if matched == CONTENT_LENGTH.len() {
                self.carry = carried[i + 1 - CONTENT_LENGTH.len()..].to_vec();
                return Ok(true);
            }
        }
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(false);
            }
            for (i, &b) in buf.iter().enumerate() {
                matched = step(matched, b);
                if matched == CONTENT_LENGTH.len() {
                    self.input.consume(i + 1);
                    self.carry = CONTENT_LENGTH.to_vec();
                    return Ok(true);
                }
            }
            let n = buf.len();
            self.input.consume(n);
        }
    }
}

/// Matching `Content-Length:` one byte at a time: how many bytes of it match after `b`. The
/// name repeats no prefix of itself, so a mismatch restarts at 0 (or 1 on a `c`).
fn step(matched: usize, b: u8) -> usize {
    let b = b.to_ascii_lowercase();
    if b == CONTENT_LENGTH[matched] {
        matched + 1
    } else if b == CONTENT_LENGTH[0] {
        1
    } else {
        0
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    &line[..end]
}

/// Where `Content-Length:` starts in a header line, in any case (the last one wins).
fn find_content_length(line: &[u8]) -> Option<usize> {
    (0..=line.len().checked_sub(CONTENT_LENGTH.len())?)
        .rev()
        .find(|&i| line[i..i + CONTENT_LENGTH.len()].eq_ignore_ascii_case(CONTENT_LENGTH))
}

enum LengthError {
    Malformed,
    TooLarge,
}

/// A `Content-Length` value: decimal digits between optional blanks.
fn parse_length(value: &[u8]) -> Result<usize, LengthError> {
    let value = value.trim_ascii();
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(LengthError::Malformed);
    }
    let mut n: usize = 0;
    for &d in value {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(usize::from(d - b'0')))
            .ok_or(LengthError::TooLarge)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::{Frame, Reader, MAX_HEADER_LINE};

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut reader = Reader::new(input);
        let mut out = Vec::new();
        while let Some(frame) = reader.next_frame().unwrap() {
            out.push(frame);
        }
        out
    }

    fn body(s: &str) -> Frame {
        Frame::Body(s.to_string())
    }

    fn is_bad(f: &Frame) -> bool {
        matches!(f, Frame::Bad(_))
    }

    #[test]
    fn well_formed_messages() {
        let got = frames(b"Content-Length: 2\r\n\r\n{}content-length:3\r\nContent-Type: x\r\n\r\n[1]");
        assert_eq!(got, vec![body("{}"), body("[1]")]);
    }

    #[test]
    fn a_length_that_cuts_a_character_resynchronises_on_the_next_header() {
        // "é" is two bytes; the length stops after the first.
        let mut input = b"Content-Length: 1\r\n\r\n".to_vec();
        input.extend_from_slice("é".as_bytes());
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        let got = frames(&input);
        assert!(is_bad(&got[0]), "{got:?}");
        assert_eq!(got[1..], [body("{}")]);
    }

    #[test]
    fn non_utf8_headers_and_huge_lengths_are_bad_frames_not_errors() {
        let got = frames(b"X-Junk: \xff\xfe\r\nContent-Length: 2\r\n\r\n{}Content-Length: 2\r\n\r\n[]");
        assert!(is_bad(&got[0]), "{got:?}");
        assert_eq!(got[1..], [body("[]")]);
        let got = frames(b"Content-Length: 99999999999\r\n\r\n{\"a\": 1}Content-Length: 2\r\n\r\n[]");
        assert!(matches!(&got[0], Frame::Bad(m) if m.contains("too large")), "{got:?}");
        assert_eq!(got[1..], [body("[]")]);
        let got = frames(b"Content-Length: 999999999999999999999999999\r\n\r\nContent-Length: 2\r\n\r\n[]");
        assert!(is_bad(&got[0]));
        assert_eq!(got[1..], [body("[]")]);
    }

    #[test]
    fn a_header_line_without_end_is_not_buffered_whole() {
        let mut input = vec![b'x'; MAX_HEADER_LINE * 50];
        input.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
        let got = frames(&input);
        assert!(is_bad(&got[0]), "{got:?}");
        assert_eq!(got[1..], [body("{}")]);
        // A Content-Length that starts just before the cut is still found.
        for offset in [MAX_HEADER_LINE - 3, MAX_HEADER_LINE, MAX_HEADER_LINE + 1] {
            let mut input = vec![b'y'; offset];
            input.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
            let got = frames(&input);
            assert_eq!(got.last(), Some(&body("{}")), "offset {offset}: {got:?}");
        }
    }

    #[test]
    fn input_that_ends_inside_a_message_ends_the_stream() {
        assert_eq!(frames(b"Content-Length: 10\r\n\r\n{}"), vec![]);
        assert_eq!(frames(b"Content-Len"), vec![]);
        assert_eq!(frames(b""), vec![]);
    }
}
