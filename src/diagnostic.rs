//! Diagnostics: plain data that the CLI renders, the LSP converts and the service-shaped output
//! summarises. Rendering lives elsewhere.

use serde::{Deserialize, Serialize};

use crate::syntax::{LineCol, LineIndex, Span};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Note,
    /// The formula runs, but probably not as the author meant.
    Warning,
    /// The service would reject or fail the formula.
    Error,
}

/// What kind of error the service reports for a formula with this diagnostic (D26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServiceErrorKind {
    /// `AutoScaleFormulaTooLong`.
    TooLong,
    /// `AutoScalingFormulaSyntaxError`.
    Syntax,
    /// `AutoScalingFormulaEvaluationError`.
    Evaluation,
}

impl ServiceErrorKind {
    /// The service's error code.
    pub fn code(self) -> &'static str {
        match self {
            ServiceErrorKind::TooLong => "AutoScaleFormulaTooLong",
            ServiceErrorKind::Syntax => "AutoScalingFormulaSyntaxError",
            ServiceErrorKind::Evaluation => "AutoScalingFormulaEvaluationError",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = ($code:literal, $name:literal, $severity:ident, $service:expr); )*) => {
        /// A stable diagnostic code. The code string (`E101`) and the name (`missing-semicolon`)
        /// never change meaning once released.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable code string, e.g. `E101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The stable kebab-case name, e.g. `missing-semicolon`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity diagnostics with this code have.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The service error this diagnostic corresponds to, for errors.
            pub fn service_error(self) -> Option<ServiceErrorKind> {
                match self { $(Code::$variant => $service,)* }
            }
        }
    };
}

use ServiceErrorKind::{Evaluation as Ev, Syntax as Sy, TooLong as Tl};

