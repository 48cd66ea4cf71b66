//! Every command block of the README is what its command prints today.
//!
//! A command block is a ```` ```text ```` block whose first line is `$ batch-autoscale …`. Each
//! `$ ` line is a command; the lines after it, up to the next `$ ` line, are its output (standard
//! output and standard error as they are written, interleaved). The test runs each command through
//! the built binary, with the repository's files visible as from its root (files the command writes
//! land in a scratch directory), and compares line by line, exactly.
//!
//! Two conventions, and only these:
//! - a line that is only `…` stands for any number of lines (abridged output);
//! - `<!-- readme: not run (REASON) -->` on the line before the fence exempts a block whose
//!   command cannot run here (network, `az …`). A command block of another program without the
//!   marker is an error, so nothing is skipped silently.
//!
//! `> FILE` at the end of a command sends standard output to FILE (the block then shows
//! standard error only).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ELISION: &str = "…";
const SKIP_MARKER: &str = "<!-- readme: not run (";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One ```` ```text ```` block that shows commands.
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    skipped: bool,
    lines: Vec<String>,
}

/// The ```` ```text ```` blocks of `markdown` whose first line starts with `$ `, indentation
/// of the fence removed from their lines.
fn command_blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if trimmed.starts_with("```") {
            let indent = lines[i].len() - trimmed.len();
            let info = trimmed.trim_start_matches('`').trim();
            let start = i;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && lines[i].trim() != "```" {
                let l = lines[i];
                let strip = l.len() - l.trim_start().len();
                body.push(l[strip.min(indent)..].to_string());
                i += 1;
            }
            let skipped = start > 0 && lines[start - 1].trim_start().starts_with(SKIP_MARKER);
            if info == "text" && body.first().is_some_and(|l| l.starts_with("$ ")) {
                blocks.push(Block {
                    line: start + 1,
                    skipped,
                    lines: body,
                });
            }
        }
        i += 1;
    }
    blocks
}

/// Split a command line as a POSIX shell would for the simple cases the README uses: words,
/// `'…'` and `"…"` quoting, and a final `> FILE`.
fn split(command: &str) -> (Vec<String>, Option<String>) {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unterminated quote in `{command}`");
    if in_word {
        words.push(word);
    }
    let mut redirect = None;
    if let Some(pos) = words.iter().position(|w| w == ">") {
        assert_eq!(pos + 2, words.len(), "`> FILE` must end the command: `{command}`");
        redirect = words.pop();
        words.pop();
    }
    (words, redirect)
}

/// Whether `actual` matches `expected`, where an `…` line matches any number of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == ELISION => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((e, rest)) => actual.first().is_some_and(|a| a == e) && matches(rest, &actual[1..]),
    }
}

/// A scratch directory whose entries link to the repository's top-level files and directories, so
/// that relative paths read the repository and written files stay out of it.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for entry in std::fs::read_dir(root()).expect("the repository") {
        let entry = entry.expect("an entry");
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        link(&entry.path(), &dir.path().join(&name));
    }
    dir
}

#[cfg(unix)]
fn link(from: &Path, to: &Path) {
    std::os::unix::fs::symlink(from, to).expect("a symbolic link");
}

#[cfg(windows)]
fn link(from: &Path, to: &Path) {
    if from.is_dir() {
        std::os::windows::fs::symlink_dir(from, to).expect("a symbolic link");
    } else {
        std::fs::copy(from, to).expect("a copy");
    }
}

/// Run `words` (a `batch-autoscale` command) in `dir`; standard output and error interleaved as
/// written, unless standard output goes to `redirect`.
fn run(dir: &Path, words: &[String], redirect: Option<&str>) -> String {
    let log = dir.join(".readme-output");
    let file = std::fs::File::create(&log).expect("the output file");
    let stdout = match redirect {
        Some(path) => Stdio::from(std::fs::File::create(dir.join(path)).expect("the redirect")),
        None => Stdio::from(file.try_clone().expect("a second handle")),
    };
    Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
        .args(&words[1..])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("TZ")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::from(file))
        .status()
        .expect("the binary runs");
    std::fs::read_to_string(&log).expect("the output is UTF-8")
}

fn check_file(name: &str) -> Vec<String> {
    let markdown = std::fs::read_to_string(root().join(name)).expect("the README");
    let dir = scratch();
    let mut failures = Vec::new();
    let blocks = command_blocks(&markdown);
    assert!(!blocks.is_empty(), "{name} has no command block");
    for block in &blocks {
        if block.skipped {
            continue;
        }
        let mut i = 0;
        while i < block.lines.len() {
            let command = block.lines[i].strip_prefix("$ ").expect("a command line");
            let end = (i + 1..block.lines.len())
                .find(|&j| block.lines[j].starts_with("$ "))
                .unwrap_or(block.lines.len());
            let expected = &block.lines[i + 1..end];
            let (words, redirect) = split(command);
            if words.first().map(String::as_str) != Some("batch-autoscale") {
                failures.push(format!(
                    "{name}:{}: `{command}` is not a batch-autoscale command; mark the block with {SKIP_MARKER}…) -->",
                    block.line
                ));
                break;
            }
            let output = run(dir.path(), &words, redirect.as_deref());
            let actual: Vec<&str> = output.lines().collect();
            if !matches(expected, &actual) {
                failures.push(format!(
                    "{name}:{}: `{command}` prints\n{output}\n--- but the README shows\n{}\n",
                    block.line,
                    expected.join("\n")
                ));
            }
            i = end;
        }
    }
    failures
}

#[test]
fn every_readme_command_block_is_what_the_command_prints() {
    let failures = check_file("README.md");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_matcher_takes_elisions_as_any_lines_and_nothing_else() {
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a", "…", "d"]), &["a", "b", "c", "d"]));
    assert!(matches(&e(&["a", "…", "d"]), &["a", "d"]));
    assert!(matches(&e(&["a", "…"]), &["a", "b"]));
    assert!(!matches(&e(&["a", "d"]), &["a", "b", "d"]));
    assert!(!matches(&e(&["a", "…", "d"]), &["a", "b", "d", "e"]));
    assert!(!matches(&e(&["a"]), &["a "]));
    assert_eq!(
        split("batch-autoscale replay f --columns '$pending' > t.csv"),
        (
            e(&["batch-autoscale", "replay", "f", "--columns", "$pending"]),
            Some("t.csv".to_string())
        )
    );
}

#[test]
fn blocks_are_found_indented_and_marked() {
    let md = "x\n  ```text\n  $ batch-autoscale a\n  out\n  ```\n<!-- readme: not run (needs Azure) -->\n```text\n$ az b\n```\n```text\nno command\n```\n";
    let blocks = command_blocks(md);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].lines, vec!["$ batch-autoscale a", "out"]);
    assert!(!blocks[0].skipped && blocks[1].skipped);
}
