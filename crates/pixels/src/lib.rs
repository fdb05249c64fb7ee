//! The demo servers' number crunching (`assetui-pixels`): [`embed`] (image
//! embeddings from the pixels, for similarity searches) and [`synth`]
//! (synthetic pictures for `--scale` assets). It is a crate of its own so
//! that test builds can optimise these loops (they run for every picture
//! at every server start) apart from the server's HTTP code, which is most
//! of the compile time: see the `[profile.dev]` notes in the workspace's
//! `Cargo.toml`.

// A dependency nothing uses fails CI (clippy -D warnings). Test builds are
// left out: each test target sees the dev-dependencies of every other.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod embed;
pub mod synth;
