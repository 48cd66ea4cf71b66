//! The syntax tree, stored as an arena: every expression of a formula is a node in one vector
//! ([`Formula`]'s `exprs`), children before their parents, and refers to its children by
//! [`ExprId`]; the arguments of every call are one contiguous run of ids in a second vector
//! (an [`ArgList`]). Building a tree is a push per node, with no allocation per node, and
//! dropping or cloning one drops or clones two vectors, whatever the depth.
//!
//! Walkers read the tree through [`ExprRef`], a `Copy` handle (the formula, an id and the
//! node's span), whose [`ExprRef::kind`] gives a [`View`]: the node's kind with its children
//! as handles, shaped like matching on a `&ExprKind` of a boxed tree.
//!
//! The tree keeps what a formatter and an editor need: parentheses ([`ExprKind::Paren`]), the
//! span of every name, and the `(` of every call (the position the service reports for a failing
//! sample method, D25). Parts that could not be parsed are [`ExprKind::Error`] /
//! [`StatementKind::Error`] nodes; the diagnostics say why. It serialises with serde as the
//! nested tree it stands for.

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use super::span::Span;
use super::text::Text;

/// The index of an expression in its formula's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExprId(u32);

impl ExprId {
    /// The index in the arena.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The arguments of a call: a run of ids in the formula's argument store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ArgList {
    start: u32,
    len: u32,
}

/// A whole formula: its statements in order, and the arena of their expressions.
///
/// Equality compares the trees the statements stand for (not the order of the arena), and
/// serialisation writes them nested.
#[derive(Debug, Clone, Default)]
pub struct Formula {
    /// The statements, in source order. Empty statements (`;;`) are not kept.
    pub statements: Vec<Statement>,
    /// Spans of every `//` comment, in source order (kept for formatting).
    pub comments: Vec<Span>,
    /// The span of the whole text.
    pub span: Span,
    /// Every expression node, children before parents.
    exprs: Vec<Expr>,
    /// The arguments of every call, each call's a contiguous run.
    args: Vec<ExprId>,
}

/// One statement (without its terminating `;`).
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// What kind of statement.
    pub kind: StatementKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `name = value`.
    Assign {
        /// The variable assigned.
        target: Name,
        /// The value assigned.
        value: ExprId,
    },
    /// An expression whose value is discarded (D5), e.g. `stop()` or `$X.GetSample(…)`.
    Expr {
        /// The expression.
        expr: ExprId,
    },
    /// A statement that could not be parsed.
    Error,
}

/// A name as written, with its span: `$PendingTasks`, `maxNumberofVMs`, `GetSample`, `hour`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name {
    /// The text exactly as written, `$` included (borrowed when it spells a built-in).
    pub text: Text,
    /// Where it is.
    pub span: Span,
}

/// An expression node of the arena, with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is (from its first to its last token).
    pub span: Span,
}

/// The kinds of expression, as stored: children are ids in the same formula.
#[derive(Debug, Clone, PartialEq)]
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
        operand: ExprId,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: ExprId,
        /// Right operand.
        right: ExprId,
    },
    /// `condition ? then_branch : else_branch`.
    Conditional {
        /// The condition.
        condition: ExprId,
        /// Value when the condition is non-zero.
        then_branch: ExprId,
        /// Value when the condition is zero.
        else_branch: ExprId,
    },
    /// `function(args)`.
    Call {
        /// The function name.
        function: Name,
        /// The arguments.
        args: ArgList,
        /// The `(` that opens the arguments.
        open_paren: Span,
    },
    /// `object.member` (a timestamp field).
    Member {
        /// The object.
        object: ExprId,
        /// The field name.
        member: Name,
    },
    /// `object.Method(args)` (a sample method of a metric).
    MethodCall {
        /// The object (a metric).
        object: ExprId,
        /// The method name.
        method: Name,
        /// The arguments.
        args: ArgList,
        /// The `(` that opens the arguments (the position of run-time errors, D25).
        open_paren: Span,
    },
    /// `( inner )`.
    Paren {
        /// The expression inside.
        inner: ExprId,
    },
    /// Something that could not be parsed.
    Error,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
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

