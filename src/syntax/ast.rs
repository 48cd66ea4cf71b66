//! The syntax tree: plain data with byte spans, serialisable with serde.
//!
//! The tree keeps what a formatter and an editor need: parentheses ([`ExprKind::Paren`]), the
//! span of every name, and the `(` of every call (the position the service reports for a failing
//! sample method, D25). Parts that could not be parsed are [`ExprKind::Error`] /
//! [`StatementKind::Error`] nodes; the diagnostics say why.

use serde::{Deserialize, Serialize};

use super::span::Span;
use super::text::Text;

/// A whole formula: its statements in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Formula {
    /// The statements, in source order. Empty statements (`;;`) are not kept.
    pub statements: Vec<Statement>,
    /// Spans of every `//` comment, in source order (kept for formatting).
    pub comments: Vec<Span>,
    /// The span of the whole text.
    pub span: Span,
}

/// One statement (without its terminating `;`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// What kind of statement.
    pub kind: StatementKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum StatementKind {
    /// `name = value`.
    Assign {
        /// The variable assigned.
        target: Name,
        /// The value assigned.
        value: Expr,
    },
    /// An expression whose value is discarded (D5), e.g. `stop()` or `$X.GetSample(…)`.
    Expr {
        /// The expression.
        expr: Expr,
    },
    /// A statement that could not be parsed.
    Error,
}

/// A name as written, with its span: `$PendingTasks`, `maxNumberofVMs`, `GetSample`, `hour`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The text exactly as written, `$` included (borrowed when it spells a built-in).
    pub text: Text,
    /// Where it is.
    pub span: Span,
}

/// An expression with its span.
///
/// Cloning and dropping never recurse (a left-nested chain is as deep as it is long); the
/// derived `Debug`, `PartialEq` and serde impls do, within the parser's depth bound
/// ([`crate::syntax::parser::MAX_DEPTH`]).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is (from its first to its last token).
    pub span: Span,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ExprKind {
    /// A number literal.
    Number {
        /// Its value (a literal too large for a double is `inf`; the checker reports it).
        value: f64,
    },
    /// A string literal; `value` is the text between the quotes.
    String {
        /// The text between the quotes.
        value: String,
    },
    /// A name used as a value: a variable, a `TimeInterval_*` constant or a keyword.
    Name {
        /// The name as written.
        name: Text,
    },
    /// `-x` or `!x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `condition ? then_branch : else_branch`.
    Conditional {
        /// The condition.
        condition: Box<Expr>,
        /// Value when the condition is non-zero.
        then_branch: Box<Expr>,
        /// Value when the condition is zero.
        else_branch: Box<Expr>,
    },
    /// `function(args)`.
    Call {
        /// The function name.
        function: Name,
        /// The arguments.
        args: Vec<Expr>,
        /// The `(` that opens the arguments.
        open_paren: Span,
    },
    /// `object.member` (a timestamp field).
    Member {
        /// The object.
        object: Box<Expr>,
        /// The field name.
        member: Name,
    },
    /// `object.Method(args)` (a sample method of a metric).
    MethodCall {
        /// The object (a metric).
        object: Box<Expr>,
        /// The method name.
        method: Name,
        /// The arguments.
        args: Vec<Expr>,
        /// The `(` that opens the arguments (the position of run-time errors, D25).
        open_paren: Span,
    },
    /// `( inner )`.
    Paren {
        /// The expression inside.
        inner: Box<Expr>,
    },
    /// Something that could not be parsed.
    Error,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BinaryOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `&&`
    And,
    /// `||`
    Or,
}

impl UnaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
        }
    }
}

impl BinaryOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
        }
    }

    /// Binding power: higher binds tighter (D6).
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Mul | BinaryOp::Div => 6,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
            BinaryOp::Eq | BinaryOp::Ne => 3,
            BinaryOp::And => 2,
            BinaryOp::Or => 1,
        }
    }

    /// Whether the operator is one of the six comparisons.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 4 || self.precedence() == 3
    }
}

