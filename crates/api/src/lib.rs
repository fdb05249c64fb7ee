//! The typed Scenario client (`assetui-api`). No terminal, no UI: the
//! browser, the CLI, the demo server and the tests use it alike. It also
//! holds the two text rules every crate shares: [`sanitize`] (the one
//! cleaner of outside text) and [`naming`] (file names from a template).

// A dependency nothing uses fails CI (clippy -D warnings). Test builds are
// left out: each test target sees the dev-dependencies of every other.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod assets;
pub mod client;
pub mod dates;
pub mod downloads;
pub mod error;
pub mod image_ref;
pub mod imaging;
pub mod library;
pub mod models;
pub mod naming;
pub mod params;
pub mod retry;
pub mod sanitize;
pub mod search;
pub mod uploads;

pub use client::{Client, ClientOptions, DEFAULT_BASE_URL, USER_AGENT};
pub use error::ApiError;
