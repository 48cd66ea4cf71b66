//! The checker: names, types, arity, keywords, limits and lints (LANGUAGE.md §2–§6, §9).
//!
//! [`check`] parses and checks a formula and returns every diagnostic together with what an
//! editor needs about user variables (definitions, references, types).

pub mod allow;
mod fast_hash;
mod lints;
pub(crate) mod resolve;

#[cfg(any(feature = "cli", test))]
pub(crate) use lints::FixedDateAge;

use serde::Serialize;

use crate::builtins::{self, Function, Method, Params, VariableKind};
use crate::diagnostic::{sort_diagnostics, Code, Diagnostic, Severity};
use crate::limits::MAX_FORMULA_LENGTH;
use crate::syntax::ast::{Args, ExprRef, Formula, Name, StatementKind, View};
use crate::syntax::line_index::utf16_len;
use crate::syntax::text::Text;
use crate::syntax::{parse, Span};
use crate::types::{binary_hint, binary_result, unary_result, Type, TypeSet};

use fast_hash::{FastMap, FastSet};
use resolve::{Resolution, Resolved};

/// What the checker knows about one user variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariableInfo {
    /// The name as written.
    pub name: String,
    /// Every assignment: the span of the name, the span of the whole statement and the type.
    pub definitions: Vec<Definition>,
    /// Every read of the variable.
    pub references: Vec<Span>,
}

/// One assignment of a user variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Definition {
    /// The assigned name.
    pub name_span: Span,
    /// The whole statement.
    pub statement_span: Span,
    /// The possible types of the value, e.g. `double`.
    pub type_name: std::borrow::Cow<'static, str>,
}

/// The result of checking: the tree, every diagnostic, and the user variables.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// The syntax tree (empty when the formula was too long to parse).
    pub(crate) formula: Formula,
    /// Every diagnostic, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// User variables in order of first assignment.
    pub variables: Vec<VariableInfo>,
    /// What every name stands for and every expression's type: the resolved tree, read by
    /// the compiler, the lints and the language server.
    #[serde(skip)]
    pub(crate) resolved: Resolved,
}

impl Analysis {
    /// The "time since a fixed date" comparisons of the formula (W320), for the note a run
    /// gives when the date is long past.
    #[cfg(any(feature = "cli", test))]
    pub(crate) fn fixed_date_ages(&self) -> Vec<FixedDateAge> {
        lints::fixed_date_ages(&self.formula, &self.resolved)
    }

    /// Whether any diagnostic is an error (the service would not evaluate the formula).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The diagnostic the service would report (D26): the size limit first, then the first
    /// syntax error, then the first other error.
    pub fn service_error(&self) -> Option<&Diagnostic> {
        use crate::diagnostic::ServiceErrorKind as K;
        [K::TooLong, K::Syntax, K::Evaluation].into_iter().find_map(|kind| {
            self.diagnostics
                .iter()
                .find(|d| d.is_error() && d.code.service_error() == Some(kind))
        })
    }

    /// The user variable with this exact name.
    pub fn variable(&self, name: &str) -> Option<&VariableInfo> {
        self.variables.iter().find(|v| v.name == name)
    }
}

/// Parse and check `src`.
///
/// A formula over the size limit (8192 UTF-16 code units, D3) is not parsed: the one
/// diagnostic says so, so even a 10 MB input is answered at once.
pub fn check(src: &str) -> Analysis {
    // A leading byte order mark is not part of the formula (the lexer skips it too).
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let length = if body.len() > MAX_FORMULA_LENGTH * 4 {
        body.len()
    } else {
        utf16_len(body)
    };
    if length > MAX_FORMULA_LENGTH {
        let d = Diagnostic::new(
            Code::FormulaTooLong,
            Span::new(0, src.len().min(u32::MAX as usize)),
            format!(
                "the formula is {length} characters long; the service accepts at most {MAX_FORMULA_LENGTH} (counted in UTF-16 code units)"
            ),
        )
        .with_note("shorten comments and names, or compute less in the formula");
        return Analysis {
            formula: Formula::empty(Span::new(0, src.len())),
            diagnostics: vec![d],
            variables: Vec::new(),
            resolved: Resolved::default(),
        };
    }
    let parsed = parse(src);
    let formula = parsed.formula;
    let (mut diagnostics, variables, resolved) = crate::deep::with_stack_for(crate::deep::depth_beyond_shallow(&formula), || {
        let mut checker = Checker::new(formula.statements.len());
        checker.diagnostics = parsed.diagnostics;
        checker.check_formula(&formula);
        checker.resolved.finish();
        lints::run(&formula, &checker.resolved, &mut checker.diagnostics, &checker.variables);
        (checker.diagnostics, checker.variables, checker.resolved)
    });
    sort_diagnostics(&mut diagnostics);
    diagnostics.dedup();
    Analysis {
        formula,
        diagnostics,
        variables,
        resolved,
    }
}