codes! {
    /// More than 8192 UTF-16 code units (D3). Triggered by a 9 KB formula.
    FormulaTooLong = ("E100", "formula-too-long", Error, Some(Tl));
    /// A token where the grammar does not allow it: `$x = * 2`.
    UnexpectedToken = ("E101", "unexpected-token", Error, Some(Sy));
    /// Two statements without `;` between them: `$a = 1` newline `$b = 2`.
    MissingSemicolon = ("E102", "missing-semicolon", Error, Some(Sy));
    /// `/* … */` (D1).
    BlockComment = ("E103", "block-comment", Error, Some(Sy));
    /// `.5`, `5.`, `1e3`, `0x10`, `1_000` (D34).
    InvalidNumber = ("E104", "invalid-number", Error, Some(Sy));
    /// `"abc` with no closing quote on the line (D35).
    UnterminatedString = ("E105", "unterminated-string", Error, Some(Sy));
    /// `'abc'`: only double quotes exist.
    SingleQuotedString = ("E106", "single-quoted-string", Error, Some(Sy));
    /// A single `&` or `|`.
    InvalidOperator = ("E107", "invalid-operator", Error, Some(Sy));
    /// A character that starts no token: `{`, `\`, `%`, `[`.
    InvalidCharacter = ("E108", "invalid-character", Error, Some(Sy));
    /// A formula with no statement (empty or only comments) (D4).
    EmptyFormula = ("E109", "empty-formula", Error, Some(Sy));
    /// Parentheses, `?:` or prefix operators nested deeper than the parser allows.
    NestingTooDeep = ("E110", "nesting-too-deep", Error, Some(Sy));
    /// More than 100 statements (D3).
    TooManyStatements = ("E111", "too-many-statements", Error, Some(Sy));
    /// A name that is neither assigned earlier nor built in: `$something_useless` (D5).
    UndefinedVariable = ("E201", "undefined-variable", Error, Some(Ev));
    /// A call of a function that does not exist: `abs(1)`, `Max(1, 2)`.
    UnknownFunction = ("E202", "unknown-function", Error, Some(Ev));
    /// A sample method that does not exist: `$PendingTasks.GetSamples(1)`.
    UnknownMethod = ("E203", "unknown-method", Error, Some(Ev));
    /// A timestamp field that does not exist: `time().hours`.
    UnknownField = ("E204", "unknown-field", Error, Some(Ev));
    /// A call with a number of arguments no overload takes: `rand(1)`.
    WrongArity = ("E205", "wrong-arity", Error, Some(Ev));
    /// Operand types outside the operator table (§3.1, D12): `2 * $v.GetSample(1)`.
    TypeMismatch = ("E206", "type-mismatch", Error, Some(Ev));
    /// An argument of a type the function does not take: `avg(time())`.
    InvalidArgument = ("E207", "invalid-argument", Error, Some(Ev));
    /// Assigning a read-only name (D33): `$PendingTasks = 3`.
    ReadOnlyAssignment = ("E208", "read-only-assignment", Error, Some(Ev));
    /// A deallocation keyword used anywhere but as the value of `$NodeDeallocationOption` (D30).
    KeywordMisuse = ("E209", "keyword-misuse", Error, Some(Ev));
    /// A built-in spelled with the wrong case: `Max`, `getSample`, `timeInterval_Minute` (D2).
    CaseMismatch = ("E210", "case-mismatch", Error, Some(Ev));
    /// A target assigned something other than a double, or `$NodeDeallocationOption` something
    /// other than a keyword (D14, D30).
    InvalidTargetValue = ("E211", "invalid-target-value", Error, Some(Ev));
    /// `stop()` where its (missing) value would be used (D27): `$x = stop()`.
    MisplacedStop = ("E212", "misplaced-stop", Error, Some(Ev));
    /// A `time("…")` literal in no accepted format (D31).
    InvalidTimeLiteral = ("E213", "invalid-time-literal", Error, Some(Ev));
    /// A number literal too large for a double.
    NumberTooLarge = ("E214", "number-too-large", Error, Some(Ev));
    /// A sample method on something that is not a sampled metric (D11): `$CurrentDedicatedNodes.GetSample(1)`.
    NotAMetric = ("E215", "not-a-metric", Error, Some(Ev));
    /// A call of something that is not a function: `$x(1)`.
    NotCallable = ("E216", "not-callable", Error, Some(Ev));
    /// No target is assigned anywhere (§9.1).
    NoTargetAssigned = ("W301", "no-target-assigned", Warning, None);
    /// A target assigned under both its alias and its canonical name (D15).
    AliasAndCanonical = ("W302", "alias-and-canonical", Warning, None);
    /// `$TargetDedicated`, `$TargetLowPriority`, `$CurrentDedicated` (D15).
    DeprecatedAlias = ("W303", "deprecated-alias", Warning, None);
    /// A metric the service no longer populates (D32).
    RetiredMetric = ("W304", "retired-metric", Warning, None);
    /// `GetSample(1)` is the only look at a metric (§6.5).
    OnlyLastSample = ("W305", "only-last-sample", Warning, None);
    /// A sample window that starts less than a minute ago (§6.5).
    WindowTooRecent = ("W306", "window-too-recent", Warning, None);
    /// `GetSample(window)` that can fail with the 70 % default, not guarded by `GetSamplePercent` (D23).
    UnguardedWindow = ("W307", "unguarded-window", Warning, None);
    /// `$CPUPercent` compared with a value ≤ 1 (§9.1).
    CpuPercentScale = ("W308", "cpu-percent-scale", Warning, None);
    /// A condition whose value is known before evaluation.
    ConstantCondition = ("W309", "constant-condition", Warning, None);
    /// A target assigned a value that is negative or fractional (D14).
    TargetNotWholeNumber = ("W310", "target-not-whole-number", Warning, None);
    /// `.weekday` compared with 7 (D8: Sunday is 0).
    WeekdaySeven = ("W311", "weekday-seven", Warning, None);
    /// `a < b < c` (D6).
    ChainedComparison = ("W312", "chained-comparison", Warning, None);
    /// A statement whose value is discarded and that has no effect (D5).
    NoEffect = ("W313", "no-effect", Warning, None);
    /// A user variable named like a built-in function or constant (D33).
    ShadowsBuiltin = ("W314", "shadows-builtin", Warning, None);
    /// A `$name` that differs from a service variable only in case (D2).
    VariableCaseMismatch = ("W315", "variable-case-mismatch", Warning, None);
    /// A `$name` one or two letters away from an assignable service variable: `$TargetDedicatedNode`.
    SimilarToServiceVariable = ("W318", "similar-to-service-variable", Warning, None);
    /// A user variable assigned but never read.
    UnusedVariable = ("W316", "unused-variable", Warning, None);
    /// A sampled metric used as a number (D11).
    MetricAsNumber = ("W317", "metric-as-number", Warning, None);
    /// A target whose value can only be applied as 0: `$TargetDedicatedNodes = min(0, $x)`.
    TargetAlwaysZero = ("W319", "target-always-zero", Warning, None);
    /// `time() - time("2024-05-01T10:00:00Z")` compared with an interval, as if it were the
    /// pool's age: it is the time since a fixed date.
    AgeFromFixedTime = ("W320", "age-from-fixed-time", Warning, None);
    /// `retaineddata` was removed from newer REST API resize options (D30).
    RetainedData = ("N401", "retaineddata", Note, None);
    /// `time().hour` or `.weekday` compared with a number: the service's clock is UTC.
    UtcTimeComparison = ("N402", "utc-time-comparison", Note, None);
    /// A template placeholder left in a formula kept in a host file: `${var.max_nodes}`,
    /// `{0}`, `{{max}}`, `$(max)`, `%(max)s`, ARM `[parameters('formula')]`.
    TemplatePlaceholder = ("E501", "template-placeholder", Error, Some(Sy));
    /// An evaluation interval the service refuses: `PT1M`, `PT200H`, `5 minutes` in pool JSON.
    InvalidEvaluationInterval = ("E502", "invalid-evaluation-interval", Error, None);
    /// A formula the service never evaluates: `enableAutoScale: false`, or a fixed scale beside it.
    AutoscaleDisabled = ("W503", "autoscale-disabled", Warning, None);
}

