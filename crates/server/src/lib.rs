//! The Scenario-compatible server (`assetui-server`: `assetui serve`, demo
//! mode, test fixture). It depends on the client crate (`assetui-api`) for
//! the models, naming and sanitizing, and on nothing of the app.
//!
//! `state` holds the library (`library`, built from the embedded demo
//! `manifest`, `synth`etic `--scale` assets and the `--data` `store`);
//! `routes` answer the documented endpoints; `renditions` make thumbnails,
//! previews and conversions; `signing` signs file links; `search` pieces
//! are `text` (keywords), `filter` (Meilisearch syntax) and `embed`
//! (pixel embeddings, computed by `embeddings`); `jobs` build batch zips;
//! `http` and `faults` do auth, errors and misbehaviour on purpose;
//! `generated` makes the streamed files of `--large-asset` and
//! `--small-assets` (download tests and benchmarks).
//!
//! `twelvelabs` is the TwelveLabs-compatible server beside it, over its own
//! embedded demo library, reusing these pieces.

mod convert;
mod embed;
mod embeddings;
pub mod faults;
pub mod filter;
pub mod generated;
mod http;
mod jobs;
mod library;
pub mod manifest;
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

pub use run::{start, Running};
pub use state::{AppState, ServerConfig, MAX_UPLOADS_AT_ONCE};