/// Where an expression's value goes, which decides whether keywords and `stop()` are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// A value that is used.
    Value,
    /// The value of `$NodeDeallocationOption = …` (keywords allowed, D30).
    Deallocation,
    /// A value that is discarded (bare statement, D27: `stop()` allowed).
    Discarded,
}

struct Checker {
    diagnostics: Vec<Diagnostic>,
    variables: Vec<VariableInfo>,
    /// Current type of each assigned user variable (by index into `variables`).
    types: FastMap<Text, (usize, TypeSet)>,
    /// Every name assigned anywhere in the formula, with the span of its first assignment.
    assigned_anywhere: FastMap<Text, Span>,
    /// Undefined names already reported (each is reported once, at its first use).
    reported_undefined: FastSet<String>,
    /// Per target (indexed by [`crate::builtins::Target`]): the type of its latest write so far, which reads
    /// see through either name (D51).
    target_types: [TypeSet; 2],
    /// The name spans of the assignments whose value each target holds when the evaluation
    /// ends (D15): only these must be doubles (D42).
    final_target_assignments: FastSet<Span>,
    /// The resolved tree being recorded.
    resolved: Resolved,
}

impl Checker {
    /// A checker for a formula of `statements` statements: the maps that only answer lookups
    /// are sized for them at once (`types` is not: the order of its keys feeds suggestions).
    fn new(statements: usize) -> Checker {
        Checker {
            diagnostics: Vec::new(),
            variables: Vec::new(),
            types: FastMap::default(),
            assigned_anywhere: FastMap::with_capacity_and_hasher(statements, Default::default()),
            reported_undefined: FastSet::default(),
            target_types: [Type::Double.into(); 2],
            final_target_assignments: FastSet::default(),
            resolved: Resolved::default(),
        }
    }

