//! [`Text`], the spelling of a name in the tree: borrowed when it is a built-in's spelling.
//!
//! Most names of a formula are built-ins (service variables, functions, methods, fields,
//! constants, keywords); storing those as a `&'static str` from [`crate::builtins`] saves an
//! allocation to build each and a free to drop it. Other names own their text.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The text of a name; derefs to `str` and serialises as a plain string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(Cow<'static, str>);

impl Text {
    /// The text of `s`, borrowed from the built-ins' table when `s` is spelled like one of them.
    pub fn new(s: &str) -> Text {
        match builtin_spelling(s) {
            Some(b) => Text(Cow::Borrowed(b)),
            None => Text(Cow::Owned(s.to_string())),
        }
    }

    /// The text as a `&str`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Buckets of the built-ins' table.
const BUCKETS: usize = 1024;

/// The bucket of a spelling: its length, last byte and middle byte, mixed.
fn bucket(bytes: &[u8]) -> usize {
    let (len, last, mid) = (
        bytes.len(),
        bytes.last().copied().unwrap_or(0),
        bytes.get(bytes.len() / 2).copied().unwrap_or(0),
    );
    (len.wrapping_mul(31) ^ usize::from(last).wrapping_mul(7) ^ usize::from(mid).wrapping_mul(131)) % BUCKETS
}

/// The built-in spelled exactly `s`, if any, from a small hash table of the spellings.
fn builtin_spelling(s: &str) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table: Vec<Vec<&'static str>> = vec![Vec::new(); BUCKETS];
        let names = crate::builtins::all_names()
            .chain(crate::builtins::METHODS.iter().map(|m| m.name))
            .chain(crate::builtins::FIELDS.iter().map(|f| f.name));
        for name in names {
            let b = &mut table[bucket(name.as_bytes())];
            if !b.contains(&name) {
                b.push(name);
            }
        }
        table
    });
    table.get(bucket(s.as_bytes()))?.iter().copied().find(|&b| b == s)
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Cow::Owned(s))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0.into_owned()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_spellings_are_borrowed_and_others_owned() {
        for name in [
            "$PendingTasks",
            "max",
            "GetSample",
            "hour",
            "TimeInterval_Minute",
            "$TargetDedicatedNodes",
        ] {
            let t = Text::new(name);
            assert!(matches!(t.0, Cow::Borrowed(_)), "{name}");
            assert_eq!(t, name);
        }
        for name in ["$pendingtasks", "Max", "myVariable", "$Target", "x", ""] {
            let t = Text::new(name);
            assert!(matches!(t.0, Cow::Owned(_)), "{name}");
            assert_eq!(t.as_str(), name);
        }
    }

    #[cfg(feature = "lsp")]
    #[test]
    fn every_built_in_round_trips_as_a_plain_string() {
        for name in crate::builtins::all_names() {
            let t = Text::new(name);
            assert_eq!(builtin_spelling(name), Some(name));
            let json = serde_json::to_string(&t).unwrap_or_default();
            assert_eq!(json, serde_json::to_string(name).unwrap_or_default());
            let back: Result<Text, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(t));
        }
    }
}