/// A handle on one expression of a formula: two pointers, cheap to copy, read with
/// [`ExprRef::kind`]. It derefs to the stored node, so `e.span` is the expression's span.
#[derive(Clone, Copy)]
pub struct ExprRef<'a> {
    formula: &'a Formula,
    node: &'a Expr,
}

impl std::ops::Deref for ExprRef<'_> {
    type Target = Expr;
    #[inline]
    fn deref(&self) -> &Expr {
        self.node
    }
}

/// An expression's kind with its children as handles: what matching on `&ExprKind` of a
/// boxed tree gave, so a walker reads `match e.kind() { View::Binary { op, left, right } => … }`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum View<'a> {
    /// A number literal.
    Number {
        /// Its value.
        value: &'a f64,
    },
    /// A string literal.
    String {
        /// The text between the quotes.
        value: &'a String,
    },
    /// A name used as a value.
    Name {
        /// The name as written.
        name: &'a Text,
    },
    /// `-x` or `!x`.
    Unary {
        /// The operator.
        op: &'a UnaryOp,
        /// The operand.
        operand: ExprRef<'a>,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: &'a BinaryOp,
        /// Left operand.
        left: ExprRef<'a>,
        /// Right operand.
        right: ExprRef<'a>,
    },
    /// `condition ? then_branch : else_branch`.
    Conditional {
        /// The condition.
        condition: ExprRef<'a>,
        /// Value when the condition is non-zero.
        then_branch: ExprRef<'a>,
        /// Value when the condition is zero.
        else_branch: ExprRef<'a>,
    },
    /// `function(args)`.
    Call {
        /// The function name.
        function: &'a Name,
        /// The arguments.
        args: Args<'a>,
        /// The `(` that opens the arguments.
        open_paren: &'a Span,
    },
    /// `object.member`.
    Member {
        /// The object.
        object: ExprRef<'a>,
        /// The field name.
        member: &'a Name,
    },
    /// `object.Method(args)`.
    MethodCall {
        /// The object.
        object: ExprRef<'a>,
        /// The method name.
        method: &'a Name,
        /// The arguments.
        args: Args<'a>,
        /// The `(` that opens the arguments.
        open_paren: &'a Span,
    },
    /// `( inner )`.
    Paren {
        /// The expression inside.
        inner: ExprRef<'a>,
    },
    /// Something that could not be parsed.
    Error,
}

/// The arguments of a call, as handles.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    formula: &'a Formula,
    ids: &'a [ExprId],
}

impl<'a> Args<'a> {
    /// How many arguments.
    #[inline]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The argument at `index`, if there is one.
    #[inline]
    pub fn get(&self, index: usize) -> Option<ExprRef<'a>> {
        self.ids.get(index).map(|&id| self.formula.get(id))
    }

    /// The argument at `index`, which the caller knows is there (like indexing a slice).
    #[inline]
    pub fn at(&self, index: usize) -> ExprRef<'a> {
        self.formula.get(self.ids[index])
    }

    /// The first argument.
    pub fn first(&self) -> Option<ExprRef<'a>> {
        self.get(0)
    }

    /// The arguments in order.
    #[inline]
    pub fn iter(&self) -> ArgsIter<'a> {
        ArgsIter {
            formula: self.formula,
            ids: self.ids.iter(),
        }
    }

    /// The ids of the arguments (for slice patterns: `match args.ids() { [one] => … }`).
    pub fn ids(&self) -> &'a [ExprId] {
        self.ids
    }

    /// The expression of `id`, one of [`Args::ids`].
    pub fn expr(&self, id: ExprId) -> ExprRef<'a> {
        self.formula.get(id)
    }
}

impl<'a> IntoIterator for Args<'a> {
    type Item = ExprRef<'a>;
    type IntoIter = ArgsIter<'a>;
    fn into_iter(self) -> ArgsIter<'a> {
        self.iter()
    }
}

