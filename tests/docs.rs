//! The language reference, `docs/language.md`: its built-ins section is generated from the
//! built-ins table (run `BATCH_AUTOSCALE_UPDATE_DOCS=1 cargo test --test docs` to rewrite it
//! after changing `src/builtins.rs`), it lists every decision D1–D52 with its kind, and the
//! README and the crate documentation point at it.

use batch_autoscale::builtins::{self, VariableKind};
use batch_autoscale::Code;

const BEGIN: &str = "<!-- builtins:begin (generated from src/builtins.rs by tests/docs.rs; do not edit) -->";
const END: &str = "<!-- builtins:end -->";

fn reference_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join("language.md")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// The built-ins section as the table defines it.
fn builtins_markdown() -> String {
    let mut out = String::new();
    out.push_str("#### Functions\n\n| function | signatures | what it does |\n| --- | --- | --- |\n");
    let mut functions: Vec<_> = builtins::FUNCTIONS.iter().collect();
    functions.sort_by_key(|f| f.name);
    for f in functions {
        let signatures: Vec<String> = f.signatures.iter().map(|s| format!("`{}`", cell(s))).collect();
        let added = if f.added_2022 { " (added to the service in late 2022)" } else { "" };
        out.push_str(&format!(
            "| `{}` | {} | {}{added} |\n",
            f.name,
            signatures.join("<br>"),
            cell(f.doc)
        ));
    }
    out.push_str("\n#### Sample methods of a metric\n\n| method | signatures | what it does |\n| --- | --- | --- |\n");
    for m in builtins::METHODS {
        let signatures: Vec<String> = m.signatures.iter().map(|s| format!("`{}`", cell(s))).collect();
        out.push_str(&format!("| `{}` | {} | {} |\n", m.name, signatures.join("<br>"), cell(m.doc)));
    }
    out.push_str("\n#### Timestamp fields\n\n| field | value |\n| --- | --- |\n");
    for f in builtins::FIELDS {
        out.push_str(&format!("| `.{}` | {} |\n", f.name, cell(f.doc)));
    }
    out.push_str("\n#### `TimeInterval_*` constants\n\n| constant | value |\n| --- | --- |\n");
    for c in builtins::CONSTANTS {
        out.push_str(&format!("| `{}` | {} |\n", c.name, cell(c.doc)));
    }
    out.push_str("\n#### Deallocation keywords\n\n| keyword | effect on the tasks of a node being removed |\n| --- | --- |\n");
    for k in builtins::KEYWORDS {
        out.push_str(&format!("| `{}` | {} |\n", k.name, cell(k.doc)));
    }
    out.push_str("\n#### Service variables\n\n| variable | kind | assignable | meaning |\n| --- | --- | --- | --- |\n");
    for v in builtins::VARIABLES {
        let kind = match v.kind {
            VariableKind::Target(_) => "target (double)",
            VariableKind::DeallocationOption => "deallocation keyword",
            VariableKind::Scalar(_) => "pool value (double)",
            VariableKind::Metric(_) => "sampled metric",
        };
        let mut meaning = cell(v.doc);
        if let Some(canonical) = v.alias_of {
            meaning = format!("Legacy alias of `{canonical}` (D15, D51).");
        }
        let writable = if v.writable { "yes" } else { "no" };
        out.push_str(&format!("| `{}` | {kind} | {writable} | {meaning} |\n", v.name));
    }
    out.push_str("\n#### Diagnostic codes\n\n| code | name | severity | service error code |\n| --- | --- | --- | --- |\n");
    for code in Code::ALL {
        let service = code
            .service_error()
            .map(|k| format!("`{}`", k.code()))
            .unwrap_or_else(|| "—".into());
        out.push_str(&format!(
            "| {} | `{}` | {} | {service} |\n",
            code.as_str(),
            code.name(),
            format!("{:?}", code.severity()).to_lowercase()
        ));
    }
    out
}

#[test]
fn language_reference_builtins_match_the_table() {
    let path = reference_path();
    let text = std::fs::read_to_string(&path).expect("docs/language.md exists");
    let (start, end) = (
        text.find(BEGIN).expect("the begin marker") + BEGIN.len(),
        text.find(END).expect("the end marker"),
    );
    let generated = format!("\n\n{}\n", builtins_markdown());
    if text[start..end] != generated {
        if std::env::var_os("BATCH_AUTOSCALE_UPDATE_DOCS").is_some() {
            let updated = format!("{}{generated}{}", &text[..start], &text[end..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        panic!("docs/language.md's built-ins section is out of date; run `BATCH_AUTOSCALE_UPDATE_DOCS=1 cargo test --test docs`");
    }
    // Every built-in name appears in the section (the generator covers every table).
    for name in builtins::all_names() {
        assert!(text[start..end].contains(&format!("`{name}`")), "{name} is not in the reference");
    }
}

#[test]
fn language_reference_lists_every_decision_with_its_kind() {
    let text = std::fs::read_to_string(reference_path()).unwrap();
    const KINDS: [&str; 3] = ["documented", "observed", "project decision"];
    for n in 1..=52 {
        let prefix = format!("| D{n} |");
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with(&prefix)).collect();
        assert_eq!(rows.len(), 1, "D{n} must have exactly one row in the decisions table");
        let kind = rows[0].trim_end().trim_end_matches('|').rsplit('|').next().unwrap().trim();
        assert!(
            KINDS.contains(&kind),
            "D{n}: the last column must be one of {KINDS:?}, not {kind:?}"
        );
    }
}

#[test]
fn readme_and_crate_docs_point_at_the_reference() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let lib = std::fs::read_to_string(root.join("src").join("lib.rs")).unwrap();
    for (name, text) in [("README.md", &readme), ("src/lib.rs", &lib)] {
        assert!(text.contains("docs/language.md"), "{name} does not link the reference");
        assert!(!text.contains("shared/spec"), "{name} still points at shared/spec");
    }
}
