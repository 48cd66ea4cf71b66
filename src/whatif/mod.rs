//! What-if: replay and simulation (being written).
