//! Calendar use cases.
