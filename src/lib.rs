//! assetui: a fast, keyboard-driven terminal browser for generative-AI asset
//! libraries. The library holds everything; `src/main.rs` only parses the
//! command line and dispatches.

pub mod api;
pub mod cli;
pub mod config;
pub mod naming;
pub mod sanitize;
pub mod server;
