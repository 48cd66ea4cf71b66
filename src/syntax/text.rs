//! [`Text`], the spelling of a name in the tree: borrowed when it is a built-in's spelling,
//! shared when it is not.
//!
//! Most names of a formula are built-ins (service variables, functions, methods, fields,
//! constants, keywords); storing those as a `&'static str` from [`crate::builtins`] saves an
//! allocation to build each and a free to drop it. Other names share one reference-counted
//! copy per spelling: a small per-thread cache of recent spellings hands out the same `Arc`
//! for a name written many times (and for the same names parsed again, as the language
//! server does on every edit), so building such a name is a clone instead of a `malloc`.
//! Sharing is invisible: equality, order, hashing, `Debug` and serde see only the text.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The text of a name; derefs to `str` and serialises as a plain string.
#[derive(Clone)]
pub struct Text(Repr);

/// Where a [`Text`]'s characters are.
#[derive(Clone)]
enum Repr {
    /// A built-in's spelling, from the built-ins' tables.
    Builtin(&'static str),
    /// Any other text, shared with the other names spelled the same.
    Shared(Arc<str>),
}

impl Text {
    /// The text of `s`, borrowed from the built-ins' table when `s` is spelled like one of them.
    pub fn new(s: &str) -> Text {
        match builtin_spelling(s) {
            Some(b) => Text(Repr::Builtin(b)),
            None => Text(Repr::Shared(shared(s))),
        }
    }

    /// The text as a `&str`.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Builtin(s) => s,
            Repr::Shared(s) => s,
        }
    }
}

/// Slots of the per-thread cache of shared spellings (a power of two).
const CACHE_SLOTS: usize = 512;

/// Spellings longer than this are not cached (a name is rarely longer; the bound keeps the
/// cache's memory at a few dozen KB per thread whatever the input).
const CACHE_MAX_LEN: usize = 64;

thread_local! {
    /// Recently built spellings, one per slot, by a hash of their bytes.
    static CACHE: RefCell<Vec<Option<Arc<str>>>> = const { RefCell::new(Vec::new()) };
}

/// The cache slot of a spelling: rustc's Fx multiply-rotate hash of its bytes, top bits.
fn cache_slot(bytes: &[u8]) -> usize {
    let mut h = bytes.len() as u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    (h >> (64 - CACHE_SLOTS.trailing_zeros())) as usize
}

/// A shared copy of `s`: the cached one when `s` was built recently on this thread.
fn shared(s: &str) -> Arc<str> {
    if s.len() > CACHE_MAX_LEN {
        return Arc::from(s);
    }
    let slot = cache_slot(s.as_bytes());
    CACHE
        .try_with(|cache| {
            let mut cache = cache.try_borrow_mut().ok()?;
            if cache.is_empty() {
                cache.resize(CACHE_SLOTS, None);
            }
            let entry = cache.get_mut(slot)?;
            match entry {
                Some(cached) if **cached == *s => Some(Arc::clone(cached)),
                _ => Some(Arc::clone(entry.insert(Arc::from(s)))),
            }
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| Arc::from(s))
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
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// As the derived `Debug` of a tuple struct around the string: `Text("…")`.
impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Text").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        match (&self.0, &other.0) {
            (Repr::Shared(a), Repr::Shared(b)) if Arc::ptr_eq(a, b) => true,
            _ => self.as_str() == other.as_str(),
        }
    }
}

impl Eq for Text {}

/// Hashes as the `str` it holds (so that lookups by `&str` through [`Borrow`] find it).
impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// A plain string.
impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// From a plain string.
impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        String::deserialize(deserializer).map(Text::from)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Repr::Shared(Arc::from(s)))
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.as_str().to_string()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_spellings_are_borrowed_and_others_shared() {
        for name in [
            "$PendingTasks",
            "max",
            "GetSample",
            "hour",
            "TimeInterval_Minute",
            "$TargetDedicatedNodes",
        ] {
            let t = Text::new(name);
            assert!(matches!(t.0, Repr::Builtin(_)), "{name}");
            assert_eq!(t, name);
        }
        for name in ["$pendingtasks", "Max", "myVariable", "$Target", "x", ""] {
            let t = Text::new(name);
            assert!(matches!(t.0, Repr::Shared(_)), "{name}");
            assert_eq!(t.as_str(), name);
        }
    }

    fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    }

    /// Names spelled the same share one copy, and compare, order and hash as their text
    /// whether shared, built separately or borrowed.
    #[test]
    fn names_spelled_the_same_share_one_copy_and_behave_as_their_text() {
        let (a, b) = (Text::new("$tasks"), Text::new(&String::from("$tasks")));
        match (&a.0, &b.0) {
            (Repr::Shared(x), Repr::Shared(y)) => assert!(Arc::ptr_eq(x, y)),
            _ => panic!("user names are shared"),
        }
        let separate = Text::from(String::from("$tasks"));
        for t in [&a, &b, &separate] {
            assert_eq!(*t, a);
            assert_eq!(t.cmp(&a), Ordering::Equal);
            assert_eq!(hash_of(t), hash_of("$tasks"));
            assert_eq!(&**t, "$tasks");
        }
        assert_ne!(Text::new("$tasks"), Text::new("$task"));
        assert!(Text::new("$a") < Text::new("$b") && Text::new("max") > Text::new("$z"));
        assert_eq!(hash_of(&Text::new("max")), hash_of("max"));
        assert_eq!(format!("{:?}", Text::new("$tasks")), r#"Text("$tasks")"#);
        assert_eq!(format!("{:?}", Text::new("max")), r#"Text("max")"#);
        assert_eq!(format!("{:#?}", Text::new("x")), "Text(\n    \"x\",\n)");
        assert_eq!(Text::new("$tasks").to_string(), "$tasks");
        assert_eq!(String::from(Text::new("$tasks")), "$tasks");
    }

    /// Spellings that collide in the cache, or are too long for it, keep their own text.
    #[test]
    fn the_cache_never_mixes_up_spellings() {
        let names: Vec<String> = (0..3 * CACHE_SLOTS)
            .map(|k| format!("$v{k}"))
            .chain([format!("${}", "x".repeat(CACHE_MAX_LEN)), format!("${}", "y".repeat(5000))])
            .collect();
        let texts: Vec<Text> = names.iter().map(|n| Text::new(n)).collect();
        for _ in 0..2 {
            for (n, t) in names.iter().zip(&texts) {
                assert_eq!(t.as_str(), n);
                assert_eq!(Text::new(n), *t);
                assert_eq!(Text::new(n).as_str(), n);
            }
        }
        // Other threads have caches of their own.
        let there = std::thread::spawn(|| Text::new("$tasks")).join().ok();
        assert_eq!(there, Some(Text::new("$tasks")));
    }

    #[test]
    fn serde_sees_a_plain_string() {
        for name in ["$tasks", "max", "", "$PendingTasks", "é"] {
            let t = Text::new(name);
            let json = serde_json::to_string(&t).unwrap_or_default();
            assert_eq!(json, serde_json::to_string(name).unwrap_or_default());
            let back: Result<Text, _> = serde_json::from_str(&json);
            assert_eq!(back.ok(), Some(t));
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
