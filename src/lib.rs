//! assetui: a fast, keyboard-driven terminal browser for generative-AI asset
//! libraries. The library holds everything; `src/main.rs` only parses the
//! command line and dispatches.

pub mod api;
pub mod app;
pub mod browser;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod dirs;
pub mod download;
pub mod edits;
pub mod graphics;
pub mod headless;
pub mod logging;
pub mod naming;
pub mod sanitize;
pub mod server;
pub mod term;
pub mod term_probe;
pub mod text;
pub mod ui;
pub mod worker;
