//! The TwelveLabs-compatible server (`assetui serve --provider
//! twelvelabs`): the v1.3 API under `/v1.3` as the official SDK speaks it
//! (see `twelvelabs-wire.md`, section 9), over the embedded demo library
//! in `assets/twelvelabs/`. It reuses the Scenario server's pieces: the
//! fault layer (`http`, `faults`), the SQLite store (`store`, its
//! `records` table), link signing (`signing`), the keyword index (`text`),
//! pixel embeddings (`embed`) and renditions.
//!
//! `state` (config, shared state, the demo library at start), `library`
//! (records), `present` (records as JSON), `clock` (server time and the
//! processing stages), `params` and `multipart` (request parsing),
//! `errors` (`{code, message}`, the key check, faults), `assets`,
//! `uploads` (the multipart upload flow), `indexes`, `search`, `files`
//! (signed links, HLS), `media` (what bytes are), `store` (`--data`),
//! `synth` (`--scale`), `demo` (test controls), `run` (start/stop).

mod assets;
mod clock;
mod demo;
mod errors;
mod files;
mod indexes;
mod library;
mod manifest;
mod media;
mod multipart;
mod params;
mod present;
mod run;
mod search;
mod state;
mod store;
mod synth;
mod uploads;

pub use clock::Processing;
pub use run::{start, Running};
pub use state::{TlConfig, TlState};
