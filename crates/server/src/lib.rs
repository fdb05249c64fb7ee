//! The Scenario-compatible server (`assetui-server`: `assetui serve`, demo
//! mode, test fixture). It depends on the client crate (`assetui-api`) for
//! the models, naming and sanitizing, and on nothing of the app.
//!
//! `state` holds the library (`library`, built from the embedded demo
//! `manifest`, `synth`etic `--scale` assets and the `--data` `store`, which
//! also keeps the embedded demo's changes between runs);
//! `routes` answer the documented endpoints; `renditions` make thumbnails,
//! previews and conversions; `signing` signs file links; `search` pieces
//! are `text` (keywords), `filter` (Meilisearch syntax) and `embed`
//! (pixel embeddings from the `assetui-pixels` crate, computed by
//! `embeddings`); `jobs` build batch zips;
//! `http` and `faults` do auth, errors and misbehaviour on purpose;
//! `generated` makes the streamed files of `--large-asset` and
//! `--small-assets` (download tests and benchmarks).
//!
//! `twelvelabs` is the TwelveLabs-compatible server beside it, over its own
//! embedded demo library, reusing these pieces.

// A dependency nothing uses fails CI (clippy -D warnings). Test builds are
// left out: each test target sees the dev-dependencies of every other.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

mod convert;
mod created_keys;
mod embeddings;
pub mod faults;
pub mod filter;
pub mod generated;
mod http;
mod jobs;
mod keywords;
mod library;
pub mod manifest;
mod record_view;
mod renditions;
mod routes;
mod run;
mod signing;
mod state;
mod store;
mod synth;
mod text;
pub mod twelvelabs;
pub mod uploads;

// the pixel work lives in its own crate (optimised in test builds)
use assetui_pixels::embed;
pub use run::{start, Running};
pub use state::{AppState, ServerConfig, MAX_UPLOADS_AT_ONCE};
pub use store::OnBadData;