/// The arguments of a call in order, as handles.
#[derive(Clone)]
pub struct ArgsIter<'a> {
    formula: &'a Formula,
    ids: std::slice::Iter<'a, ExprId>,
}

impl<'a> Iterator for ArgsIter<'a> {
    type Item = ExprRef<'a>;
    #[inline]
    fn next(&mut self) -> Option<ExprRef<'a>> {
        self.ids.next().map(|&id| self.formula.get(id))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.ids.size_hint()
    }
}

impl DoubleEndedIterator for ArgsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.ids.next_back().map(|&id| self.formula.get(id))
    }
}

impl ExactSizeIterator for ArgsIter<'_> {}

impl std::fmt::Debug for Args<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Args<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for arg in self.iter() {
            seq.serialize_element(&arg)?;
        }
        seq.end()
    }
}

impl<'a> ExprRef<'a> {
    /// What kind of expression, with the children as handles.
    #[inline(always)]
    pub fn kind(self) -> View<'a> {
        let f = self.formula;
        match &self.node.kind {
            ExprKind::Number { value } => View::Number { value },
            ExprKind::String { value } => View::String { value },
            ExprKind::Name { name } => View::Name { name },
            ExprKind::Unary { op, operand } => View::Unary {
                op,
                operand: f.get(*operand),
            },
            ExprKind::Binary { op, left, right } => View::Binary {
                op,
                left: f.get(*left),
                right: f.get(*right),
            },
            ExprKind::Conditional {
                condition,
                then_branch,
                else_branch,
            } => View::Conditional {
                condition: f.get(*condition),
                then_branch: f.get(*then_branch),
                else_branch: f.get(*else_branch),
            },
            ExprKind::Call {
                function,
                args,
                open_paren,
            } => View::Call {
                function,
                args: f.args_of(*args),
                open_paren,
            },
            ExprKind::Member { object, member } => View::Member {
                object: f.get(*object),
                member,
            },
            ExprKind::MethodCall {
                object,
                method,
                args,
                open_paren,
            } => View::MethodCall {
                object: f.get(*object),
                method,
                args: f.args_of(*args),
                open_paren,
            },
            ExprKind::Paren { inner } => View::Paren { inner: f.get(*inner) },
            ExprKind::Error => View::Error,
        }
    }

    /// The expression with any enclosing parentheses removed.
    #[inline]
    pub fn unparenthesized(self) -> ExprRef<'a> {
        let mut e = self;
        while let ExprKind::Paren { inner } = e.node.kind {
            e = self.formula.get(inner);
        }
        e
    }

    /// Calls `f` on each direct child expression, in source order.
    #[inline]
    pub fn for_each_child(self, mut f: impl FnMut(ExprRef<'a>)) {
        let formula = self.formula;
        self.node.kind.for_each_child_id(&formula.args, |id| f(formula.get(id)));
    }

    /// The node's id: its index in the formula's arena.
    #[inline]
    pub fn id(self) -> ExprId {
        let offset = self.node as *const Expr as usize - self.formula.exprs.as_ptr() as usize;
        ExprId((offset / std::mem::size_of::<Expr>()) as u32)
    }
}

/// How many expressions deep the tree under `root` is, counted without recursion.
fn depth(exprs: &[Expr], args: &[ExprId], root: &Expr) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root, 1usize)];
    while let Some((e, d)) = stack.pop() {
        deepest = deepest.max(d);
        e.kind.for_each_child_id(args, |c| {
            if let Some(child) = exprs.get(c.index()) {
                stack.push((child, d + 1));
            }
        });
    }
    deepest
}