    fn report(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn check_formula(&mut self, formula: &Formula) {
        // Per target: the last canonical and the last alias assignment (D15).
        let mut last: [(Option<Span>, Option<Span>); 2] = [(None, None); 2];
        for statement in &formula.statements {
            if let StatementKind::Assign { target, .. } = &statement.kind {
                if !self.assigned_anywhere.contains_key(target.text.as_str()) {
                    self.assigned_anywhere.insert(target.text.clone(), target.span);
                }
                if let Some(v) = builtins::lookup_variable(&target.text) {
                    if let VariableKind::Target(t) = v.kind {
                        let entry = &mut last[t as usize];
                        if v.alias_of.is_some() {
                            entry.1 = Some(target.span);
                        } else {
                            entry.0 = Some(target.span);
                        }
                    }
                }
            }
        }
        self.final_target_assignments = last.iter().filter_map(|(canonical, alias)| canonical.or(*alias)).collect();
        for statement in &formula.statements {
            match &statement.kind {
                StatementKind::Assign { target, value } => self.check_assignment(target, formula.get(*value), statement.span),
                StatementKind::Expr { expr } => {
                    self.expr(formula.get(*expr), Position::Discarded);
                }
                StatementKind::Error => {}
            }
        }
    }

    fn check_assignment(&mut self, target: &Name, value: ExprRef<'_>, statement_span: Span) {
        let name = target.text.as_str();
        if let Some(var) = builtins::lookup_variable(name) {
            self.resolved.add_name(target.span, Resolution::Service(var));
            if !var.writable {
                self.expr(value, Position::Value);
                self.report(
                    Diagnostic::new(Code::ReadOnlyAssignment, target.span, format!("`{name}` is a read-only service variable and cannot be assigned"))
                        .with_note("only $TargetDedicatedNodes, $TargetLowPriorityNodes and $NodeDeallocationOption can be assigned; use a variable of your own for intermediate values"),
                );
                return;
            }
            match var.kind {
                VariableKind::DeallocationOption => {
                    let t = self.expr(value, Position::Deallocation);
                    if !t.is_unknown() && !t.contains(Type::Keyword) {
                        self.report(
                            Diagnostic::new(Code::InvalidTargetValue, value.span, format!("`$NodeDeallocationOption` must be assigned one of requeue, terminate, taskcompletion or retaineddata, not a {}", t.describe())),
                        );
                    }
                }
                VariableKind::Target(target_kind) => {
                    let t = self.expr(value, Position::Value);
                    self.target_types[target_kind as usize] = t;
                    // D42: only the value the target holds at the end must be a double.
                    let is_final = self.final_target_assignments.contains(&target.span);
                    if is_final && !t.is_unknown() && !t.contains(Type::Double) && !t.is_empty() {
                        let mut d = Diagnostic::new(
                            Code::InvalidTargetValue,
                            value.span,
                            format!(
                                "`{name}` must be a number of nodes (a double) when the evaluation ends, but its last assignment is a {}",
                                t.describe()
                            ),
                        );
                        if t.contains(Type::DoubleVec) {
                            d = d.with_note("reduce the vector to one number first, e.g. `max(…)`, `avg(…)` or `val(…, 0)`");
                        }
                        self.report(d);
                    }
                }
                _ => {
                    self.expr(value, Position::Value);
                }
            }
            return;
        }
        if let Some(c) = builtins::lookup_constant(name) {
            self.resolved.add_name(target.span, Resolution::Constant(c));
            self.expr(value, Position::Value);
            self.report(Diagnostic::new(
                Code::ReadOnlyAssignment,
                target.span,
                format!("`{name}` is a built-in constant and cannot be assigned"),
            ));
            return;
        }
        if let Some(k) = builtins::lookup_keyword(name) {
            self.resolved.add_name(target.span, Resolution::Keyword(k));
            self.expr(value, Position::Value);
            self.report(Diagnostic::new(
                Code::KeywordMisuse,
                target.span,
                format!("`{name}` is a deallocation keyword and cannot be used as a variable name"),
            ));
            return;
        }
        // A user variable.
        let t = self.expr(value, Position::Value);
        if name.starts_with('$') {
            if name.len() + builtins::MAX_SUGGESTION_EDITS < builtins::SHORTEST_VARIABLE_NAME {
                // Too short to resemble any service variable (`$x`, `$n0`): nothing to say.
            } else if let Some(var) = builtins::VARIABLES.iter().find(|v| v.name.eq_ignore_ascii_case(name)) {
                self.report(
                    Diagnostic::new(
                        Code::VariableCaseMismatch,
                        target.span,
                        format!("`{name}` differs from the service variable `{}` only in case; it is a new variable of your own and does not change the pool", var.name),
                    )
                    .with_fix(format!("replace with `{}`", var.name), target.span, var.name),
                );
            } else if let Some(similar) = builtins::closest(name, builtins::VARIABLES.iter().filter(|v| v.writable).map(|v| v.name)) {
                self.report(
                    Diagnostic::new(
                        Code::SimilarToServiceVariable,
                        target.span,
                        format!("`{name}` is a new variable of your own, not `{similar}`: assigning it does not change the pool"),
                    )
                    .with_fix(format!("replace with `{similar}`"), target.span, similar),
                );
            }
        } else if builtins::lookup_function(name).is_some() {
            self.report(Diagnostic::new(
                Code::ShadowsBuiltin,
                target.span,
                format!("`{name}` is also the name of a built-in function; calls `{name}(…)` still call the function"),
            ));
        } else if let Some((kind, builtin)) = case_variant_of_builtin(name) {
            // D40: a case variant of a constant, function or keyword is a user variable.
            self.report(
                Diagnostic::new(
                    Code::ShadowsBuiltin,
                    target.span,
                    format!("`{name}` differs from the built-in {kind} `{builtin}` only in case: it is a variable of your own, and later reads of `{name}` read it"),
                )
                .with_note(format!("names are case-sensitive; `{builtin}` itself is unchanged")),
            );
        }
        let type_name = t.describe();
        let index = match self.types.get(name) {
            Some((index, _)) => *index,
            None => {
                self.variables.push(VariableInfo {
                    name: name.to_string(),
                    definitions: Vec::new(),
                    references: Vec::new(),
                });
                self.variables.len() - 1
            }
        };
        self.resolved.add_name(target.span, Resolution::User(index));
        self.variables[index].definitions.push(Definition {
            name_span: target.span,
            statement_span,
            type_name,
        });
        match self.types.get_mut(name) {
            Some(entry) => *entry = (index, t),
            None => {
                self.types.insert(target.text.clone(), (index, t));
            }
        }
    }

    /// Check an expression and return its possible types (recorded in the resolved tree).
    fn expr(&mut self, expr: ExprRef<'_>, position: Position) -> TypeSet {
        // Reserved on the way in, so the types are recorded parents first, already sorted.
        let slot = self.resolved.reserve_type(expr.span);
        let t = self.expr_kind(expr, position);
        self.resolved.set_type(slot, t);
        t
    }

    fn expr_kind(&mut self, expr: ExprRef<'_>, position: Position) -> TypeSet {
        match expr.kind() {
            View::Number { value } => {
                if !value.is_finite() {
                    self.report(Diagnostic::new(
                        Code::NumberTooLarge,
                        expr.span,
                        "this number is too large for a double",
                    ));
                    return TypeSet::UNKNOWN;
                }
                Type::Double.into()
            }
            View::String { .. } => Type::String.into(),
            View::Name { name } => self.name(name, expr.span, position),
            View::Paren { inner } => self.expr(inner, position),
            View::Error => TypeSet::UNKNOWN,
            View::Unary { op, operand } => {
                let t = self.value(operand);
                self.unary(*op, t, expr.span)
            }
            View::Binary { op, left, right } => {
                let l = self.value(left);
                let r = self.value(right);
                self.binary(*op, l, r, expr.span)
            }
            View::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                let c = self.value(condition);
                if !c.is_unknown() && !c.contains(Type::Double) {
                    self.report(Diagnostic::new(
                        Code::TypeMismatch,
                        condition.span,
                        format!("a condition must be a double (non-zero is true), not a {}", c.describe()),
                    ));
                }
                let branch_position = if position == Position::Value { Position::Value } else { position };
                let a = self.expr(then_branch, branch_position);
                let b = self.expr(else_branch, branch_position);
                a.union(b)
            }
            View::Call { function, args, .. } => self.call(function, args, expr.span, position),
            View::Member { object, member } => self.member(object, member),
            View::MethodCall { object, method, args, .. } => self.method(object, method, args),
        }
    }