impl Code {
    /// The code with this code string (`W316`) or name (`unused-variable`), in any case.
    ///
    /// ```
    /// use batch_autoscale::Code;
    /// assert_eq!(Code::lookup("w316"), Some(Code::UnusedVariable));
    /// assert_eq!(Code::lookup("case-mismatch"), Some(Code::CaseMismatch));
    /// assert_eq!(Code::lookup("nope"), None);
    /// ```
    pub fn lookup(text: &str) -> Option<Code> {
        let text = text.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text) || c.name().eq_ignore_ascii_case(text))
    }

    /// Whether a fix of this code can be applied without a person choosing (`check --fix`):
    /// fixes of misspelt names that only guess the nearest name are suggestions, not applied.
    pub fn fix_is_machine_applicable(self) -> bool {
        !matches!(
            self,
            Code::UndefinedVariable
                | Code::UnknownFunction
                | Code::UnknownMethod
                | Code::UnknownField
                | Code::SimilarToServiceVariable
                | Code::MetricAsNumber
        )
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text replacement that is part of a [`Fix`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    /// The bytes to replace.
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

/// A suggested change that resolves a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, e.g. "replace with `$TargetDedicatedNodes`".
    pub message: String,
    /// The edits, non-overlapping.
    pub edits: Vec<Edit>,
}

/// A secondary location that explains a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it.
    pub message: String,
}