impl ExprKind {
    /// Calls `f` on the id of each direct child, in source order (`args` is the argument store).
    #[inline]
    fn for_each_child_id(&self, args: &[ExprId], mut f: impl FnMut(ExprId)) {
        let arg_ids = |list: &ArgList| {
            let start = list.start as usize;
            args.get(start..start + list.len as usize).unwrap_or(&[])
        };
        match self {
            ExprKind::Number { .. } | ExprKind::String { .. } | ExprKind::Name { .. } | ExprKind::Error => {}
            ExprKind::Unary { operand, .. } => f(*operand),
            ExprKind::Binary { left, right, .. } => {
                f(*left);
                f(*right)
            }
            ExprKind::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                f(*condition);
                f(*then_branch);
                f(*else_branch)
            }
            ExprKind::Call { args, .. } => arg_ids(args).iter().copied().for_each(f),
            ExprKind::Member { object, .. } => f(*object),
            ExprKind::MethodCall { object, args, .. } => {
                f(*object);
                arg_ids(args).iter().copied().for_each(f)
            }
            ExprKind::Paren { inner } => f(*inner),
        }
    }

    /// Whether two nodes are the same apart from their children (compared by the caller).
    fn same_node(&self, other: &ExprKind) -> bool {
        match (self, other) {
            (ExprKind::Number { value: a }, ExprKind::Number { value: b }) => a == b,
            (ExprKind::String { value: a }, ExprKind::String { value: b }) => a == b,
            (ExprKind::Name { name: a }, ExprKind::Name { name: b }) => a == b,
            (ExprKind::Unary { op: a, .. }, ExprKind::Unary { op: b, .. }) => a == b,
            (ExprKind::Binary { op: a, .. }, ExprKind::Binary { op: b, .. }) => a == b,
            (ExprKind::Conditional { .. }, ExprKind::Conditional { .. }) => true,
            (
                ExprKind::Call {
                    function: f1,
                    args: a1,
                    open_paren: p1,
                },
                ExprKind::Call {
                    function: f2,
                    args: a2,
                    open_paren: p2,
                },
            ) => f1 == f2 && a1.len == a2.len && p1 == p2,
            (ExprKind::Member { member: a, .. }, ExprKind::Member { member: b, .. }) => a == b,
            (
                ExprKind::MethodCall {
                    method: m1,
                    args: a1,
                    open_paren: p1,
                    ..
                },
                ExprKind::MethodCall {
                    method: m2,
                    args: a2,
                    open_paren: p2,
                    ..
                },
            ) => m1 == m2 && a1.len == a2.len && p1 == p2,
            (ExprKind::Paren { .. }, ExprKind::Paren { .. }) => true,
            (ExprKind::Error, ExprKind::Error) => true,
            _ => false,
        }
    }
}

/// Structural equality (same spans, kinds and children), compared without recursion.
impl PartialEq for ExprRef<'_> {
    fn eq(&self, other: &ExprRef<'_>) -> bool {
        let mut pending = vec![(*self, *other)];
        let (mut left, mut right) = (Vec::new(), Vec::new());
        while let Some((a, b)) = pending.pop() {
            if a.span != b.span || !a.node.kind.same_node(&b.node.kind) {
                return false;
            }
            left.clear();
            right.clear();
            a.for_each_child(|c| left.push(c));
            b.for_each_child(|c| right.push(c));
            if left.len() != right.len() {
                return false;
            }
            pending.extend(left.iter().copied().zip(right.iter().copied()));
        }
        true
    }
}

impl std::fmt::Debug for ExprRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Expr")
            .field("kind", &self.kind())
            .field("span", &self.span)
            .finish()
    }
}

/// Serialised as the nested tree: `{"kind": {"kind": "binary", "op": …, "left": …}, "span": …}`.
impl Serialize for ExprRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Expr", 2)?;
        s.serialize_field("kind", &self.kind())?;
        s.serialize_field("span", &self.span)?;
        s.end()
    }
}

impl Formula {
    /// A formula with no statement and no expression.
    pub fn empty(span: Span) -> Formula {
        Formula {
            span,
            ..Formula::default()
        }
    }

