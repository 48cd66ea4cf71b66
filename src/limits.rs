//! Size limits of the language (LANGUAGE.md §1.1, D3).

/// Maximum formula length, in UTF-16 code units.
pub const MAX_FORMULA_LENGTH: usize = 8192;

/// Maximum number of non-empty statements.
pub const MAX_STATEMENTS: usize = 100;
