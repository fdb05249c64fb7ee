//! The typed TwelveLabs client (`assetui-twelvelabs`), API v1.3 as the
//! official Python SDK 1.3.6 speaks it. No terminal, no UI.
//!
//! - [`models`]: every answer a browser reads, lossless (unknown fields
//!   kept, open enums, numbers as sent).
//! - [`Client`]: assets (list, retrieve, create by file or URL, the
//!   multipart upload flow, delete, user metadata), indexes and their
//!   assets/videos, search and its pages; retries on 408, 429 and 5xx and
//!   on connection failures, never resending an upload the service may
//!   have acted on; every read bounded in bytes, pages and time.
//! - [`Config`]: the key (`TWELVE_LABS_API_KEY`) and base URL
//!   (`TWELVELABS_BASE_URL`).
//! - [`Error`]: one line per failure, `code: message` and what to do.

// A dependency nothing uses fails CI (clippy -D warnings). Test builds are
// left out: each test target sees the dev-dependencies of every other.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod assets;
pub mod client;
pub mod config;
pub mod error;
pub mod form;
pub mod indexes;
pub mod models;
pub mod paging;
pub mod search;
pub mod upload;

pub use client::{ChunkPolicy, Client, ClientOptions, RetryPolicy, API_KEY_HEADER, USER_AGENT};
pub use config::{Config, API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL};
pub use error::{Error, ServerSaid};