    /// The expression `id` (an id from this formula).
    #[inline]
    pub fn get(&self, id: ExprId) -> ExprRef<'_> {
        ExprRef {
            formula: self,
            node: &self.exprs[id.index()],
        }
    }

    /// The node at `index` in the arena (below [`Formula::node_count`]; children come before
    /// their parents).
    #[inline]
    pub(crate) fn node(&self, index: usize) -> ExprRef<'_> {
        ExprRef {
            formula: self,
            node: &self.exprs[index],
        }
    }

    /// An argument list as handles.
    #[inline]
    fn args_of(&self, args: ArgList) -> Args<'_> {
        let start = args.start as usize;
        Args {
            formula: self,
            ids: &self.args[start..start + args.len as usize],
        }
    }

    /// The expression of `statement` (the value of an assignment), if any.
    pub fn statement_expr(&self, statement: &Statement) -> Option<ExprRef<'_>> {
        statement.expr().map(|id| self.get(id))
    }

    /// Whether the arenas hold the same nodes in the same order (stricter than `==`).
    #[cfg(any(test, fuzzing))]
    pub(crate) fn same_arena(&self, other: &Formula) -> bool {
        self.exprs == other.exprs && self.args == other.args
    }

    /// The statements as nested trees, for messages.
    #[cfg(any(test, fuzzing))]
    pub(crate) fn show(&self) -> Vec<(Span, Option<ExprRef<'_>>)> {
        self.statements.iter().map(|s| (s.span, self.statement_expr(s))).collect()
    }

    /// How many expression nodes the arena holds (at least as many as the statements reach).
    pub(crate) fn node_count(&self) -> usize {
        self.exprs.len()
    }

    /// The depth of the deepest statement's expression (0 when there is none): one pass over
    /// the arena, whose children come before their parents, without recursion.
    pub fn depth(&self) -> usize {
        let mut depths: Vec<u32> = Vec::with_capacity(self.exprs.len());
        for e in &self.exprs {
            let mut deepest = 0;
            e.kind.for_each_child_id(&self.args, |c| {
                deepest = deepest.max(depths.get(c.index()).copied().unwrap_or(0));
            });
            depths.push(deepest + 1);
        }
        self.statements
            .iter()
            .filter_map(|s| depths.get(s.expr()?.index()))
            .max()
            .map_or(0, |&d| d as usize)
    }
}

/// Equality of the trees the statements stand for, whatever the order of the arenas.
impl PartialEq for Formula {
    fn eq(&self, other: &Formula) -> bool {
        self.span == other.span
            && self.comments == other.comments
            && self.statements.len() == other.statements.len()
            && self.statements.iter().zip(&other.statements).all(|(a, b)| {
                a.span == b.span
                    && match (&a.kind, &b.kind) {
                        (StatementKind::Assign { target: t1, value: v1 }, StatementKind::Assign { target: t2, value: v2 }) => {
                            t1 == t2 && self.get(*v1) == other.get(*v2)
                        }
                        (StatementKind::Expr { expr: e1 }, StatementKind::Expr { expr: e2 }) => self.get(*e1) == other.get(*e2),
                        (StatementKind::Error, StatementKind::Error) => true,
                        _ => false,
                    }
            })
    }
}

/// A statement with its expression as a handle, for serialisation.
#[derive(Serialize)]
struct StatementOut<'a> {
    kind: StatementKindOut<'a>,
    span: Span,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
enum StatementKindOut<'a> {
    Assign { target: &'a Name, value: ExprRef<'a> },
    Expr { expr: ExprRef<'a> },
    Error,
}

/// Serialised as before the arena: `{"statements": [nested trees], "comments": …, "span": …}`.
impl Serialize for Formula {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Statements<'a>(&'a Formula);
        impl Serialize for Statements<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let f = self.0;
                let mut seq = serializer.serialize_seq(Some(f.statements.len()))?;
                for s in &f.statements {
                    let kind = match &s.kind {
                        StatementKind::Assign { target, value } => StatementKindOut::Assign {
                            target,
                            value: f.get(*value),
                        },
                        StatementKind::Expr { expr } => StatementKindOut::Expr { expr: f.get(*expr) },
                        StatementKind::Error => StatementKindOut::Error,
                    };
                    seq.serialize_element(&StatementOut { kind, span: s.span })?;
                }
                seq.end()
            }
        }
        let mut s = serializer.serialize_struct("Formula", 3)?;
        s.serialize_field("statements", &Statements(self))?;
        s.serialize_field("comments", &self.comments)?;
        s.serialize_field("span", &self.span)?;
        s.end()
    }
}

