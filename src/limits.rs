//! Size limits of the language (LANGUAGE.md §1.1, D3).

/// Maximum formula length, in UTF-16 code units.
pub const MAX_FORMULA_LENGTH: usize = 8192;

/// Maximum number of non-empty statements.
pub const MAX_STATEMENTS: usize = 100;

/// Maximum number of elements of a doubleVec: two years of 30-second samples (D52). An
/// operation that would build a longer vector fails before it allocates.
pub const MAX_VECTOR_LEN: usize = 2_097_152;
