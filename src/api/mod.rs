//! The typed Scenario client. No terminal, no UI: this module is used by the
//! browser, the CLI and the tests alike, and a second backend sits beside it.

pub mod assets;
pub mod client;
pub mod downloads;
pub mod error;
pub mod image_ref;
pub mod library;
pub mod models;
pub mod params;
pub mod retry;
pub mod search;

pub use client::{Client, ClientOptions, DEFAULT_BASE_URL, USER_AGENT};
pub use error::ApiError;