impl Expr {
    /// The expression with any enclosing parentheses removed.
    pub fn unparenthesized(&self) -> &Expr {
        let mut e = self;
        while let ExprKind::Paren { inner } = &e.kind {
            e = inner;
        }
        e
    }

    /// Calls `f` on each direct child expression, in source order.
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Number { .. } | ExprKind::String { .. } | ExprKind::Name { .. } | ExprKind::Error => {}
            ExprKind::Unary { operand, .. } => f(operand),
            ExprKind::Binary { left, right, .. } => {
                f(left);
                f(right)
            }
            ExprKind::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                f(condition);
                f(then_branch);
                f(else_branch)
            }
            ExprKind::Call { args, .. } => args.iter().for_each(f),
            ExprKind::Member { object, .. } => f(object),
            ExprKind::MethodCall { object, args, .. } => {
                f(object);
                args.iter().for_each(f)
            }
            ExprKind::Paren { inner } => f(inner),
        }
    }
}

impl Expr {
    /// How many expressions deep the tree is (1 for a literal), counted without recursion.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((e, d)) = stack.pop() {
            deepest = deepest.max(d);
            e.for_each_child(|c| stack.push((c, d + 1)));
        }
        deepest
    }
}

/// Cloning builds the copy bottom-up with its own stack instead of recursing.
impl Clone for Expr {
    fn clone(&self) -> Expr {
        enum Task<'a> {
            Visit(&'a Expr),
            Build(&'a Expr),
        }
        let mut tasks = vec![Task::Visit(self)];
        let mut built: Vec<Expr> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Visit(e) => {
                    tasks.push(Task::Build(e));
                    let mut children = Vec::new();
                    e.for_each_child(|c| children.push(c));
                    tasks.extend(children.into_iter().rev().map(Task::Visit));
                }
                Task::Build(e) => {
                    let mut count = 0;
                    e.for_each_child(|_| count += 1);
                    let children = built.split_off(built.len() - count);
                    built.push(rebuild(e, children));
                }
            }
        }
        built.pop().unwrap_or(Expr {
            kind: ExprKind::Error,
            span: self.span,
        })
    }
}

/// A copy of `e` (its own fields cloned) with `children` (copies of its children, in order).
fn rebuild(e: &Expr, children: Vec<Expr>) -> Expr {
    let mut children = children.into_iter();
    let mut next = || {
        Box::new(children.next().unwrap_or(Expr {
            kind: ExprKind::Error,
            span: e.span,
        }))
    };
    let kind = match &e.kind {
        ExprKind::Number { value } => ExprKind::Number { value: *value },
        ExprKind::String { value } => ExprKind::String { value: value.clone() },
        ExprKind::Name { name } => ExprKind::Name { name: name.clone() },
        ExprKind::Error => ExprKind::Error,
        ExprKind::Unary { op, .. } => ExprKind::Unary { op: *op, operand: next() },
        ExprKind::Binary { op, .. } => {
            let left = next();
            ExprKind::Binary {
                op: *op,
                left,
                right: next(),
            }
        }
        ExprKind::Conditional { .. } => {
            let condition = next();
            let then_branch = next();
            ExprKind::Conditional {
                condition,
                then_branch,
                else_branch: next(),
            }
        }
        ExprKind::Call {
            function,
            args,
            open_paren,
        } => ExprKind::Call {
            function: function.clone(),
            args: (0..args.len()).map(|_| *next()).collect(),
            open_paren: *open_paren,
        },
        ExprKind::Member { member, .. } => ExprKind::Member {
            object: next(),
            member: member.clone(),
        },
        ExprKind::MethodCall {
            method, args, open_paren, ..
        } => {
            let object = next();
            ExprKind::MethodCall {
                object,
                method: method.clone(),
                args: (0..args.len()).map(|_| *next()).collect(),
                open_paren: *open_paren,
            }
        }
        ExprKind::Paren { .. } => ExprKind::Paren { inner: next() },
    };
    Expr { kind, span: e.span }
}