    /// Check an expression whose value is used as an operand.
    fn value(&mut self, expr: ExprRef<'_>) -> TypeSet {
        self.expr(expr, Position::Value)
    }

    fn name(&mut self, name: &str, span: Span, position: Position) -> TypeSet {
        if let Some(var) = builtins::lookup_variable(name) {
            self.resolved.add_name(span, Resolution::Service(var));
            return match var.kind {
                // D51: a read sees the latest write through either name.
                VariableKind::Target(t) => self.target_types[t as usize],
                VariableKind::Scalar(_) => Type::Double.into(),
                VariableKind::DeallocationOption => {
                    if position != Position::Deallocation {
                        self.report(Diagnostic::new(
                            Code::KeywordMisuse,
                            span,
                            "`$NodeDeallocationOption` holds a keyword and can only be assigned back to `$NodeDeallocationOption`",
                        ));
                        return TypeSet::UNKNOWN;
                    }
                    Type::Keyword.into()
                }
                VariableKind::Metric(_) => Type::Double.into(), // D11; the lint says so
            };
        }
        if let Some((index, t)) = self.types.get(name).copied() {
            self.variables[index].references.push(span);
            self.resolved.add_name(span, Resolution::User(index));
            return t;
        }
        if let Some(c) = builtins::lookup_constant(name) {
            self.resolved.add_name(span, Resolution::Constant(c));
            return Type::TimeInterval.into();
        }
        if let Some(k) = builtins::lookup_keyword(name) {
            self.resolved.add_name(span, Resolution::Keyword(k));
            if position != Position::Deallocation {
                self.report(
                    Diagnostic::new(
                        Code::KeywordMisuse,
                        span,
                        format!(
                            "`{}` is a deallocation keyword: it can only be the value of `$NodeDeallocationOption`",
                            k.name
                        ),
                    )
                    .with_note("write e.g. `$NodeDeallocationOption = taskcompletion;`"),
                );
                return TypeSet::UNKNOWN;
            }
            return Type::Keyword.into();
        }
        // Case-only mismatch with a constant or keyword is an error (D2).
        if let Some(c) = builtins::CONSTANTS.iter().find(|c| c.name.eq_ignore_ascii_case(name)) {
            self.report(
                Diagnostic::new(
                    Code::CaseMismatch,
                    span,
                    format!("`{name}` is not defined; names are case-sensitive: did you mean `{}`?", c.name),
                )
                .with_fix(format!("replace with `{}`", c.name), span, c.name),
            );
            return Type::TimeInterval.into();
        }
        if let Some(k) = builtins::KEYWORDS.iter().find(|k| k.name.eq_ignore_ascii_case(name)) {
            self.report(
                Diagnostic::new(
                    Code::CaseMismatch,
                    span,
                    format!("`{name}` is not defined; keywords are lower case: did you mean `{}`?", k.name),
                )
                .with_fix(format!("replace with `{}`", k.name), span, k.name),
            );
            return if position == Position::Deallocation {
                Type::Keyword.into()
            } else {
                TypeSet::UNKNOWN
            };
        }
        if let Some(f) = builtins::FUNCTIONS
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name) && f.name != name)
        {
            self.report(
                Diagnostic::new(
                    Code::CaseMismatch,
                    span,
                    format!(
                        "`{name}` is not defined; names are case-sensitive: did you mean the function `{}`? (call it, e.g. `{}(…)`)",
                        f.name, f.name
                    ),
                )
                .with_fix(format!("replace with `{}`", f.name), span, f.name),
            );
            return TypeSet::UNKNOWN;
        }
        // Undefined (D5), reported at its first use only.
        if !self.reported_undefined.insert(name.to_string()) {
            return TypeSet::UNKNOWN;
        }
        let mut d = Diagnostic::new(
            Code::UndefinedVariable,
            span,
            format!("`{name}` is not defined: it is not a service variable and no earlier statement assigns it"),
        );
        if let Some(later) = self.assigned_anywhere.get(name) {
            d = d
                .with_label(*later, "it is first assigned here, after it is read")
                .with_note("statements run top to bottom; move the assignment before its first use");
        } else if builtins::lookup_function(name).is_some() {
            d.message = format!("`{name}` is a function: call it, e.g. `{name}(…)`");
        } else {
            // In alphabetical order, so that of two equally close names the same one is
            // offered whatever the map's order (which depends on its capacity).
            let mut user: Vec<&str> = self.types.keys().map(Text::as_str).collect();
            user.sort_unstable();
            let suggestion = builtins::closest(
                name,
                builtins::VARIABLES
                    .iter()
                    .map(|v| v.name)
                    .chain(builtins::CONSTANTS.iter().map(|c| c.name))
                    .chain(user),
            );
            if let Some(s) = suggestion {
                let s = s.to_string();
                d = d.with_fix(format!("replace with `{s}`"), span, s.clone());
                d.message.push_str(&format!("; did you mean `{s}`?"));
            }
        }
        self.report(d);
        TypeSet::UNKNOWN
    }

    fn unary(&mut self, op: crate::syntax::ast::UnaryOp, t: TypeSet, span: Span) -> TypeSet {
        if t.is_unknown() {
            return TypeSet::UNKNOWN;
        }
        let mut result = TypeSet::EMPTY;
        for operand in t.iter() {
            if let Some(r) = unary_result(op, operand) {
                result = result | r;
            }
        }
        if result.is_empty() {
            self.report(Diagnostic::new(
                Code::TypeMismatch,
                span,
                format!("`{}` is not defined for a {}", op.symbol(), t.describe()),
            ));
            return TypeSet::UNKNOWN;
        }
        result
    }

    fn binary(&mut self, op: crate::syntax::ast::BinaryOp, l: TypeSet, r: TypeSet, span: Span) -> TypeSet {
        if l.is_unknown() || r.is_unknown() {
            return TypeSet::UNKNOWN;
        }
        let mut result = TypeSet::EMPTY;
        let mut hint = None;
        for a in l.iter() {
            for b in r.iter() {
                match binary_result(op, a, b) {
                    Some(t) => result = result | t,
                    None => hint = hint.or(binary_hint(op, a, b)),
                }
            }
        }
        if result.is_empty() {
            let mut d = Diagnostic::new(
                Code::TypeMismatch,
                span,
                format!(
                    "`{}` is not defined for {} {} {}",
                    op.symbol(),
                    l.describe(),
                    op.symbol(),
                    r.describe()
                ),
            );
            if let Some(h) = hint {
                d = d.with_note(h);
            }
            self.report(d);
            return TypeSet::UNKNOWN;
        }
        result
    }

    fn call(&mut self, function: &Name, args: Args<'_>, span: Span, position: Position) -> TypeSet {
        let name = function.text.as_str();
        let Some(info) = builtins::lookup_function(name) else {
            for arg in args {
                self.value(arg);
            }
            if let Some(f) = builtins::FUNCTIONS.iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
                self.report(
                    Diagnostic::new(
                        Code::CaseMismatch,
                        function.span,
                        format!(
                            "there is no function `{name}`; names are case-sensitive: did you mean `{}`?",
                            f.name
                        ),
                    )
                    .with_fix(format!("replace with `{}`", f.name), function.span, f.name),
                );
            } else if name.starts_with('$') || self.types.contains_key(name) {
                self.report(Diagnostic::new(
                    Code::NotCallable,
                    function.span,
                    format!("`{name}` is a variable, not a function"),
                ));
            } else {
                let mut d = Diagnostic::new(Code::UnknownFunction, function.span, format!("there is no function `{name}`"));
                if let Some(s) = builtins::closest(name, builtins::FUNCTIONS.iter().map(|f| f.name)) {
                    d.message.push_str(&format!("; did you mean `{s}`?"));
                    d = d.with_fix(format!("replace with `{s}`"), function.span, s);
                } else {
                    d = d.with_note("the functions are avg, ceil, floor, len, lg, ln, log, max, min, norm, percentile, rand, range, round, std, stop, sum, time and val");
                }
                self.report(d);
            }
            return TypeSet::UNKNOWN;
        };
        self.resolved.add_name(function.span, Resolution::Function(info));
        let types = self.arg_types(args);
        let arity = |s: &mut Self, expected: &str| {
            s.report(
                Diagnostic::new(
                    Code::WrongArity,
                    span,
                    format!(
                        "`{name}` takes {expected}, but {} {} given",
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                )
                .with_note(format!("signature: {}", info.signatures.join(" | "))),
            );
            TypeSet::UNKNOWN
        };
        match info.params {
            Params::None => {
                if !args.is_empty() {
                    return arity(self, "no arguments");
                }
                if info.function == Function::Stop {
                    if position != Position::Discarded {
                        self.report(Diagnostic::new(
                            Code::MisplacedStop,
                            span,
                            "`stop()` has no value: use it as a statement of its own or as a branch of a `?:` statement whose value is not used",
                        ));
                        return TypeSet::UNKNOWN;
                    }
                    return Type::None.into();
                }
                Type::Double.into()
            }
            Params::OptionalString => {
                if args.len() > 1 {
                    return arity(self, "at most one argument");
                }
                if let (Some(arg), Some(t)) = (args.first(), types.first()) {
                    if !t.is_unknown() && !t.contains(Type::String) {
                        self.report(Diagnostic::new(
                            Code::InvalidArgument,
                            arg.span,
                            format!("`time` takes a string such as \"2024-05-01T10:00:00Z\", not a {}", t.describe()),
                        ));
                    }
                    if let View::String { value } = arg.unparenthesized().kind() {
                        if !value.is_empty() {
                            if let Err(e) = crate::time::parse_time_literal(value) {
                                self.report(Diagnostic::new(
                                    Code::InvalidTimeLiteral,
                                    arg.span,
                                    format!("`time` cannot read \"{value}\": {e}"),
                                ));
                            }
                        }
                    }
                }
                Type::Timestamp.into()
            }
            Params::VecAndDouble => {
                if args.len() != 2 {
                    return arity(self, "two arguments");
                }
                if !types[0].is_unknown() && !types[0].contains(Type::DoubleVec) {
                    self.report(Diagnostic::new(
                        Code::InvalidArgument,
                        args.at(0).span,
                        format!("the first argument of `{name}` must be a doubleVec, not a {}", types[0].describe()),
                    ));
                }
                if !types[1].is_unknown() && !types[1].contains(Type::Double) {
                    self.report(Diagnostic::new(
                        Code::InvalidArgument,
                        args.at(1).span,
                        format!("the second argument of `{name}` must be a double, not a {}", types[1].describe()),
                    ));
                }
                Type::Double.into()
            }
            Params::VecListToDouble | Params::ElementWise => {
                let allowed = Type::Double | Type::DoubleVec;
                for (arg, t) in args.iter().zip(types.iter()) {
                    if !t.is_unknown() && (t.is_empty() || !t.iter().any(|x| allowed.contains(x))) {
                        self.report(Diagnostic::new(
                            Code::InvalidArgument,
                            arg.span,
                            format!("`{name}` takes doubles and doubleVecs, not a {}", t.describe()),
                        ));
                    }
                }
                if info.params == Params::VecListToDouble {
                    // D50: only `len`, `sum` and `norm` have a value for an empty list (D17).
                    if args.is_empty() && !matches!(info.function, Function::Len | Function::Sum | Function::Norm) {
                        return arity(self, "at least one argument");
                    }
                    return Type::Double.into();
                }
                if args.is_empty() {
                    return arity(self, "at least one argument");
                }
                // §4.3: one double → scalar; otherwise element-wise.
                if args.len() == 1 {
                    let t = types[0];
                    if t.is_unknown() {
                        return TypeSet::UNKNOWN;
                    }
                    let mut r = TypeSet::EMPTY;
                    if t.contains(Type::Double) {
                        r = r | Type::Double;
                    }
                    if t.contains(Type::DoubleVec) {
                        r = r | Type::DoubleVec;
                    }
                    return r;
                }
                Type::DoubleVec.into()
            }
        }
    }

    fn member(&mut self, object: ExprRef<'_>, member: &Name) -> TypeSet {
        if let Some(f) = builtins::lookup_field(&member.text) {
            self.resolved.add_name(member.span, Resolution::Field(f));
        }
        // A method name used without parentheses on a metric.
        if let View::Name { name } = object.unparenthesized().kind() {
            if let Some(var) = builtins::lookup_variable(name).filter(|v| matches!(v.kind, VariableKind::Metric(_))) {
                self.resolved.add_name(object.unparenthesized().span, Resolution::Service(var));
                let mut d = Diagnostic::new(
                    Code::UnknownField,
                    member.span,
                    format!("`{}` is not a field of a metric", member.text),
                );
                if let Some(m) = builtins::METHODS.iter().find(|m| m.name.eq_ignore_ascii_case(&member.text)) {
                    d.message = format!("`{}` is a method: call it with parentheses, e.g. `{}.{}(…)`", m.name, name, m.name);
                }
                self.report(d);
                return TypeSet::UNKNOWN;
            }
        }
        let t = self.value(object);
        if !t.is_unknown() && !t.contains(Type::Timestamp) {
            self.report(Diagnostic::new(
                Code::TypeMismatch,
                member.span,
                format!("only timestamps have fields such as `.{}`; this is a {}", member.text, t.describe()),
            ));
            return TypeSet::UNKNOWN;
        }
        if builtins::lookup_field(&member.text).is_none() {
            let fields = builtins::FIELDS.iter().map(|f| f.name);
            let mut d = Diagnostic::new(
                Code::UnknownField,
                member.span,
                format!("a timestamp has no field `{}`", member.text),
            );
            let code_case = builtins::FIELDS.iter().find(|f| f.name.eq_ignore_ascii_case(&member.text));
            if let Some(f) = code_case {
                d.code = Code::CaseMismatch;
                d.severity = Severity::Error;
                d.message = format!(
                    "a timestamp has no field `{}`; names are case-sensitive: did you mean `{}`?",
                    member.text, f.name
                );
                d = d.with_fix(format!("replace with `{}`", f.name), member.span, f.name);
            } else if let Some(s) = builtins::closest(&member.text, fields) {
                d.message.push_str(&format!("; did you mean `{s}`?"));
                d = d.with_fix(format!("replace with `{s}`"), member.span, s);
            } else {
                d = d.with_note("the fields are year, month, day, weekday, hour, minute and second");
            }
            self.report(d);
            return TypeSet::UNKNOWN;
        }
        Type::Double.into()
    }

    /// Check the arguments of a call and return their types, without allocating for the
    /// usual few.
    fn arg_types(&mut self, args: Args<'_>) -> ArgTypes {
        let mut types = ArgTypes {
            inline: [TypeSet::UNKNOWN; ArgTypes::INLINE],
            more: Vec::new(),
            len: args.len(),
        };
        if args.len() <= ArgTypes::INLINE {
            for (slot, arg) in types.inline.iter_mut().zip(args) {
                *slot = self.value(arg);
            }
        } else {
            types.more = args.iter().map(|a| self.value(a)).collect();
        }
        types
    }

    fn method(&mut self, object: ExprRef<'_>, method: &Name, args: Args<'_>) -> TypeSet {
        let types = self.arg_types(args);
        // The receiver must be a sampled metric, named directly (D11).
        let receiver = object.unparenthesized();
        let metric_ok = match receiver.kind() {
            View::Name { name } => match builtins::lookup_variable(name) {
                Some(var) if matches!(var.kind, VariableKind::Metric(_)) => {
                    self.resolved.add_name(receiver.span, Resolution::Service(var));
                    true
                }
                Some(var) => {
                    self.resolved.add_name(receiver.span, Resolution::Service(var));
                    self.report(
                        Diagnostic::new(Code::NotAMetric, receiver.span, format!("`{name}` is a plain number, not a sampled metric, so it has no `.{}`", method.text))
                            .with_note("only the task metrics, $CPUPercent, $PreemptedNodeCount and the retired resource metrics have sample methods; use the value directly"),
                    );
                    false
                }
                None => {
                    if self.types.contains_key(name.as_str()) {
                        self.name(name, receiver.span, Position::Value);
                        self.report(Diagnostic::new(
                            Code::NotAMetric,
                            receiver.span,
                            format!(
                                "`{name}` is a variable of your own; only sampled service metrics such as `$PendingTasks` have `.{}`",
                                method.text
                            ),
                        ));
                    } else {
                        self.name(name, receiver.span, Position::Value);
                    }
                    false
                }
            },
            _ => {
                let t = self.value(receiver);
                if !t.is_unknown() {
                    self.report(Diagnostic::new(
                        Code::NotAMetric,
                        receiver.span,
                        format!("only sampled service metrics such as `$PendingTasks` have `.{}`", method.text),
                    ));
                }
                false
            }
        };
        let Some(info) = builtins::lookup_method(&method.text) else {
            if let Some(m) = builtins::METHODS.iter().find(|m| m.name.eq_ignore_ascii_case(&method.text)) {
                self.report(
                    Diagnostic::new(
                        Code::CaseMismatch,
                        method.span,
                        format!(
                            "there is no method `{}`; names are case-sensitive: did you mean `{}`?",
                            method.text, m.name
                        ),
                    )
                    .with_fix(format!("replace with `{}`", m.name), method.span, m.name),
                );
            } else {
                let mut d = Diagnostic::new(
                    Code::UnknownMethod,
                    method.span,
                    format!("a metric has no method `{}`", method.text),
                );
                if let Some(s) = builtins::closest(&method.text, builtins::METHODS.iter().map(|m| m.name)) {
                    d.message.push_str(&format!("; did you mean `{s}`?"));
                    d = d.with_fix(format!("replace with `{s}`"), method.span, s);
                } else {
                    d = d.with_note("the methods are GetSample, GetSamplePercent, GetSamplePeriod, Count and HistoryBeginTime");
                }
                self.report(d);
            }
            return TypeSet::UNKNOWN;
        };
        self.resolved.add_name(method.span, Resolution::Method(info));
        let time = Type::Timestamp | Type::TimeInterval;
        let is_time = |t: TypeSet| t.is_unknown() || t.iter().any(|x| time.contains(x));
        let is_double = |t: TypeSet| t.is_unknown() || t.contains(Type::Double);
        // Written only for a diagnostic that shows it.
        let signature_note = || format!("signatures: {}", info.signatures.join(" | "));
        let bad = |s: &mut Self, span: Span, what: &str| {
            s.report(Diagnostic::new(Code::InvalidArgument, span, what.to_string()).with_note(signature_note()));
        };
        let result: TypeSet = match info.method {
            Method::GetSample => {
                match args.len() {
                    1 => {
                        if !is_time(types[0]) && !is_double(types[0]) {
                            bad(
                                self,
                                args.at(0).span,
                                "`GetSample` takes a sample count (double) or a window start (timestamp or timeinterval)",
                            );
                        }
                    }
                    2 => {
                        if !is_time(types[0]) {
                            bad(
                                self,
                                args.at(0).span,
                                "with two arguments, the first argument of `GetSample` is the window start (timestamp or timeinterval)",
                            );
                        }
                        if !is_time(types[1]) && !is_double(types[1]) {
                            bad(self, args.at(1).span, "the second argument of `GetSample` is the window end (timestamp or timeinterval) or the sample percentage (double)");
                        }
                    }
                    3 => {
                        if !is_time(types[0]) {
                            bad(
                                self,
                                args.at(0).span,
                                "the first argument of `GetSample` is the window start (timestamp or timeinterval)",
                            );
                        }
                        if !is_time(types[1]) {
                            bad(
                                self,
                                args.at(1).span,
                                "the second argument of `GetSample` is the window end (timestamp or timeinterval)",
                            );
                        }
                        if !is_double(types[2]) {
                            bad(
                                self,
                                args.at(2).span,
                                "the third argument of `GetSample` is the sample percentage (double)",
                            );
                        }
                    }
                    n => {
                        self.report(
                            Diagnostic::new(
                                Code::WrongArity,
                                method.span,
                                format!("`GetSample` takes one to three arguments, but {n} were given"),
                            )
                            .with_note(signature_note()),
                        );
                    }
                }
                Type::DoubleVec.into()
            }
            Method::GetSamplePercent => {
                if args.is_empty() || args.len() > 2 {
                    self.report(
                        Diagnostic::new(
                            Code::WrongArity,
                            method.span,
                            format!(
                                "`GetSamplePercent` takes one or two arguments (a window), but {} were given",
                                args.len()
                            ),
                        )
                        .with_note(signature_note()),
                    );
                }
                for (arg, t) in args.iter().zip(types.iter()).take(2) {
                    if !is_time(*t) {
                        bad(
                            self,
                            arg.span,
                            "the arguments of `GetSamplePercent` are window bounds (timestamp or timeinterval)",
                        );
                    }
                }
                Type::Double.into()
            }
            Method::GetSamplePeriod | Method::Count | Method::HistoryBeginTime => {
                if !args.is_empty() {
                    self.report(Diagnostic::new(
                        Code::WrongArity,
                        method.span,
                        format!("`{}` takes no arguments", info.name),
                    ));
                }
                match info.method {
                    Method::GetSamplePeriod => Type::TimeInterval.into(),
                    Method::Count => Type::Double.into(),
                    _ => Type::Timestamp.into(),
                }
            }
        };
        if metric_ok {
            result
        } else {
            TypeSet::UNKNOWN
        }
    }
}