/// One finding about a formula.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// How bad it is.
    pub severity: Severity,
    /// One sentence a newcomer understands.
    pub message: String,
    /// The primary location.
    pub span: Span,
    /// Secondary locations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// Further explanation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A suggested change, where one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the severity of its code.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            span,
            labels: Vec::new(),
            notes: Vec::new(),
            fix: None,
        }
    }

    /// Add a fix that replaces `span` with `replacement`.
    pub fn with_fix(mut self, message: impl Into<String>, span: Span, replacement: impl Into<String>) -> Diagnostic {
        self.fix = Some(Fix {
            message: message.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
        });
        self
    }

    /// Add a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Add a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A diagnostic as `check --format json` writes it (and the Python package returns it): the
/// code and name, 1-based line and column positions besides the byte span; fields in
/// camelCase (`serviceCode`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonDiagnostic<'a> {
    /// Stable code, e.g. `E201`.
    pub code: &'a str,
    /// Stable name, e.g. `undefined-variable`.
    pub name: &'a str,
    /// `error`, `warning` or `note`.
    pub severity: Severity,
    /// The message (cut after 1000 characters).
    pub message: std::borrow::Cow<'a, str>,
    /// Byte offsets `[start, end)`.
    pub span: Span,
    /// 1-based start position.
    pub start: LineCol,
    /// 1-based end position.
    pub end: LineCol,
    /// Notes (each cut after 1000 characters).
    pub notes: Vec<std::borrow::Cow<'a, str>>,
    /// The fix, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<&'a Fix>,
    /// The service error code this diagnostic corresponds to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_code: Option<&'static str>,
}

/// Messages, notes and label texts are cut after this many characters where they are shown
/// (rendered by the CLI and in JSON), so that output stays linear in the input.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// `text`, cut after [`MAX_MESSAGE_CHARS`] characters (with `…` marking the cut).
pub fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        None => text.into(),
        Some((at, _)) => format!("{}…", &text[..at]).into(),
    }
}

/// The JSON form of a diagnostic, positions from `index` (the [`LineIndex`] of its source).
pub fn json_diagnostic<'a>(index: &LineIndex, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        code: d.code.as_str(),
        name: d.code.name(),
        severity: d.severity,
        message: bounded(&d.message),
        span: d.span,
        start: index.line_col(d.span.start as usize),
        end: index.line_col(d.span.end as usize),
        notes: d.notes.iter().map(|n| bounded(n)).collect(),
        fix: d.fix.as_ref(),
        service_code: d.code.service_error().map(|k| k.code()),
    }
}

impl Diagnostic {
    /// The diagnostic as `check --format json` writes it, with 1-based line and column
    /// positions from `index` (the [`LineIndex`] of its source).
    ///
    /// ```
    /// use batch_autoscale::{check, LineIndex};
    /// let src = "$TargetDedicatedNodes =\n    $y;";
    /// let analysis = check(src);
    /// let json = analysis.diagnostics[0].to_json(&LineIndex::new(src));
    /// assert_eq!((json.code, json.name), ("E201", "undefined-variable"));
    /// assert_eq!((json.start.line, json.start.column), (2, 5));
    /// ```
    pub fn to_json<'a>(&'a self, index: &LineIndex) -> JsonDiagnostic<'a> {
        json_diagnostic(index, self)
    }
}

/// Sort diagnostics by position, then code, so output is stable.
pub(crate) fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_cut() {
        assert_eq!(bounded("short"), "short");
        assert_eq!(bounded(&"x".repeat(1500)).chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {}", code.as_str());
            assert!(seen.insert(code.name()), "duplicate name {}", code.name());
            let expected = match code.severity() {
                Severity::Error => 'E',
                Severity::Warning => 'W',
                Severity::Note => 'N',
            };
            assert!(code.as_str().starts_with(expected), "{code:?}");
            // Errors about the host file's settings (E5xx) are not formula errors.
            let formula_error = code.severity() == Severity::Error && *code != Code::InvalidEvaluationInterval;
            assert_eq!(code.service_error().is_some(), formula_error, "{code:?}");
        }
    }
}
