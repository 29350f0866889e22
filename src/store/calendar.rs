//! Holiday notices table.