/// The types of a call's arguments: up to [`ArgTypes::INLINE`] in place, more on the heap.
struct ArgTypes {
    inline: [TypeSet; ArgTypes::INLINE],
    more: Vec<TypeSet>,
    len: usize,
}

impl ArgTypes {
    const INLINE: usize = 4;
}

impl std::ops::Deref for ArgTypes {
    type Target = [TypeSet];

    fn deref(&self) -> &[TypeSet] {
        if self.len <= ArgTypes::INLINE {
            &self.inline[..self.len]
        } else {
            &self.more
        }
    }
}

/// The built-in constant, function or keyword that `name` differs from only in case, with
/// what kind of built-in it is (D40).
fn case_variant_of_builtin(name: &str) -> Option<(&'static str, &'static str)> {
    let same = |builtin: &str| builtin != name && builtin.eq_ignore_ascii_case(name);
    builtins::CONSTANTS
        .iter()
        .find(|c| same(c.name))
        .map(|c| ("constant", c.name))
        .or_else(|| builtins::FUNCTIONS.iter().find(|f| same(f.name)).map(|f| ("function", f.name)))
        .or_else(|| {
            builtins::KEYWORDS
                .iter()
                .find(|k| same(k.name))
                .map(|k| ("deallocation keyword", k.name))
        })
}