thread_local! {
    /// How many [`Expr`] drops are under way, nested, on this thread's stack.
    static DROP_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Drops nest this deep on the stack (a few frames each, a few KiB in all) before the
/// iterative drop takes over.
const RECURSIVE_DROP_DEPTH: usize = 48;

/// Dropping a tree never recurses deeply: a chain of thousands of terms is as deep as it is
/// long, and the derived drop would use one stack frame per level. The first
/// [`RECURSIVE_DROP_DEPTH`] levels are dropped the plain way (no allocation, nothing moved but
/// the node's own fields); below that, the children are moved onto a heap stack and dropped
/// one by one.
impl Drop for Expr {
    fn drop(&mut self) {
        if matches!(
            self.kind,
            ExprKind::Number { .. } | ExprKind::String { .. } | ExprKind::Name { .. } | ExprKind::Error
        ) {
            return; // a leaf: nothing below it
        }
        let depth = DROP_DEPTH.get();
        if depth < RECURSIVE_DROP_DEPTH {
            DROP_DEPTH.set(depth + 1);
            // The children's drops run here, one level deeper.
            drop(std::mem::replace(&mut self.kind, ExprKind::Error));
            DROP_DEPTH.set(depth);
            return;
        }
        if !has_grandchildren(&self.kind) {
            return; // the children are leaves: their own drops do not recurse
        }
        let mut stack = Vec::new();
        take_children(&mut self.kind, &mut stack);
        while let Some(mut e) = stack.pop() {
            take_children(&mut e.kind, &mut stack);
            // `e` has no children left: dropping it does not recurse.
        }
    }
}

/// Whether any child of `kind` has children of its own.
fn has_grandchildren(kind: &ExprKind) -> bool {
    let mut found = false;
    let check = |e: &Expr| {
        let mut any = false;
        e.for_each_child(|_| any = true);
        any
    };
    match kind {
        ExprKind::Number { .. } | ExprKind::String { .. } | ExprKind::Name { .. } | ExprKind::Error => {}
        ExprKind::Unary { operand, .. } => found = check(operand),
        ExprKind::Binary { left, right, .. } => found = check(left) || check(right),
        ExprKind::Conditional {
            condition,
            then_branch,
            else_branch,
        } => found = check(condition) || check(then_branch) || check(else_branch),
        ExprKind::Call { args, .. } => found = args.iter().any(check),
        ExprKind::Member { object, .. } => found = check(object),
        ExprKind::MethodCall { object, args, .. } => found = check(object) || args.iter().any(check),
        ExprKind::Paren { inner } => found = check(inner),
    }
    found
}

/// Move the children of `kind` onto `stack`, leaving error leaves in their place.
fn take_children(kind: &mut ExprKind, stack: &mut Vec<Expr>) {
    let mut take = |b: &mut Box<Expr>| {
        stack.push(std::mem::replace(
            &mut **b,
            Expr {
                kind: ExprKind::Error,
                span: Span::default(),
            },
        ))
    };
    match kind {
        ExprKind::Number { .. } | ExprKind::String { .. } | ExprKind::Name { .. } | ExprKind::Error => {}
        ExprKind::Unary { operand, .. } => take(operand),
        ExprKind::Binary { left, right, .. } => {
            take(left);
            take(right);
        }
        ExprKind::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            take(condition);
            take(then_branch);
            take(else_branch);
        }
        ExprKind::Call { args, .. } => stack.append(args),
        ExprKind::Member { object, .. } => take(object),
        ExprKind::MethodCall { object, args, .. } => {
            take(object);
            stack.append(args);
        }
        ExprKind::Paren { inner } => take(inner),
    }
}

impl Formula {
    /// The depth of the deepest statement's expression (0 when there is none).
    pub fn depth(&self) -> usize {
        self.statements
            .iter()
            .filter_map(Statement::expr)
            .map(Expr::depth)
            .max()
            .unwrap_or(0)
    }
}

impl Statement {
    /// The expression of the statement (the value of an assignment), if any.
    pub fn expr(&self) -> Option<&Expr> {
        match &self.kind {
            StatementKind::Assign { value, .. } => Some(value),
            StatementKind::Expr { expr } => Some(expr),
            StatementKind::Error => None,
        }
    }
}
