//! shuangsuiji (双随机): random inspections for a county environment bureau.
//!
//! Layers, from the centre out: [`domain`] (pure rules), [`store`] (SQLite), [`services`]
//! (use cases in one transaction, with permission checks), and the command line in `cli`.

pub mod demo;
pub mod domain;
pub mod services;
pub mod sheets;
pub mod store;
pub mod tui;
