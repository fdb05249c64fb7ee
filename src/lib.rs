//! assetui: a fast, keyboard-driven terminal browser for generative-AI asset
//! libraries. The library holds everything; `src/main.rs` only parses the
//! command line and dispatches.
//!
//! The typed client and the demo server are crates of their own
//! (`crates/api`, `crates/server`); they are re-exported under their old
//! module names so the app, the tests and the benches name them as before.

// A dependency nothing uses fails CI (clippy -D warnings). Test builds are
// left out: each test target sees the dev-dependencies of every other.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod app;
pub mod browser;
pub mod cli;
pub mod clipboard;
pub mod config;
mod dirs;
pub mod download;
mod driver;
mod edits;
pub mod graphics;
pub mod headless;
pub mod kitty_direct;
pub mod library_index;
pub mod lineage;
pub mod logging;
pub mod provider;
pub mod sync;
mod term;
mod term_input;
mod term_probe;
mod text;
mod transfers;
pub mod ui;
pub mod ui_first;
pub mod worker;

pub use assetui_api as api;
pub use assetui_api::{naming, sanitize};
pub use assetui_server as server;
