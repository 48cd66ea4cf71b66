//! Running the recursive walks of a deep tree (checker, compiler, evaluator) with enough stack.
//!
//! The parser bounds a statement's depth ([`crate::syntax::parser::MAX_DEPTH`]), but a walk
//! at that depth needs more stack than a thread is guaranteed to have (2 MiB for spawned and
//! rayon threads, less for some embedders). A walk of a tree deeper than [`SHALLOW`] therefore
//! runs on a scoped thread whose stack is sized for the depth; real formulas are far shallower
//! and run on the caller's thread at no cost.

use crate::syntax::ast::Formula;

/// Trees up to this depth are walked on the caller's stack (a few hundred KiB at most).
pub(crate) const SHALLOW: usize = 200;

/// Stack reserved per level of depth: generous for unoptimised builds, whose frames are
/// several times larger. Only address space is reserved; pages are touched as used.
const PER_LEVEL: usize = 16 * 1024;

/// Stack for everything that is not per level.
const BASE: usize = 2 * 1024 * 1024;

/// The depth of `formula` when it is deeper than [`SHALLOW`], else 0 (which
/// [`with_stack_for`] reads the same): one pass over the arena, without recursion.
pub(crate) fn depth_beyond_shallow(formula: &Formula) -> usize {
    let depth = formula.depth();
    if depth > SHALLOW {
        depth
    } else {
        0
    }
}

/// Run `f`, a walk of a tree `depth` levels deep, with a stack that fits it. A panic in `f`
/// is passed on to the caller.
pub(crate) fn with_stack_for<R: Send>(depth: usize, f: impl FnOnce() -> R + Send) -> R {
    if depth <= SHALLOW {
        return f();
    }
    let size = BASE + depth.saturating_mul(PER_LEVEL);
    let work = std::sync::Mutex::new(Some(f));
    let spawned = std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("deep-formula".into())
            .stack_size(size)
            .spawn_scoped(scope, || {
                let f = work.lock().ok().and_then(|mut w| w.take());
                f.map(|f| f())
            });
        handle.ok().map(|h| h.join())
    });
    match spawned {
        Some(Ok(Some(result))) => result,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        // The thread could not be started (or never ran `f`): run here, as before.
        Some(Ok(None)) | None => {
            let f = work.into_inner().ok().flatten();
            match f {
                Some(f) => f(),
                None => unreachable_work(),
            }
        }
    }
}

#[cold]
fn unreachable_work() -> ! {
    // `f` is taken only by the thread that runs it; if it ran, its result was returned.
    panic!("deep::with_stack_for: the work was taken but produced no result")
}