impl Statement {
    /// The id of the statement's expression (the value of an assignment), if any.
    pub fn expr(&self) -> Option<ExprId> {
        match &self.kind {
            StatementKind::Assign { value, .. } => Some(*value),
            StatementKind::Expr { expr } => Some(*expr),
            StatementKind::Error => None,
        }
    }
}

/// Where a [`Builder`] stood, to go back to (dropping what was pushed since).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    exprs: usize,
    args: usize,
    pending: usize,
}

/// A formula's arena while it is parsed: nodes are pushed children first.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    exprs: Vec<Expr>,
    args: Vec<ExprId>,
    /// Arguments of the calls being parsed, innermost last; see [`Builder::close_args`].
    pending: Vec<ExprId>,
}

impl Builder {
    /// A builder with room for `nodes` expressions (a formula has at most one per token).
    pub(crate) fn with_capacity(nodes: usize) -> Builder {
        Builder {
            exprs: Vec::with_capacity(nodes),
            args: Vec::with_capacity(nodes / 2),
            pending: Vec::new(),
        }
    }

    /// Add a node whose children are already in; its id.
    pub(crate) fn push(&mut self, kind: ExprKind, span: Span) -> ExprId {
        let id = ExprId(self.exprs.len() as u32);
        debug_assert!({
            let mut before = true;
            kind.for_each_child_id(&self.args, |c| before &= c.0 < id.0);
            before
        });
        self.exprs.push(Expr { kind, span });
        id
    }

    /// The span of node `id`.
    pub(crate) fn span(&self, id: ExprId) -> Span {
        self.exprs.get(id.index()).map_or(Span::default(), |e| e.span)
    }

    /// How many expressions deep the statement's tree is (0 without one), counted without recursion.
    pub(crate) fn depth_of_statement(&self, statement: &Statement) -> usize {
        let root = statement.expr().and_then(|id| self.exprs.get(id.index()));
        root.map_or(0, |root| depth(&self.exprs, &self.args, root))
    }

    /// Store `ids` as one argument list.
    pub(crate) fn arg_list(&mut self, ids: &[ExprId]) -> ArgList {
        let start = self.args.len() as u32;
        self.args.extend_from_slice(ids);
        ArgList {
            start,
            len: ids.len() as u32,
        }
    }

    /// Where the list of arguments that starts now begins in the pending ones.
    pub(crate) fn open_args(&self) -> usize {
        self.pending.len()
    }

    /// One more argument of the innermost call being parsed.
    pub(crate) fn pending_arg(&mut self, id: ExprId) {
        self.pending.push(id);
    }

    /// Store the arguments pending since `open` (from [`Builder::open_args`]) as one list.
    pub(crate) fn close_args(&mut self, open: usize) -> ArgList {
        let start = self.args.len() as u32;
        let ids = self.pending.get(open..).unwrap_or(&[]);
        self.args.extend_from_slice(ids);
        let len = ids.len() as u32;
        self.pending.truncate(open);
        ArgList { start, len }
    }

    /// Where the builder stands now.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            exprs: self.exprs.len(),
            args: self.args.len(),
            pending: self.pending.len(),
        }
    }

    /// Drop everything pushed since `mark`.
    pub(crate) fn truncate(&mut self, mark: Mark) {
        self.exprs.truncate(mark.exprs);
        self.args.truncate(mark.args);
        self.pending.truncate(mark.pending);
    }

    /// The formula of these nodes.
    pub(crate) fn finish(self, statements: Vec<Statement>, comments: Vec<Span>, span: Span) -> Formula {
        Formula {
            statements,
            comments,
            span,
            exprs: self.exprs,
            args: self.args,
        }
    }
}
